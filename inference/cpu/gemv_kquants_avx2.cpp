// AVX2 matrix-vector products for Q4_K, Q5_K and Q6_K against Q8Block32
// activations (one step d_a per 32 elements).
//
// A super-block contributes
//   Q4_K, Q5_K: sum_j (d sc_j) d_a,j dot_j - (dmin mn_j) s_a,j     (8 sub-blocks of 32)
//   Q6_K:       sum_j (d sc_j) d_a,j/2 dot_j - 32 (d sc_j) s_a,j    (16 sub-blocks of 16)
// where dot_j sums q * a' over sub-block j (q unsigned), d_a the activation
// step of the 32-block and s_a = d_a * (sum of the sub-block's activation
// quants). The integer dot products of all sub-blocks are folded into one
// vector, so one conversion and one FMA against a vector of the combined
// scales serve a whole super-block.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

constexpr int kQ4_KBytes = 144;
constexpr int kQ5_KBytes = 176;
constexpr int kQ6_KBytes = 210;

// The eight 6-bit scales and mins of a Q4_K super-block (see block_q4_K),
// unpacked from its three 32-bit words of packed scales.
inline void unpack_scales_q4_K(const uint8_t* packed, uint8_t sc[8], uint8_t mn[8])
{
    const uint32_t w0 = load_u32(packed);
    const uint32_t w1 = load_u32(packed + 4);
    const uint32_t w2 = load_u32(packed + 8);
    const uint32_t low6 = 0x3F3F3F3Fu;
    const uint32_t low4 = 0x0F0F0F0Fu;
    const uint32_t top2 = 0x03030303u;
    const uint32_t sc_low = w0 & low6;
    const uint32_t mn_low = w1 & low6;
    const uint32_t sc_high = (w2 & low4) | (((w0 >> 6) & top2) << 4);
    const uint32_t mn_high = ((w2 >> 4) & low4) | (((w1 >> 6) & top2) << 4);
    std::memcpy(sc, &sc_low, 4);
    std::memcpy(sc + 4, &sc_high, 4);
    std::memcpy(mn, &mn_low, 4);
    std::memcpy(mn + 4, &mn_high, 4);
}

// Eight unsigned bytes as floats.
inline __m256 bytes_to_floats(const uint8_t* bytes)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes))));
}

// Q4_K, or Q5_K when FiveBits: Q5_K adds the fifth bits (qh, 32 bytes)
// between the packed scales and the nibbles.
template <int NT, bool FiveBits>
void gemv_scale_min(const MatmulProblem& p, int64_t row_begin, int64_t row_end, const TokenActivations* acts)
{
    const int64_t n_super = p.n_in / 256;
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    constexpr int kBlockBytes = FiveBits ? kQ5_KBytes : kQ4_KBytes;
    constexpr int kNibbles = FiveBits ? 48 : 16;

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;
        __m256 acc[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            acc[t] = _mm256_setzero_ps();

        for (int64_t s = 0; s < n_super; ++s) {
            // Scales and mins of the eight sub-blocks as float vectors.
            const uint8_t* block = row + s * kBlockBytes;
            prefetch_ahead(block, kBlockBytes / 64);
            alignas(16) uint8_t sc[8];
            alignas(16) uint8_t mn[8];
            unpack_scales_q4_K(block + 4, sc, mn);
            const __m256 scales = _mm256_mul_ps(bytes_to_floats(sc), _mm256_set1_ps(half_to_float(block)));
            const __m256 mins = _mm256_mul_ps(bytes_to_floats(mn), _mm256_set1_ps(half_to_float(block + 2)));

            // Sub-block 2c in the low nibbles of chunk c, 2c + 1 in the high
            // ones; Q5_K's bit 4 of sub-block j is bit j of qh.
            const uint8_t* qs = block + kNibbles;
            __m256i q[8];
#pragma GCC unroll 4
            for (int c = 0; c < 4; ++c) {
                const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c));
                q[2 * c] = _mm256_and_si256(packed, low_nibbles);
                q[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_nibbles);
            }
            if constexpr (FiveBits) {
                const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16));
#pragma GCC unroll 8
                for (int j = 0; j < 8; ++j)
                    q[j] = _mm256_or_si256(q[j], bit_field(qh, j, 4));
            }

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                const int8_t* a = acts[t].q + 256 * s;
                const __m256i first = fold4(dot32(q[0], a), dot32(q[1], a + 32), dot32(q[2], a + 64),
                                            dot32(q[3], a + 96));
                const __m256i second = fold4(dot32(q[4], a + 128), dot32(q[5], a + 160), dot32(q[6], a + 192),
                                             dot32(q[7], a + 224));
                // Lane j: the full dot product of sub-block j.
                const __m256i dots = _mm256_add_epi32(_mm256_permute2x128_si256(first, second, 0x20),
                                                      _mm256_permute2x128_si256(first, second, 0x31));
                const __m256 steps = _mm256_mul_ps(scales, _mm256_loadu_ps(acts[t].scale + 8 * s));
                acc[t] = _mm256_fmadd_ps(steps, _mm256_cvtepi32_ps(dots), acc[t]);
                acc[t] = _mm256_fnmadd_ps(mins, _mm256_loadu_ps(acts[t].sum32 + 8 * s), acc[t]);
            }
        }

#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            p.y[acts[t].token * p.n_out + r] = horizontal_sum(acc[t]);
    }
}

template <int NT>
void gemv_q6_K(const MatmulProblem& p, int64_t row_begin, int64_t row_end, const TokenActivations* acts)
{
    const int64_t n_super = p.n_in / 256;
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    const __m256i two_bits = _mm256_set1_epi8(0x03);
    // Folded lanes hold sub-blocks 0, 2, 4, 6, 1, 3, 5, 7 (see below).
    const __m256i folded_order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;
        __m256 acc[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            acc[t] = _mm256_setzero_ps();

        for (int64_t s = 0; s < n_super; ++s) {
            const uint8_t* block = row + s * kQ6_KBytes;
            prefetch_ahead(block, kQ6_KBytes / 64);
            const auto* sc = reinterpret_cast<const int8_t*>(block + 192);
            const __m256 d = _mm256_set1_ps(half_to_float(block + 208));

            // Steps d * sc_j of the 16 sub-blocks, in natural order for the
            // -32 bias and in folded order for the dot products.
            __m256 steps[2];
            __m256 folded_steps[2];
#pragma GCC unroll 2
            for (int half = 0; half < 2; ++half) {
                const __m256i sc32 = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(sc + 8 * half)));
                steps[half] = _mm256_mul_ps(_mm256_cvtepi32_ps(sc32), d);
                folded_steps[half] = _mm256_permutevar8x32_ps(steps[half], folded_order);
            }

            // The eight 32-element runs of the super-block (see block_q6_K).
            __m256i q[8];
#pragma GCC unroll 2
            for (int h = 0; h < 2; ++h) {
                const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * h));
                const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * h + 32));
                const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * h));
                q[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(ql0, low_nibbles),
                                               _mm256_slli_epi16(_mm256_and_si256(qh, two_bits), 4));
                q[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(ql1, low_nibbles),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits), 4));
                q[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low_nibbles),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two_bits), 4));
                q[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low_nibbles),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two_bits), 4));
            }

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                // Each 128-bit half of a run's partial sums is one 16-element
                // sub-block, so folding runs 0-3 gives sub-blocks 0, 2, 4, 6
                // in the low lanes and 1, 3, 5, 7 in the high ones.
                const int8_t* a = acts[t].q + 256 * s;
                const float* act_scale = acts[t].scale + 8 * s;
#pragma GCC unroll 2
                for (int half = 0; half < 2; ++half) {
                    const int8_t* ah = a + 128 * half;
                    const __m256i dots = fold4(dot32(q[4 * half], ah), dot32(q[4 * half + 1], ah + 32),
                                               dot32(q[4 * half + 2], ah + 64), dot32(q[4 * half + 3], ah + 96));
                    // Sub-blocks 2k and 2k + 1 share the step of 32-block k.
                    const __m256 act_steps = _mm256_broadcast_ps(reinterpret_cast<const __m128*>(act_scale + 4 * half));
                    acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(folded_steps[half], act_steps), _mm256_cvtepi32_ps(dots),
                                             acc[t]);
                    const __m256 sums = _mm256_loadu_ps(acts[t].sum16 + 16 * s + 8 * half);
                    acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(steps[half], _mm256_set1_ps(-32.0f)), sums, acc[t]);
                }
            }
        }

#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            p.y[acts[t].token * p.n_out + r] = horizontal_sum(acc[t]);
    }
}

template <int NT>
void gemv_group(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin)
{
    const QuantizedActivations& qx = *p.qx;
    const int64_t n_blocks = p.n_in / 32;
    TokenActivations acts[NT];
#pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) {
        const int64_t token = token_begin + t;
        acts[t] = TokenActivations{token, qx.q + token * p.n_in, qx.scale32 + token * n_blocks,
                                   qx.sum32 + token * n_blocks, qx.sum16 + token * 2 * n_blocks};
    }
    if (p.type == GgmlType::Q4_K)
        gemv_scale_min<NT, false>(p, row_begin, row_end, acts);
    else if (p.type == GgmlType::Q5_K)
        gemv_scale_min<NT, true>(p, row_begin, row_end, acts);
    else
        gemv_q6_K<NT>(p, row_begin, row_end, acts);
}

} // namespace

void gemv_kquants(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                  int64_t token_end)
{
    int64_t t = token_begin;
    for (; t + 2 <= token_end; t += 2)
        gemv_group<2>(p, row_begin, row_end, t);
    if (t < token_end)
        gemv_group<1>(p, row_begin, row_end, t);
}

} // namespace quanta::cpu::avx2

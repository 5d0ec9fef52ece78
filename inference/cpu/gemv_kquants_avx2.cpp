// AVX2 matrix-vector products for Q4_K and Q6_K against Q8SuperBlock256
// activations (one step d_a per 256 elements, like ggml's Q8_K).
//
// With one activation step per super-block, the sub-block scales stay
// integers: a super-block contributes
//   Q4_K: d_a * (d * sum_j sc_j * dot_j - dmin * sum_j mn_j * asum_j)
//   Q6_K: d_a * d * sum_j sc_j * (dot_j - 32 * asum_j)
// where dot_j sums q * a' over sub-block j (q unsigned) and asum_j sums its
// activation quants; everything inside the sums is int32 arithmetic.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

constexpr int kQ4_KBytes = 144;
constexpr int kQ6_KBytes = 210;

// Activation pointers of one token.
struct TokenActivations {
    int64_t token;         // row of y to write
    const int8_t* q;       // [n_in]
    const float* scale;    // [n_in / 256]
    const int16_t* qsum16; // [n_in / 16]
};

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

template <int NT>
void gemv_q4_K(const MatmulProblem& p, int64_t row_begin, int64_t row_end, const TokenActivations* acts)
{
    const int64_t n_super = p.n_in / 256;
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;
        __m256 acc[NT];
        __m256 acc_min[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            acc[t] = _mm256_setzero_ps();
            acc_min[t] = _mm256_setzero_ps();
        }

        for (int64_t s = 0; s < n_super; ++s) {
            const uint8_t* block = row + s * kQ4_KBytes;
            const float d = half_to_float(block);
            const float dmin = half_to_float(block + 2);
            alignas(16) uint8_t sc[8];
            alignas(16) uint8_t mn[8];
            unpack_scales_q4_K(block + 4, sc, mn);
            const uint8_t* qs = block + 16;

            // Mins pair with the activation sums: each mn_j twice, once per 16-element half.
            const __m128i mn16 = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mn)));
            const __m256i mn_pairs = _mm256_set_m128i(_mm_unpackhi_epi16(mn16, mn16), _mm_unpacklo_epi16(mn16, mn16));

            __m256i dot[NT];
#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t)
                dot[t] = _mm256_setzero_si256();
#pragma GCC unroll 16
            for (int c = 0; c < 4; ++c) {
                const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c));
                const __m256i q_low = _mm256_and_si256(packed, low_nibbles);
                const __m256i q_high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_nibbles);
                const __m256i scale_low = _mm256_set1_epi16(sc[2 * c]);
                const __m256i scale_high = _mm256_set1_epi16(sc[2 * c + 1]);
#pragma GCC unroll 16
                for (int t = 0; t < NT; ++t) {
                    const int8_t* a = acts[t].q + 256 * s + 64 * c;
                    const __m256i a_low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
                    const __m256i a_high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32));
                    const __m256i p_low = _mm256_madd_epi16(_mm256_maddubs_epi16(q_low, a_low), scale_low);
                    const __m256i p_high = _mm256_madd_epi16(_mm256_maddubs_epi16(q_high, a_high), scale_high);
                    dot[t] = _mm256_add_epi32(dot[t], _mm256_add_epi32(p_low, p_high));
                }
            }

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                const float step = acts[t].scale[s];
                const __m256i sums =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acts[t].qsum16 + 16 * s));
                const __m256i min_dot = _mm256_madd_epi16(sums, mn_pairs);
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * step), _mm256_cvtepi32_ps(dot[t]), acc[t]);
                acc_min[t] = _mm256_fmadd_ps(_mm256_set1_ps(dmin * step), _mm256_cvtepi32_ps(min_dot), acc_min[t]);
            }
        }

#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            p.y[acts[t].token * p.n_out + r] = horizontal_sum(_mm256_sub_ps(acc[t], acc_min[t]));
    }
}

template <int NT>
void gemv_q6_K(const MatmulProblem& p, int64_t row_begin, int64_t row_end, const TokenActivations* acts)
{
    const int64_t n_super = p.n_in / 256;
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    const __m256i two_bits = _mm256_set1_epi8(0x03);

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;
        __m256 acc[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            acc[t] = _mm256_setzero_ps();

        for (int64_t s = 0; s < n_super; ++s) {
            const uint8_t* block = row + s * kQ6_KBytes;
            const auto* sc = reinterpret_cast<const int8_t*>(block + 192);
            const float d = half_to_float(block + 208);

            // The -32 bias: sum_j sc_j * asum_j over the 16 sub-blocks.
            const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc)));
            __m256i dot[NT];
#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                const __m256i sums =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acts[t].qsum16 + 16 * s));
                dot[t] = _mm256_slli_epi32(_mm256_madd_epi16(sums, scales16), 5);
                dot[t] = _mm256_sub_epi32(_mm256_setzero_si256(), dot[t]);
            }

#pragma GCC unroll 16
            for (int h = 0; h < 2; ++h) {
                const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * h));
                const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * h + 32));
                const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * h));

                // The four 32-element runs of this half (see block_q6_K).
                __m256i q[4];
                q[0] = _mm256_or_si256(_mm256_and_si256(ql0, low_nibbles),
                                       _mm256_slli_epi16(_mm256_and_si256(qh, two_bits), 4));
                q[1] = _mm256_or_si256(_mm256_and_si256(ql1, low_nibbles),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits), 4));
                q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low_nibbles),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two_bits), 4));
                q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low_nibbles),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two_bits), 4));

#pragma GCC unroll 16
                for (int k = 0; k < 4; ++k) {
                    // Run 4h + k covers sub-blocks 8h + 2k (first 16) and 8h + 2k + 1.
                    const int j = 8 * h + 2 * k;
                    const __m256i scale = _mm256_set_m128i(_mm_set1_epi16(sc[j + 1]), _mm_set1_epi16(sc[j]));
#pragma GCC unroll 16
                    for (int t = 0; t < NT; ++t) {
                        const int8_t* a = acts[t].q + 256 * s + 128 * h + 32 * k;
                        const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
                        const __m256i products = _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], av), scale);
                        dot[t] = _mm256_add_epi32(dot[t], products);
                    }
                }
            }

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t)
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * acts[t].scale[s]), _mm256_cvtepi32_ps(dot[t]), acc[t]);
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
    TokenActivations acts[NT];
#pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) {
        const int64_t token = token_begin + t;
        acts[t] = TokenActivations{token, qx.q + token * p.n_in, qx.scale256 + token * (p.n_in / 256),
                                   qx.qsum16 + token * (p.n_in / 16)};
    }
    if (p.type == GgmlType::Q4_K)
        gemv_q4_K<NT>(p, row_begin, row_end, acts);
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

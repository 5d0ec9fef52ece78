// AVX2 matrix-vector products for Q2_K and Q3_K against Q8Block32
// activations (one step d_a per 32 elements).
//
// Both types have 16 sub-blocks of 16 elements with unsigned quants q and
// value = step_j * q + offset_j:
//   Q2_K: step_j = d * (scales[j] & 15), offset_j = -dmin * (scales[j] >> 4), q in [0, 3]
//   Q3_K: step_j = d * (sc_j - 32),       offset_j = -4 * step_j,             q in [0, 7]
// so a super-block contributes sum_j step_j d_a,j/2 dot_j + offset_j s_a,j,
// where dot_j sums q * a' over sub-block j, d_a,j/2 is the step of the
// activations' 32-block and s_a,j = d_a * (sum of sub-block j's activation
// quants). As in the Q6_K kernel, the integer dot products of eight
// sub-blocks are folded into one vector (lanes: sub-blocks 0, 2, 4, 6, 1, 3,
// 5, 7 of each 128-element half), so one conversion and one FMA serve them.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

constexpr int kQ2_KBytes = 84;
constexpr int kQ3_KBytes = 110;

// One decoded super-block: the eight 32-element runs of quants, and the
// steps and offsets of sub-blocks 8h .. 8h + 7 in steps[h] and offsets[h].
struct DecodedSuperBlock {
    __m256i q[8];
    __m256 steps[2];
    __m256 offsets[2];
};

// Run 4h + k of both types is bits 2k..2k+1 of the 32 bytes qs[32h ..].
inline void decode_two_bit_runs(const uint8_t* qs, __m256i q[8])
{
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
        const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * h));
#pragma GCC unroll 4
        for (int k = 0; k < 4; ++k)
            q[4 * h + k] = two_bit_field(packed, 2 * k);
    }
}

inline void decode_q2_K(const uint8_t* block, DecodedSuperBlock& out)
{
    decode_two_bit_runs(block + 16, out.q);
    const __m256 d = _mm256_set1_ps(half_to_float(block + 80));
    const __m256 minus_dmin = _mm256_set1_ps(-half_to_float(block + 82));
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
        // Low nibble: scale, high nibble: min.
        const __m256i packed = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 8 * h)));
        const __m256i scales = _mm256_and_si256(packed, _mm256_set1_epi32(0x0F));
        const __m256i mins = _mm256_srli_epi32(packed, 4);
        out.steps[h] = _mm256_mul_ps(d, _mm256_cvtepi32_ps(scales));
        out.offsets[h] = _mm256_mul_ps(minus_dmin, _mm256_cvtepi32_ps(mins));
    }
}

inline void decode_q3_K(const uint8_t* block, DecodedSuperBlock& out)
{
    // Low bits from qs, the top bit of run r from bit r of hmask.
    decode_two_bit_runs(block + 32, out.q);
    const __m256i hmask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
#pragma GCC unroll 8
    for (int run = 0; run < 8; ++run)
        out.q[run] = _mm256_or_si256(out.q[run], bit_field(hmask, run, 2));

    const __m256 d = _mm256_set1_ps(half_to_float(block + 108));
    const __m128i scales = unpack_scales_q3_K(block + 96);
    const __m128i halves[2] = {scales, _mm_srli_si128(scales, 8)};
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
        out.steps[h] = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(halves[h])));
        out.offsets[h] = _mm256_mul_ps(out.steps[h], _mm256_set1_ps(-4.0f));
    }
}

template <int NT, bool IsQ3>
void gemv_sixteen(const MatmulProblem& p, int64_t row_begin, int64_t row_end, const TokenActivations* acts)
{
    const int64_t n_super = p.n_in / 256;
    constexpr int kBlockBytes = IsQ3 ? kQ3_KBytes : kQ2_KBytes;
    // Folded lanes contain sub-blocks 0, 2, 4, 6, 1, 3, 5, 7 of a half.
    const __m256i folded_order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;
        __m256 acc[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            acc[t] = _mm256_setzero_ps();

        for (int64_t s = 0; s < n_super; ++s) {
            prefetch_ahead(row + s * kBlockBytes, kBlockBytes / 64);
            DecodedSuperBlock block;
            if constexpr (IsQ3)
                decode_q3_K(row + s * kBlockBytes, block);
            else
                decode_q2_K(row + s * kBlockBytes, block);
            __m256 folded_steps[2];
#pragma GCC unroll 2
            for (int h = 0; h < 2; ++h)
                folded_steps[h] = _mm256_permutevar8x32_ps(block.steps[h], folded_order);

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                const int8_t* a = acts[t].q + 256 * s;
                const float* act_scale = acts[t].scale + 8 * s;
#pragma GCC unroll 2
                for (int h = 0; h < 2; ++h) {
                    // Each 128-bit half of a run's partial sums is one sub-block.
                    const int8_t* ah = a + 128 * h;
                    const __m256i dots = fold4(dot32(block.q[4 * h], ah), dot32(block.q[4 * h + 1], ah + 32),
                                               dot32(block.q[4 * h + 2], ah + 64), dot32(block.q[4 * h + 3], ah + 96));
                    // Sub-blocks 2k and 2k + 1 share the step of 32-block k.
                    const __m256 act_steps = _mm256_broadcast_ps(reinterpret_cast<const __m128*>(act_scale + 4 * h));
                    acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(folded_steps[h], act_steps), _mm256_cvtepi32_ps(dots),
                                             acc[t]);
                    const __m256 sums = _mm256_loadu_ps(acts[t].sum16 + 16 * s + 8 * h);
                    acc[t] = _mm256_fmadd_ps(block.offsets[h], sums, acc[t]);
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
    if (p.type == GgmlType::Q3_K)
        gemv_sixteen<NT, true>(p, row_begin, row_end, acts);
    else
        gemv_sixteen<NT, false>(p, row_begin, row_end, acts);
}

} // namespace

void gemv_low_bit_kquants(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                          int64_t token_end)
{
    int64_t t = token_begin;
    for (; t + 2 <= token_end; t += 2)
        gemv_group<2>(p, row_begin, row_end, t);
    if (t < token_end)
        gemv_group<1>(p, row_begin, row_end, t);
}

} // namespace quanta::cpu::avx2

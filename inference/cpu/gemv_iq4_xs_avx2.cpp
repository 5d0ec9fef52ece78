// AVX2 matrix-vector product for IQ4_XS against Q8Block32 activations (one
// step d_a per 32 elements).
//
// A super-block has 8 sub-blocks of 32 elements with value = step_j * v,
// step_j = d * (ls_j - 32) and v a signed value of the IQ4 grid, so it
// contributes sum_j step_j d_a,j dot_j with dot_j = sum v * a' over
// sub-block j. The grid values are signed, so the dot products use the sign
// trick of the Q8_0 kernel: |v| times a' with v's sign. The eight dot
// products are folded into one vector as in the Q4_K kernel.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

constexpr int kIq4XsBytes = 136;

// Eight int32 partial sums of v * a over 32 elements, given |v| and v.
inline __m256i signed_dot32(__m256i v_abs, __m256i v, const int8_t* a)
{
    const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
    return _mm256_madd_epi16(_mm256_maddubs_epi16(v_abs, _mm256_sign_epi8(av, v)), _mm256_set1_epi16(1));
}

template <int NT>
void gemv_iq4_xs_tokens(const MatmulProblem& p, int64_t row_begin, int64_t row_end, const TokenActivations* acts)
{
    const int64_t n_super = p.n_in / 256;

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;
        __m256 acc[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t)
            acc[t] = _mm256_setzero_ps();

        for (int64_t s = 0; s < n_super; ++s) {
            // Steps of the eight sub-blocks as a float vector.
            const uint8_t* block = row + s * kIq4XsBytes;
            prefetch_ahead(block, kIq4XsBytes / 64);
            const __m256 steps =
                _mm256_mul_ps(_mm256_cvtepi32_ps(iq4_xs_scales_vector(block)), _mm256_set1_ps(half_to_float(block)));

            // Grid values of each sub-block and their magnitudes.
            __m256i v[8];
            __m256i v_abs[8];
#pragma GCC unroll 8
            for (int j = 0; j < 8; ++j) {
                v[j] = iq4_grid_values(unpack_nibbles(block + 8 + 16 * j));
                v_abs[j] = _mm256_sign_epi8(v[j], v[j]);
            }

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                const int8_t* a = acts[t].q + 256 * s;
                const __m256i first = fold4(signed_dot32(v_abs[0], v[0], a), signed_dot32(v_abs[1], v[1], a + 32),
                                            signed_dot32(v_abs[2], v[2], a + 64), signed_dot32(v_abs[3], v[3], a + 96));
                const __m256i second =
                    fold4(signed_dot32(v_abs[4], v[4], a + 128), signed_dot32(v_abs[5], v[5], a + 160),
                          signed_dot32(v_abs[6], v[6], a + 192), signed_dot32(v_abs[7], v[7], a + 224));
                // Lane j: the full dot product of sub-block j.
                const __m256i dots = _mm256_add_epi32(_mm256_permute2x128_si256(first, second, 0x20),
                                                      _mm256_permute2x128_si256(first, second, 0x31));
                const __m256 step = _mm256_mul_ps(steps, _mm256_loadu_ps(acts[t].scale + 8 * s));
                acc[t] = _mm256_fmadd_ps(step, _mm256_cvtepi32_ps(dots), acc[t]);
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
    gemv_iq4_xs_tokens<NT>(p, row_begin, row_end, acts);
}

} // namespace

void gemv_iq4_xs(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                 int64_t token_end)
{
    int64_t t = token_begin;
    for (; t + 2 <= token_end; t += 2)
        gemv_group<2>(p, row_begin, row_end, t);
    if (t < token_end)
        gemv_group<1>(p, row_begin, row_end, t);
}

} // namespace quanta::cpu::avx2

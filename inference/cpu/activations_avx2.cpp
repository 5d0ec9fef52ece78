// AVX2 activation quantization, bit-identical to the portable version in
// activations.cpp: the same step 1 / (127 / max|x|), the same round-to-
// nearest-even (vcvtps2dq in the default rounding mode) and integer sums.
#include "cpu/kernels.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

inline __m256 abs_ps(__m256 v)
{
    return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

inline float horizontal_max(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// Largest |x| over n (a multiple of 8) values. _mm256_max_ps returns its
// second operand when the first is NaN, so NaNs are skipped like fmax does.
inline float max_abs(const float* x, int n)
{
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8)
        m = _mm256_max_ps(abs_ps(_mm256_loadu_ps(x + i)), m);
    return horizontal_max(m);
}

// Quantizes 32 values with `inverse` and stores them; returns the integer
// sums of the first and the second 16 quants.
inline void quantize_block(const float* x, __m256 inverse, int8_t* q, int& sum_low, int& sum_high)
{
    const __m256 low = _mm256_set1_ps(-127.0f);
    const __m256 high = _mm256_set1_ps(127.0f);
    __m256i v[4];
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
        // max_ps(scaled, low) maps NaN to -127, as fmax(NaN, -127) does.
        const __m256 scaled = _mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), inverse);
        v[i] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(scaled, low), high));
    }
    sum_low = horizontal_sum_i32(_mm256_add_epi32(v[0], v[1]));
    sum_high = horizontal_sum_i32(_mm256_add_epi32(v[2], v[3]));

    // Narrow to bytes; the packs interleave 128-bit lanes, the permute restores element order.
    const __m256i words01 = _mm256_packs_epi32(v[0], v[1]);
    const __m256i words23 = _mm256_packs_epi32(v[2], v[3]);
    const __m256i bytes = _mm256_packs_epi16(words01, words23);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), _mm256_permutevar8x32_epi32(bytes, order));
}

} // namespace

void quantize_activations(const float* x, int64_t n_in, const QuantizedRow& out)
{
    for (int64_t b = 0; b < n_in / 32; ++b) {
        const float m = max_abs(x + 32 * b, 32);
        const float inverse = m > 0.0f ? 127.0f / m : 0.0f;
        const float step = m > 0.0f ? 1.0f / inverse : 0.0f;
        int low = 0;
        int high = 0;
        quantize_block(x + 32 * b, _mm256_set1_ps(inverse), out.q + 32 * b, low, high);
        out.scale32[b] = step;
        out.sum32[b] = step * static_cast<float>(low + high);
        out.sum16[2 * b] = step * static_cast<float>(low);
        out.sum16[2 * b + 1] = step * static_cast<float>(high);
    }
}

} // namespace quanta::cpu::avx2

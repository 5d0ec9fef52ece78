// AVX2/FMA/F16C versions of the helpers in vec_f16.h. Called only after a
// run-time check (see vec_f16.cpp).
#include <immintrin.h>

#include <cstdint>

namespace quanta::avx2 {

namespace {

float horizontal_sum(__m256 v)
{
    const __m128 low = _mm256_castps256_ps128(v);
    const __m128 high = _mm256_extractf128_ps(v, 1);
    __m128 sum = _mm_add_ps(low, high);
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}

} // namespace

float dot_f32(const float* a, const float* b, int n)
{
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    float sum = horizontal_sum(acc);
    for (; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

float dot_f16_f32(const uint16_t* a, const float* b, int n)
{
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
        acc = _mm256_fmadd_ps(x, _mm256_loadu_ps(b + i), acc);
    }
    float sum = horizontal_sum(acc);
    for (; i < n; ++i)
        sum += _cvtsh_ss(a[i]) * b[i];
    return sum;
}

void axpy_f32(float alpha, const float* x, float* y, int n)
{
    const __m256 scale = _mm256_set1_ps(alpha);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(scale, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i)
        y[i] += alpha * x[i];
}

void axpy_f16(float alpha, const uint16_t* x, float* y, int n)
{
    const __m256 scale = _mm256_set1_ps(alpha);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 values = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(scale, values, _mm256_loadu_ps(y + i)));
    }
    for (; i < n; ++i)
        y[i] += alpha * _cvtsh_ss(x[i]);
}

} // namespace quanta::avx2

#include "cpu/vec_f16.h"

#include "cpu/cpu_features.h"
#include "quant/blocks.h"

namespace quanta {

namespace avx2 {
float dot_f32(const float* a, const float* b, int n);
float dot_f16_f32(const uint16_t* a, const float* b, int n);
void axpy_f32(float alpha, const float* x, float* y, int n);
void axpy_f16(float alpha, const uint16_t* x, float* y, int n);
} // namespace avx2

namespace {

bool use_avx2()
{
    return cpu::uses_avx2(cpu::active_kernel_set());
}

} // namespace

float dot_f32(const float* a, const float* b, int n)
{
    if (use_avx2())
        return avx2::dot_f32(a, b, n);
    float sum = 0.0f;
    for (int i = 0; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

float dot_f16_f32(const uint16_t* a, const float* b, int n)
{
    if (use_avx2())
        return avx2::dot_f16_f32(a, b, n);
    float sum = 0.0f;
    for (int i = 0; i < n; ++i)
        sum += fp16_to_fp32(a[i]) * b[i];
    return sum;
}

void axpy_f32(float alpha, const float* x, float* y, int n)
{
    if (use_avx2()) {
        avx2::axpy_f32(alpha, x, y, n);
        return;
    }
    for (int i = 0; i < n; ++i)
        y[i] += alpha * x[i];
}

void axpy_f16(float alpha, const uint16_t* x, float* y, int n)
{
    if (use_avx2()) {
        avx2::axpy_f16(alpha, x, y, n);
        return;
    }
    for (int i = 0; i < n; ++i)
        y[i] += alpha * fp16_to_fp32(x[i]);
}

} // namespace quanta

// Portable activation quantization: F32 rows to 8-bit quants with one scale
// per 32 elements.
#include "cpu/kernels.h"

#include <cmath>

namespace quanta::cpu {

ActivationFormat activation_format(GgmlType weight_type)
{
    switch (weight_type) {
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS:
    case GgmlType::Q4_G:
    case GgmlType::Q8_G:
        return ActivationFormat::Q8Block32;
    default:
        return ActivationFormat::None;
    }
}

namespace generic {

namespace {

// Quantizes `n` values with the step max|x| / 127 (written as the reciprocal
// of 127 / max|x|, the order the AVX2 kernel uses) and returns the step.
float quantize_run(const float* x, int n, int8_t* q)
{
    float max_abs = 0.0f;
    for (int i = 0; i < n; ++i)
        max_abs = std::fmax(max_abs, std::fabs(x[i]));
    const float inverse = max_abs > 0.0f ? 127.0f / max_abs : 0.0f;
    for (int i = 0; i < n; ++i) {
        const float scaled = std::fmin(std::fmax(x[i] * inverse, -127.0f), 127.0f);
        q[i] = static_cast<int8_t>(std::nearbyint(scaled));
    }
    return max_abs > 0.0f ? 1.0f / inverse : 0.0f;
}

int sum_quants(const int8_t* q, int n)
{
    int sum = 0;
    for (int i = 0; i < n; ++i)
        sum += q[i];
    return sum;
}

} // namespace

void quantize_activations(const float* x, int64_t n_in, const QuantizedRow& out)
{
    for (int64_t b = 0; b < n_in / 32; ++b) {
        int8_t* q = out.q + 32 * b;
        const float step = quantize_run(x + 32 * b, 32, q);
        const int low = sum_quants(q, 16);
        const int high = sum_quants(q + 16, 16);
        out.scale32[b] = step;
        out.sum32[b] = step * static_cast<float>(low + high);
        out.sum16[2 * b] = step * static_cast<float>(low);
        out.sum16[2 * b + 1] = step * static_cast<float>(high);
    }
}

} // namespace generic

} // namespace quanta::cpu

// Short vector helpers for attention over the KV cache: dot products and
// scaled additions on F32 and F16 (IEEE half, stored as uint16_t) rows.
// Dispatched at run time to AVX2/F16C where available.
#pragma once

#include <cstdint>

namespace quanta {

float dot_f32(const float* a, const float* b, int n);
float dot_f16_f32(const uint16_t* a, const float* b, int n);

// y[i] += alpha * x[i]
void axpy_f32(float alpha, const float* x, float* y, int n);
void axpy_f16(float alpha, const uint16_t* x, float* y, int n);

} // namespace quanta

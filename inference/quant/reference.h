// Scalar reference quantizers and dequantizers for the tensor types the CPU
// backend runs. They are the plain, readable definition every SIMD kernel is
// tested against; the formulas follow ggml's dequantize_row_* and
// quantize_row_*_ref (ggml-quants.c).
#pragma once

#include "gguf/ggml_type.h"

#include <cstdint>

namespace quanta {

// True when quantize_row() can write `type`: F32, F16, BF16, Q4_0, Q4_1,
// Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL, IQ4_XS and
// the internal group-quantized Q4_G and Q8_G (one group per block).
bool can_quantize(GgmlType type);

// True when dequantize_row_reference() can read `type`: the types above.
bool can_dequantize(GgmlType type);

// Quantizes `n` floats from `src` into ggml blocks of `type` at `dst`, which
// must hold ggml_row_bytes(type, n) bytes. The legacy types round to nearest
// as ggml's reference quantizers do. The K-quants search each sub-block's
// scale (and min) for the smallest squared error, and IQ4_NL and IQ4_XS
// search each 32-element block's scale on their non-linear grid.
// Throws UnsupportedError for a type without a quantizer and Error when `n`
// is negative or not a multiple of the type's block size.
void quantize_row(GgmlType type, const float* src, void* dst, int64_t n);

// Dequantizes `n` elements of `type` from `src` into `dst`.
// Throws like quantize_row().
void dequantize_row_reference(GgmlType type, const void* src, float* dst, int64_t n);

} // namespace quanta

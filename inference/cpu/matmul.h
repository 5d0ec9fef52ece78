// Matrix multiplication of quantized weights with F32 activations on the CPU.
#pragma once

#include "gguf/ggml_type.h"

#include <cstddef>
#include <cstdint>

namespace quanta {

class ThreadPool;

// Kernel family that computes the products.
enum class KernelMode {
    // Dequantize each weight row to F32 and take plain scalar F32 dot
    // products: the reference every fast path is compared with.
    Reference,
    // SIMD kernels chosen at run time (AVX2/FMA where the CPU has it, a
    // portable path otherwise). Quantized types may quantize the activations
    // to 8 bits first, as llama.cpp does.
    Fast,
};

// A weight matrix stored row-major in GGUF order: `n_out` rows of `n_in`
// elements, each row `row_bytes` bytes of `type` blocks.
struct WeightMatrix {
    GgmlType type = GgmlType::F32;
    const void* data = nullptr;
    int64_t n_in = 0;
    int64_t n_out = 0;
    size_t row_bytes = 0;
    // [n_in] or null: the stored rows hold their inputs in this order, so
    // stored column j multiplies x[in_perm[j]]. GPTQ's act-order weights get
    // one, because the repack sorts their columns by quantization group.
    const int32_t* in_perm = nullptr;
    // Rows stored in groups of 8 by interleave_rows() (Q4_0 only, see
    // cpu/repack.h) for the AVX2 kernels. row_bytes is still one row's size.
    bool interleaved = false;
};

// y[t][o] = sum_i x[t][i] * W[o][i] for t < n_tokens, with W's columns in
// the order of x (weights.in_perm applied).
// x: [n_tokens, n_in] F32 row-major; y: [n_tokens, n_out] F32 row-major.
// Throws UnsupportedError when `W.type` has no CPU kernel.
void matmul(const WeightMatrix& weights, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
            KernelMode mode);

// Dequantizes row `row` of `weights` into `out` (n_in floats), in stored
// column order (weights.in_perm not applied).
void dequantize_row(const WeightMatrix& weights, int64_t row, float* out, KernelMode mode);

// Name of the fast kernel set chosen at run time, for logs and `bench`:
// "avx2+fma+f16c+avx512vnni", "avx2+fma+f16c+avxvnni", "avx2+fma+f16c" or
// "generic".
const char* cpu_kernel_name();

} // namespace quanta

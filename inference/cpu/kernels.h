// Internal interface between matmul.cpp and the kernel files: the quantized
// activation layout, the work description of one matmul, and the entry points
// of the two kernel sets (generic and AVX2). Not part of the engine's API,
// except that the tests use it to check the kernels one by one.
//
// Kernels in *_avx2.cpp files must not use standard-library templates or
// inline helpers shared with other files (QuantizedActivations::row() and
// quant/blocks.h included): the linker keeps one copy of such a function,
// and it could be the one compiled for AVX2. They get their scratch memory
// from thread_scratch() for the same reason.
#pragma once

#include "gguf/ggml_type.h"

#include <cstddef>
#include <cstdint>

namespace quanta::cpu {

// Activation quantization scheme of a matmul.
// NOTE: K-quant and IQ4_XS weights also get one activation scale per 32
// elements, where llama.cpp uses Q8_K (one per 256). The finer steps keep
// the logits of the K-quant test models closer to F32 than llama.cpp's own.
enum class ActivationFormat {
    None,      // F32, F16, BF16 weights: activations stay F32
    Q8Block32, // quantized weights: 8-bit quants, one scale per 32 elements (like Q8_0)
};

ActivationFormat activation_format(GgmlType weight_type);

// Pointers to the quantized form of one activation row of n_in elements.
struct QuantizedRow {
    int8_t* q;         // [n_in] quants in [-127, 127]
    float* scale32;    // [n_in / 32] step of each 32-element block
    float* sum32;      // [n_in / 32] scale32 * (sum of the block's quants)
    float* sum16;      // [n_in / 16] step * (sum of each 16 quants)
};

// The quantized activations of a matmul: n_tokens rows of QuantizedRow,
// stored as one array per field, row after row.
struct QuantizedActivations {
    int64_t n_in = 0;
    int8_t* q = nullptr;
    float* scale32 = nullptr;
    float* sum32 = nullptr;
    float* sum16 = nullptr;

    QuantizedRow row(int64_t token) const
    {
        return QuantizedRow{
            q + token * n_in,
            scale32 + token * (n_in / 32),
            sum32 + token * (n_in / 32),
            sum16 + token * (n_in / 16),
        };
    }
};

// One matmul y = x W^T, as the kernels see it.
struct MatmulProblem {
    GgmlType type = GgmlType::F32;
    const uint8_t* weights = nullptr;       // row r starts at weights + r * row_bytes
    size_t row_bytes = 0;
    int64_t n_in = 0;
    int64_t n_out = 0;
    const float* x = nullptr;               // [n_tokens][n_in] F32 activations
    const QuantizedActivations* qx = nullptr; // set for quantized weight types
    // AVX2 GEMM over quantized weights: qx repacked by avx2::pack_gemm_records()
    // for every token of the matmul; token ranges then start at multiples of 4.
    const uint8_t* gemm_records = nullptr;
    float* y = nullptr;                     // [n_tokens][n_out] F32 output
    // Q4_0 rows interleaved in groups of 8 (cpu/repack.h); row ranges then
    // start at multiples of 8. Only the AVX2 kernels see such matrices.
    bool interleaved = false;
    // Whether the range kernels use the blocked GEMM or GEMV. Decided once
    // per matmul from its token count, so that every output is computed the
    // same way however the work is split between threads.
    bool use_gemm = false;
};

// Computes y[t][r] for r in [row_begin, row_end) and t in [token_begin,
// token_end). Calls for disjoint ranges may run concurrently.
using MatmulRangeKernel = void (*)(const MatmulProblem& problem, int64_t row_begin, int64_t row_end,
                                   int64_t token_begin, int64_t token_end);

// Quantizes one activation row of n_in elements (a multiple of 32). Both
// kernel sets give bit-identical results.
using QuantizeActivationsKernel = void (*)(const float* x, int64_t n_in, const QuantizedRow& out);

// Dequantizes n elements; bit-identical to dequantize_row_reference().
using DequantizeKernel = void (*)(GgmlType type, const void* src, float* dst, int64_t n);

// Below this many tokens a matmul streams each weight row once per group of
// tokens (GEMV). From this count on, it packs weight panels and runs the
// blocked GEMM.
inline constexpr int64_t kGemmMinTokens = 4;

// Rows per GEMM panel; matmul.cpp hands out row ranges aligned to this.
inline constexpr int64_t kRowAlignment = 16;

// A buffer of at least `bytes` bytes, 64-byte aligned, owned by the calling
// thread and reused by its next call with the same `slot`.
void* thread_scratch(int slot, size_t bytes);

namespace generic {
MatmulRangeKernel matmul_kernel(GgmlType type); // nullptr when the type has none
void quantize_activations(const float* x, int64_t n_in, const QuantizedRow& out);
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);
} // namespace generic

namespace avx2 {
MatmulRangeKernel matmul_kernel(GgmlType type);
// Tokens per activation record group of the quantized GEMM.
inline constexpr int64_t kGemmTokenGroup = 4;
// Bytes of the records for n_tokens tokens of n_in elements.
size_t gemm_records_bytes(int64_t n_tokens, int64_t n_in);
// Interleaves the activations of token groups [group_begin, group_end) into
// `records`, padding the last group of n_tokens with zero tokens.
void pack_gemm_records(const QuantizedActivations& qx, int64_t n_tokens, int64_t group_begin, int64_t group_end,
                       uint8_t* records);
void quantize_activations(const float* x, int64_t n_in, const QuantizedRow& out);
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);
} // namespace avx2

// The AVX2 set with its GEMMs built for AVX-512. The quantized one uses
// AVX512-VNNI: vpdpbusd multiplies unsigned activation bytes with signed
// weight bytes and adds into int32 lanes, so the records contain each
// activation quant plus 128.
namespace vnni {
MatmulRangeKernel matmul_kernel(GgmlType type);
// As avx2::pack_gemm_records(), with the quants stored as q + 128.
void pack_gemm_records(const QuantizedActivations& qx, int64_t n_tokens, int64_t group_begin, int64_t group_end,
                       uint8_t* records);
} // namespace vnni

// The AVX2 set with the quantized GEMM built for AVX-VNNI. Its records are
// the same as vnni's.
namespace avxvnni {
MatmulRangeKernel matmul_kernel(GgmlType type);
void pack_gemm_records(const QuantizedActivations& qx, int64_t n_tokens, int64_t group_begin, int64_t group_end,
                       uint8_t* records);
} // namespace avxvnni

} // namespace quanta::cpu

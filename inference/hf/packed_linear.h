// GPTQ and AWQ linear layers: unpacking the checkpoint's int32 words into
// integer weights, and repacking those into the engine's group-quantized
// blocks (GgmlType::Q4_G, Q8_G).
//
// A linear layer has K inputs and N outputs; its weight W is [N, K] and
//   W[n][k] = scale[g(k)][n] * (q[k][n] - zero[g(k)][n]),
// where g(k) is input k's group. docs/gptq-awq.md describes the layouts.
#pragma once

#include "gguf/ggml_type.h"
#include "hf/hf_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace quanta {

struct SafetensorsTensor;

// The stored tensors of one quantized linear layer.
struct PackedLinear {
    std::string name;                            // "model.layers.0.self_attn.q_proj", for messages
    int64_t n_in = 0;                            // K, from config.json
    int64_t n_out = 0;                           // N
    const SafetensorsTensor* qweight = nullptr;
    const SafetensorsTensor* qzeros = nullptr;
    const SafetensorsTensor* scales = nullptr;
    const SafetensorsTensor* g_idx = nullptr;    // GPTQ only, optional
};

// A linear layer's integers after unpacking, in natural input order.
struct UnpackedLinear {
    int64_t n_in = 0;
    int64_t n_out = 0;
    int bits = 4;
    int64_t n_groups = 0;
    std::vector<uint8_t> q;       // [n_out][n_in] quants in [0, 2^bits)
    std::vector<int32_t> zero;    // [n_groups][n_out] zero points (v1's stored zero - 1 already corrected)
    std::vector<uint16_t> scale;  // [n_groups][n_out] F16 bits, as stored
    std::vector<int32_t> group;   // [n_in] group of each input
};

// Checks the tensors' dtypes and shapes against K, N and the config, then
// unpacks them. Throws FormatError naming the file and tensor, with the
// expected and found shape or value, for any mismatch (a g_idx entry out of
// range included), and UnsupportedError for a layout that is not implemented.
UnpackedLinear unpack_gptq(const PackedLinear& linear, const HfQuantization& quantization);
UnpackedLinear unpack_awq(const PackedLinear& linear, const HfQuantization& quantization);

// The weights as the engine stores them: n_out rows of `type` blocks.
struct RepackedMatrix {
    GgmlType type = GgmlType::F32;
    size_t row_bytes = 0;
    std::vector<uint8_t> data;     // [n_out][row_bytes]
    std::vector<int32_t> in_perm;  // [n_in] stored column -> input, empty for the natural order
};

// Repacks into Q4_G (up to 4 bits) or Q8_G blocks. The columns are sorted by
// group (stably), so that each 32-column block has one scale and zero point.
// in_perm records that order when it is not the natural one (act-order).
// Where no such order exists (a group whose size is not a multiple of 32,
// or K not a multiple of 32), the rows are dequantized to F32 instead.
// Output row r of the result is row row_order[r] of the layer (row_order
// empty: the same row), which reorders Q/K heads for llama's RoPE.
RepackedMatrix repack_linear(const UnpackedLinear& linear, const std::vector<int32_t>& row_order);

// W as F32, [n_out][n_in] in natural input order: the scalar reference.
std::vector<float> dequantize_linear(const UnpackedLinear& linear);

} // namespace quanta

// `quanta-cli quantize --format gptq|awq`: writes a Hugging Face checkpoint
// folder with GPTQ- or AWQ-packed linear layers from an F32/F16/BF16 model
// (a GGUF file or a Hugging Face folder).
//
// The quantizer is round-to-nearest per group, with the formulas of GPTQ's
// and AutoAWQ's quantizers but without their calibration steps (GPTQ's
// Hessian error feedback, AWQ's activation-aware scales). The packing
// follows the published layouts exactly, so that AutoGPTQ, GPTQModel,
// AutoAWQ and transformers read the result.
#pragma once

#include "hf/hf_config.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace quanta {

struct HfQuantizeOptions {
    HfQuantization::Method method = HfQuantization::Method::Gptq;
    int bits = 4;               // GPTQ: 2, 3, 4 or 8; AWQ: 4
    int group_size = 128;       // inputs per group; GPTQ also takes -1 (one group per row)
    bool desc_act = false;      // GPTQ act-order: groups follow the columns sorted by norm
    bool sym = true;            // GPTQ symmetric zero points
    bool gptq_v2 = false;       // GPTQ checkpoint_format gptq_v2 (zero points stored without the -1)
    bool force = false;         // replace an existing output folder
    // Called after each linear layer with (done, total).
    std::function<void(int done, int total)> on_progress;
    // Checked between layers; when set, the writer throws CancelledError.
    const std::atomic<bool>* cancel = nullptr;
};

// The packed tensors of one linear layer, as the checkpoint stores them.
struct PackedTensors {
    std::vector<int32_t> qweight;  // GPTQ [K * bits / 32, N]; AWQ [K, N / 8]
    std::vector<int32_t> qzeros;   // GPTQ [groups, N * bits / 32]; AWQ [groups, N / 8]
    std::vector<uint16_t> scales;  // [groups, N] F16
    std::vector<int32_t> g_idx;    // GPTQ [K]; empty for AWQ
    std::vector<uint64_t> qweight_shape;
    std::vector<uint64_t> qzeros_shape;
    std::vector<uint64_t> scales_shape;
};

// Quantizes and packs W ([n_out][n_in] F32, Hugging Face order). Throws
// UnsupportedError when the shape does not fit the packing (the message
// names `name` and the sizes).
PackedTensors pack_gptq(const std::string& name, const float* w, int64_t n_in, int64_t n_out,
                        const HfQuantizeOptions& options);
PackedTensors pack_awq(const std::string& name, const float* w, int64_t n_in, int64_t n_out,
                       const HfQuantizeOptions& options);

struct HfQuantizeSummary {
    std::string format;          // "GPTQ 4-bit, group 128", ...
    uint64_t safetensors_bytes = 0; // size of model.safetensors
    uint64_t n_params = 0;       // elements of every tensor
};

// Converts the model at `input` and writes the folder `output`: config.json
// (with quantization_config), quantize_config.json for GPTQ,
// generation_config.json, model.safetensors and the tokenizer files (copied
// from a folder input, written from a GGUF vocabulary otherwise). The folder
// is built under a temporary name and renamed, so a failure leaves nothing
// behind and an existing `output` untouched. An existing `output` is
// replaced only with `force`, only when it is a checkpoint folder
// (config.json and the files one holds), and never when it is or contains
// the input. The parent folder must exist. Throws IoError, FormatError,
// UnsupportedError (an already-quantized input, an architecture other than
// llama/qwen2, bad options) or CancelledError.
HfQuantizeSummary write_quantized_checkpoint(const std::string& input, const std::string& output,
                                             const HfQuantizeOptions& options);

} // namespace quanta

// The settings of a Hugging Face model folder: config.json (architecture
// and sizes) and the quantization config (quantize_config.json, or
// "quantization_config" inside config.json).
#pragma once

#include <string>
#include <vector>

namespace quanta {

// The storage format of the blocks' linear layers.
struct HfQuantization {
    enum class Method {
        None, // F16, BF16 or F32 weights
        Gptq, // qweight/qzeros/scales/g_idx, packed along the inputs
        Awq,  // qweight/qzeros/scales, packed along the outputs in AWQ's order
    };
    Method method = Method::None;
    int bits = 16;
    int group_size = -1;        // inputs per group; -1 for one group per row
    bool desc_act = false;      // GPTQ act-order: g_idx is not k / group_size
    bool sym = true;            // GPTQ symmetric: every zero point is 2^(bits-1)
    bool zero_minus_one = true; // GPTQ checkpoint_format "gptq" (v1) stores zero - 1; "gptq_v2" does not
    std::string awq_version;    // AWQ layout: "gemm" (the one supported) or "gemv"
    // Module name fragments left unquantized (AWQ's modules_to_not_convert).
    std::vector<std::string> modules_to_not_convert;

    // "GPTQ 4-bit, group 128, act-order", "AWQ 4-bit, group 128", "F16", ...
    std::string describe(const std::string& torch_dtype) const;
};

struct HfConfig {
    std::string model_type;    // config.json "model_type": "llama", "mistral", "qwen2"
    std::string architecture;  // the GGUF architecture that runs it: "llama" or "qwen2"
    int vocab_size = 0;
    int hidden_size = 0;
    int intermediate_size = 0;
    int n_layer = 0;
    int n_head = 0;
    int n_head_kv = 0;
    int head_dim = 0;          // "head_dim", or hidden_size / n_head
    int max_position_embeddings = 0;
    double rms_norm_eps = 1e-6;
    double rope_theta = 10000.0;
    bool tie_word_embeddings = false;
    std::string torch_dtype;   // "float16", "bfloat16", ...

    // "rope_scaling": type "" (none), "linear" or "llama3".
    std::string rope_scaling_type;
    double rope_factor = 1.0;
    double rope_low_freq_factor = 1.0;
    double rope_high_freq_factor = 4.0;
    int rope_original_context = 0;

    // "sliding_window" where the model uses one (Mistral, Qwen2 with
    // use_sliding_window), 0 otherwise. The graphs attend to the whole
    // context, as llama.cpp does for these models.
    int sliding_window = 0;

    HfQuantization quantization;
};

// Reads and validates `directory`/config.json and the quantization config.
// Throws IoError when config.json cannot be read, FormatError naming the
// file and key for a missing or invalid value, and UnsupportedError for an
// architecture, quantization method, bit width or layout that is not
// implemented (the message lists what is).
HfConfig read_hf_config(const std::string& directory);

// True when `directory` looks like a Hugging Face model folder (has a
// config.json entry, which read_hf_config() then checks).
bool is_hf_model_folder(const std::string& directory);

} // namespace quanta

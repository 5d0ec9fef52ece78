// Hyperparameters of a decoder-only transformer, read from GGUF metadata.
#pragma once

#include <cstdint>
#include <string>

namespace quanta {

class GgufFile;

// RoPE scaling scheme that stretches positions beyond the original context
// ({arch}.rope.scaling.type).
enum class RopeScalingType {
    None,
    Linear,   // positions divided by rope.scaling.factor
    Llama3,   // Llama 3.1's per-frequency factors (rope_freqs tensor or metadata)
    LongRope, // Phi-3's rope_factors_long/short tensors
};

const char* rope_scaling_name(RopeScalingType type);

struct Hyperparams {
    std::string architecture; // general.architecture, e.g. "llama"
    int n_vocab = 0;
    int n_ctx_train = 0;      // {arch}.context_length
    int n_embd = 0;           // {arch}.embedding_length
    int n_layer = 0;          // {arch}.block_count
    int n_head = 0;           // {arch}.attention.head_count
    int n_head_kv = 0;        // {arch}.attention.head_count_kv (defaults to n_head)
    int head_dim = 0;         // {arch}.attention.key_length (defaults to n_embd / n_head)
    int n_ff = 0;             // {arch}.feed_forward_length
    int n_rot = 0;            // {arch}.rope.dimension_count (defaults to head_dim)
    float rope_freq_base = 10000.0f;  // {arch}.rope.freq_base
    float rms_eps = 1e-5f;            // {arch}.attention.layer_norm_rms_epsilon

    // RoPE scaling. A missing type with a factor other than 1 means linear
    // scaling, as in llama.cpp.
    RopeScalingType rope_scaling = RopeScalingType::None;
    float rope_scaling_factor = 1.0f; // {arch}.rope.scaling.factor
    float rope_freq_scale = 1.0f;     // 1 / factor for linear scaling, 1 otherwise
    int n_ctx_orig = 0;               // {arch}.rope.scaling.original_context_length (defaults to n_ctx_train)
    float rope_attn_factor = 1.0f;    // {arch}.rope.scaling.attn_factor: multiplies RoPE's cos and sin
    float rope_low_freq_factor = 1.0f;  // {arch}.rope.scaling.low_freq_factor (llama3)
    float rope_high_freq_factor = 4.0f; // {arch}.rope.scaling.high_freq_factor (llama3)

    int n_embd_q() const { return n_head * head_dim; }
    int n_embd_kv() const { return n_head_kv * head_dim; }
    int n_group() const { return n_head / n_head_kv; }
};

// Returns the float at `key`, or `fallback` when the key is missing. Throws
// FormatError naming the file and key when the stored value is not a
// positive, finite float.
float read_positive_float(const GgufFile& file, const std::string& key, double fallback);

// Reads and validates the hyperparameters of `file`. Throws FormatError
// naming the file and key when a value is missing or inconsistent, and
// UnsupportedError for a RoPE scaling type no graph implements.
Hyperparams read_hyperparams(const GgufFile& file);

} // namespace quanta

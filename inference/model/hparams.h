// Hyperparameters of a decoder-only transformer, read from GGUF metadata.
#pragma once

#include <cstdint>
#include <string>

namespace quanta {

class GgufFile;

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
    float rope_freq_scale = 1.0f;     // 1 / {arch}.rope.scaling.factor for linear scaling
    float rms_eps = 1e-5f;            // {arch}.attention.layer_norm_rms_epsilon

    int n_embd_q() const { return n_head * head_dim; }
    int n_embd_kv() const { return n_head_kv * head_dim; }
    int n_group() const { return n_head / n_head_kv; }
};

// Reads and validates the hyperparameters of `file`. Throws FormatError
// naming the file and key when a value is missing or inconsistent.
Hyperparams read_hyperparams(const GgufFile& file);

} // namespace quanta

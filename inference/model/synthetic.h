// Random-weight models written with the GGUF writer, for benchmarks and for
// tests that need a model of a given architecture, shape and tensor type.
#pragma once

#include "gguf/ggml_type.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace quanta {

struct SyntheticModelOptions {
    std::string architecture = "llama"; // one of synthetic_architectures()
    int n_vocab = 32000;
    int n_ctx = 4096;
    int n_embd = 2048;
    int n_layer = 16;
    int n_head = 32;
    int n_head_kv = 8;
    int n_ff = 5632;
    int head_dim = 0;                // 0: n_embd / n_head; otherwise written as attention.key_length
    int n_rot = 0;                   // RoPE dimensions per head; 0: the whole head
    float rope_freq_base = 10000.0f;
    float rms_eps = 1e-5f;
    GgmlType type = GgmlType::F16;   // type of every 2-D weight; 1-D tensors stay F32
    bool tied_embeddings = false;    // omit output.weight
    uint64_t seed = 1;
    float weight_std = 0.02f;        // standard deviation of the weight matrices
    float norm_std = 0.0f;           // norm weights are 1 + norm_std * N(0, 1); 0 keeps them at 1

    // Architecture-specific metadata. Zero picks the architecture's usual
    // value: a window of 4096 (gemma2) or 1024 (gemma3), none for phi3;
    // soft-capping at 50 and 30 (gemma2).
    int sliding_window = 0;
    float attn_softcap = 0.0f;
    float final_softcap = 0.0f;

    // RoPE scaling metadata: "" for none, "linear" or "llama3" (llama only).
    // llama3 writes factor, low_freq_factor 1, high_freq_factor 4 and the
    // original context.
    std::string rope_scaling;
    float rope_scaling_factor = 1.0f;
    int rope_original_context = 0;   // rope.scaling.original_context_length; 0 writes none
    // llama: also store Llama 3.1's divisors as rope_freqs.weight, as
    // llama.cpp's converter does (needs rope_scaling "llama3").
    bool rope_freqs_tensor = false;
    // phi3: write LongRoPE's rope_factors_long/short tensors and the
    // attention factor for n_ctx over rope_original_context.
    bool longrope = false;
};

// The architectures write_synthetic_model() can write.
std::vector<std::string> synthetic_architectures();

// Writes the model to `path` (atomically), with the metadata and tensors
// llama.cpp's converter writes for the architecture. Every architecture gets
// the same SentencePiece-style vocabulary: <unk>, <s>, </s>, the 256 byte
// tokens, then generated pieces. `on_progress` receives 0..1. Throws
// std::invalid_argument for an unknown architecture or a shape the type
// cannot store, and IoError when writing fails.
void write_synthetic_model(const std::string& path, const SyntheticModelOptions& options,
                           const std::function<void(float)>& on_progress = {});

// The name from before other architectures existed: the same as
// write_synthetic_model(), so it writes options.architecture.
inline void write_synthetic_llama(const std::string& path, const SyntheticModelOptions& options,
                                  const std::function<void(float)>& on_progress = {})
{
    write_synthetic_model(path, options, on_progress);
}

} // namespace quanta

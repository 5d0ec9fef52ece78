// Random-weight llama models written with the GGUF writer, for benchmarks
// and tests that need a model of a given shape and tensor type.
#pragma once

#include "gguf/ggml_type.h"

#include <cstdint>
#include <functional>
#include <string>

namespace quanta {

struct SyntheticModelOptions {
    int n_vocab = 32000;
    int n_ctx = 4096;
    int n_embd = 2048;
    int n_layer = 16;
    int n_head = 32;
    int n_head_kv = 8;
    int n_ff = 5632;
    float rope_freq_base = 10000.0f;
    float rms_eps = 1e-5f;
    GgmlType type = GgmlType::F16;   // type of every 2-D weight; norms stay F32
    bool tied_embeddings = false;    // omit output.weight
    uint64_t seed = 1;
    float weight_std = 0.02f;
};

// Writes the model to `path` (atomically). The vocabulary is SentencePiece
// style: <unk>, <s>, </s>, the 256 byte tokens, then generated pieces.
// `on_progress` receives 0..1. Throws std::invalid_argument for a shape the
// type cannot store and IoError when writing fails.
void write_synthetic_llama(const std::string& path, const SyntheticModelOptions& options,
                           const std::function<void(float)>& on_progress = {});

} // namespace quanta

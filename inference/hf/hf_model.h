// Hugging Face model folders (config.json, *.safetensors, tokenizer.json)
// loaded as the engine's model description: GGUF metadata names and
// tensors, so that the same architecture graphs run them.
#pragma once

#include "engine/model_summary.h"

#include <atomic>
#include <functional>
#include <memory>
#include <cstdint>
#include <string>
#include <vector>

namespace quanta {

class GgufFile;

struct HfLoadOptions {
    // Called with 0..1 while the weights are unpacked and repacked.
    std::function<void(float progress)> on_progress;
    // Checked between layers; when set, loading throws CancelledError.
    const std::atomic<bool>* cancel = nullptr;
};

// Reads `directory` and returns it as an in-memory GGUF description:
// - config.json becomes {arch}.* metadata (llama and mistral run as
//   "llama", qwen2 as "qwen2"), the chat template of tokenizer_config.json
//   (or chat_template.jinja) tokenizer.chat_template, and the weight format
//   "quanta.weight_format" ("GPTQ 4-bit, group 128", ...).
// - F16, BF16 and F32 tensors stay in the mapped safetensors files, except
//   llama's Q and K projections, whose rows are reordered from the
//   rotate-half RoPE layout of Hugging Face to the interleaved one of GGUF.
// - GPTQ and AWQ linear layers are unpacked and repacked into Q4_G / Q8_G
//   blocks (see hf/packed_linear.h).
// Throws IoError, FormatError (naming the file and tensor), UnsupportedError
// or CancelledError.
std::unique_ptr<GgufFile> open_hf_model(const std::string& directory, const HfLoadOptions& options = {});

// The model picker's summary of a folder, from config.json and the
// safetensors headers alone. Throws like open_hf_model().
ModelSummary summarize_hf_folder(const std::string& directory);

// Row r of a llama Q or K projection in GGUF order is row order[r] of the
// Hugging Face weight. Hugging Face keeps the two halves of each head's
// rotated pairs apart (rotate_half), and GGUF interleaves them.
std::vector<int32_t> hf_rope_row_order(int n_heads, int head_dim);

// The chat template of `directory`: tokenizer_config.json's "chat_template"
// (a string, or the "default" entry of a list of named templates), or the
// file chat_template.jinja. Empty when there is none. Reads no weights.
std::string read_hf_chat_template(const std::string& directory);

// Opens a model path: a GGUF file, or a Hugging Face folder through
// open_hf_model().
std::unique_ptr<GgufFile> open_model_path(const std::string& path, const HfLoadOptions& options = {});

} // namespace quanta

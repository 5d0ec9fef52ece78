// The MODEL argument of the quanta-cli commands: a GGUF file or a Hugging
// Face folder (config.json, *.safetensors, tokenizer.json).
#pragma once

#include "engine/model_summary.h"

#include <string>

namespace quanta::cli {

// True when `path` is a Hugging Face folder, false for anything else (a file,
// or a missing path, which the GGUF reader then reports). Throws IoError
// naming `path` for a folder without config.json.
bool is_model_folder(const std::string& path);

// Reads the summary of a GGUF file (from its header) or of a folder (from
// config.json and the safetensors headers). Throws as the engine's readers do.
ModelSummary summarize_model_path(const std::string& path);

} // namespace quanta::cli

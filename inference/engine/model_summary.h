// Summary of a GGUF model file, read from its header alone, for the model
// picker and the load log.
#pragma once

#include <cstdint>
#include <string>

namespace quanta {

class GgufFile;

struct ModelSummary {
    std::string name;           // general.name, or the file name without extension
    std::string architecture;   // general.architecture
    std::string file_type;      // "Q4_K_M", "F16", ...: see describe_file_type()
    uint64_t n_params = 0;      // elements of all tensors
    uint64_t weight_bytes = 0;  // bytes of all tensors
    int n_ctx_train = 0;        // {arch}.context_length, 0 when absent
};

// The label people know a file by: a Hugging Face folder's weight format
// ("GPTQ 4-bit, group 128"), general.file_type when it names one of
// llama.cpp's mixes, otherwise the type holding the most bytes among the
// matrices.
std::string describe_file_type(const GgufFile& file);

// Reads the summary from a parsed file. Missing or mistyped keys leave their
// field empty or 0 instead of throwing.
ModelSummary summarize_model_file(const GgufFile& file);

} // namespace quanta

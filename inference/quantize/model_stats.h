// The quantization mix of a GGUF file: how many tensors, elements and bytes
// each tensor type holds, the parameter count and the bits per weight. It
// reads only the tensor table, never tensor data.
#pragma once

#include "gguf/ggml_type.h"

#include <cstdint>
#include <vector>

namespace quanta {

class GgufFile;

struct TypeStats {
    GgmlType type = GgmlType::F32;
    uint64_t n_tensors = 0;
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;       // tensor data only, without alignment padding
};

struct ModelStats {
    std::vector<TypeStats> by_type;  // one entry per type present, most bytes first
    uint64_t n_tensors = 0;
    uint64_t n_params = 0;           // elements of all tensors, norms and embeddings included
    uint64_t n_bytes = 0;            // bytes of all tensors
    // Estimated bits per weight: 8 * n_bytes / n_params, as llama-quantize
    // reports it; 0 for a file without tensors.
    double bits_per_weight = 0;

    // Fraction (0..1) of n_bytes that tensors of `stats.type` take.
    double byte_share(const TypeStats& stats) const;
};

ModelStats compute_model_stats(const GgufFile& file);

} // namespace quanta

// Looking up a model's tensors in a GGUF file with their expected shapes.
#pragma once

#include "cpu/matmul.h"

#include <cstdint>
#include <string>
#include <vector>

namespace quanta {

class GgufFile;

// Returns tensor `name` as a weight matrix with `n_in` inputs and `n_out`
// outputs (GGUF shape {n_in, n_out}). Throws FormatError naming the file,
// the tensor and the expected and found shape when it is missing or
// misshapen, and UnsupportedError when the CPU has no kernel for its type.
WeightMatrix load_matrix(const GgufFile& file, const std::string& name, int64_t n_in, int64_t n_out);

// Returns a 1-D tensor of `n` values (any supported type) converted to F32.
std::vector<float> load_vector(const GgufFile& file, const std::string& name, int64_t n);

// True when the file has a tensor called `name`.
bool has_tensor(const GgufFile& file, const std::string& name);

} // namespace quanta

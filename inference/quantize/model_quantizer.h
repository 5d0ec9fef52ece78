// Converts the F32, F16 and BF16 weights of a GGUF file into a quantization
// mix and writes the result as a new GGUF file, the way llama-quantize does.
#pragma once

#include "gguf/ggml_type.h"
#include "quantize/quant_mix.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace quanta {

class GgufFile;

// The conversion plan of one tensor.
struct TensorQuantPlan {
    std::string name;
    GgmlType from = GgmlType::F32;          // type in the input file
    GgmlType to = GgmlType::F32;            // type in the output file
    bool convert = false;                   // false: the bytes are copied unchanged
    std::optional<GgmlType> fallback_from;  // the mix's type when `to` is a row-length fallback
};

// Plans the conversion of every tensor of `file`, in file order. Throws
// UnsupportedError naming the tensor when it would need requantizing (its
// type is neither F32, F16, BF16 nor the type the mix wants) or when the mix
// wants a type this build cannot quantize.
std::vector<TensorQuantPlan> plan_model_quantization(const GgufFile& file, const QuantMix& mix);

struct QuantizeProgress {
    size_t index = 0;                  // tensor index in file order
    size_t n_tensors = 0;
    const TensorQuantPlan* tensor = nullptr;
};

struct QuantizeOptions {
    // Threads for the row loop; 0 picks ThreadPool::default_threads().
    int n_threads = 0;
    // Called on the calling thread after each tensor is converted or copied.
    std::function<void(const QuantizeProgress&)> on_tensor;
    // Checked between tensors; when set, quantize_model() throws
    // CancelledError and leaves no output file.
    const std::atomic<bool>* cancel = nullptr;
};

struct QuantizeSummary {
    uint64_t n_tensors = 0;
    uint64_t n_converted = 0;          // tensors whose type or bytes changed
    uint64_t n_fallbacks = 0;          // tensors stored in a row-length fallback type
    uint64_t n_params = 0;             // elements of all tensors
    uint64_t input_bytes = 0;          // tensor data in the input file
    uint64_t output_bytes = 0;         // tensor data in the output file
};

// Writes `output_path` with every tensor of `input_path` converted as
// plan_model_quantization() plans it. All metadata is copied, except that
// general.file_type is set to the mix's value (or removed for a pure type
// without one) and general.quantization_version to 2; split-file keys are
// dropped. The file is written to a temporary name and renamed, so an error
// leaves no partial output and an existing file at `output_path` untouched.
// Throws IoError (unreadable input, an output folder that is missing or not
// writable, a full disk), FormatError (invalid input, a weight that is NaN or
// infinite), UnsupportedError (see plan_model_quantization), Error (the
// output path is the input file) and CancelledError.
QuantizeSummary quantize_model(const std::string& input_path, const std::string& output_path, const QuantMix& mix,
                               const QuantizeOptions& options = {});

} // namespace quanta

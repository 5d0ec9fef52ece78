// Helpers for the GPTQ/AWQ suites: the checkpoint variants the writer makes,
// and an F32 GGUF with exactly the weights a checkpoint holds.
#pragma once

#include "hf/hf_quantizer.h"

#include <string>
#include <vector>

namespace quanta::test {

// One checkpoint layout the writer makes, named for test rows.
struct CheckpointVariant {
    std::string name;
    HfQuantizeOptions options;
};

// Every GPTQ bit width with one-group-per-row, 16 (which the repack cannot
// block, so it dequantizes), 32, 64 and 128 groups, act-order,
// symmetric and asymmetric zero points in both conventions, and AWQ GEMM
// with three group sizes.
std::vector<CheckpointVariant> checkpoint_variants();

// Writes `out_path`: a GGUF with the metadata (tokenizer included) of
// `source_gguf` and every tensor of the Hugging Face folder `folder` as the
// engine loads it, dequantized exactly to F32 with the act-order input order
// undone. Running it on the F32 path is the reference for the folder.
void write_f32_twin(const std::string& folder, const std::string& source_gguf, const std::string& out_path);

} // namespace quanta::test

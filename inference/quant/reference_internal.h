// Helpers shared by the reference quantizer files; not part of the engine's API.
#pragma once

#include "gguf/ggml_type.h"
#include "quant/blocks.h"

#include <cmath>
#include <cstdint>

namespace quanta::detail {

// Returns n / block_size, or throws Error naming `operation` when `n` is
// negative or not a multiple of the block size of `type`.
int64_t checked_block_count(GgmlType type, int64_t n, const char* operation);

// Rounds to the nearest integer, ties to even (the default FP environment),
// as ggml's nearest_int() does.
inline int round_nearest_even(float value)
{
    return static_cast<int>(std::nearbyint(value));
}

void quantize_q4_K(const float* x, block_q4_K* blocks, int64_t n_blocks);
void quantize_q6_K(const float* x, block_q6_K* blocks, int64_t n_blocks);

} // namespace quanta::detail

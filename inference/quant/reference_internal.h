// Helpers shared by the reference quantizer files; not part of the engine's API.
#pragma once

#include "gguf/ggml_type.h"
#include "quant/blocks.h"

#include <bit>
#include <cmath>
#include <cstdint>

namespace quanta::detail {

// Returns n / block_size, or throws Error naming `operation` when `n` is
// negative or not a multiple of the block size of `type`.
int64_t checked_block_count(GgmlType type, int64_t n, const char* operation);

// Rounds a value with |value| < 2^22 to the nearest integer, ties to even,
// as ggml's nearest_int() does. Adding 1.5 * 2^23 leaves the rounded integer
// in the low mantissa bits (in the default round-to-nearest-even mode), with
// no libm call on CPUs without SSE4.1. Callers clamp the value first, which
// also keeps NaN away.
inline int round_nearest_even(float value)
{
    constexpr float kMagic = 12582912.0f; // 1.5 * 2^23
    const uint32_t bits = std::bit_cast<uint32_t>(value + kMagic);
    return static_cast<int>(bits & 0x007FFFFFu) - 0x00400000;
}

void quantize_q2_K(const float* x, block_q2_K* blocks, int64_t n_blocks);
void quantize_q3_K(const float* x, block_q3_K* blocks, int64_t n_blocks);
void quantize_q4_K(const float* x, block_q4_K* blocks, int64_t n_blocks);
void quantize_q5_K(const float* x, block_q5_K* blocks, int64_t n_blocks);
void quantize_q6_K(const float* x, block_q6_K* blocks, int64_t n_blocks);
void quantize_iq4_nl(const float* x, block_iq4_nl* blocks, int64_t n_blocks);
void quantize_iq4_xs(const float* x, block_iq4_xs* blocks, int64_t n_blocks);

} // namespace quanta::detail

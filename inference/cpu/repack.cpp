#include "cpu/repack.h"

#include "core/error.h"
#include "quant/blocks.h"

#include <cstring>
#include <string>

namespace quanta {

namespace {

constexpr size_t kScaleBytes = sizeof(uint16_t);
constexpr size_t kQuadBytes = 4;

// Byte offset, inside an interleaved block, of the 4-byte piece `k` (< 4)
// of row `r` (< 8): after the 8 scales, vector k, lane r.
size_t quad_offset(int r, int k)
{
    return kInterleaveRows * kScaleBytes + static_cast<size_t>(32 * k) + kQuadBytes * static_cast<size_t>(r);
}

} // namespace

bool can_interleave_rows(GgmlType type, int64_t n_in, int64_t n_out, bool has_input_order)
{
    return type == GgmlType::Q4_0 && !has_input_order && n_in > 0 && n_in % QK4_0 == 0 && n_out > 0 &&
           n_out % kInterleaveRows == 0;
}

bool can_interleave_rows(const WeightMatrix& weights)
{
    return !weights.interleaved &&
           can_interleave_rows(weights.type, weights.n_in, weights.n_out, weights.in_perm != nullptr) &&
           weights.row_bytes == static_cast<size_t>(weights.n_in / QK4_0) * sizeof(block_q4_0);
}

WeightMatrix interleave_rows(const WeightMatrix& weights, uint8_t* out)
{
    if (!can_interleave_rows(weights)) {
        throw Error("interleave_rows: a " + std::string(ggml_type_name(weights.type)) + " matrix of " +
                    std::to_string(weights.n_out) + " x " + std::to_string(weights.n_in) +
                    " cannot be interleaved; expected Q4_0 rows in groups of 8 without an input order");
    }
    const int64_t n_blocks = weights.n_in / QK4_0;
    const auto* source = static_cast<const uint8_t*>(weights.data);

    for (int64_t group = 0; group < weights.n_out / kInterleaveRows; ++group) {
        uint8_t* out_group = out + static_cast<size_t>(group) * kInterleaveRows * weights.row_bytes;
        for (int r = 0; r < kInterleaveRows; ++r) {
            const uint8_t* row = source + static_cast<size_t>(group * kInterleaveRows + r) * weights.row_bytes;
            for (int64_t b = 0; b < n_blocks; ++b) {
                const uint8_t* block = row + static_cast<size_t>(b) * sizeof(block_q4_0);
                uint8_t* out_block = out_group + static_cast<size_t>(b) * kInterleavedBlockBytes;
                std::memcpy(out_block + kScaleBytes * static_cast<size_t>(r), block, kScaleBytes);
                for (int k = 0; k < 4; ++k)
                    std::memcpy(out_block + quad_offset(r, k), block + kScaleBytes + kQuadBytes * k, kQuadBytes);
            }
        }
    }

    WeightMatrix result = weights;
    result.data = out;
    result.interleaved = true;
    return result;
}

WeightMatrix interleave_rows(const WeightMatrix& weights, std::vector<uint8_t>& storage)
{
    if (can_interleave_rows(weights))
        storage.resize(static_cast<size_t>(weights.n_out) * weights.row_bytes);
    return interleave_rows(weights, storage.data());
}

void deinterleave_row(const WeightMatrix& weights, int64_t row, uint8_t* out)
{
    const int64_t n_blocks = weights.n_in / QK4_0;
    const int r = static_cast<int>(row % kInterleaveRows);
    const uint8_t* group = static_cast<const uint8_t*>(weights.data) +
                           static_cast<size_t>(row / kInterleaveRows) * kInterleaveRows * weights.row_bytes;
    for (int64_t b = 0; b < n_blocks; ++b) {
        const uint8_t* block = group + static_cast<size_t>(b) * kInterleavedBlockBytes;
        uint8_t* out_block = out + static_cast<size_t>(b) * sizeof(block_q4_0);
        std::memcpy(out_block, block + kScaleBytes * static_cast<size_t>(r), kScaleBytes);
        for (int k = 0; k < 4; ++k)
            std::memcpy(out_block + kScaleBytes + kQuadBytes * k, block + quad_offset(r, k), kQuadBytes);
    }
}

} // namespace quanta

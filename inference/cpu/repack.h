// Q4_0 weights in groups of 8 rows, for the AVX2 matrix-vector product.
//
// In GGUF order each row is a run of 18-byte blocks: an F16 scale, then 16
// bytes of nibbles. A decode kernel then gets one row's partial sums per
// vector, adds up the lanes, and loads each block's scale on its own. The
// interleaved copy stores, for each group of 8 rows and each block index b,
// 144 bytes:
//   - the 8 rows' F16 scales of block b (16 bytes);
//   - 4 vectors of 32 bytes: bytes 4r .. 4r + 3 of vector k are bytes
//     4k .. 4k + 3 of row r's nibbles, so the low nibbles of vector k are
//     elements 4k .. 4k + 3 of all 8 rows and the high nibbles elements
//     16 + 4k .. 16 + 4k + 3.
// One vpmaddubsw against 4 broadcast activation quants then gives the 8
// rows' partial sums in 8 lanes, and one conversion gives their 8 scales.
// The copy has the same size as the rows; group g starts at byte
// 8 g row_bytes.
#pragma once

#include "cpu/matmul.h"

#include <cstdint>
#include <vector>

namespace quanta {

inline constexpr int kInterleaveRows = 8;
inline constexpr int kInterleavedBlockBytes = 144; // 8 rows x 18 bytes

// True when interleave_rows() takes this matrix: Q4_0, a multiple of 8
// rows, no input permutation, and not interleaved already.
bool can_interleave_rows(const WeightMatrix& weights);

// The same test for a tensor described by its type, its inputs and outputs
// and whether it has an input order, for the memory plan.
bool can_interleave_rows(GgmlType type, int64_t n_in, int64_t n_out, bool has_input_order);

// Writes the interleaved copy of `weights` to `out`, which must have room
// for n_out * row_bytes bytes, and returns the matrix that reads it. Throws
// Error when can_interleave_rows() is false.
WeightMatrix interleave_rows(const WeightMatrix& weights, uint8_t* out);

// The same into `storage`, resized to the matrix's bytes.
WeightMatrix interleave_rows(const WeightMatrix& weights, std::vector<uint8_t>& storage);

// Copies row `row` of an interleaved matrix back into GGUF order:
// weights.row_bytes bytes at `out`.
void deinterleave_row(const WeightMatrix& weights, int64_t row, uint8_t* out);

} // namespace quanta

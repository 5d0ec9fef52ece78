// Tensor element types as GGUF numbers them (ggml's `enum ggml_type`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace quanta {

enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    // 4 and 5 were Q4_2 and Q4_3, removed from ggml.
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,

    // Quanta's own layouts for weights repacked at load time, never stored
    // in a GGUF file (ids from kFirstInternalType on). They hold GPTQ and AWQ
    // weights: 32-element blocks with an F16 scale and an integer zero point.
    Q4_G = 1000,
    Q8_G = 1001,
};

// Type ids from here on are the engine's own and invalid in files.
inline constexpr uint32_t kFirstInternalType = 1000;

// True for a type GGUF files can hold (not one of the internal ones).
inline bool is_file_type(GgmlType type)
{
    return static_cast<uint32_t>(type) < kFirstInternalType;
}

// Storage layout of one type: `block_size` elements take `block_bytes` bytes.
struct GgmlTypeTraits {
    GgmlType type;
    std::string_view name;  // "Q4_K", as ggml and llama.cpp print it
    uint32_t block_size;    // elements per block
    uint32_t block_bytes;   // bytes per block
    bool cpu_supported;     // the CPU backend can dequantize and multiply it
};

// Returns the traits of a type id read from a file, or nullptr when the id is
// not a ggml type.
const GgmlTypeTraits* ggml_type_traits(uint32_t type_id);
const GgmlTypeTraits& ggml_type_traits(GgmlType type);

std::string_view ggml_type_name(GgmlType type);

// Parses "Q4_0", "q8_0", "F16", ... Returns nullopt for an unknown name and
// for the internal types, which no file or command may name.
std::optional<GgmlType> ggml_type_from_name(std::string_view name);

// Bytes of one row of `n_elements` elements, or nullopt when the count is not
// a multiple of the block size or the size overflows.
std::optional<uint64_t> ggml_row_bytes(GgmlType type, uint64_t n_elements);

} // namespace quanta

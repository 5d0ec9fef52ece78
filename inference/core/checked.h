// Overflow-safe integer arithmetic for values read from untrusted files.
#pragma once

#include <cstdint>
#include <optional>

namespace quanta {

inline std::optional<uint64_t> checked_add(uint64_t a, uint64_t b)
{
    uint64_t result;
    if (__builtin_add_overflow(a, b, &result))
        return std::nullopt;
    return result;
}

inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b)
{
    uint64_t result;
    if (__builtin_mul_overflow(a, b, &result))
        return std::nullopt;
    return result;
}

// Rounds `value` up to a multiple of `alignment` (> 0), or nullopt on overflow.
inline std::optional<uint64_t> checked_align_up(uint64_t value, uint64_t alignment)
{
    const uint64_t remainder = value % alignment;
    if (remainder == 0)
        return value;
    return checked_add(value, alignment - remainder);
}

} // namespace quanta

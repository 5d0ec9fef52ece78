// System memory queries: the RAM available to a new allocation, and whether
// anonymous memory can get huge pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace quanta {

// MemAvailable from /proc/meminfo in bytes, or nullopt where it is missing
// or unreadable.
std::optional<uint64_t> memory_available_bytes();

// The same, parsed from the text of a meminfo file.
std::optional<uint64_t> parse_mem_available(const std::string& meminfo);

// Whether transparent huge pages may back a buffer advised with
// MADV_HUGEPAGE: the mode in /sys/kernel/mm/transparent_hugepage/enabled is
// "always" or "madvise".
bool transparent_huge_pages_enabled();

// Whether the engine asks for huge pages for the weights the CPU reads and
// for the KV cache: transparent huge pages are enabled, and the environment
// variable QUANTA_HUGE_PAGES is not "off" or "0". With huge pages, loading
// also copies the mapped weight matrices of the CPU layers.
bool huge_pages_enabled();

// The same, parsed from the text of that file ("always [madvise] never").
bool parse_thp_enabled(const std::string& text);

} // namespace quanta

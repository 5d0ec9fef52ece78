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

// Whether the environment allows huge pages: QUANTA_HUGE_PAGES is unset,
// "auto", "on" or "1", in any letter case. "off" or "0" turns them off. Any
// other value logs a warning and counts as "auto".
bool huge_pages_requested();

// Whether the engine requests huge pages for the weights the CPU reads and
// for the KV cache: huge_pages_requested() and transparent huge pages are
// enabled. With huge pages, loading also copies the mapped weight matrices
// of the CPU layers.
bool huge_pages_enabled();

// The process's address-space limit (RLIMIT_AS, `ulimit -v`) in bytes, or
// nullopt when there is none.
std::optional<uint64_t> address_space_limit();

// The same, parsed from the text of that file ("always [madvise] never").
bool parse_thp_enabled(const std::string& text);

} // namespace quanta

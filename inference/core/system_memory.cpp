#include "core/system_memory.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace quanta {

namespace {

std::string read_text(const char* path)
{
    std::ifstream file(path);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

} // namespace

std::optional<uint64_t> parse_mem_available(const std::string& meminfo)
{
    // A line reads "MemAvailable:   12345678 kB".
    std::istringstream lines(meminfo);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string key;
        uint64_t kib = 0;
        std::string unit;
        if (!(fields >> key) || key != "MemAvailable:")
            continue;
        if (!(fields >> kib >> unit) || unit != "kB" || kib > UINT64_MAX / 1024)
            return std::nullopt;
        return kib * 1024;
    }
    return std::nullopt;
}

std::optional<uint64_t> memory_available_bytes()
{
    return parse_mem_available(read_text("/proc/meminfo"));
}

bool parse_thp_enabled(const std::string& text)
{
    // The file lists the modes with the active one in brackets.
    return text.find("[always]") != std::string::npos || text.find("[madvise]") != std::string::npos;
}

bool transparent_huge_pages_enabled()
{
    return parse_thp_enabled(read_text("/sys/kernel/mm/transparent_hugepage/enabled"));
}

bool huge_pages_enabled()
{
    const char* value = std::getenv("QUANTA_HUGE_PAGES");
    if (value && (std::strcmp(value, "off") == 0 || std::strcmp(value, "0") == 0))
        return false;
    return transparent_huge_pages_enabled();
}

} // namespace quanta

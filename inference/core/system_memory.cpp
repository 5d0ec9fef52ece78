#include "core/system_memory.h"

#include "core/env_setting.h"
#include "core/log.h"

#include <fstream>
#include <mutex>
#include <sstream>
#include <sys/resource.h>

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

bool huge_pages_requested()
{
    const EnvSetting setting = read_env_setting("QUANTA_HUGE_PAGES");
    const std::string& value = setting.value;
    if (value == "off" || value == "0")
        return false;
    if (!value.empty() && value != "auto" && value != "on" && value != "1") {
        // Warn once per value, because loading and planning both call this.
        static std::mutex mutex;
        static std::string warned;
        std::lock_guard lock(mutex);
        if (warned != value) {
            QUANTA_LOG_WARN("QUANTA_HUGE_PAGES=%s is not one of auto, on, off; using auto", setting.quoted.c_str());
            warned = value;
        }
    }
    return true;
}

bool huge_pages_enabled()
{
    return huge_pages_requested() && transparent_huge_pages_enabled();
}

std::optional<uint64_t> address_space_limit()
{
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return std::nullopt;
    return static_cast<uint64_t>(limit.rlim_cur);
}

} // namespace quanta

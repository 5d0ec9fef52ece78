#include "core/env_setting.h"

#include <cctype>
#include <cstdlib>

namespace quanta {

EnvSetting read_env_setting(const char* name)
{
    const char* raw = std::getenv(name);
    std::string value = raw ? raw : "";
    const size_t first = value.find_first_not_of(" \t\r\n");
    const size_t last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
    for (char& c : value)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    constexpr size_t kQuotedLength = 40;
    EnvSetting setting;
    const std::string prefix = value.substr(0, kQuotedLength);
    const char* ellipsis = value.size() > kQuotedLength ? "..." : "";
    setting.quoted.reserve(prefix.size() + 5);
    setting.quoted.push_back('"');
    setting.quoted.append(prefix).append(ellipsis).push_back('"');
    setting.value = std::move(value);
    return setting;
}

} // namespace quanta

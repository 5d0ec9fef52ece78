#include "core/env_setting.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace quanta {

EnvSetting read_env_setting(const char* name)
{
    const char* raw = std::getenv(name);
    std::string trimmed = raw ? raw : "";
    const size_t first = trimmed.find_first_not_of(" \t\r\n");
    const size_t last = trimmed.find_last_not_of(" \t\r\n");
    trimmed = first == std::string::npos ? std::string() : trimmed.substr(first, last - first + 1);

    EnvSetting setting;
    setting.value = trimmed;
    for (char& c : setting.value)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    // The value as given, with control characters and other bytes outside
    // printable ASCII escaped, so that they cannot garble the log line.
    constexpr size_t kQuotedLength = 40;
    setting.quoted.push_back('"');
    for (size_t i = 0; i < trimmed.size() && i < kQuotedLength; ++i) {
        const auto byte = static_cast<unsigned char>(trimmed[i]);
        if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
            setting.quoted.push_back(static_cast<char>(byte));
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof(escaped), "\\x%02X", byte);
            setting.quoted += escaped;
        }
    }
    if (trimmed.size() > kQuotedLength)
        setting.quoted += "...";
    setting.quoted += '"';
    return setting;
}

} // namespace quanta

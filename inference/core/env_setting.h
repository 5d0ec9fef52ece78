// Environment variables that tune the engine (QUANTA_CPU_KERNELS,
// QUANTA_HUGE_PAGES), read the same way everywhere.
#pragma once

#include <string>

namespace quanta {

struct EnvSetting {
    // The value without surrounding whitespace, in lower case. Empty when
    // the variable is unset.
    std::string value;
    // The trimmed value as given, in double quotes, cut at 40 characters,
    // with bytes outside printable ASCII escaped (\xNN), for log lines.
    std::string quoted;
};

// Reads environment variable `name`.
EnvSetting read_env_setting(const char* name);

} // namespace quanta

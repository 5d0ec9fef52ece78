// A small level-based logger with a settable sink. The engine logs through
// it; the app installs a sink that forwards to QLoggingCategory.
#pragma once

#include <functional>
#include <string_view>

namespace quanta {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 };

// Receives one formatted message without a trailing newline.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;

// Replaces the sink. An empty sink restores the default, which writes
// "quanta: LEVEL: message" lines to stderr.
void set_log_sink(LogSink sink);

// Messages below this level are dropped before formatting. Default: Info.
void set_log_level(LogLevel level);
LogLevel log_level();

void log_message(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

const char* log_level_name(LogLevel level);

} // namespace quanta

#define QUANTA_LOG_DEBUG(...) ::quanta::log_message(::quanta::LogLevel::Debug, __VA_ARGS__)
#define QUANTA_LOG_INFO(...) ::quanta::log_message(::quanta::LogLevel::Info, __VA_ARGS__)
#define QUANTA_LOG_WARN(...) ::quanta::log_message(::quanta::LogLevel::Warning, __VA_ARGS__)
#define QUANTA_LOG_ERROR(...) ::quanta::log_message(::quanta::LogLevel::Error, __VA_ARGS__)

#include "core/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>

namespace quanta {

namespace {

std::mutex g_sink_mutex;
LogSink g_sink;
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};

} // namespace

const char* log_level_name(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "?";
}

void set_log_sink(LogSink sink)
{
    std::lock_guard lock(g_sink_mutex);
    g_sink = std::move(sink);
}

void set_log_level(LogLevel level)
{
    g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel log_level()
{
    return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

void log_message(LogLevel level, const char* format, ...)
{
    if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed))
        return;

    va_list args;
    va_start(args, format);
    va_list copy;
    va_copy(copy, args);
    const int length = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    std::string text(length > 0 ? static_cast<size_t>(length) : 0, '\0');
    if (length > 0)
        std::vsnprintf(text.data(), text.size() + 1, format, args);
    va_end(args);

    std::lock_guard lock(g_sink_mutex);
    if (g_sink) {
        g_sink(level, text);
        return;
    }
    std::fprintf(stderr, "quanta: %s: %s\n", log_level_name(level), text.c_str());
}

} // namespace quanta

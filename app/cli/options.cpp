#include "options.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <system_error>

namespace quanta::cli {

namespace {

// Formats a number without trailing zeros: 0.01 rather than 0.010000.
std::string format_number(double value)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%g", value);
    return text;
}

// Length of the valid UTF-8 sequence at `text[i]`, or 0 when it is invalid.
size_t utf8_sequence_length(std::string_view text, size_t i)
{
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    if (lead >= 0xC2 && lead <= 0xDF)
        length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF)
        length = 3;
    else if (lead >= 0xF0 && lead <= 0xF4)
        length = 4;
    if (length == 0 || i + length > text.size())
        return 0;
    for (size_t k = 1; k < length; ++k) {
        if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
            return 0;
    }
    return length;
}

} // namespace

std::string failure_message(const std::exception& error, const std::string& model)
{
    // Thread stacks that cannot be mapped come as a system_error.
    const auto* system = dynamic_cast<const std::system_error*>(&error);
    const bool out_of_memory =
        dynamic_cast<const std::bad_alloc*>(&error) ||
        (system && (system->code() == std::errc::not_enough_memory ||
                    system->code() == std::errc::resource_unavailable_try_again));
    if (out_of_memory && !model.empty())
        return printable(model) + ": out of memory; close other programs, or choose a smaller model or context";
    if (out_of_memory)
        return "out of memory; close other programs and try again";
    return printable(error.what());
}

std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7F) {
            out += static_cast<char>(byte);
            ++i;
            continue;
        }
        if (byte >= 0x80) {
            if (const size_t length = utf8_sequence_length(text, i)) {
                out.append(text.substr(i, length));
                i += length;
                continue;
            }
        }
        char escaped[8];
        std::snprintf(escaped, sizeof(escaped), "\\x%02X", byte);
        out += escaped;
        ++i;
    }
    return out;
}

Options::Options(const std::vector<std::string>& args, const std::set<std::string>& with_value,
                 const std::set<std::string>& flags)
{
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() < 2 || arg[0] != '-') {
            positional_.push_back(arg);
            continue;
        }
        if (with_value.count(arg)) {
            if (i + 1 >= args.size())
                throw UsageError("option " + arg + " needs a value");
            values_[arg] = args[++i];
        } else if (flags.count(arg)) {
            flags_.insert(arg);
        } else {
            throw UsageError("unknown option " + arg);
        }
    }
}

bool Options::has(const std::string& name) const
{
    return flags_.count(name) || values_.count(name);
}

std::optional<std::string> Options::value(const std::string& name) const
{
    const auto it = values_.find(name);
    if (it == values_.end())
        return std::nullopt;
    return it->second;
}

std::string Options::required(const std::string& name) const
{
    const auto found = value(name);
    if (!found)
        throw UsageError("missing required option " + name);
    return *found;
}

std::string Options::string(const std::string& name, const std::string& fallback) const
{
    return value(name).value_or(fallback);
}

long long Options::integer(const std::string& name, long long fallback, long long min_value, long long max_value) const
{
    const auto text = value(name);
    if (!text)
        return fallback;
    errno = 0;
    char* end = nullptr;
    const long long parsed = std::strtoll(text->c_str(), &end, 10);
    if (errno != 0 || end == text->c_str() || *end != '\0' || parsed < min_value || parsed > max_value) {
        throw UsageError("option " + name + " expects an integer from " + std::to_string(min_value) + " to " +
                         std::to_string(max_value) + ", got '" + *text + "'");
    }
    return parsed;
}

double Options::number(const std::string& name, double fallback, double min_value, double max_value) const
{
    const auto text = value(name);
    if (!text)
        return fallback;
    errno = 0;
    char* end = nullptr;
    const double parsed = std::strtod(text->c_str(), &end);
    if (errno != 0 || end == text->c_str() || *end != '\0' || !std::isfinite(parsed) || parsed < min_value ||
        parsed > max_value) {
        throw UsageError("option " + name + " expects a number from " + format_number(min_value) + " to " +
                         format_number(max_value) + ", got '" + *text + "'");
    }
    return parsed;
}

} // namespace quanta::cli

#include "options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace quanta::cli {

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
        throw UsageError("option " + name + " expects a number from " + std::to_string(min_value) + " to " +
                         std::to_string(max_value) + ", got '" + *text + "'");
    }
    return parsed;
}

} // namespace quanta::cli

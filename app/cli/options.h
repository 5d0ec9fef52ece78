// A small command-line option parser shared by the quanta-cli subcommands.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace quanta::cli {

// Invalid command line; the message is shown with the subcommand's usage.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Replaces control characters and invalid UTF-8 in `text` with \xNN escapes,
// so error messages that quote a hostile file cannot drive the terminal.
std::string printable(std::string_view text);

// Returns the printable message of a command's failure: error.what(), or
// for running out of memory (std::bad_alloc, or a thread that could not be
// started) a message that names `model` and what to try.
std::string failure_message(const std::exception& error, const std::string& model);

class Options {
public:
    // `with_value` lists options that take a value ("-m", "--threads"),
    // `flags` those that do not. Anything else starting with '-' is invalid;
    // other words are positional.
    Options(const std::vector<std::string>& args, const std::set<std::string>& with_value,
            const std::set<std::string>& flags);

    bool has(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    std::string required(const std::string& name) const;
    std::string string(const std::string& name, const std::string& fallback) const;
    long long integer(const std::string& name, long long fallback, long long min_value, long long max_value) const;
    double number(const std::string& name, double fallback, double min_value, double max_value) const;
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positional_;
};

} // namespace quanta::cli

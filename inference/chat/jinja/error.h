// Errors of the Jinja interpreter. Callers see TemplateError. The lexer,
// parser and interpreter throw SourceError with a byte offset, which
// Template turns into a line and column.
#pragma once

#include "core/error.h"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace quanta::jinja {

class TemplateError : public FormatError {
public:
    enum class Kind {
        Syntax,      // the text is not valid Jinja
        Unsupported, // valid Jinja that this interpreter does not implement
        Render,      // an error while rendering (a type error, an undefined value, ...)
        Raised,      // the template called raise_exception()
        Limit,       // a limit against hostile templates was exceeded
    };

    TemplateError(Kind kind, const std::string& message, int line, int column)
        : FormatError(message), kind_(kind), line_(line), column_(column)
    {
    }

    Kind kind() const { return kind_; }
    // 1-based; the column counts code points.
    int line() const { return line_; }
    int column() const { return column_; }

private:
    Kind kind_;
    int line_;
    int column_;
};

// An error at a byte offset of the (newline-normalised) template source.
class SourceError : public std::runtime_error {
public:
    SourceError(TemplateError::Kind kind, const std::string& message, size_t offset)
        : std::runtime_error(message), kind(kind), offset(offset)
    {
    }

    TemplateError::Kind kind;
    size_t offset;
};

} // namespace quanta::jinja

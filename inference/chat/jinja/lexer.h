// Splits a Jinja template into tokens: text between tags, tag delimiters,
// and the names, literals and operators inside tags. Whitespace control
// (`{%-`, `-%}`, `{%+`, `+%}`, trim_blocks, lstrip_blocks) is applied here,
// as Jinja2's lexer applies it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quanta::jinja {

enum class TokenType {
    Text,          // template data between tags
    VariableBegin, // {{
    VariableEnd,   // }}
    BlockBegin,    // {%
    BlockEnd,      // %}
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
};

struct Token {
    TokenType type = TokenType::End;
    std::string value;  // Text: the data; Name; String: the decoded literal; Operator: its spelling
    int64_t integer = 0; // Integer tokens
    double number = 0;   // Float tokens
    size_t offset = 0;   // byte offset in the normalised source
};

struct LexerOptions {
    bool trim_blocks = true;   // drop the first newline after a block tag or comment
    bool lstrip_blocks = true; // drop spaces and tabs before a block tag or comment at the start of a line
};

// Jinja2's source preparation: "\r\n" and "\r" become "\n", and one trailing
// newline is dropped unless `keep_trailing_newline`.
std::string normalize_source(std::string_view source, bool keep_trailing_newline);

// Tokenizes normalised source; the last token is End. Throws SourceError for
// an unclosed tag, comment or string, or a character that starts no token.
std::vector<Token> tokenize(std::string_view source, const LexerOptions& options);

// Describes a token for error messages: "'%}'", "name 'endfor'", "end of template".
std::string describe_token(const Token& token);

} // namespace quanta::jinja

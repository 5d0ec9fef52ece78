#include "chat/jinja/lexer.h"

#include "chat/jinja/error.h"
#include "chat/jinja/text.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <optional>

namespace quanta::jinja {

namespace {

using Kind = TemplateError::Kind;

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Operators, longest first so that "//" wins over "/".
constexpr std::array<std::string_view, 26> kOperators = {
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
    ">",  "=",  "(",  ")",  "[",  "]",  "{", "}", ",", ".", ":", "|", ";",
};

// A `{% raw %}` or `{% endraw %}` tag at a position: where it ends and its
// whitespace-control signs ('-', '+' or 0).
struct RawTag {
    size_t end = 0;
    char left = 0;
    char right = 0;
};

class Lexer {
public:
    Lexer(std::string_view source, const LexerOptions& options) : source_(source), options_(options) {}

    std::vector<Token> run()
    {
        size_t pos = 0;
        while (pos < source_.size())
            pos = lex_text_and_tag(pos);
        Token end;
        end.type = TokenType::End;
        end.offset = source_.size();
        tokens_.push_back(end);
        return std::move(tokens_);
    }

private:
    [[noreturn]] void fail(const std::string& message, size_t offset) const
    {
        throw SourceError(Kind::Syntax, message, offset);
    }

    void emit(TokenType type, std::string value, size_t offset)
    {
        Token token;
        token.type = type;
        token.value = std::move(value);
        token.offset = offset;
        tokens_.push_back(std::move(token));
    }

    // Applies the begin tag's whitespace control to the text before it. A
    // '-' strips all trailing whitespace. Otherwise lstrip_blocks drops the
    // spaces and tabs between the last line start and a block or comment.
    std::string control_text(std::string_view text, char sign, bool lstrip_applies) const
    {
        if (sign == '-') {
            size_t end = text.size();
            while (end > 0 && is_space(text[end - 1]))
                --end;
            return std::string(text.substr(0, end));
        }
        if (sign == '+' || !lstrip_applies || !options_.lstrip_blocks)
            return std::string(text);
        const size_t line_start = text.rfind('\n') == std::string_view::npos ? 0 : text.rfind('\n') + 1;
        if (line_start == 0 && !line_starting_)
            return std::string(text);
        const std::string_view tail = text.substr(line_start);
        if (tail.empty())
            return std::string(text);
        for (char c : tail) {
            if (!is_space(c))
                return std::string(text);
        }
        return std::string(text.substr(0, line_start));
    }

    // Skips what an end tag's whitespace control removes after it: all
    // whitespace after '-', one newline for trim_blocks (block tags and
    // comments only, and not after '+').
    size_t after_end_tag(size_t pos, char sign, bool trim_applies)
    {
        if (sign == '-') {
            while (pos < source_.size() && is_space(source_[pos]))
                ++pos;
        } else if (sign != '+' && trim_applies && options_.trim_blocks && pos < source_.size() &&
                   source_[pos] == '\n') {
            ++pos;
        }
        line_starting_ = pos > 0 && source_[pos - 1] == '\n';
        return pos;
    }

    // Matches `{%[-+]? word [-+]?%}` at `pos`.
    std::optional<RawTag> match_raw_tag(size_t pos, std::string_view word) const
    {
        if (source_.compare(pos, 2, "{%") != 0)
            return std::nullopt;
        RawTag tag;
        size_t p = pos + 2;
        if (p < source_.size() && (source_[p] == '-' || source_[p] == '+'))
            tag.left = source_[p++];
        while (p < source_.size() && is_space(source_[p]))
            ++p;
        if (source_.compare(p, word.size(), word) != 0)
            return std::nullopt;
        p += word.size();
        if (p < source_.size() && is_name_char(source_[p]))
            return std::nullopt;
        while (p < source_.size() && is_space(source_[p]))
            ++p;
        if (p < source_.size() && (source_[p] == '-' || source_[p] == '+'))
            tag.right = source_[p++];
        if (source_.compare(p, 2, "%}") != 0)
            return std::nullopt;
        tag.end = p + 2;
        return tag;
    }

    // Lexes the text from `pos` up to the next tag, then the tag. Returns
    // the position after it.
    size_t lex_text_and_tag(size_t pos)
    {
        // Step 1: find the next tag start.
        size_t tag = pos;
        while (true) {
            tag = source_.find('{', tag);
            if (tag == std::string_view::npos || tag + 1 >= source_.size())
                break;
            const char next = source_[tag + 1];
            if (next == '{' || next == '%' || next == '#')
                break;
            ++tag;
        }
        if (tag == std::string_view::npos || tag + 1 >= source_.size()) {
            if (pos < source_.size())
                emit(TokenType::Text, std::string(source_.substr(pos)), pos);
            return source_.size();
        }

        // Step 2: emit the text with the tag's whitespace control applied.
        const char type = source_[tag + 1];
        const char sign = (tag + 2 < source_.size() && (source_[tag + 2] == '-' || source_[tag + 2] == '+'))
                              ? source_[tag + 2]
                              : 0;
        const std::string text = control_text(source_.substr(pos, tag - pos), sign, type != '{');
        if (!text.empty())
            emit(TokenType::Text, text, pos);

        // Step 3: the tag itself.
        if (type == '#')
            return lex_comment(tag, sign);
        if (type == '%') {
            if (const std::optional<RawTag> raw = match_raw_tag(tag, "raw"))
                return lex_raw(tag, *raw);
        }
        return lex_tag(tag, type == '%', sign);
    }

    size_t lex_comment(size_t tag, char sign)
    {
        const size_t body = tag + 2 + (sign ? 1 : 0);
        const size_t close = source_.find("#}", body);
        if (close == std::string_view::npos)
            fail("unclosed comment: '{#' has no matching '#}'", tag);
        const char end_sign = (close > body && (source_[close - 1] == '-' || source_[close - 1] == '+'))
                                  ? source_[close - 1]
                                  : 0;
        return after_end_tag(close + 2, end_sign, true);
    }

    size_t lex_raw(size_t tag, const RawTag& begin)
    {
        size_t content = begin.end;
        if (begin.right == '-') {
            while (content < source_.size() && is_space(source_[content]))
                ++content;
        }
        for (size_t at = source_.find("{%", content); at != std::string_view::npos;
             at = source_.find("{%", at + 2)) {
            const std::optional<RawTag> end = match_raw_tag(at, "endraw");
            if (!end)
                continue;
            line_starting_ = false;
            const std::string text = control_text(source_.substr(content, at - content), end->left, true);
            if (!text.empty())
                emit(TokenType::Text, text, content);
            return after_end_tag(end->end, end->right, true);
        }
        fail("unclosed 'raw' block: '{% raw %}' has no matching '{% endraw %}'", tag);
    }

    // Lexes the names, literals and operators of a `{{ }}` or `{% %}` tag.
    size_t lex_tag(size_t tag, bool block, char sign)
    {
        emit(block ? TokenType::BlockBegin : TokenType::VariableBegin, {}, tag);
        size_t pos = tag + 2 + (sign ? 1 : 0);
        const std::string_view close = block ? "%}" : "}}";
        std::string brackets; // the closing bracket each open one expects
        while (true) {
            while (pos < source_.size() && is_space(source_[pos]))
                ++pos;
            if (pos >= source_.size())
                fail(std::string("unclosed tag: expected '") + std::string(close) + "' before the end of the template", tag);

            // The end of the tag, unless a bracket is open: `{{ {'a': {}} }}`.
            if (brackets.empty()) {
                char end_sign = 0;
                size_t at = pos;
                if (source_[pos] == '-' || source_[pos] == '+') {
                    end_sign = source_[pos];
                    at = pos + 1;
                }
                if (source_.compare(at, 2, close) == 0) {
                    emit(block ? TokenType::BlockEnd : TokenType::VariableEnd, {}, pos);
                    return after_end_tag(at + 2, end_sign, block);
                }
            }

            const char c = source_[pos];
            if (is_name_start(c)) {
                const size_t start = pos;
                while (pos < source_.size() && is_name_char(source_[pos]))
                    ++pos;
                emit(TokenType::Name, std::string(source_.substr(start, pos - start)), start);
            } else if (is_digit(c)) {
                pos = lex_number(pos);
            } else if (c == '\'' || c == '"') {
                pos = lex_string(pos);
            } else {
                pos = lex_operator(pos, brackets);
            }
        }
    }

    size_t lex_operator(size_t pos, std::string& brackets)
    {
        for (std::string_view op : kOperators) {
            if (source_.compare(pos, op.size(), op) != 0)
                continue;
            if (op == "(") {
                brackets += ')';
            } else if (op == "[") {
                brackets += ']';
            } else if (op == "{") {
                brackets += '}';
            } else if (op == ")" || op == "]" || op == "}") {
                if (brackets.empty())
                    fail("unexpected '" + std::string(op) + "': no bracket is open", pos);
                if (op[0] != brackets.back()) {
                    fail("unexpected '" + std::string(op) + "', expected '" + std::string(1, brackets.back()) + "'",
                         pos);
                }
                brackets.pop_back();
            }
            emit(TokenType::Operator, std::string(op), pos);
            return pos + op.size();
        }
        const std::string quoted = text::repr_string(std::string(1, source_[pos]));
        fail("unexpected character " + quoted + " in a tag", pos);
    }

    size_t lex_number(size_t pos)
    {
        const size_t start = pos;
        const auto digits = [&](bool (*accept)(char)) {
            while (pos < source_.size() && (accept(source_[pos]) || (source_[pos] == '_' && pos + 1 < source_.size() &&
                                                                     accept(source_[pos + 1]))))
                ++pos;
        };

        // Prefixed integers: 0x.., 0o.., 0b...
        if (source_[pos] == '0' && pos + 1 < source_.size()) {
            const char prefix = static_cast<char>(source_[pos + 1] | 0x20);
            int base = 0;
            if (prefix == 'x')
                base = 16;
            else if (prefix == 'o')
                base = 8;
            else if (prefix == 'b')
                base = 2;
            if (base != 0) {
                pos += 2;
                const size_t digits_start = pos;
                digits([](char c) { return hex_digit(c) >= 0; });
                return emit_integer(start, source_.substr(digits_start, pos - digits_start), base);
            }
        }

        digits(is_digit);
        // A float needs digits after the point; `x.0.1` is two item lookups,
        // so a number right after '.' stays an integer, as in Jinja2.
        const bool after_dot = start > 0 && source_[start - 1] == '.';
        bool is_float = false;
        if (!after_dot && pos + 1 < source_.size() && source_[pos] == '.' && is_digit(source_[pos + 1])) {
            ++pos;
            digits(is_digit);
            is_float = true;
        }
        if (!after_dot && pos < source_.size() && (source_[pos] == 'e' || source_[pos] == 'E')) {
            size_t p = pos + 1;
            if (p < source_.size() && (source_[p] == '+' || source_[p] == '-'))
                ++p;
            if (p < source_.size() && is_digit(source_[p])) {
                pos = p;
                digits(is_digit);
                is_float = true;
            }
        }
        if (!is_float)
            return emit_integer(start, source_.substr(start, pos - start), 10);

        std::string cleaned;
        for (char c : source_.substr(start, pos - start)) {
            if (c != '_')
                cleaned += c;
        }
        Token token;
        token.type = TokenType::Float;
        token.number = std::strtod(cleaned.c_str(), nullptr);
        token.value = std::string(source_.substr(start, pos - start));
        token.offset = start;
        tokens_.push_back(std::move(token));
        return pos;
    }

    size_t emit_integer(size_t start, std::string_view digits, int base)
    {
        std::string cleaned;
        for (char c : digits) {
            if (c != '_')
                cleaned += c;
        }
        if (cleaned.empty())
            fail("invalid integer literal", start);
        const size_t stop = static_cast<size_t>(digits.data() + digits.size() - source_.data());
        const std::string literal(source_.substr(start, stop - start));
        errno = 0;
        char* end = nullptr;
        const long long value = std::strtoll(cleaned.c_str(), &end, base);
        if (errno == ERANGE)
            fail("integer literal " + literal + " is out of the 64-bit range", start);
        if (*end != '\0')
            fail("invalid digit in the integer literal " + literal, start);
        Token token;
        token.type = TokenType::Integer;
        token.integer = value;
        token.offset = start;
        token.value = literal;
        tokens_.push_back(std::move(token));
        return stop;
    }

    // Decodes a quoted literal with Python's escapes (\n, \t, \xhh, \uXXXX,
    // \UXXXXXXXX, octal, ...). An unknown escape keeps its backslash.
    size_t lex_string(size_t pos)
    {
        const size_t start = pos;
        const char quote = source_[pos++];
        std::string value;
        while (true) {
            if (pos >= source_.size())
                fail("unclosed string literal", start);
            const char c = source_[pos];
            if (c == quote)
                break;
            if (c != '\\') {
                value += c;
                ++pos;
                continue;
            }
            if (pos + 1 >= source_.size())
                fail("unclosed string literal", start);
            pos = decode_escape(pos, value);
        }
        emit(TokenType::String, std::move(value), start);
        return pos + 1;
    }

    size_t decode_escape(size_t pos, std::string& value)
    {
        const char e = source_[pos + 1];
        switch (e) {
        case '\n': return pos + 2;
        case '\\': value += '\\'; return pos + 2;
        case '\'': value += '\''; return pos + 2;
        case '"': value += '"'; return pos + 2;
        case 'a': value += '\a'; return pos + 2;
        case 'b': value += '\b'; return pos + 2;
        case 'f': value += '\f'; return pos + 2;
        case 'n': value += '\n'; return pos + 2;
        case 'r': value += '\r'; return pos + 2;
        case 't': value += '\t'; return pos + 2;
        case 'v': value += '\v'; return pos + 2;
        case 'x':
        case 'u':
        case 'U': {
            size_t width = 8; // \UXXXXXXXX
            if (e == 'x')
                width = 2;
            else if (e == 'u')
                width = 4;
            char32_t code = 0;
            for (size_t k = 0; k < width; ++k) {
                const int digit = pos + 2 + k < source_.size() ? hex_digit(source_[pos + 2 + k]) : -1;
                if (digit < 0)
                    fail(std::string("truncated \\") + e + " escape in a string literal", pos);
                code = code * 16 + static_cast<char32_t>(digit);
            }
            if (code > 0x10FFFF)
                fail("\\U escape beyond U+10FFFF in a string literal", pos);
            text::append_code_point(value, code);
            return pos + 2 + width;
        }
        default: break;
        }
        if (e >= '0' && e <= '7') {
            char32_t code = 0;
            size_t p = pos + 1;
            for (int k = 0; k < 3 && p < source_.size() && source_[p] >= '0' && source_[p] <= '7'; ++k, ++p)
                code = code * 8 + static_cast<char32_t>(source_[p] - '0');
            text::append_code_point(value, code);
            return p;
        }
        if (e == 'N')
            throw SourceError(Kind::Unsupported, "\\N{...} escapes in string literals are not supported", pos);
        value += '\\';
        return pos + 1;
    }

    std::string_view source_;
    const LexerOptions& options_;
    std::vector<Token> tokens_;
    // Whether the last consumed text ended a line, which lets lstrip_blocks
    // strip the indentation of a tag right at the start of the next text.
    bool line_starting_ = true;
};

} // namespace

std::string normalize_source(std::string_view source, bool keep_trailing_newline)
{
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n')
                ++i;
        } else {
            out += source[i];
        }
    }
    if (!keep_trailing_newline && !out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

std::vector<Token> tokenize(std::string_view source, const LexerOptions& options)
{
    return Lexer(source, options).run();
}

std::string describe_token(const Token& token)
{
    switch (token.type) {
    case TokenType::Text: return "template text";
    case TokenType::VariableBegin: return "'{{'";
    case TokenType::VariableEnd: return "'}}'";
    case TokenType::BlockBegin: return "'{%'";
    case TokenType::BlockEnd: return "'%}'";
    case TokenType::Name: return "name '" + token.value + "'";
    case TokenType::String: return "string " + text::repr_string(token.value);
    case TokenType::Integer:
    case TokenType::Float: return "number " + token.value;
    case TokenType::Operator: return "'" + token.value + "'";
    case TokenType::End: return "the end of the template";
    }
    return "token";
}

} // namespace quanta::jinja

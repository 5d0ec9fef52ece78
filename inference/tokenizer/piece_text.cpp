#include "tokenizer/piece_text.h"

#include "tokenizer/unicode_text.h"

namespace quanta {

size_t utf8_symbol_length(std::string_view text, size_t offset)
{
    return check_utf8_sequence(text, offset).length;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to)
{
    std::string result;
    result.reserve(text.size());
    size_t start = 0;
    for (size_t match = text.find(from); match != std::string_view::npos; match = text.find(from, start)) {
        result.append(text.substr(start, match - start));
        result.append(to);
        start = match + from.size();
    }
    result.append(text.substr(start));
    return result;
}

int parse_byte_token(std::string_view text)
{
    if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>')
        return -1;
    int value = 0;
    for (size_t i = 3; i < 5; ++i) {
        const char digit = text[i];
        value *= 16;
        if (digit >= '0' && digit <= '9')
            value += digit - '0';
        else if (digit >= 'A' && digit <= 'F')
            value += digit - 'A' + 10;
        else if (digit >= 'a' && digit <= 'f')
            value += digit - 'a' + 10;
        else
            return -1;
    }
    return value;
}

} // namespace quanta

// UTF-8 validation for GGUF keys and tensor names, and for escaping string
// values when they are printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace quanta::gguf_detail {

// Returns the length (1-4) of the well-formed UTF-8 sequence that starts
// `text[position]`, or 0 when the bytes there are not one. Overlong forms,
// UTF-16 surrogates and code points above U+10FFFF are rejected, as RFC 3629
// requires.
inline size_t utf8_sequence_length(std::string_view text, size_t position)
{
    const auto byte_at = [&](size_t index) { return static_cast<uint8_t>(text[index]); };
    const size_t available = text.size() - position;
    const uint8_t lead = byte_at(position);

    if (lead < 0x80)
        return 1;

    size_t length = 0;
    uint8_t second_min = 0x80;
    uint8_t second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            second_min = 0xA0; // below is an overlong form
        if (lead == 0xED)
            second_max = 0x9F; // above are the surrogates U+D800..U+DFFF
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            second_min = 0x90; // below is an overlong form
        if (lead == 0xF4)
            second_max = 0x8F; // above is past U+10FFFF
    } else {
        return 0;
    }

    if (available < length)
        return 0;
    const uint8_t second = byte_at(position + 1);
    if (second < second_min || second > second_max)
        return 0;
    for (size_t i = 2; i < length; ++i) {
        const uint8_t continuation = byte_at(position + i);
        if (continuation < 0x80 || continuation > 0xBF)
            return 0;
    }
    return length;
}

// Returns the byte offset of the first invalid sequence, or text.size() when
// the whole text is valid UTF-8.
inline size_t utf8_first_invalid(std::string_view text)
{
    size_t position = 0;
    while (position < text.size()) {
        const size_t length = utf8_sequence_length(text, position);
        if (length == 0)
            return position;
        position += length;
    }
    return position;
}

} // namespace quanta::gguf_detail

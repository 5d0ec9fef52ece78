#include "tokenizer/byte_level.h"

#include <array>
#include <cstdint>

namespace quanta {

namespace {

// The alphabet as GPT-2's encoder.py defines it (bytes_to_unicode): the
// printable Latin-1 bytes '!'..'~', '¡'..'¬' and '®'..'ÿ' stand for
// themselves, and the other 68 byte values, in increasing order, for
// U+0100, U+0101, ... U+0143.
constexpr uint32_t kFirstShiftedCodePoint = 0x100;
constexpr uint32_t kAlphabetEnd = kFirstShiftedCodePoint + 68; // one past the highest code point used

constexpr bool stands_for_itself(uint32_t byte)
{
    return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

struct Alphabet {
    std::array<uint16_t, 256> code_point_of_byte{}; // [byte] code point
    std::array<int16_t, kAlphabetEnd> byte_of_code_point{}; // [code point] byte, or -1
};

constexpr Alphabet build_alphabet()
{
    Alphabet alphabet;
    for (int16_t& byte : alphabet.byte_of_code_point)
        byte = -1;
    uint32_t next_shifted = kFirstShiftedCodePoint;
    for (uint32_t byte = 0; byte < 256; ++byte) {
        const uint32_t code_point = stands_for_itself(byte) ? byte : next_shifted++;
        alphabet.code_point_of_byte[byte] = static_cast<uint16_t>(code_point);
        alphabet.byte_of_code_point[code_point] = static_cast<int16_t>(byte);
    }
    return alphabet;
}

constexpr Alphabet kAlphabet = build_alphabet();
static_assert(kAlphabet.code_point_of_byte[' '] == 0x120, "the space byte must be 'Ġ' (U+0120)");
static_assert(kAlphabet.code_point_of_byte['\n'] == 0x10A, "the newline byte must be 'Ċ' (U+010A)");

} // namespace

void append_byte_level(std::string_view bytes, std::string& output)
{
    // Every code point of the alphabet is below U+0800, so one or two UTF-8 bytes.
    for (const char byte : bytes) {
        const uint32_t code_point = kAlphabet.code_point_of_byte[static_cast<uint8_t>(byte)];
        if (code_point < 0x80) {
            output += static_cast<char>(code_point);
        } else {
            output += static_cast<char>(0xC0 | (code_point >> 6));
            output += static_cast<char>(0x80 | (code_point & 0x3F));
        }
    }
}

std::optional<std::string> decode_byte_level(std::string_view text)
{
    std::string bytes;
    bytes.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        // Only one- and two-byte UTF-8 sequences can be in the alphabet.
        const uint8_t lead = static_cast<uint8_t>(text[i]);
        uint32_t code_point = 0;
        if (lead < 0x80) {
            code_point = lead;
            i += 1;
        } else if ((lead & 0xE0) == 0xC0 && i + 1 < text.size() && (static_cast<uint8_t>(text[i + 1]) & 0xC0) == 0x80) {
            code_point = ((lead & 0x1Fu) << 6) | (static_cast<uint8_t>(text[i + 1]) & 0x3Fu);
            i += 2;
            if (code_point < 0x80) // an overlong form
                return std::nullopt;
        } else {
            return std::nullopt;
        }

        if (code_point >= kAlphabetEnd || kAlphabet.byte_of_code_point[code_point] < 0)
            return std::nullopt;
        bytes += static_cast<char>(kAlphabet.byte_of_code_point[code_point]);
    }
    return bytes;
}

} // namespace quanta

// Small text helpers that the SentencePiece and BPE tokenizers share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace quanta {

// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
inline constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";

// Bytes of the symbol that starts at `offset`: the whole character when it
// is well-formed UTF-8, else the ill-formed part only (at least one byte),
// so that a stray byte never swallows the characters after it.
size_t utf8_symbol_length(std::string_view text, size_t offset);

std::string replace_all(std::string_view text, std::string_view from, std::string_view to);

// Returns the byte value of "<0xXX>" (two hex digits, either case), or -1
// for any other text.
int parse_byte_token(std::string_view text);

} // namespace quanta

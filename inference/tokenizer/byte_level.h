// GPT-2's byte-level alphabet: every byte value stands for one printable
// Unicode character, so that byte-level BPE vocabularies can store any byte
// sequence as text ("Ġ" is the space byte, "Ċ" the newline).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace quanta {

// Appends the byte-level characters (UTF-8) for each byte of `bytes`.
void append_byte_level(std::string_view bytes, std::string& output);

// The bytes that a byte-level text stands for, or nullopt when the text
// contains a character outside the alphabet (then it is not byte-level text
// and the caller prints it as it is).
std::optional<std::string> decode_byte_level(std::string_view text);

} // namespace quanta

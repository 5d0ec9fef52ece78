// UTF-8 well-formedness checks and Unicode normalization for the tokenizers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace quanta {

// Classification of the bytes at one position of a UTF-8 text.
struct Utf8SequenceCheck {
    enum Kind { Complete, Incomplete, Invalid } kind;
    // Bytes of the character, or of the maximal subpart that is ill-formed
    // (Invalid) or cut off by the end of the text (Incomplete).
    size_t length;
};

// Classifies the sequence at `position` by the well-formed byte ranges of
// the Unicode standard (table 3-7), which rule out overlong forms,
// surrogates and code points above U+10FFFF.
Utf8SequenceCheck check_utf8_sequence(std::string_view text, size_t position);

// Bytes from the start of `text` up to its first ill-formed or cut-off sequence.
size_t well_formed_utf8_prefix(std::string_view text);

// Applies Unicode Normalization Form C (canonical composition, as ICU
// implements it) to `text`. Ill-formed bytes are copied unchanged and the
// well-formed runs between them are normalized on their own.
std::string normalize_nfc(std::string_view text);

} // namespace quanta

#include "tokenizer/unicode_text.h"

#include "core/error.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utypes.h>

#include <cstdint>
#include <string>

namespace quanta {

Utf8SequenceCheck check_utf8_sequence(std::string_view text, size_t position)
{
    const auto byte_at = [&](size_t index) { return static_cast<uint8_t>(text[index]); };
    const uint8_t lead = byte_at(position);
    if (lead < 0x80)
        return {Utf8SequenceCheck::Complete, 1};

    // The length, and the range of the second byte, from the lead byte.
    size_t length = 0;
    uint8_t second_min = 0x80;
    uint8_t second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            second_min = 0xA0;
        if (lead == 0xED)
            second_max = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            second_min = 0x90;
        if (lead == 0xF4)
            second_max = 0x8F;
    } else {
        return {Utf8SequenceCheck::Invalid, 1};
    }

    // Each following byte either continues the sequence, ends the input
    // (the sequence may still complete), or breaks it.
    for (size_t i = 1; i < length; ++i) {
        if (position + i >= text.size())
            return {Utf8SequenceCheck::Incomplete, i};
        const uint8_t byte = byte_at(position + i);
        const uint8_t min = i == 1 ? second_min : 0x80;
        const uint8_t max = i == 1 ? second_max : 0xBF;
        if (byte < min || byte > max)
            return {Utf8SequenceCheck::Invalid, i};
    }
    return {Utf8SequenceCheck::Complete, length};
}

size_t well_formed_utf8_prefix(std::string_view text)
{
    size_t position = 0;
    while (position < text.size()) {
        const Utf8SequenceCheck check = check_utf8_sequence(text, position);
        if (check.kind != Utf8SequenceCheck::Complete)
            break;
        position += check.length;
    }
    return position;
}

std::string normalize_nfc(std::string_view text)
{
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status))
        throw Error(std::string("cannot load ICU's NFC normalization data: ") + u_errorName(status));

    std::string output;
    output.reserve(text.size());
    icu::StringByteSink<std::string> sink(&output);
    while (!text.empty()) {
        // A well-formed run goes through ICU, unless it is already in NFC.
        const size_t run = well_formed_utf8_prefix(text);
        if (run > static_cast<size_t>(INT32_MAX))
            throw Error("cannot normalize a text of " + std::to_string(run) + " bytes; ICU takes at most " +
                        std::to_string(INT32_MAX));
        if (run > 0) {
            const icu::StringPiece piece(text.data(), static_cast<int32_t>(run));
            if (nfc->isNormalizedUTF8(piece, status))
                output.append(text.substr(0, run));
            else
                nfc->normalizeUTF8(0, piece, sink, nullptr, status);
            if (U_FAILURE(status))
                throw Error(std::string("Unicode NFC normalization failed: ") + u_errorName(status));
            text.remove_prefix(run);
            continue;
        }

        // The ill-formed sequence after it is kept as it is.
        const size_t bad = check_utf8_sequence(text, 0).length;
        output.append(text.substr(0, bad));
        text.remove_prefix(bad);
    }
    return output;
}

} // namespace quanta

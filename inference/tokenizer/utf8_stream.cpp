#include "tokenizer/utf8_stream.h"

#include <cstdint>

namespace quanta {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Classification of the bytes at a position of the input.
struct SequenceCheck {
    enum Kind { Complete, Incomplete, Invalid } kind;
    size_t length; // bytes of the sequence, or of the maximal subpart that an Invalid result replaces
};

// Classifies the sequence at `position` by the well-formed byte ranges of
// the Unicode standard (table 3-7), which rule out overlong forms,
// surrogates and code points above U+10FFFF.
SequenceCheck check_sequence(std::string_view text, size_t position)
{
    const auto byte_at = [&](size_t index) { return static_cast<uint8_t>(text[index]); };
    const uint8_t lead = byte_at(position);
    if (lead < 0x80)
        return {SequenceCheck::Complete, 1};

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
        return {SequenceCheck::Invalid, 1};
    }

    // Each following byte either continues the sequence, ends the input
    // (the sequence may still complete), or breaks it.
    for (size_t i = 1; i < length; ++i) {
        if (position + i >= text.size())
            return {SequenceCheck::Incomplete, i};
        const uint8_t byte = byte_at(position + i);
        const uint8_t min = i == 1 ? second_min : 0x80;
        const uint8_t max = i == 1 ? second_max : 0xBF;
        if (byte < min || byte > max)
            return {SequenceCheck::Invalid, i};
    }
    return {SequenceCheck::Complete, length};
}

} // namespace

std::string Utf8StreamDecoder::push(std::string_view bytes)
{
    pending_.append(bytes);

    std::string output;
    output.reserve(pending_.size());
    size_t position = 0;
    while (position < pending_.size()) {
        const SequenceCheck check = check_sequence(pending_, position);
        if (check.kind == SequenceCheck::Incomplete)
            break;
        if (check.kind == SequenceCheck::Complete)
            output.append(pending_, position, check.length);
        else
            output.append(kReplacement);
        position += check.length;
    }
    pending_.erase(0, position);
    return output;
}

std::string Utf8StreamDecoder::flush()
{
    std::string output = push({});
    if (!pending_.empty()) {
        output.append(kReplacement);
        pending_.clear();
    }
    return output;
}

} // namespace quanta

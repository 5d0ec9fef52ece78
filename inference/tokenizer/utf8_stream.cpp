#include "tokenizer/utf8_stream.h"

#include "tokenizer/unicode_text.h"

namespace quanta {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

} // namespace

std::string Utf8StreamDecoder::push(std::string_view bytes)
{
    pending_.append(bytes);

    std::string output;
    output.reserve(pending_.size());
    size_t position = 0;
    while (position < pending_.size()) {
        const Utf8SequenceCheck check = check_utf8_sequence(pending_, position);
        if (check.kind == Utf8SequenceCheck::Incomplete)
            break;
        if (check.kind == Utf8SequenceCheck::Complete)
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

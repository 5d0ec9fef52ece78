// Reassembles UTF-8 text from pieces that may split a character, such as the
// byte tokens of a streamed generation.
#pragma once

#include <string>
#include <string_view>

namespace quanta {

class Utf8StreamDecoder {
public:
    // Appends `bytes` and returns the longest prefix of whole characters
    // that can be shown now. A trailing sequence that may still complete is
    // kept for the next call. Each ill-formed sequence becomes U+FFFD, one
    // per maximal subpart as the Unicode standard recommends (chapter 3,
    // "U+FFFD Substitution of Maximal Subparts").
    std::string push(std::string_view bytes);

    // Returns what is still held back, an incomplete sequence, as U+FFFD,
    // and empties the decoder.
    std::string flush();

    // Drops what is held back.
    void reset() { pending_.clear(); }

    // Bytes held back: at most 3.
    size_t pending_size() const { return pending_.size(); }

private:
    std::string pending_;
};

} // namespace quanta

// Turns generated token pieces into text that is safe to show while
// streaming: whole UTF-8 characters only, with any tail that could still
// become a stop string held back.
#pragma once

#include "tokenizer/utf8_stream.h"

#include <string>
#include <string_view>
#include <vector>

namespace quanta {

class TextStream {
public:
    explicit TextStream(std::vector<std::string> stop_strings);

    // Adds the bytes of one token. Returns the newly releasable text.
    std::string push(std::string_view bytes);

    // True once the text contains a stop string; the text from the stop
    // string on is dropped and never released.
    bool stopped() const { return stopped_; }

    // Releases what was held back (an incomplete UTF-8 tail becomes U+FFFD).
    // Call when generation ends without a stop string.
    std::string finish();

    // Everything released so far.
    const std::string& text() const { return released_; }

private:
    std::string take_releasable();

    std::vector<std::string> stop_strings_;
    Utf8StreamDecoder decoder_; // keeps an incomplete UTF-8 sequence at the end
    std::string pending_;       // complete UTF-8 not yet released
    std::string released_;
    bool stopped_ = false;
};

} // namespace quanta

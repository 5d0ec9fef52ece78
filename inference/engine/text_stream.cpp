#include "engine/text_stream.h"

#include <algorithm>

namespace quanta {

namespace {

// Length of the longest prefix of `text`, which holds only whole
// characters, that ends at or before `limit` on a character boundary.
size_t character_boundary_before(std::string_view text, size_t limit)
{
    while (limit > 0 && limit < text.size() && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80)
        --limit;
    return limit;
}

} // namespace

TextStream::TextStream(std::vector<std::string> stop_strings)
    : stop_strings_(std::move(stop_strings))
{
    stop_strings_.erase(std::remove(stop_strings_.begin(), stop_strings_.end(), std::string()), stop_strings_.end());
}

std::string TextStream::push(std::string_view bytes)
{
    if (stopped_)
        return {};
    pending_ += decoder_.push(bytes);
    return take_releasable();
}

std::string TextStream::take_releasable()
{
    // A complete stop string ends the text where it starts.
    size_t cut = std::string::npos;
    for (const std::string& stop : stop_strings_) {
        const size_t at = pending_.find(stop);
        if (at != std::string::npos)
            cut = std::min(cut, at);
    }
    if (cut != std::string::npos) {
        stopped_ = true;
        pending_.resize(cut);
        decoder_.reset();
        std::string out = std::move(pending_);
        pending_.clear();
        released_ += out;
        return out;
    }

    // Hold back the longest tail that is a prefix of some stop string.
    size_t hold = 0;
    for (const std::string& stop : stop_strings_) {
        const size_t max_len = std::min(stop.size() - 1, pending_.size());
        for (size_t len = max_len; len > hold; --len) {
            if (pending_.compare(pending_.size() - len, len, stop, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    // Never split a character when holding back.
    const size_t release = character_boundary_before(pending_, pending_.size() - hold);
    std::string out = pending_.substr(0, release);
    pending_.erase(0, release);
    released_ += out;
    return out;
}

std::string TextStream::finish()
{
    if (stopped_)
        return {};
    std::string out = std::move(pending_) + decoder_.flush();
    pending_.clear();
    released_ += out;
    return out;
}

} // namespace quanta

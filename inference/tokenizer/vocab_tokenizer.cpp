#include "tokenizer/vocab_tokenizer.h"

#include "core/error.h"
#include "tokenizer/piece_text.h"

namespace quanta {

VocabTokenizer::VocabTokenizer(Vocab vocab) : vocab_(std::move(vocab))
{
    // Byte tokens: the value each one stands for when decoding.
    token_bytes_.assign(vocab_.texts.size(), -1);
    for (TokenId id = 0; id < vocab_.size(); ++id) {
        if (vocab_.types[static_cast<size_t>(id)] != TokenType::Byte)
            continue;
        const int value = parse_byte_token(vocab_.texts[static_cast<size_t>(id)]);
        if (value < 0)
            throw FormatError(vocab_.path + ": token " + std::to_string(id) + " has type byte but its text '" +
                              vocab_.texts[static_cast<size_t>(id)] +
                              "' is not of the form <0xXX>; the file is corrupt");
        token_bytes_[static_cast<size_t>(id)] = static_cast<int16_t>(value);
    }
}

std::string VocabTokenizer::decode(const std::vector<TokenId>& ids, bool strip_leading_space,
                                   bool render_special) const
{
    std::string text;
    bool strip_pending = strip_leading_space && adds_leading_space();
    for (const TokenId id : ids) {
        std::string piece = token_to_piece(id, render_special);
        if (piece.empty())
            continue;

        // The encoder put one space before the first word; take it off the
        // first piece that prints anything.
        if (strip_pending && piece.front() == ' ')
            piece.erase(0, 1);
        strip_pending = false;
        text += piece;
    }
    return text;
}

const std::string& VocabTokenizer::token_text(TokenId id) const
{
    vocab_.check_id(id);
    return vocab_.texts[static_cast<size_t>(id)];
}

TokenType VocabTokenizer::token_type(TokenId id) const
{
    vocab_.check_id(id);
    return vocab_.types[static_cast<size_t>(id)];
}

bool VocabTokenizer::is_end_of_generation(TokenId id) const
{
    return id >= 0 && id < vocab_.size() && vocab_.end_of_generation[static_cast<size_t>(id)] != 0;
}

} // namespace quanta

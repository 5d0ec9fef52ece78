// Base class of the SentencePiece and BPE tokenizers: the vocab, the
// lookups by id, the byte value of each byte token, and piecewise decoding.
#pragma once

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

#include <string>
#include <vector>

namespace quanta {

class VocabTokenizer : public Tokenizer {
public:
    // Joins the pieces of `ids`, dropping the leading space the encoder added
    // before the first word when adds_leading_space() and
    // `strip_leading_space` are both set.
    std::string decode(const std::vector<TokenId>& ids, bool strip_leading_space = true,
                       bool render_special = false) const override;

    int32_t vocab_size() const override { return vocab_.size(); }
    const std::string& token_text(TokenId id) const override;
    TokenType token_type(TokenId id) const override;

    TokenId bos() const override { return vocab_.bos; }
    TokenId eos() const override { return vocab_.eos; }
    bool is_end_of_generation(TokenId id) const override;

    const Vocab& vocab() const { return vocab_; }

protected:
    // Takes the vocab and reads the value of each byte-type token. Throws
    // FormatError naming vocab.path for one whose text is not "<0xXX>".
    explicit VocabTokenizer(Vocab vocab);

    // True when encode() puts a space before the text that decode() may drop.
    virtual bool adds_leading_space() const = 0;

    Vocab vocab_;
    // [n_tokens] the byte a byte-type token stands for; -1 for other types.
    std::vector<int16_t> token_bytes_;
};

} // namespace quanta

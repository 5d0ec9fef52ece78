// SentencePiece-style tokenizer for GGUF files with
// `tokenizer.ggml.model = "llama"` (Llama 1/2, Mistral, TinyLlama, ...).
//
// It reproduces llama.cpp's SPM tokenizer. Spaces become U+2581 "▁", and a
// "▁" goes in front of the text and after every special token. Adjacent
// pieces are merged while their concatenation is a token, highest score
// first. What never became a token falls back to byte tokens "<0xXX>".
#pragma once

#include "tokenizer/vocab_tokenizer.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

class SpmTokenizer final : public VocabTokenizer {
public:
    // Reads the vocab of `file`. Throws FormatError as load_vocab does, and
    // for a byte-type token whose text is not "<0xXX>".
    explicit SpmTokenizer(const GgufFile& file);

    // With `add_bos`, also appends EOS when the model requests it
    // (tokenizer.ggml.add_eos_token), as llama.cpp's add_special does.
    std::vector<TokenId> encode(std::string_view text, bool add_bos, bool parse_special) const override;
    std::string token_to_piece(TokenId id, bool render_special = false) const override;
    bool add_bos_default() const override { return vocab_.add_bos; }

private:
    bool adds_leading_space() const override { return vocab_.add_space_prefix; }

    // Tokenizes one plain fragment whose spaces are already "▁".
    void encode_escaped(std::string_view text, std::vector<TokenId>& output) const;
    // Appends the tokens for a piece that is not itself a token.
    void append_byte_fallback(std::string_view piece, std::vector<TokenId>& output) const;

    // The token that stands for each byte value in the fallback: "<0xXX>",
    // else the one-byte text, else UNK, else -1.
    std::array<TokenId, 256> byte_fallback_{};
};

} // namespace quanta

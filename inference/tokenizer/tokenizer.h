// Text <-> token ids for a model's vocabulary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

class GgufFile;

using TokenId = int32_t;

// Token types as GGUF's `tokenizer.ggml.token_type` numbers them.
enum class TokenType : int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Builds the tokenizer named by `tokenizer.ggml.model`. Throws
    // UnsupportedError for a model kind that is not implemented and
    // FormatError for inconsistent vocab arrays.
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& file);

    // Encodes UTF-8 text. `add_bos` prepends BOS when the vocab has one and
    // the model requests it (`tokenizer.ggml.add_bos_token`, default true for
    // SentencePiece vocabs), and then also appends EOS where
    // `tokenizer.ggml.add_eos_token` is true. With `parse_special`, text equal
    // to a control or unknown token ("<s>", "<|im_start|>") becomes that
    // token. Text equal to a user-defined token always does, as in llama.cpp.
    virtual std::vector<TokenId> encode(std::string_view text, bool add_bos, bool parse_special) const = 0;

    // The bytes a token stands for when printed: "▁Once" -> " Once",
    // "<0x0A>" -> "\n". Control tokens give "" unless `render_special`.
    // A byte token may be an incomplete UTF-8 sequence.
    virtual std::string token_to_piece(TokenId id, bool render_special = false) const = 0;

    // Decodes a whole sequence. Drops the leading space the encoder added
    // before the first word when `strip_leading_space` is set.
    virtual std::string decode(const std::vector<TokenId>& ids, bool strip_leading_space = true) const = 0;

    virtual int32_t vocab_size() const = 0;
    virtual const std::string& token_text(TokenId id) const = 0;
    virtual TokenType token_type(TokenId id) const = 0;

    // -1 when the vocab has no such token.
    virtual TokenId bos() const = 0;
    virtual TokenId eos() const = 0;
    virtual bool add_bos_default() const = 0;
    // True for EOS and the other end-of-generation tokens (EOT, <|im_end|>, ...).
    virtual bool is_end_of_generation(TokenId id) const = 0;
};

} // namespace quanta

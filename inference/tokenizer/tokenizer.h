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

    // Builds the tokenizer named by `tokenizer.ggml.model`: "llama"
    // (SentencePiece) or "gpt2" (byte-level BPE). Throws UnsupportedError for
    // a model kind or pre-tokenizer that is not implemented and FormatError
    // for inconsistent vocab arrays or merges.
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& file);

    // Builds the tokenizer of a Hugging Face model folder: tokenizer.json
    // (with tokenizer_config.json when present), or GPT-2's encoder.json and
    // vocab.bpe. Throws IoError when none of them can be read, FormatError
    // for malformed files and UnsupportedError for a model, normalizer,
    // pre-tokenizer or decoder type that is not implemented.
    static std::unique_ptr<Tokenizer> from_hf_dir(const std::string& directory);

    // Encodes UTF-8 text. `add_bos` prepends BOS when the vocab has one and
    // the model requests it (`tokenizer.ggml.add_bos_token`, default true for
    // SentencePiece vocabs), and then also appends EOS where
    // `tokenizer.ggml.add_eos_token` is true. With `parse_special`, text equal
    // to a control or unknown token ("<s>", "<|im_start|>") becomes that
    // token. Text equal to a user-defined token always does, as in llama.cpp.
    // Ill-formed UTF-8 is encoded too, byte by byte: as byte-level tokens,
    // or as byte-fallback tokens (UNK where a vocab has none), so decoding
    // gives the same bytes back wherever the vocab can represent them.
    virtual std::vector<TokenId> encode(std::string_view text, bool add_bos, bool parse_special) const = 0;

    // The bytes a token stands for when printed: "▁Once" -> " Once",
    // "<0x0A>" -> "\n", byte-level "Ġthe" -> " the". Control tokens give ""
    // unless `render_special`. A piece may be an incomplete UTF-8 sequence,
    // so streamed text goes through Utf8StreamDecoder.
    virtual std::string token_to_piece(TokenId id, bool render_special = false) const = 0;

    // Decodes a whole sequence: the pieces of token_to_piece, joined. With
    // `strip_leading_space`, it drops the space that a SentencePiece-style
    // encoder added before the first word. Byte-level BPE adds none, so it
    // keeps every space. Control tokens print only with `render_special`.
    virtual std::string decode(const std::vector<TokenId>& ids, bool strip_leading_space = true,
                               bool render_special = false) const = 0;

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

// The token table that every tokenizer kind reads from GGUF metadata: token
// texts, scores and types, the special token ids and the encoding flags.
#pragma once

#include "tokenizer/tokenizer.h"

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace quanta {

class GgufFile;

// Hash for unordered maps keyed by std::string that also accept a
// std::string_view lookup without building a temporary string.
struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// Values a tokenizer kind assumes for the keys a file leaves out.
struct VocabDefaults {
    TokenId bos = -1;
    TokenId eos = -1;
    TokenId unk = -1;
    bool add_bos = false;
    bool add_eos = false;
    bool add_space_prefix = false;
};

struct Vocab {
    std::string path;                 // the GGUF file, for error messages
    std::vector<std::string> texts;   // [n_tokens] token strings as stored
    std::vector<float> scores;        // [n_tokens] merge scores; 0 when the file has none
    std::vector<TokenType> types;     // [n_tokens] effective types (see load_vocab)
    std::unordered_map<std::string, TokenId, TextHash, std::equal_to<>> ids_by_text;

    // -1 where the vocab has no such token.
    TokenId bos = -1;
    TokenId eos = -1;
    TokenId unk = -1;
    TokenId pad = -1;
    TokenId eot = -1;
    TokenId eom = -1;

    bool add_bos = false;             // tokenizer.ggml.add_bos_token
    bool add_eos = false;             // tokenizer.ggml.add_eos_token
    bool add_space_prefix = false;    // tokenizer.ggml.add_space_prefix

    // Control, user-defined and unknown tokens, longest text first (ties by
    // id): the order in which text is split on them.
    std::vector<TokenId> special_tokens;
    // [n_tokens] 1 for tokens that end generation.
    std::vector<uint8_t> end_of_generation;

    int32_t size() const { return static_cast<int32_t>(texts.size()); }
    // The id whose text is exactly `text`, or -1.
    TokenId find(std::string_view text) const;
    // Throws Error naming the id and the vocab size when `id` is out of range.
    void check_id(TokenId id) const;
};

// Reads tokenizer.ggml.tokens / scores / token_type and the special ids and
// flags. Throws FormatError naming the file and key for arrays of different
// lengths, a duplicate token text, or a special id outside the vocab.
//
// As llama.cpp does, an empty token text is stored as "[EMPTY_<id>]", and a
// token whose text marks the end of a turn ("<|eot_id|>", "<|im_end|>", ...)
// becomes a control token and an end-of-generation token whatever its stored
// type.
Vocab load_vocab(const GgufFile& file, const VocabDefaults& defaults);

// The steps of load_vocab that other vocab sources (tokenizer.json) share.
// index_token_texts fills ids_by_text from texts, renaming empty texts, and
// throws FormatError naming `source` (where the texts came from) for a
// duplicate text. classify_special_tokens then marks the end-of-generation
// tokens and fills special_tokens; it needs the special ids set first.
void index_token_texts(Vocab& vocab, std::string_view source);
void classify_special_tokens(Vocab& vocab);

} // namespace quanta

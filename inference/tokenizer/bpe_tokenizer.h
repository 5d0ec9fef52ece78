// Byte-pair encoding with ranked merges, in the two forms that model files
// use:
//  - byte-level (GPT-2, Llama 3, Qwen, SmolLM): every byte is written as one
//    printable character ("Ġ" for a space), so any text has tokens; GGUF
//    `tokenizer.ggml.model = "gpt2"` and tokenizer.json with a ByteLevel
//    pre-tokenizer;
//  - SentencePiece-style (Mistral, Gemma 3 tokenizer.json): spaces become
//    "▁", and a character that is no token falls back to "<0xXX>" byte
//    tokens or to UNK.
// The text first goes through a list of steps (normalizers and
// pre-tokenizer splits); BPE then merges within each resulting word, the
// lowest-ranked adjacent pair first, as llama.cpp and Hugging Face do.
#pragma once

#include "tokenizer/text_splitter.h"
#include "tokenizer/vocab_tokenizer.h"
#include "tokenizer/vocab.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace quanta {

enum class BpeTextForm { ByteLevel, SentencePiece };

// One step that the plain text between special tokens goes through. Each
// step applies to every piece that the steps before produced.
struct TextStep {
    enum class Kind {
        NormalizeNfc, // Unicode NFC
        Replace,      // every occurrence of `text` becomes `replacement`
        Prepend,      // `text` goes in front of the piece
        Split,        // the piece is split by `rule`
    };
    Kind kind = Kind::Split;
    std::string text;
    std::string replacement;
    bool only_at_text_start = false; // Prepend: only to the piece that starts the whole input
    bool unless_present = false;     // Prepend: not when the piece already starts with `text`
    SplitRule rule;

    static TextStep normalize_nfc();
    static TextStep replace(std::string text, std::string replacement);
    static TextStep prepend(std::string text, bool only_at_text_start, bool unless_present);
    static TextStep split(SplitRule rule);
};

struct BpeConfig {
    BpeTextForm form = BpeTextForm::ByteLevel;
    std::vector<TextStep> steps;
    // A word that is a token as a whole is emitted without merging
    // (Hugging Face's ignore_merges; llama.cpp sets it for Llama 3).
    bool ignore_merges = false;
    // SentencePiece form: characters that are no token become their
    // "<0xXX>" byte tokens when all of them exist, else UNK.
    bool byte_fallback = false;
    // Consecutive UNK tokens within a word become one.
    bool fuse_unknown = false;
    // decode() may drop one leading space, the one a "▁" prefix added.
    bool decode_strips_leading_space = false;
    // Tokens around the text when encode() is asked to add special tokens
    // (BOS first, EOS last, or a post-processor's template).
    std::vector<TokenId> prefix_tokens;
    std::vector<TokenId> suffix_tokens;
};

// A merge: two token texts, in rank order (index 0 merges first).
using BpeMergeList = std::vector<std::pair<std::string, std::string>>;

class BpeTokenizer final : public VocabTokenizer {
public:
    // Builds the merge table and the splitters. Throws FormatError naming
    // vocab.path and `merges_source` for a merge whose parts or result are
    // not tokens, and for a byte-type token whose text is not "<0xXX>";
    // UnsupportedError for a split pattern PCRE2 cannot compile.
    BpeTokenizer(Vocab vocab, const BpeMergeList& merges, BpeConfig config, std::string_view merges_source);

    // `add_bos` adds the prefix and suffix tokens of the configuration.
    std::vector<TokenId> encode(std::string_view text, bool add_bos, bool parse_special) const override;
    // Byte-level tokens give their raw bytes, which may be part of a UTF-8
    // character; stream them through Utf8StreamDecoder.
    std::string token_to_piece(TokenId id, bool render_special = false) const override;
    bool add_bos_default() const override { return !config_.prefix_tokens.empty(); }

    const BpeConfig& config() const { return config_; }

private:
    bool adds_leading_space() const override { return config_.decode_strips_leading_space; }

    // One piece of text on its way through the steps.
    struct Piece {
        std::string text;
        bool at_text_start = false;
    };
    struct Merge {
        int32_t rank = 0;
        TokenId result = -1;
    };

    void build_merge_table(const BpeMergeList& merges, std::string_view merges_source);
    void apply_steps(std::string_view fragment, bool at_text_start, std::vector<Piece>& pieces) const;
    // Merges one word and appends its tokens.
    void encode_word(std::string_view word, std::vector<TokenId>& output) const;
    void append_unknown(std::string_view text, bool& previous_was_unknown, std::vector<TokenId>& output) const;
    const Merge* find_merge(TokenId left, TokenId right) const;

    BpeConfig config_;
    // [steps] the compiled splitter of each Split step; empty for the others.
    std::vector<std::optional<TextSplitter>> splitters_;
    // (left id << 32 | right id) -> merge
    std::unordered_map<uint64_t, Merge> merges_;
    // [256] the "<0xXX>" token of each byte value, or -1.
    std::array<TokenId, 256> byte_tokens_{};
};

// Reads a byte-level BPE vocab from GGUF (`tokenizer.ggml.model = "gpt2"`):
// the tokens, the merges in `tokenizer.ggml.merges` ("left right" strings),
// and the pre-tokenizer named by `tokenizer.ggml.pre`. Throws FormatError
// for missing or malformed keys and UnsupportedError for an unknown
// pre-tokenizer name.
std::unique_ptr<Tokenizer> load_gguf_bpe_tokenizer(const GgufFile& file);

} // namespace quanta

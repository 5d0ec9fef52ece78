#include "tokenizer/spm_tokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/piece_text.h"
#include "tokenizer/special_tokens.h"

#include <cstdio>
#include <limits>
#include <queue>

namespace quanta {

namespace {

// Defaults of a SentencePiece vocab, as llama.cpp assumes them when the
// file leaves the keys out.
constexpr VocabDefaults kSpmDefaults = {
    .bos = 1,
    .eos = 2,
    .unk = 0,
    .add_bos = true,
    .add_eos = false,
    .add_space_prefix = true,
};

// One piece of the text during merging, in a doubly linked list over the
// initial UTF-8 characters. A piece merged into its left neighbour keeps
// length 0.
struct Symbol {
    int prev = -1;
    int next = -1;
    size_t offset = 0;   // bytes from the start of the fragment
    size_t length = 0;   // bytes
};

// A candidate merge of two adjacent symbols whose concatenation is a token.
struct Bigram {
    int left = 0;
    int right = 0;
    float score = 0;
    size_t length = 0;   // bytes of the merged text when it was queued
};

// Highest score first; among equal scores the leftmost pair first.
struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const
    {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

} // namespace

SpmTokenizer::SpmTokenizer(const GgufFile& file) : VocabTokenizer(load_vocab(file, kSpmDefaults))
{
    // The fallback token for each byte value, looked up as llama.cpp does.
    int n_missing = 0;
    for (int value = 0; value < 256; ++value) {
        char hex_name[8];
        std::snprintf(hex_name, sizeof(hex_name), "<0x%02X>", value);
        const char raw_byte = static_cast<char>(value);
        TokenId id = vocab_.find(hex_name);
        if (id < 0)
            id = vocab_.find(std::string_view(&raw_byte, 1));
        if (id < 0) {
            id = vocab_.unk;
            ++n_missing;
        }
        byte_fallback_[static_cast<size_t>(value)] = id;
    }
    if (n_missing > 0)
        QUANTA_LOG_WARN("%s: the vocab has no byte token for %d byte values; text with such bytes that no other "
                        "token covers becomes %s",
                        file.path().c_str(), n_missing, vocab_.unk >= 0 ? "<unk>" : "nothing");

    QUANTA_LOG_INFO("%s: SentencePiece vocab of %d tokens (bos %d, eos %d, unk %d, add_bos %s, space prefix %s)",
                    file.path().c_str(), vocab_.size(), vocab_.bos, vocab_.eos, vocab_.unk,
                    vocab_.add_bos ? "yes" : "no", vocab_.add_space_prefix ? "yes" : "no");
}

std::vector<TokenId> SpmTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const
{
    std::vector<TokenId> output;

    // BOS first, when both the caller and the model want it.
    if (add_bos && vocab_.add_bos && vocab_.bos >= 0)
        output.push_back(vocab_.bos);

    // Each plain fragment is tokenized on its own. Like llama.cpp, the space
    // prefix goes before the first fragment and before every fragment that
    // follows a special token.
    bool previous_is_special = true;
    for (const TextFragment& fragment : split_special_tokens(text, vocab_, parse_special)) {
        if (fragment.token >= 0) {
            output.push_back(fragment.token);
            previous_is_special = true;
            continue;
        }
        std::string escaped;
        if (vocab_.add_space_prefix && previous_is_special)
            escaped = kSpaceMarker;
        escaped += replace_all(fragment.text, " ", kSpaceMarker);
        encode_escaped(escaped, output);
        previous_is_special = false;
    }

    if (add_bos && vocab_.add_eos && vocab_.eos >= 0)
        output.push_back(vocab_.eos);
    return output;
}

void SpmTokenizer::encode_escaped(std::string_view text, std::vector<TokenId>& output) const
{
    if (text.empty())
        return;
    // Symbols are indexed with int, as their links need -1.
    if (text.size() >= static_cast<size_t>(std::numeric_limits<int>::max()))
        throw Error("cannot tokenize a text of " + std::to_string(text.size()) + " bytes; the limit is " +
                    std::to_string(std::numeric_limits<int>::max() - 1));

    // Start with one symbol per UTF-8 character. Unlike llama.cpp, which
    // takes the length from the lead byte, an ill-formed byte is a symbol of
    // its own, so the byte fallback keeps the characters after it intact.
    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (size_t offset = 0; offset < text.size();) {
        Symbol symbol;
        symbol.offset = offset;
        symbol.length = utf8_symbol_length(text, offset);
        symbol.prev = static_cast<int>(symbols.size()) - 1;
        offset += symbol.length;
        symbol.next = offset == text.size() ? -1 : static_cast<int>(symbols.size()) + 1;
        symbols.push_back(symbol);
    }

    // Queue every adjacent pair whose concatenation is a token. Each merge
    // queues at most two new pairs, so the queue contains O(n) entries and the
    // whole fragment takes O(n log n).
    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    const auto try_add_bigram = [&](int left, int right) {
        if (left < 0 || right < 0)
            return;
        const size_t length = symbols[left].length + symbols[right].length;
        const TokenId id = vocab_.find(text.substr(symbols[left].offset, length));
        if (id < 0)
            return;
        queue.push({left, right, vocab_.scores[static_cast<size_t>(id)], length});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i)
        try_add_bigram(i - 1, i);

    // Merge the best pair until none is left. A queued pair is stale when
    // either side has since been merged into something else.
    while (!queue.empty()) {
        const Bigram bigram = queue.top();
        queue.pop();

        Symbol& left = symbols[bigram.left];
        Symbol& right = symbols[bigram.right];
        if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length)
            continue;

        left.length += right.length;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0)
            symbols[right.next].prev = bigram.left;

        try_add_bigram(left.prev, bigram.left);
        try_add_bigram(bigram.left, left.next);
    }

    // Every merged symbol is a token by construction. A single character
    // that is not a token falls back to bytes.
    for (int i = 0; i != -1; i = symbols[i].next) {
        const std::string_view piece = text.substr(symbols[i].offset, symbols[i].length);
        const TokenId id = vocab_.find(piece);
        if (id >= 0)
            output.push_back(id);
        else
            append_byte_fallback(piece, output);
    }
}

void SpmTokenizer::append_byte_fallback(std::string_view piece, std::vector<TokenId>& output) const
{
    for (const char byte : piece) {
        const TokenId id = byte_fallback_[static_cast<uint8_t>(byte)];
        if (id >= 0)
            output.push_back(id);
    }
}

std::string SpmTokenizer::token_to_piece(TokenId id, bool render_special) const
{
    vocab_.check_id(id);
    const std::string& text = vocab_.texts[static_cast<size_t>(id)];

    switch (vocab_.types[static_cast<size_t>(id)]) {
    case TokenType::Normal:
        return replace_all(text, kSpaceMarker, " ");
    case TokenType::Byte:
        return std::string(1, static_cast<char>(token_bytes_[static_cast<size_t>(id)]));
    case TokenType::UserDefined:
        // Hugging Face's decoder turns "▁" into a space in added tokens too;
        // Gemma has user-defined tokens of several "▁".
        return replace_all(text, kSpaceMarker, " ");
    case TokenType::Control:
    case TokenType::Unknown:
        return render_special ? text : std::string();
    case TokenType::Undefined:
    case TokenType::Unused:
        break;
    }
    // llama.cpp prints nothing for unused and undefined tokens.
    return {};
}

} // namespace quanta

#include "tokenizer/bpe_tokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/piece_text.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/unicode_text.h"

#include <cstdio>
#include <limits>
#include <queue>

namespace quanta {

namespace {

uint64_t merge_key(TokenId left, TokenId right)
{
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

// One symbol of a word during merging, in a doubly linked list. A symbol
// merged into its left neighbour gets token kMergedAway.
constexpr TokenId kMergedAway = -2;
struct Symbol {
    int prev = -1;
    int next = -1;
    size_t offset = 0; // bytes from the start of the word
    size_t length = 0; // bytes
    TokenId token = -1; // -1 when the text is no token
};

// A queued merge of two adjacent symbols. It is stale when either symbol
// changed since, which the token ids show.
struct QueuedMerge {
    int32_t rank = 0;
    int left = 0;
    int right = 0;
    TokenId left_token = -1;
    TokenId right_token = -1;
};

// Lowest rank first; among equal ranks the leftmost pair.
struct QueuedMergeOrder {
    bool operator()(const QueuedMerge& a, const QueuedMerge& b) const
    {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

} // namespace

TextStep TextStep::normalize_nfc()
{
    TextStep step;
    step.kind = Kind::NormalizeNfc;
    return step;
}

TextStep TextStep::replace(std::string text, std::string replacement)
{
    TextStep step;
    step.kind = Kind::Replace;
    step.text = std::move(text);
    step.replacement = std::move(replacement);
    return step;
}

TextStep TextStep::prepend(std::string text, bool only_at_text_start, bool unless_present)
{
    TextStep step;
    step.kind = Kind::Prepend;
    step.text = std::move(text);
    step.only_at_text_start = only_at_text_start;
    step.unless_present = unless_present;
    return step;
}

TextStep TextStep::split(SplitRule rule)
{
    TextStep step;
    step.kind = Kind::Split;
    step.rule = std::move(rule);
    return step;
}

BpeTokenizer::BpeTokenizer(Vocab vocab, const BpeMergeList& merges, BpeConfig config, std::string_view merges_source)
    : VocabTokenizer(std::move(vocab)), config_(std::move(config))
{
    // The byte tokens that unknown characters fall back to.
    for (int value = 0; value < 256; ++value) {
        char hex_name[8];
        std::snprintf(hex_name, sizeof(hex_name), "<0x%02X>", value);
        byte_tokens_[static_cast<size_t>(value)] = vocab_.find(hex_name);
    }

    // Byte-level vocabs need a token for every byte, or some text has none.
    if (config_.form == BpeTextForm::ByteLevel) {
        int n_missing = 0;
        for (int value = 0; value < 256; ++value) {
            std::string text;
            append_byte_level(std::string(1, static_cast<char>(value)), text);
            if (vocab_.find(text) < 0)
                ++n_missing;
        }
        if (n_missing > 0)
            QUANTA_LOG_WARN("%s: the byte-level vocab has no token for %d byte values; such bytes become %s",
                            vocab_.path.c_str(), n_missing, vocab_.unk >= 0 ? "<unk>" : "nothing");
    }

    // Compile the splitters; the other steps need nothing.
    for (const TextStep& step : config_.steps) {
        if (step.kind == TextStep::Kind::Split)
            splitters_.emplace_back(TextSplitter(step.rule));
        else
            splitters_.emplace_back(std::nullopt);
    }

    build_merge_table(merges, merges_source);

    QUANTA_LOG_INFO("%s: BPE vocab of %d tokens, %zu merges (%s, bos %d, eos %d, adds %zu+%zu special tokens)",
                    vocab_.path.c_str(), vocab_.size(), merges_.size(),
                    config_.form == BpeTextForm::ByteLevel ? "byte-level" : "SentencePiece-style", vocab_.bos,
                    vocab_.eos, config_.prefix_tokens.size(), config_.suffix_tokens.size());
}

void BpeTokenizer::build_merge_table(const BpeMergeList& merges, std::string_view merges_source)
{
    if (merges.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw FormatError(vocab_.path + ": " + std::string(merges_source) + " has " + std::to_string(merges.size()) +
                          " merges; at most " + std::to_string(std::numeric_limits<int32_t>::max()) +
                          " are supported");

    // Both parts and their concatenation must be tokens, as Hugging Face
    // requires when it loads a BPE model. A pair listed twice keeps its
    // first (lowest) rank.
    merges_.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [left_text, right_text] = merges[rank];
        const TokenId left = vocab_.find(left_text);
        const TokenId right = vocab_.find(right_text);
        const TokenId result = vocab_.find(left_text + right_text);
        if (left < 0 || right < 0 || result < 0) {
            const std::string missing = left < 0    ? "'" + left_text + "'"
                                        : right < 0 ? "'" + right_text + "'"
                                                    : "the merged text '" + left_text + right_text + "'";
            throw FormatError(vocab_.path + ": " + std::string(merges_source) + " entry " + std::to_string(rank) +
                              " ('" + left_text + "' + '" + right_text + "') refers to " + missing +
                              ", which is not a token of the vocab; the merges do not belong to this vocab");
        }
        merges_.emplace(merge_key(left, right), Merge{static_cast<int32_t>(rank), result});
    }
}

const BpeTokenizer::Merge* BpeTokenizer::find_merge(TokenId left, TokenId right) const
{
    if (left < 0 || right < 0)
        return nullptr;
    const auto position = merges_.find(merge_key(left, right));
    return position == merges_.end() ? nullptr : &position->second;
}

std::vector<TokenId> BpeTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const
{
    // Symbols are indexed with int, as their links need -1, and a
    // byte-level word takes up to twice the bytes of its text.
    if (text.size() >= static_cast<size_t>(std::numeric_limits<int>::max() / 4))
        throw Error("cannot tokenize a text of " + std::to_string(text.size()) + " bytes; the limit is " +
                    std::to_string(std::numeric_limits<int>::max() / 4 - 1));

    std::vector<TokenId> output;
    if (add_bos)
        output.insert(output.end(), config_.prefix_tokens.begin(), config_.prefix_tokens.end());

    // Special tokens first; each plain fragment then goes through the steps
    // and every resulting word through BPE.
    std::vector<Piece> pieces;
    std::string word;
    for (const TextFragment& fragment : split_special_tokens(text, vocab_, parse_special)) {
        if (fragment.token >= 0) {
            output.push_back(fragment.token);
            continue;
        }
        apply_steps(fragment.text, fragment.text.data() == text.data(), pieces);
        for (const Piece& piece : pieces) {
            if (config_.form == BpeTextForm::ByteLevel) {
                word.clear();
                append_byte_level(piece.text, word);
                encode_word(word, output);
            } else {
                encode_word(piece.text, output);
            }
        }
    }

    if (add_bos)
        output.insert(output.end(), config_.suffix_tokens.begin(), config_.suffix_tokens.end());
    return output;
}

void BpeTokenizer::apply_steps(std::string_view fragment, bool at_text_start, std::vector<Piece>& pieces) const
{
    pieces.clear();
    pieces.push_back({std::string(fragment), at_text_start});

    std::vector<Piece> next;
    std::vector<std::string_view> parts;
    for (size_t s = 0; s < config_.steps.size(); ++s) {
        const TextStep& step = config_.steps[s];
        switch (step.kind) {
        case TextStep::Kind::NormalizeNfc:
            for (Piece& piece : pieces)
                piece.text = normalize_nfc(piece.text);
            break;
        case TextStep::Kind::Replace:
            for (Piece& piece : pieces)
                piece.text = replace_all(piece.text, step.text, step.replacement);
            break;
        case TextStep::Kind::Prepend:
            for (Piece& piece : pieces) {
                if (step.only_at_text_start && !piece.at_text_start)
                    continue;
                if (step.unless_present && piece.text.starts_with(step.text))
                    continue;
                piece.text.insert(0, step.text);
            }
            break;
        case TextStep::Kind::Split:
            // Only the first part of a piece keeps its place at the start.
            next.clear();
            for (const Piece& piece : pieces) {
                parts.clear();
                splitters_[s]->split(piece.text, parts);
                for (size_t i = 0; i < parts.size(); ++i)
                    next.push_back({std::string(parts[i]), piece.at_text_start && i == 0});
            }
            pieces.swap(next);
            break;
        }
    }
}

void BpeTokenizer::encode_word(std::string_view word, std::vector<TokenId>& output) const
{
    if (word.empty())
        return;

    // A whole-word token, when the configuration takes those first.
    if (config_.ignore_merges) {
        const TokenId id = vocab_.find(word);
        if (id >= 0) {
            output.push_back(id);
            return;
        }
    }

    // One symbol per UTF-8 character; an ill-formed byte is a symbol of its own.
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    for (size_t offset = 0; offset < word.size();) {
        Symbol symbol;
        symbol.offset = offset;
        symbol.length = utf8_symbol_length(word, offset);
        symbol.token = vocab_.find(word.substr(offset, symbol.length));
        symbol.prev = static_cast<int>(symbols.size()) - 1;
        offset += symbol.length;
        symbol.next = offset == word.size() ? -1 : static_cast<int>(symbols.size()) + 1;
        symbols.push_back(symbol);
    }

    // Queue every adjacent pair that has a merge. Each merge queues at most
    // two new pairs, so the whole word takes O(n log n).
    std::priority_queue<QueuedMerge, std::vector<QueuedMerge>, QueuedMergeOrder> queue;
    const auto try_queue = [&](int left, int right) {
        if (left < 0 || right < 0)
            return;
        const Merge* merge = find_merge(symbols[left].token, symbols[right].token);
        if (merge != nullptr)
            queue.push({merge->rank, left, right, symbols[left].token, symbols[right].token});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i)
        try_queue(i - 1, i);

    // Apply the lowest-ranked merge until none is left, skipping stale ones.
    while (!queue.empty()) {
        const QueuedMerge top = queue.top();
        queue.pop();
        Symbol& left = symbols[top.left];
        Symbol& right = symbols[top.right];
        if (left.token != top.left_token || right.token != top.right_token || left.next != top.right)
            continue;

        left.token = find_merge(top.left_token, top.right_token)->result;
        left.length += right.length;
        left.next = right.next;
        if (right.next >= 0)
            symbols[right.next].prev = top.left;
        right.token = kMergedAway;
        right.length = 0;

        try_queue(left.prev, top.left);
        try_queue(top.left, left.next);
    }

    // Emit the symbols; the ones that are no token fall back.
    bool previous_was_unknown = false;
    for (int i = 0; i != -1; i = symbols[i].next) {
        const Symbol& symbol = symbols[i];
        if (symbol.token >= 0) {
            output.push_back(symbol.token);
            previous_was_unknown = false;
        } else {
            append_unknown(word.substr(symbol.offset, symbol.length), previous_was_unknown, output);
        }
    }
}

void BpeTokenizer::append_unknown(std::string_view text, bool& previous_was_unknown, std::vector<TokenId>& output) const
{
    // Byte fallback needs a token for every byte of the character.
    if (config_.byte_fallback) {
        bool all_bytes = true;
        for (const char byte : text)
            all_bytes = all_bytes && byte_tokens_[static_cast<uint8_t>(byte)] >= 0;
        if (all_bytes) {
            for (const char byte : text)
                output.push_back(byte_tokens_[static_cast<uint8_t>(byte)]);
            previous_was_unknown = false;
            return;
        }
    }

    // Otherwise UNK, once per run when fusing; without UNK the text is lost,
    // which the constructor has warned about for byte-level vocabs.
    if (vocab_.unk < 0)
        return;
    if (!(config_.fuse_unknown && previous_was_unknown))
        output.push_back(vocab_.unk);
    previous_was_unknown = true;
}

std::string BpeTokenizer::token_to_piece(TokenId id, bool render_special) const
{
    vocab_.check_id(id);
    const std::string& text = vocab_.texts[static_cast<size_t>(id)];
    const bool byte_level = config_.form == BpeTextForm::ByteLevel;

    switch (vocab_.types[static_cast<size_t>(id)]) {
    case TokenType::Normal:
        if (byte_level) {
            // A text outside the byte-level alphabet prints as it is, as
            // Hugging Face's ByteLevel decoder does.
            std::optional<std::string> bytes = decode_byte_level(text);
            return bytes ? std::move(*bytes) : text;
        }
        return replace_all(text, kSpaceMarker, " ");
    case TokenType::Byte:
        return std::string(1, static_cast<char>(token_bytes_[static_cast<size_t>(id)]));
    case TokenType::UserDefined:
        // Added tokens print as written, except that a SentencePiece-style
        // decoder also turns their "▁" into spaces (Gemma has "▁▁" tokens).
        return byte_level ? text : replace_all(text, kSpaceMarker, " ");
    case TokenType::Control:
    case TokenType::Unknown:
        return render_special ? text : std::string();
    case TokenType::Undefined:
    case TokenType::Unused:
        break;
    }
    return {};
}

} // namespace quanta

#include "tokenizer/vocab.h"

#include "core/error.h"
#include "core/log.h"
#include "gguf/gguf_reader.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace quanta {

namespace {

constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";
constexpr std::string_view kScoresKey = "tokenizer.ggml.scores";
constexpr std::string_view kTypesKey = "tokenizer.ggml.token_type";

// Texts that end a turn in the common chat formats. The same list as
// llama.cpp (src/llama-vocab.cpp, 2025) uses to find end-of-generation
// tokens that the file does not name by id.
constexpr std::array<std::string_view, 10> kEndOfTurnTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
};

std::string quoted(std::string_view text)
{
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about
    // "'" + std::string(...).
    std::string result;
    result.reserve(text.size() + 2);
    result += '\'';
    result += text;
    result += '\'';
    return result;
}

TokenType token_type_from_number(int32_t number)
{
    if (number < static_cast<int32_t>(TokenType::Undefined) || number > static_cast<int32_t>(TokenType::Byte))
        return TokenType::Undefined;
    return static_cast<TokenType>(number);
}

// Reads one special token id. Converters write the all-ones uint32 (or -1)
// for "no such token", so those values mean -1. A missing key gives the
// tokenizer kind's default when that id exists in the vocab.
TokenId read_special_id(const GgufFile& file, std::string_view key, TokenId fallback, int32_t n_tokens)
{
    const GgufValue* value = file.find(key);
    if (value == nullptr)
        return fallback >= 0 && fallback < n_tokens ? fallback : -1;

    if (!value->is_integer())
        throw FormatError(file.path() + ": key " + quoted(key) + " has type " +
                          std::string(gguf_value_type_name(value->type)) + " but a token id (integer) is required");

    if (const auto* signed_value = std::get_if<int64_t>(&value->value)) {
        if (*signed_value < 0)
            return -1;
        if (*signed_value < n_tokens)
            return static_cast<TokenId>(*signed_value);
        throw FormatError(file.path() + ": key " + quoted(key) + " is " + std::to_string(*signed_value) +
                          " but the vocab has " + std::to_string(n_tokens) + " tokens (ids 0.." +
                          std::to_string(n_tokens - 1) + "); the file is corrupt");
    }

    const uint64_t unsigned_value = std::get<uint64_t>(value->value);
    const bool is_none = unsigned_value == std::numeric_limits<uint32_t>::max() ||
                         unsigned_value == std::numeric_limits<uint64_t>::max();
    if (is_none)
        return -1;
    if (unsigned_value < static_cast<uint64_t>(n_tokens))
        return static_cast<TokenId>(unsigned_value);
    throw FormatError(file.path() + ": key " + quoted(key) + " is " + std::to_string(unsigned_value) +
                      " but the vocab has " + std::to_string(n_tokens) + " tokens (ids 0.." +
                      std::to_string(n_tokens - 1) + "); the file is corrupt");
}

// Checks that an optional per-token array has one entry per token.
void check_array_length(const GgufFile& file, std::string_view key, size_t found, size_t n_tokens)
{
    if (found == n_tokens)
        return;
    throw FormatError(file.path() + ": key " + quoted(key) + " has " + std::to_string(found) + " entries but " +
                      std::string(kTokensKey) + " has " + std::to_string(n_tokens) +
                      "; every token needs exactly one; the file is corrupt");
}

void read_token_arrays(const GgufFile& file, Vocab& vocab)
{
    // Token texts: one per id, stored in id order.
    vocab.texts = file.get_string_array(kTokensKey);
    const size_t n_tokens = vocab.texts.size();
    if (n_tokens == 0)
        throw FormatError(file.path() + ": key " + quoted(kTokensKey) + " is empty; a vocab needs at least one token");
    if (n_tokens > static_cast<size_t>(std::numeric_limits<TokenId>::max()))
        throw FormatError(file.path() + ": key " + quoted(kTokensKey) + " has " + std::to_string(n_tokens) +
                          " tokens; at most " + std::to_string(std::numeric_limits<TokenId>::max()) +
                          " are supported");

    // Scores and types are optional, but when present they must line up.
    if (file.contains(kScoresKey)) {
        vocab.scores = file.get_float_array(kScoresKey);
        check_array_length(file, kScoresKey, vocab.scores.size(), n_tokens);
    } else {
        vocab.scores.assign(n_tokens, 0.0f);
    }

    vocab.types.assign(n_tokens, TokenType::Normal);
    if (file.contains(kTypesKey)) {
        const std::vector<int32_t> numbers = file.get_int_array(kTypesKey);
        check_array_length(file, kTypesKey, numbers.size(), n_tokens);
        size_t n_unknown_numbers = 0;
        for (size_t id = 0; id < n_tokens; ++id) {
            vocab.types[id] = token_type_from_number(numbers[id]);
            if (vocab.types[id] == TokenType::Undefined && numbers[id] != 0)
                ++n_unknown_numbers;
        }
        if (n_unknown_numbers > 0)
            QUANTA_LOG_WARN("%s: %zu entries of %s are not a known token type (0..6); they are treated as undefined",
                            file.path().c_str(), n_unknown_numbers, std::string(kTypesKey).c_str());
    }
}

void mark_end_of_generation(Vocab& vocab)
{
    vocab.end_of_generation.assign(vocab.texts.size(), 0);
    for (const TokenId id : {vocab.eos, vocab.eot, vocab.eom}) {
        if (id >= 0)
            vocab.end_of_generation[static_cast<size_t>(id)] = 1;
    }

    // Chat models often name their end-of-turn token only by its text.
    for (const std::string_view text : kEndOfTurnTexts) {
        const TokenId id = vocab.find(text);
        if (id < 0)
            continue;
        vocab.end_of_generation[static_cast<size_t>(id)] = 1;
        if (vocab.types[static_cast<size_t>(id)] != TokenType::Control) {
            QUANTA_LOG_WARN("%s: token %d '%s' ends a turn but is not a control token; treating it as one",
                            vocab.path.c_str(), id, vocab.texts[static_cast<size_t>(id)].c_str());
            vocab.types[static_cast<size_t>(id)] = TokenType::Control;
        }
    }
}

void collect_special_tokens(Vocab& vocab)
{
    for (TokenId id = 0; id < vocab.size(); ++id) {
        const TokenType type = vocab.types[static_cast<size_t>(id)];
        if (type == TokenType::Control || type == TokenType::UserDefined || type == TokenType::Unknown)
            vocab.special_tokens.push_back(id);
    }

    // NOTE: llama.cpp sorts by length only with an unstable sort, so its
    // order among special tokens of equal length is unspecified. Ties here go
    // to the lower id.
    std::stable_sort(vocab.special_tokens.begin(), vocab.special_tokens.end(), [&](TokenId a, TokenId b) {
        return vocab.texts[static_cast<size_t>(a)].size() > vocab.texts[static_cast<size_t>(b)].size();
    });
}

} // namespace

void index_token_texts(Vocab& vocab, std::string_view source)
{
    vocab.ids_by_text.reserve(vocab.texts.size());
    for (TokenId id = 0; id < vocab.size(); ++id) {
        std::string& text = vocab.texts[static_cast<size_t>(id)];

        // An empty text would match everywhere when splitting on special
        // tokens, so it gets a name that cannot occur by accident.
        if (text.empty()) {
            QUANTA_LOG_WARN("%s: token %d has an empty text; it is stored as [EMPTY_%d]", vocab.path.c_str(), id, id);
            text = "[EMPTY_" + std::to_string(id) + "]";
        }

        const auto [position, inserted] = vocab.ids_by_text.emplace(text, id);
        if (!inserted)
            throw FormatError(vocab.path + ": " + std::string(source) + " contains the text " + quoted(text) +
                              " twice, at ids " + std::to_string(position->second) + " and " + std::to_string(id) +
                              "; token texts must be unique");
    }
}

void classify_special_tokens(Vocab& vocab)
{
    mark_end_of_generation(vocab);
    collect_special_tokens(vocab);
}

TokenId Vocab::find(std::string_view text) const
{
    const auto position = ids_by_text.find(text);
    return position == ids_by_text.end() ? -1 : position->second;
}

void Vocab::check_id(TokenId id) const
{
    if (id < 0 || id >= size())
        throw Error("token id " + std::to_string(id) + " is out of range for the vocab of " + path + " (" +
                    std::to_string(size()) + " tokens)");
}

Vocab load_vocab(const GgufFile& file, const VocabDefaults& defaults)
{
    Vocab vocab;
    vocab.path = file.path();

    // Per-token arrays and the text -> id index.
    read_token_arrays(file, vocab);
    index_token_texts(vocab, "key " + quoted(kTokensKey));

    // Special ids, checked against the vocab size.
    const int32_t n_tokens = vocab.size();
    vocab.bos = read_special_id(file, "tokenizer.ggml.bos_token_id", defaults.bos, n_tokens);
    vocab.eos = read_special_id(file, "tokenizer.ggml.eos_token_id", defaults.eos, n_tokens);
    vocab.unk = read_special_id(file, "tokenizer.ggml.unknown_token_id", defaults.unk, n_tokens);
    vocab.pad = read_special_id(file, "tokenizer.ggml.padding_token_id", -1, n_tokens);
    vocab.eot = read_special_id(file, "tokenizer.ggml.eot_token_id", -1, n_tokens);
    vocab.eom = read_special_id(file, "tokenizer.ggml.eom_token_id", -1, n_tokens);

    // Flags that change how text is encoded.
    vocab.add_bos = file.get_bool("tokenizer.ggml.add_bos_token", defaults.add_bos);
    vocab.add_eos = file.get_bool("tokenizer.ggml.add_eos_token", defaults.add_eos);
    vocab.add_space_prefix = file.get_bool("tokenizer.ggml.add_space_prefix", defaults.add_space_prefix);

    // End-of-generation tokens first, because they may turn into control
    // tokens, and then the list that text is split on.
    classify_special_tokens(vocab);
    return vocab;
}

} // namespace quanta

#include "tokenizer/hf_tokenizer_writer.h"

#include "core/error.h"
#include "core/temporary_file.h"
#include "core/log.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/piece_text.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/unicode_text.h"
#include "tokenizer/vocab.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace quanta {

namespace {

// Ordered, so that the files list their keys as Hugging Face writes them and
// the vocab in id order.
using nlohmann::ordered_json;

constexpr std::string_view kModelKey = "tokenizer.ggml.model";
constexpr std::string_view kMergesKey = "tokenizer.ggml.merges";
constexpr std::string_view kScoresKey = "tokenizer.ggml.scores";
constexpr std::string_view kChatTemplateKey = "tokenizer.chat_template";

// The two documents, built in full before either file is written.
struct HfTokenizerDocuments {
    ordered_json tokenizer;  // tokenizer.json
    ordered_json config;     // tokenizer_config.json
    size_t n_merges = 0;
};

// Adds a member to an object whose keys are unique by construction.
// ordered_json's own insert searches the members linearly, which is
// quadratic for a vocab of 150k tokens.
void append_unique_member(ordered_json& object, std::string key, ordered_json value)
{
    auto& members = static_cast<ordered_json::object_t::Container&>(object.get_ref<ordered_json::object_t&>());
    members.emplace_back(std::move(key), std::move(value));
}

// JSON strings are UTF-8, so a token text that is not cannot be written.
void check_utf8(const GgufFile& file, std::string_view text, const std::string& text_name)
{
    const size_t valid = well_formed_utf8_prefix(text);
    if (valid != text.size())
        throw UnsupportedError(file.path() + ": " + text_name + " is not valid UTF-8 (byte " + std::to_string(valid) +
                               "); tokenizer.json holds texts as JSON strings, which must be UTF-8");
}

void check_vocab_texts(const GgufFile& file, const Vocab& vocab)
{
    for (TokenId id = 0; id < vocab.size(); ++id)
        check_utf8(file, vocab.texts[static_cast<size_t>(id)], "the text of token " + std::to_string(id));
}

// Control, unknown and user-defined tokens are Hugging Face's added tokens.
// NOTE: unused and undefined tokens (types 5 and 0) stay plain vocab
// entries, as in LlamaConverter's output, so from_hf_dir prints their text
// where from_gguf prints nothing.
bool is_added_token(TokenType type)
{
    return type == TokenType::Control || type == TokenType::Unknown || type == TokenType::UserDefined;
}

bool is_special_token(TokenType type)
{
    return type == TokenType::Control || type == TokenType::Unknown;
}

// The flags of an added token. Added tokens match the raw input text, as the
// engine's special-token split does, hence normalized false.
ordered_json added_token_flags(bool special)
{
    return {{"single_word", false}, {"lstrip", false}, {"rstrip", false}, {"normalized", false},
            {"special", special}};
}

ordered_json make_added_tokens(const Vocab& vocab)
{
    ordered_json tokens = ordered_json::array();
    for (TokenId id = 0; id < vocab.size(); ++id) {
        const TokenType type = vocab.types[static_cast<size_t>(id)];
        if (!is_added_token(type))
            continue;
        ordered_json token = {{"id", id}, {"content", vocab.texts[static_cast<size_t>(id)]}};
        token.update(added_token_flags(is_special_token(type)));
        tokens.push_back(std::move(token));
    }
    return tokens;
}

// model.vocab: every token, added ones included, in id order.
ordered_json make_vocab_object(const Vocab& vocab)
{
    ordered_json object = ordered_json::object();
    object.get_ref<ordered_json::object_t&>().reserve(vocab.texts.size());
    for (TokenId id = 0; id < vocab.size(); ++id)
        append_unique_member(object, vocab.texts[static_cast<size_t>(id)], id);
    return object;
}

// Merges as [left, right] pairs, the form that recent versions of Hugging
// Face's tokenizers library write. Unlike "left right" strings, a pair keeps
// a space inside a token unambiguous.
ordered_json make_merges_array(const BpeMergeList& merges)
{
    ordered_json array = ordered_json::array();
    array.get_ref<ordered_json::array_t&>().reserve(merges.size());
    for (const auto& [left, right] : merges)
        array.push_back(ordered_json::array({left, right}));
    return array;
}

ordered_json make_bpe_model(const Vocab& vocab, const BpeMergeList& merges, bool sentencepiece, bool ignore_merges)
{
    const ordered_json unk = vocab.unk >= 0 ? ordered_json(vocab.texts[static_cast<size_t>(vocab.unk)]) : nullptr;
    return {
        {"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", unk},
        {"continuing_subword_prefix", nullptr},
        {"end_of_word_suffix", nullptr},
        {"fuse_unk", sentencepiece},
        {"byte_fallback", sentencepiece},
        {"ignore_merges", ignore_merges},
        {"vocab", make_vocab_object(vocab)},
        {"merges", make_merges_array(merges)},
    };
}

// A TemplateProcessing post-processor that puts `prefix` before and `suffix`
// after each sequence, as LlamaTokenizerFast.update_post_processor builds it.
ordered_json make_template_processing(const Vocab& vocab, const std::vector<TokenId>& prefix,
                                      const std::vector<TokenId>& suffix)
{
    const auto special = [&](TokenId id, int type_id) {
        return ordered_json{{"SpecialToken", {{"id", vocab.texts[static_cast<size_t>(id)]}, {"type_id", type_id}}}};
    };
    const auto sequence = [](const char* name, int type_id) {
        return ordered_json{{"Sequence", {{"id", name}, {"type_id", type_id}}}};
    };

    // The single template, then the pair template with type ids 0 and 1.
    ordered_json single = ordered_json::array();
    ordered_json pair = ordered_json::array();
    for (const TokenId id : prefix)
        single.push_back(special(id, 0));
    single.push_back(sequence("A", 0));
    for (const TokenId id : suffix)
        single.push_back(special(id, 0));
    pair = single;
    for (const TokenId id : prefix)
        pair.push_back(special(id, 1));
    pair.push_back(sequence("B", 1));
    for (const TokenId id : suffix)
        pair.push_back(special(id, 1));

    // Each token that the templates name, once.
    ordered_json special_tokens = ordered_json::object();
    std::vector<TokenId> named = prefix;
    named.insert(named.end(), suffix.begin(), suffix.end());
    for (const TokenId id : named) {
        const std::string& text = vocab.texts[static_cast<size_t>(id)];
        special_tokens[text] = {{"id", text}, {"ids", {id}}, {"tokens", {text}}};
    }

    return {{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", special_tokens}};
}

ordered_json make_byte_level_step(bool add_prefix_space, bool trim_offsets, bool use_regex)
{
    return {{"type", "ByteLevel"},
            {"add_prefix_space", add_prefix_space},
            {"trim_offsets", trim_offsets},
            {"use_regex", use_regex}};
}

const char* split_behavior_name(SplitBehavior behavior)
{
    switch (behavior) {
    case SplitBehavior::Isolated:
        return "Isolated";
    case SplitBehavior::Removed:
        return "Removed";
    case SplitBehavior::MergedWithPrevious:
        return "MergedWithPrevious";
    case SplitBehavior::MergedWithNext:
        return "MergedWithNext";
    }
    return "Isolated";
}

// Derives the merges of a SentencePiece vocab as transformers'
// SentencePieceExtractor.extract does (convert_slow_tokenizer.py). Every
// split of a piece at a character boundary into two pieces of the vocab is a
// merge, ordered by (left id, right id) within the piece. All merges are then
// stable-sorted by the merged piece's score, highest first.
BpeMergeList derive_sentencepiece_merges(const GgufFile& file, const Vocab& vocab)
{
    struct Candidate {
        TokenId left;
        TokenId right;
        float score;  // of the merged piece
    };

    // Collect the candidates piece by piece, in id order.
    std::vector<Candidate> candidates;
    std::vector<Candidate> piece_candidates;
    for (TokenId id = 0; id < vocab.size(); ++id) {
        const float score = vocab.scores[static_cast<size_t>(id)];
        if (std::isnan(score))
            throw FormatError(file.path() + ": token " + std::to_string(id) + " has the score NaN in key '" +
                              std::string(kScoresKey) + "'; merges are ordered by score, so every score must be a "
                              "number");

        const std::string_view text = vocab.texts[static_cast<size_t>(id)];
        piece_candidates.clear();
        for (size_t split = utf8_symbol_length(text, 0); split < text.size();
             split += utf8_symbol_length(text, split)) {
            const TokenId left = vocab.find(text.substr(0, split));
            const TokenId right = vocab.find(text.substr(split));
            if (left >= 0 && right >= 0)
                piece_candidates.push_back({left, right, score});
        }
        std::sort(piece_candidates.begin(), piece_candidates.end(), [](const Candidate& a, const Candidate& b) {
            return a.left != b.left ? a.left < b.left : a.right < b.right;
        });
        candidates.insert(candidates.end(), piece_candidates.begin(), piece_candidates.end());
    }

    // Rank them by score. Ties keep the order above.
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.score > b.score; });

    BpeMergeList merges;
    merges.reserve(candidates.size());
    for (const Candidate& candidate : candidates)
        merges.emplace_back(vocab.texts[static_cast<size_t>(candidate.left)],
                            vocab.texts[static_cast<size_t>(candidate.right)]);
    return merges;
}

// Reads `tokenizer.ggml.merges`, splitting each "left right" entry at its
// first space after the first byte, as the GGUF tokenizer does. That
// tokenizer has already checked every entry.
BpeMergeList read_gguf_merges(const GgufFile& file)
{
    BpeMergeList merges;
    for (const std::string& line : file.get_string_array(kMergesKey)) {
        const size_t space = line.size() > 1 ? line.find(' ', 1) : std::string::npos;
        if (space == std::string::npos || space + 1 >= line.size())
            throw FormatError(file.path() + ": key '" + std::string(kMergesKey) + "' has the entry '" + line +
                              "' but a merge must be two token texts separated by a space");
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    return merges;
}

// tokenizer_config.json: the special tokens, the flags that decide whether
// encoding adds them, the chat template and the context length.
ordered_json make_config(const GgufFile& file, const Vocab& vocab, bool add_bos, bool add_eos, bool sentencepiece)
{
    ordered_json config = ordered_json::object();
    config["add_bos_token"] = add_bos;
    config["add_eos_token"] = add_eos;

    // The added tokens again, keyed by id, as transformers saves them.
    ordered_json added_tokens = ordered_json::object();
    for (TokenId id = 0; id < vocab.size(); ++id) {
        const TokenType type = vocab.types[static_cast<size_t>(id)];
        if (!is_added_token(type))
            continue;
        ordered_json token = {{"content", vocab.texts[static_cast<size_t>(id)]}};
        token.update(added_token_flags(is_special_token(type)));
        append_unique_member(added_tokens, std::to_string(id), std::move(token));
    }
    config["added_tokens_decoder"] = std::move(added_tokens);

    // Special tokens by text, only those the vocab has.
    const std::pair<const char*, TokenId> special_ids[] = {
        {"bos_token", vocab.bos}, {"eos_token", vocab.eos}, {"unk_token", vocab.unk}, {"pad_token", vocab.pad}};
    for (const auto& [key, id] : special_ids) {
        if (id >= 0)
            config[key] = vocab.texts[static_cast<size_t>(id)];
    }

    if (file.contains(kChatTemplateKey)) {
        const std::string chat_template = file.get_string(kChatTemplateKey);
        check_utf8(file, chat_template, "key '" + std::string(kChatTemplateKey) + "'");
        config["chat_template"] = chat_template;
    }

    // decode() of the engine does not clean up spaces before punctuation.
    config["clean_up_tokenization_spaces"] = false;
    // legacy true: a "▁" goes before the text after each special token too,
    // as the normalizer's Prepend does.
    if (sentencepiece)
        config["legacy"] = true;

    const std::string architecture = file.get_string("general.architecture", "");
    const std::string context_key = architecture + ".context_length";
    if (!architecture.empty() && file.contains(context_key))
        config["model_max_length"] = file.get_uint(context_key);

    config["tokenizer_class"] = sentencepiece ? "LlamaTokenizerFast" : "PreTrainedTokenizerFast";
    return config;
}

HfTokenizerDocuments build_sentencepiece_documents(const GgufFile& file)
{
    // The vocab as the GGUF tokenizer reads it, with the same defaults.
    const SpmTokenizer tokenizer(file);
    const Vocab& vocab = tokenizer.vocab();
    check_vocab_texts(file, vocab);
    const BpeMergeList merges = derive_sentencepiece_merges(file, vocab);

    const bool add_bos = vocab.add_bos && vocab.bos >= 0;
    const bool add_eos = vocab.add_eos && vocab.eos >= 0;
    std::vector<TokenId> prefix;
    std::vector<TokenId> suffix;
    if (add_bos)
        prefix.push_back(vocab.bos);
    if (add_eos)
        suffix.push_back(vocab.eos);

    // Spaces become "▁", with one more in front of the text when
    // tokenizer.ggml.add_space_prefix is set. The decoder undoes both.
    ordered_json normalizers = ordered_json::array();
    if (vocab.add_space_prefix)
        normalizers.push_back({{"type", "Prepend"}, {"prepend", kSpaceMarker}});
    normalizers.push_back({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpaceMarker}});
    ordered_json decoders = ordered_json::array({
        {{"type", "Replace"}, {"pattern", {{"String", kSpaceMarker}}}, {"content", " "}},
        {{"type", "ByteFallback"}},
        {{"type", "Fuse"}},
    });
    if (vocab.add_space_prefix)
        decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});

    // NOTE: from_gguf gives a byte without a byte token one UNK per byte,
    // while Hugging Face's BPE fuses each run of unknown characters into
    // one UNK. The two agree when the vocab has all 256 byte tokens.
    HfTokenizerDocuments documents;
    documents.tokenizer = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", make_added_tokens(vocab)},
        {"normalizer", {{"type", "Sequence"}, {"normalizers", normalizers}}},
        {"pre_tokenizer", nullptr},
        {"post_processor", make_template_processing(vocab, prefix, suffix)},
        {"decoder", {{"type", "Sequence"}, {"decoders", decoders}}},
        {"model", make_bpe_model(vocab, merges, true, false)},
    };
    documents.config = make_config(file, vocab, add_bos, add_eos, true);
    documents.n_merges = merges.size();
    return documents;
}

HfTokenizerDocuments build_byte_level_documents(const GgufFile& file)
{
    // The GGUF tokenizer resolves the pre-tokenizer name and the BOS and EOS
    // flags, and tokenizer.json must reproduce its configuration.
    const std::unique_ptr<Tokenizer> tokenizer = load_gguf_bpe_tokenizer(file);
    const auto* bpe = dynamic_cast<const BpeTokenizer*>(tokenizer.get());
    if (bpe == nullptr)
        throw Error(file.path() + ": the byte-level GGUF tokenizer is not a BpeTokenizer; the writer needs its "
                                  "configuration");
    const Vocab& vocab = bpe->vocab();
    const BpeConfig& config = bpe->config();
    check_vocab_texts(file, vocab);
    const BpeMergeList merges = read_gguf_merges(file);

    // The text steps: normalizers (NFC) first, then the split patterns,
    // then the mapping to the byte-level alphabet.
    ordered_json normalizers = ordered_json::array();
    ordered_json pre_tokenizers = ordered_json::array();
    for (const TextStep& step : config.steps) {
        if (step.kind == TextStep::Kind::NormalizeNfc && pre_tokenizers.empty()) {
            normalizers.push_back({{"type", "NFC"}});
        } else if (step.kind == TextStep::Kind::Split) {
            const char* pattern_kind = step.rule.is_regex ? "Regex" : "String";
            pre_tokenizers.push_back({{"type", "Split"},
                                      {"pattern", {{pattern_kind, step.rule.pattern}}},
                                      {"behavior", split_behavior_name(step.rule.behavior)},
                                      {"invert", false}});
        } else {
            throw UnsupportedError(file.path() + ": the pre-tokenizer '" +
                                   file.get_string("tokenizer.ggml.pre", "") +
                                   "' has a text step that tokenizer.json cannot express in this order");
        }
    }
    pre_tokenizers.push_back(make_byte_level_step(false, true, false));

    ordered_json normalizer = nullptr;
    if (normalizers.size() == 1)
        normalizer = normalizers[0];
    else if (normalizers.size() > 1)
        normalizer = {{"type", "Sequence"}, {"normalizers", normalizers}};

    // The ByteLevel post-processor only adjusts offsets, and its flags are
    // those of Llama 3's tokenizer.json. BOS and EOS come from a template
    // after it.
    ordered_json post_processor = make_byte_level_step(true, false, true);
    if (!config.prefix_tokens.empty() || !config.suffix_tokens.empty())
        post_processor = {{"type", "Sequence"},
                          {"processors",
                           {post_processor, make_template_processing(vocab, config.prefix_tokens,
                                                                     config.suffix_tokens)}}};

    HfTokenizerDocuments documents;
    documents.tokenizer = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", make_added_tokens(vocab)},
        {"normalizer", normalizer},
        {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", pre_tokenizers}}},
        {"post_processor", post_processor},
        {"decoder", make_byte_level_step(true, true, true)},
        {"model", make_bpe_model(vocab, merges, false, config.ignore_merges)},
    };
    documents.config =
        make_config(file, vocab, !config.prefix_tokens.empty(), !config.suffix_tokens.empty(), false);
    documents.n_merges = merges.size();
    return documents;
}

void write_text_file(const std::string& path, const std::string& text)
{
    // rename() would replace a symlink, a FIFO or a folder entry with a
    // regular file.
    struct stat status {};
    if (::lstat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode))
        throw IoError(path + ": exists and is not a regular file; remove it or choose another folder");

    TemporaryFile file(path);
    file.write_all(text.data(), text.size());
    file.commit();
}

} // namespace

void write_hf_tokenizer_files(const GgufFile& file, const std::string& directory)
{
    // Both documents are built first, so that a vocab the writer rejects
    // leaves no file behind.
    const std::string model = file.get_string(kModelKey);
    HfTokenizerDocuments documents;
    if (model == "llama") {
        documents = build_sentencepiece_documents(file);
    } else if (model == "gpt2") {
        documents = build_byte_level_documents(file);
    } else {
        // TODO: the other kinds llama.cpp reads ("bert", "t5", "rwkv", ...)
        // have no writer, because the engine cannot read them either.
        throw UnsupportedError(file.path() + ": tokenizer model '" + model + "' (key '" + std::string(kModelKey) +
                               "') cannot be written as tokenizer.json; supported: 'llama' (SentencePiece) and "
                               "'gpt2' (byte-level BPE)");
    }

    // Hugging Face writes both files with two-space indents and raw UTF-8.
    const std::filesystem::path folder(directory);
    const std::string tokenizer_path = (folder / "tokenizer.json").string();
    const std::string config_path = (folder / "tokenizer_config.json").string();
    write_text_file(tokenizer_path, documents.tokenizer.dump(2) + "\n");
    write_text_file(config_path, documents.config.dump(2) + "\n");

    QUANTA_LOG_INFO("%s: wrote %s and tokenizer_config.json (%s vocab, %zu merges)", file.path().c_str(),
                    tokenizer_path.c_str(), model == "llama" ? "SentencePiece" : "byte-level", documents.n_merges);
}

} // namespace quanta

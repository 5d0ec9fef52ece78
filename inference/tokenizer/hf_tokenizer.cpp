#include "tokenizer/hf_tokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/hf_text_steps.h"
#include "tokenizer/named_pre_tokenizers.h"
#include "tokenizer/piece_text.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace quanta {

namespace {

using nlohmann::json;

// An id past every real one stands for a hostile file; it would make the
// token table huge. Hugging Face vocabs have few or no gaps.
constexpr size_t kMaxIdGapRatio = 1;

std::string read_text_file(const std::string& path)
{
    std::ifstream stream(path, std::ios::binary);
    if (!stream)
        throw IoError("cannot open " + path + " for reading");
    std::ostringstream contents;
    contents << stream.rdbuf();
    if (stream.bad())
        throw IoError("reading " + path + " failed");
    return std::move(contents).str();
}

json parse_json_file(const std::string& path)
{
    const std::string text = read_text_file(path);
    try {
        return json::parse(text);
    } catch (const json::parse_error& error) {
        throw FormatError(path + ": invalid JSON: " + error.what());
    }
}

// A token named in tokenizer_config.json: a string, an object with a
// "content" string (an AddedToken), or null.
std::string config_token_text(const json& config, const char* key)
{
    const auto value = config.find(key);
    if (value == config.end() || value->is_null())
        return {};
    if (value->is_string())
        return value->get<std::string>();
    if (value->is_object() && value->contains("content") && (*value)["content"].is_string())
        return (*value)["content"].get<std::string>();
    return {};
}

// Token texts and types by id, filled from the model vocab and the added
// tokens; gaps become unused "[PAD<id>]" tokens, as llama.cpp's converter
// names them.
struct TokenTable {
    std::vector<std::string> texts;
    std::vector<TokenType> types;
    std::vector<uint8_t> filled;

    void place(const std::string& path, int64_t id, const std::string& text, TokenType type, const char* where)
    {
        if (id < 0 || static_cast<uint64_t>(id) >= texts.size())
            throw FormatError(path + ": " + where + " has the id " + std::to_string(id) + " for '" + text +
                              "', outside 0.." + std::to_string(texts.size() - 1));
        const auto index = static_cast<size_t>(id);
        if (filled[index] && texts[index] != text)
            throw FormatError(path + ": id " + std::to_string(id) + " is both '" + texts[index] + "' and '" + text +
                              "'; each id needs one text");
        texts[index] = text;
        types[index] = type;
        filled[index] = 1;
    }
};

size_t table_size(const std::string& path, const json& vocab, const json& added_tokens)
{
    // The table spans 0..max id; too many gaps means a corrupt id.
    int64_t max_id = -1;
    size_t n_entries = 0;
    for (const auto& [text, id] : vocab.items()) {
        if (!id.is_number_integer())
            throw FormatError(path + ": model.vocab entry '" + text + "' has no integer id");
        max_id = std::max(max_id, id.get<int64_t>());
        ++n_entries;
    }
    for (const json& token : added_tokens) {
        if (!token.is_object() || !token.contains("id") || !token["id"].is_number_integer() ||
            !token.contains("content") || !token["content"].is_string())
            throw FormatError(path + ": an added_tokens entry lacks an integer \"id\" or a string \"content\"");
        max_id = std::max(max_id, token["id"].get<int64_t>());
        ++n_entries;
    }
    if (max_id < 0)
        throw FormatError(path + ": model.vocab is empty; a vocab needs at least one token");
    if (static_cast<uint64_t>(max_id) >= static_cast<uint64_t>(std::numeric_limits<TokenId>::max()) ||
        static_cast<uint64_t>(max_id) > (kMaxIdGapRatio + 1) * n_entries)
        throw FormatError(path + ": the highest token id is " + std::to_string(max_id) + " but there are only " +
                          std::to_string(n_entries) + " tokens; the file is corrupt");
    return static_cast<size_t>(max_id) + 1;
}

// Reads the merges as "left right" strings or as [left, right] pairs.
BpeMergeList read_merges(const std::string& path, const json& model)
{
    const auto merges = model.find("merges");
    if (merges == model.end() || !merges->is_array())
        throw FormatError(path + ": model.merges is missing or not an array");

    BpeMergeList list;
    list.reserve(merges->size());
    for (size_t i = 0; i < merges->size(); ++i) {
        const json& merge = (*merges)[i];
        if (merge.is_string()) {
            const std::string& line = merge.get_ref<const std::string&>();
            const size_t space = line.find(' ');
            if (space == std::string::npos || space == 0 || space + 1 >= line.size() ||
                line.find(' ', space + 1) != std::string::npos)
                throw FormatError(path + ": model.merges entry " + std::to_string(i) + " is '" + line +
                                  "' but a merge must be two token texts separated by one space");
            list.emplace_back(line.substr(0, space), line.substr(space + 1));
        } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
            list.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
        } else {
            throw FormatError(path + ": model.merges entry " + std::to_string(i) +
                              " is neither a \"left right\" string nor a pair of strings");
        }
    }
    return list;
}

// The tokens a post-processor puts around a single sequence.
void read_post_processor(const std::string& path, const json& processor, const Vocab& vocab, BpeConfig& config)
{
    if (processor.is_null())
        return;
    const std::string type = processor.value("type", "");

    const auto token_id = [&](const std::string& text) {
        const TokenId id = vocab.find(text);
        if (id < 0)
            throw FormatError(path + ": post_processor names the token '" + text + "', which is not in the vocab");
        return id;
    };

    if (type == "Sequence") {
        for (const json& item : processor.at("processors"))
            read_post_processor(path, item, vocab, config);
    } else if (type == "TemplateProcessing") {
        // Special tokens before the sequence go in front, the ones after it last.
        bool after_sequence = false;
        for (const json& item : processor.at("single")) {
            if (item.contains("Sequence")) {
                after_sequence = true;
                continue;
            }
            const std::string name = item.at("SpecialToken").at("id").get<std::string>();
            std::vector<TokenId> ids;
            const json& special_tokens = processor.value("special_tokens", json::object());
            if (special_tokens.contains(name)) {
                for (const json& id : special_tokens.at(name).at("ids"))
                    ids.push_back(static_cast<TokenId>(id.get<int64_t>()));
            } else {
                ids.push_back(token_id(name));
            }
            for (const TokenId id : ids)
                vocab.check_id(id);
            auto& target = after_sequence ? config.suffix_tokens : config.prefix_tokens;
            target.insert(target.end(), ids.begin(), ids.end());
        }
    } else if (type == "RobertaProcessing" || type == "BertProcessing") {
        config.prefix_tokens.push_back(token_id(processor.at("cls").at(0).get<std::string>()));
        config.suffix_tokens.push_back(token_id(processor.at("sep").at(0).get<std::string>()));
    } else if (type != "ByteLevel") {
        throw UnsupportedError(path + ": post_processor is a '" + type + "' processor, which is not supported");
    }
}

// The ids in generation_config.json's "eos_token_id": one id or a list.
std::vector<TokenId> read_generation_end_ids(const std::string& path)
{
    const json config = parse_json_file(path);
    const json ids = config.is_object() ? config.value("eos_token_id", json()) : json();
    std::vector<TokenId> result;
    for (const json& id : ids.is_array() ? ids : json::array({ids})) {
        if (id.is_number_integer() && id.get<int64_t>() >= 0 &&
            id.get<int64_t>() <= std::numeric_limits<TokenId>::max())
            result.push_back(static_cast<TokenId>(id.get<int64_t>()));
    }
    return result;
}

std::unique_ptr<Tokenizer> build_from_json(const std::string& path, const json& root, const json& config_json,
                                           const std::vector<TokenId>& extra_end_ids)
{
    // The model: only BPE, without word prefixes or suffixes.
    const json& model = root.at("model");
    const std::string model_type = model.value("type", model.contains("merges") ? "BPE" : "");
    if (model_type != "BPE")
        throw UnsupportedError(path + ": model.type is '" + model_type + "'; only BPE tokenizers are supported");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        if (model.contains(key) && !model[key].is_null() && model[key] != "")
            throw UnsupportedError(path + ": model." + key + " is set, which is not supported");
    }
    if (model.contains("dropout") && model["dropout"].is_number() && model["dropout"].get<double>() > 0)
        QUANTA_LOG_WARN("%s: model.dropout is ignored; tokenizing is deterministic", path.c_str());
    const bool byte_fallback = model.value("byte_fallback", false);
    const std::string unk_text = model.contains("unk_token") && model["unk_token"].is_string()
                                     ? model["unk_token"].get<std::string>()
                                     : std::string();

    // Token table: the model vocab, then the added tokens over it.
    const json& vocab_json = model.at("vocab");
    if (!vocab_json.is_object())
        throw FormatError(path + ": model.vocab is not an object");
    const json& added_tokens = root.value("added_tokens", json::array());
    TokenTable table;
    const size_t size = table_size(path, vocab_json, added_tokens);
    table.texts.resize(size);
    table.types.assign(size, TokenType::Unused);
    table.filled.assign(size, 0);
    for (const auto& [text, id] : vocab_json.items()) {
        TokenType type = TokenType::Normal;
        if (byte_fallback && parse_byte_token(text) >= 0)
            type = TokenType::Byte;
        else if (!unk_text.empty() && text == unk_text)
            type = TokenType::Unknown;
        table.place(path, id.get<int64_t>(), text, type, "model.vocab");
    }
    bool strip_flags_seen = false;
    for (const json& token : added_tokens) {
        const bool special = token.value("special", false);
        table.place(path, token["id"].get<int64_t>(), token["content"].get<std::string>(),
                    special ? TokenType::Control : TokenType::UserDefined, "added_tokens");
        strip_flags_seen = strip_flags_seen || token.value("lstrip", false) || token.value("rstrip", false) ||
                           token.value("single_word", false);
    }
    if (strip_flags_seen)
        QUANTA_LOG_WARN("%s: some added tokens set lstrip, rstrip or single_word, which are not applied",
                        path.c_str());

    // Gaps get a placeholder that cannot occur in text.
    size_t n_gaps = 0;
    for (size_t id = 0; id < size; ++id) {
        if (!table.filled[id]) {
            table.texts[id] = "[PAD" + std::to_string(id) + "]";
            ++n_gaps;
        }
    }
    if (n_gaps > 0)
        QUANTA_LOG_WARN("%s: %zu token ids have no text; they are unused [PAD<id>] tokens", path.c_str(), n_gaps);

    Vocab vocab;
    vocab.path = path;
    vocab.texts = std::move(table.texts);
    vocab.types = std::move(table.types);
    vocab.scores.assign(vocab.texts.size(), 0.0f);
    index_token_texts(vocab, "model.vocab with added_tokens");

    // Text steps and decoder, then the special tokens around the text.
    const HfTextPipeline pipeline = read_hf_text_pipeline(root.value("normalizer", json()),
                                                          root.value("pre_tokenizer", json()),
                                                          root.value("decoder", json()), path);
    BpeConfig config;
    config.form = pipeline.form;
    config.steps = pipeline.steps;
    config.decode_strips_leading_space = pipeline.decode_strips_leading_space;
    config.ignore_merges = model.value("ignore_merges", false);
    config.byte_fallback = byte_fallback;
    config.fuse_unknown = model.value("fuse_unk", false);
    read_post_processor(path, root.value("post_processor", json()), vocab, config);

    // Special ids: the config's names first, else what the post-processor adds.
    vocab.unk = unk_text.empty() ? -1 : vocab.find(unk_text);
    vocab.bos = vocab.find(config_token_text(config_json, "bos_token"));
    vocab.eos = vocab.find(config_token_text(config_json, "eos_token"));
    vocab.pad = vocab.find(config_token_text(config_json, "pad_token"));
    if (vocab.bos < 0 && !config.prefix_tokens.empty())
        vocab.bos = config.prefix_tokens.front();
    if (vocab.eos < 0 && !config.suffix_tokens.empty())
        vocab.eos = config.suffix_tokens.back();
    vocab.add_bos = !config.prefix_tokens.empty();
    vocab.add_eos = !config.suffix_tokens.empty();
    classify_special_tokens(vocab);
    for (const TokenId id : extra_end_ids) {
        if (id < vocab.size())
            vocab.end_of_generation[static_cast<size_t>(id)] = 1;
    }

    return std::make_unique<BpeTokenizer>(std::move(vocab), read_merges(path, model), std::move(config),
                                          "model.merges");
}

} // namespace

std::unique_ptr<Tokenizer> load_hf_tokenizer_json(const std::string& tokenizer_path, const std::string& config_path,
                                                  const std::string& generation_config_path)
{
    const json root = parse_json_file(tokenizer_path);
    const json config = config_path.empty() ? json::object() : parse_json_file(config_path);
    if (!root.is_object() || !config.is_object())
        throw FormatError((root.is_object() ? config_path : tokenizer_path) + ": the JSON top level is not an object");

    // nlohmann reports a missing key or a wrong type as json::exception.
    try {
        const std::vector<TokenId> end_ids =
            generation_config_path.empty() ? std::vector<TokenId>() : read_generation_end_ids(generation_config_path);
        return build_from_json(tokenizer_path, root, config, end_ids);
    } catch (const json::exception& error) {
        // Drop nlohmann's "[json.exception.type_error.302] " tag.
        std::string detail = error.what();
        if (const size_t tag_end = detail.find("] "); detail.rfind("[json.exception.", 0) == 0 && tag_end != std::string::npos)
            detail.erase(0, tag_end + 2);
        throw FormatError(tokenizer_path + ": unexpected structure (" + detail + ")");
    }
}

std::unique_ptr<Tokenizer> load_gpt2_tokenizer_files(const std::string& encoder_path, const std::string& merges_path)
{
    const json encoder = parse_json_file(encoder_path);
    if (!encoder.is_object())
        throw FormatError(encoder_path + ": the JSON top level is not an object of token -> id");

    // Tokens by id; <|endoftext|> is GPT-2's only special token, BOS and EOS at once.
    TokenTable table;
    const size_t size = table_size(encoder_path, encoder, json::array());
    table.texts.resize(size);
    table.types.assign(size, TokenType::Unused);
    table.filled.assign(size, 0);
    for (const auto& [text, id] : encoder.items())
        table.place(encoder_path, id.get<int64_t>(), text, TokenType::Normal, "encoder.json");
    for (size_t id = 0; id < size; ++id) {
        if (!table.filled[id])
            throw FormatError(encoder_path + ": token id " + std::to_string(id) + " is missing; ids must be 0.." +
                              std::to_string(size - 1));
    }

    Vocab vocab;
    vocab.path = encoder_path;
    vocab.texts = std::move(table.texts);
    vocab.types = std::move(table.types);
    vocab.scores.assign(vocab.texts.size(), 0.0f);
    index_token_texts(vocab, "encoder.json");
    const TokenId end_of_text = vocab.find("<|endoftext|>");
    if (end_of_text >= 0)
        vocab.types[static_cast<size_t>(end_of_text)] = TokenType::Control;
    vocab.bos = end_of_text;
    vocab.eos = end_of_text;
    classify_special_tokens(vocab);

    // Merges: every line after "#version ..." that is not empty.
    BpeMergeList merges;
    std::istringstream lines(read_text_file(merges_path));
    std::string line;
    for (size_t number = 1; std::getline(lines, line); ++number) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || (number == 1 && line.starts_with("#version")))
            continue;
        const size_t space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 >= line.size())
            throw FormatError(merges_path + ": line " + std::to_string(number) + " is '" + line +
                              "' but a merge must be two token texts separated by a space");
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }

    BpeConfig config;
    config.form = BpeTextForm::ByteLevel;
    config.steps.push_back(TextStep::split({std::string(gpt2_split_regex()), true, SplitBehavior::Isolated}));
    return std::make_unique<BpeTokenizer>(std::move(vocab), merges, std::move(config), merges_path);
}

std::unique_ptr<Tokenizer> load_hf_tokenizer_dir(const std::string& directory)
{
    namespace fs = std::filesystem;
    const fs::path folder(directory);
    std::error_code error;

    // tokenizer.json is the usual file; the configs beside it are optional.
    const fs::path tokenizer_json = folder / "tokenizer.json";
    if (fs::is_regular_file(tokenizer_json, error)) {
        const fs::path config = folder / "tokenizer_config.json";
        const fs::path generation_config = folder / "generation_config.json";
        return load_hf_tokenizer_json(
            tokenizer_json.string(), fs::is_regular_file(config, error) ? config.string() : std::string(),
            fs::is_regular_file(generation_config, error) ? generation_config.string() : std::string());
    }

    // GPT-2's original pair of files.
    const fs::path encoder = folder / "encoder.json";
    const fs::path merges = folder / "vocab.bpe";
    if (fs::is_regular_file(encoder, error) && fs::is_regular_file(merges, error))
        return load_gpt2_tokenizer_files(encoder.string(), merges.string());

    throw IoError(directory + ": no tokenizer found; expected tokenizer.json, or encoder.json with vocab.bpe");
}

} // namespace quanta

// Byte-level BPE vocabs from GGUF metadata (`tokenizer.ggml.model = "gpt2"`).
#include "tokenizer/bpe_tokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/named_pre_tokenizers.h"

namespace quanta {

namespace {

constexpr std::string_view kMergesKey = "tokenizer.ggml.merges";
constexpr std::string_view kPreKey = "tokenizer.ggml.pre";

// Splits each "left right" merge at its first space after the first byte,
// as llama.cpp does, so that a left part may itself start with a space.
BpeMergeList read_merges(const GgufFile& file)
{
    const std::vector<std::string> lines = file.get_string_array(kMergesKey);
    BpeMergeList merges;
    merges.reserve(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        const size_t space = line.size() > 1 ? line.find(' ', 1) : std::string::npos;
        if (space == std::string::npos || space + 1 >= line.size())
            throw FormatError(file.path() + ": key '" + std::string(kMergesKey) + "' entry " + std::to_string(i) +
                              " is '" + line + "' but a merge must be two token texts separated by a space");
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    return merges;
}

} // namespace

std::unique_ptr<Tokenizer> load_gguf_bpe_tokenizer(const GgufFile& file)
{
    // The pre-tokenizer by name. llama.cpp also accepts a missing name, with
    // a warning, because old converters did not write it.
    const std::string pre_name = file.get_string(kPreKey, "");
    if (pre_name.empty())
        QUANTA_LOG_WARN("%s: key '%s' is missing; using llama.cpp's default pre-tokenizer, which may split text "
                        "differently from the model's own tokenizer",
                        file.path().c_str(), std::string(kPreKey).c_str());
    NamedPreTokenizer pre;
    try {
        pre = find_named_pre_tokenizer(pre_name);
    } catch (const UnsupportedError& error) {
        throw UnsupportedError(file.path() + ": " + error.what());
    }

    // Tokens and special ids. Byte-level vocabs name BOS and EOS explicitly.
    VocabDefaults defaults;
    defaults.add_bos = pre.add_bos_default;
    Vocab vocab = load_vocab(file, defaults);
    if (vocab.add_bos && vocab.bos < 0) {
        QUANTA_LOG_WARN("%s: BOS is requested but tokenizer.ggml.bos_token_id is not set; no BOS is added",
                        file.path().c_str());
        vocab.add_bos = false;
    }
    if (vocab.add_eos && vocab.eos < 0) {
        QUANTA_LOG_WARN("%s: EOS is requested but tokenizer.ggml.eos_token_id is not set; no EOS is added",
                        file.path().c_str());
        vocab.add_eos = false;
    }

    // The text steps: NFC where the model's tokenizer has it, then the
    // regular expressions, each splitting the pieces of the one before.
    BpeConfig config;
    config.form = BpeTextForm::ByteLevel;
    if (pre.normalize_nfc)
        config.steps.push_back(TextStep::normalize_nfc());
    for (const std::string& regex : pre.regexes)
        config.steps.push_back(TextStep::split({regex, true, SplitBehavior::Isolated}));
    config.ignore_merges = pre.ignore_merges;
    if (vocab.add_bos)
        config.prefix_tokens.push_back(vocab.bos);
    if (vocab.add_eos)
        config.suffix_tokens.push_back(vocab.eos);

    QUANTA_LOG_INFO("%s: pre-tokenizer '%s'", file.path().c_str(), pre_name.empty() ? "default" : pre_name.c_str());
    const BpeMergeList merges = read_merges(file);
    return std::make_unique<BpeTokenizer>(std::move(vocab), merges, std::move(config),
                                          "key '" + std::string(kMergesKey) + "'");
}

} // namespace quanta

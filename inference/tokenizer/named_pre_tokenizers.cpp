#include "tokenizer/named_pre_tokenizers.h"

#include "core/error.h"

#include <array>

namespace quanta {

namespace {

// The patterns below are the ones llama.cpp's src/llama-vocab.cpp (commit
// 00ad355e) uses for these names, except where a comment names the model's
// tokenizer.json as the source. \s means Unicode White_Space (see
// TextSplitter).

// GPT-2's ByteLevel pattern, as Hugging Face's ByteLevel pre-tokenizer
// writes it. llama.cpp omits the final "|\s+", which changes nothing because
// unmatched text becomes a piece of its own either way.
constexpr std::string_view kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Llama 3: letters with one leading non-letter, numbers in groups of up to
// three, contractions in either case.
constexpr std::string_view kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Qwen 2 / 2.5 / 3: as Llama 3, but every digit on its own.
constexpr std::string_view kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Mistral's Tekken, from its tokenizer.json: words split at case changes.
constexpr std::string_view kTekken =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

constexpr std::string_view kSingleDigits = R"(\p{N})";

struct NameEntry {
    std::string_view name;
    NamedPreTokenizer (*make)();
};

NamedPreTokenizer make_default()
{
    return {{R"([\p{P}\$\+<=>\^~\|]+)", std::string(kGpt2), R"(\p{N}+)", "[0-9][0-9][0-9]"}, false, false, false};
}

NamedPreTokenizer make_gpt2() { return {{std::string(kGpt2)}, false, false, false}; }
NamedPreTokenizer make_llama3() { return {{std::string(kLlama3)}, false, true, true}; }
NamedPreTokenizer make_llama3_regex_only() { return {{std::string(kLlama3)}, false, false, false}; }
NamedPreTokenizer make_qwen2() { return {{std::string(kQwen2)}, true, false, false}; }
NamedPreTokenizer make_qwen2_regex_only() { return {{std::string(kQwen2)}, false, false, false}; }
NamedPreTokenizer make_smollm() { return {{std::string(kSingleDigits), std::string(kGpt2)}, false, false, false}; }
NamedPreTokenizer make_tekken() { return {{std::string(kTekken)}, false, true, true}; }

NamedPreTokenizer make_falcon()
{
    return {{R"([\p{P}\$\+<=>\^~\|`]+)", std::string(kGpt2), "[0-9][0-9][0-9]"}, false, false, false};
}

// NOTE: only "qwen2" gets NFC. The other names that share its pattern are
// read as llama.cpp reads them, without normalization, because their
// tokenizer.json files were not checked here.
constexpr std::array<NameEntry, 33> kNames = {{
    {"default", make_default},
    {"llama-bpe", make_llama3},
    {"llama3", make_llama3},
    {"llama-v3", make_llama3},
    {"falcon3", make_llama3},
    {"falcon-h1", make_llama3},
    {"pixtral", make_llama3},
    {"midm-2.0", make_llama3},
    {"lfm2", make_llama3},
    {"dbrx", make_llama3_regex_only},
    {"smaug-bpe", make_llama3_regex_only},
    {"qwen2", make_qwen2},
    {"deepseek-r1-qwen", make_qwen2_regex_only},
    {"megrez", make_qwen2_regex_only},
    {"stablelm2", make_qwen2_regex_only},
    {"gpt-2", make_gpt2},
    {"phi-2", make_gpt2},
    {"mpt", make_gpt2},
    {"olmo", make_gpt2},
    {"jais", make_gpt2},
    {"gigachat", make_gpt2},
    {"exaone4", make_gpt2},
    {"smollm", make_smollm},
    {"starcoder", make_smollm},
    {"refact", make_smollm},
    {"command-r", make_smollm},
    {"codeshell", make_smollm},
    {"exaone", make_smollm},
    {"minerva-7b", make_smollm},
    {"falcon", make_falcon},
    {"tekken", make_tekken},
    {"mellum", make_gpt2},
    {"a.x-4.0", make_gpt2},
}};

} // namespace

NamedPreTokenizer find_named_pre_tokenizer(std::string_view name)
{
    if (name.empty())
        return make_default();
    for (const NameEntry& entry : kNames) {
        if (entry.name == name)
            return entry.make();
    }
    throw UnsupportedError("pre-tokenizer '" + std::string(name) +
                           "' (key 'tokenizer.ggml.pre') is not supported; supported names: " +
                           supported_pre_tokenizer_names());
}

std::string_view gpt2_split_regex()
{
    return kGpt2;
}

std::string supported_pre_tokenizer_names()
{
    std::string names;
    for (const NameEntry& entry : kNames) {
        if (!names.empty())
            names += ", ";
        names += entry.name;
    }
    return names;
}

} // namespace quanta

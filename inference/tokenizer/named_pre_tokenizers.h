// The pre-tokenizers that GGUF files select by name in `tokenizer.ggml.pre`
// (llama-bpe, qwen2, smollm, gpt-2, ...), with the flags llama.cpp sets for
// each name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace quanta {

struct NamedPreTokenizer {
    // Regular expressions applied one after another, every match isolated.
    std::vector<std::string> regexes;
    // Apply Unicode NFC to the text first (Qwen's tokenizer.json has an NFC
    // normalizer that GGUF cannot store).
    bool normalize_nfc = false;
    // A word that is a token as a whole is taken as it is, without merges.
    bool ignore_merges = false;
    // tokenizer.ggml.add_bos_token when the file leaves it out.
    bool add_bos_default = false;
};

// The pre-tokenizer for a tokenizer.ggml.pre value. An empty name means the
// key is missing; like llama.cpp, that gives llama.cpp's "default" rules.
// Throws UnsupportedError naming `name` and listing the supported names for
// any other name, because a wrong guess would tokenize silently wrong.
NamedPreTokenizer find_named_pre_tokenizer(std::string_view name);

// The names find_named_pre_tokenizer accepts, comma-separated.
std::string supported_pre_tokenizer_names();

// GPT-2's pattern, which Hugging Face's ByteLevel pre-tokenizer applies when
// its use_regex is set.
std::string_view gpt2_split_regex();

} // namespace quanta

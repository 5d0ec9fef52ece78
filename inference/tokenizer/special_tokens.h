// Splitting of text on the special tokens written into it ("<s>",
// "<|im_start|>"). The tokenizer model then encodes the plain text between.
#pragma once

#include "tokenizer/tokenizer.h"

#include <string_view>
#include <vector>

namespace quanta {

struct Vocab;

// One piece of the input: a special token, or plain text to tokenize.
struct TextFragment {
    TokenId token = -1;      // -1 for plain text
    std::string_view text;   // plain text: a non-empty view into the input; empty for a token
};

// Splits `text` as llama.cpp's tokenizer_st_partition does: the special
// tokens are taken one at a time, longest text first, and each one splits
// every plain fragment left at each of its occurrences. User-defined tokens
// always split; control and unknown tokens only with `parse_special`.
//
// NOTE: llama.cpp also strips whitespace next to a few special tokens of
// named models (the lstrip/rstrip token attributes); that is not done here.
std::vector<TextFragment> split_special_tokens(std::string_view text, const Vocab& vocab, bool parse_special);

} // namespace quanta

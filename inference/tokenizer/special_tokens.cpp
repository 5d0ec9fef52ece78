#include "tokenizer/special_tokens.h"

#include "tokenizer/vocab.h"

namespace quanta {

std::vector<TextFragment> split_special_tokens(std::string_view text, const Vocab& vocab, bool parse_special)
{
    std::vector<TextFragment> fragments;
    if (text.empty())
        return fragments;
    fragments.push_back({-1, text});

    std::vector<TextFragment> next;
    for (const TokenId id : vocab.special_tokens) {
        const TokenType type = vocab.types[static_cast<size_t>(id)];
        if (!parse_special && type != TokenType::UserDefined)
            continue;
        const std::string_view token_text = vocab.texts[static_cast<size_t>(id)];

        // Rebuild the fragment list with every occurrence of this token cut
        // out of the plain fragments, scanning each one left to right.
        next.clear();
        bool found_any = false;
        for (const TextFragment& fragment : fragments) {
            if (fragment.token >= 0) {
                next.push_back(fragment);
                continue;
            }
            std::string_view rest = fragment.text;
            for (size_t match = rest.find(token_text); match != std::string_view::npos;
                 match = rest.find(token_text)) {
                found_any = true;
                if (match > 0)
                    next.push_back({-1, rest.substr(0, match)});
                next.push_back({id, {}});
                rest.remove_prefix(match + token_text.size());
            }
            if (!rest.empty())
                next.push_back({-1, rest});
        }
        if (found_any)
            fragments.swap(next);
    }
    return fragments;
}

} // namespace quanta

// Pre-tokenization: splitting text into the words that BPE merges within,
// by a regular expression (PCRE2 with Unicode properties) or a literal.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

// The treatment of a match, as Hugging Face's Split pre-tokenizer names it.
enum class SplitBehavior {
    Isolated,            // each match and each stretch between matches is a piece
    Removed,             // matches are dropped
    MergedWithPrevious,  // a match ends the piece before it
    MergedWithNext,      // a match starts the piece after it
};

struct SplitRule {
    std::string pattern;  // a regular expression, or the literal text when !is_regex
    bool is_regex = true;
    SplitBehavior behavior = SplitBehavior::Isolated;
};

// One compiled rule. Patterns are compiled for UTF-8 with Unicode
// properties (PCRE2_UTF | PCRE2_UCP), and \s and \S outside a character
// class, and \s inside one, are rewritten to the Unicode White_Space
// property. Oniguruma (Hugging Face) and llama.cpp use that set, while
// PCRE2 10.42 also counts U+180E as space.
class TextSplitter {
public:
    // Throws UnsupportedError naming the pattern and the offset for a
    // pattern that PCRE2 cannot compile.
    explicit TextSplitter(const SplitRule& rule);
    ~TextSplitter();
    TextSplitter(TextSplitter&&) noexcept;
    TextSplitter& operator=(TextSplitter&&) noexcept;

    // Appends the non-empty pieces of `text` to `output`; together they
    // cover the text in order, less any Removed matches. Ill-formed UTF-8
    // is never matched: each ill-formed sequence is a piece of its own, and
    // the runs between are split separately. Throws Error when PCRE2 gives
    // up on a match (its match or depth limit).
    void split(std::string_view text, std::vector<std::string_view>& output) const;

    const std::string& pattern() const { return pattern_; }

private:
    struct Compiled;

    // Appends the [begin, end) byte ranges of the matches in a well-formed run.
    void find_matches(std::string_view text, std::vector<std::pair<size_t, size_t>>& matches) const;
    void split_well_formed(std::string_view text, std::vector<std::string_view>& output) const;

    std::string pattern_;  // as given, for messages
    SplitBehavior behavior_;
    std::unique_ptr<Compiled> compiled_;
};

// Applies `splitters` one after another: each splits every piece that the
// one before produced. Returns views into `text`.
std::vector<std::string_view> split_text(std::string_view text, const std::vector<TextSplitter>& splitters);

} // namespace quanta

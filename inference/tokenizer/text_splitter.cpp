#include "tokenizer/text_splitter.h"

#include "core/error.h"
#include "tokenizer/unicode_text.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>

namespace quanta {

namespace {

// The Unicode White_Space property (PropList.txt): U+0009..U+000D, U+0020,
// U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F
// and U+3000, as the inside of a character class.
constexpr std::string_view kWhiteSpaceClassBody =
    "\\x{9}-\\x{D}\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

// Rewrites \s and \S to the White_Space class (see TextSplitter). A \S
// inside a character class cannot be written as a list, so it stays.
std::string rewrite_white_space(std::string_view pattern)
{
    std::string output;
    output.reserve(pattern.size() + 64);
    bool in_class = false;
    size_t class_start = 0; // output offset just after '[' or "[^"
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];

        // Escapes: rewrite \s and \S, copy every other one whole.
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[++i];
            if (next == 's' && in_class) {
                output += kWhiteSpaceClassBody;
            } else if (next == 's') {
                output += "[";
                output += kWhiteSpaceClassBody;
                output += "]";
            } else if (next == 'S' && !in_class) {
                output += "[^";
                output += kWhiteSpaceClassBody;
                output += "]";
            } else {
                output += c;
                output += next;
            }
            continue;
        }

        // Character class bounds. A ']' right after "[" or "[^" is literal.
        if (!in_class && c == '[') {
            in_class = true;
            output += c;
            if (i + 1 < pattern.size() && pattern[i + 1] == '^')
                output += pattern[++i];
            class_start = output.size();
            continue;
        }
        if (in_class && c == ']' && output.size() > class_start)
            in_class = false;
        output += c;
    }
    return output;
}

// Writes a literal as a pattern: every ASCII punctuation character is
// escaped, and everything else, UTF-8 included, stands for itself.
std::string escape_literal(std::string_view text)
{
    std::string output;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80 && !std::isalnum(byte))
            output += '\\';
        output += c;
    }
    return output;
}

std::string pcre2_message(int error_code)
{
    PCRE2_UCHAR buffer[256];
    const int length = pcre2_get_error_message(error_code, buffer, sizeof(buffer));
    if (length < 0)
        return "PCRE2 error " + std::to_string(error_code);
    return std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(length));
}

} // namespace

struct TextSplitter::Compiled {
    pcre2_code* code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

TextSplitter::TextSplitter(const SplitRule& rule)
    : pattern_(rule.pattern), behavior_(rule.behavior), compiled_(std::make_unique<Compiled>())
{
    // Compile for UTF-8 with Unicode properties; the JIT is optional and only
    // makes matching faster.
    const std::string source = rule.is_regex ? rewrite_white_space(rule.pattern) : escape_literal(rule.pattern);
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), PCRE2_UTF | PCRE2_UCP,
                                    &error_code, &error_offset, nullptr);
    if (compiled_->code == nullptr)
        throw UnsupportedError("cannot compile the pre-tokenizer pattern '" + rule.pattern + "' (as PCRE2 '" + source +
                               "'): " + pcre2_message(error_code) + " at offset " + std::to_string(error_offset));
    pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

TextSplitter::~TextSplitter() = default;
TextSplitter::TextSplitter(TextSplitter&&) noexcept = default;
TextSplitter& TextSplitter::operator=(TextSplitter&&) noexcept = default;

void TextSplitter::find_matches(std::string_view text, std::vector<std::pair<size_t, size_t>>& matches) const
{
    const std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match_data(
        pcre2_match_data_create_from_pattern(compiled_->code, nullptr), &pcre2_match_data_free);
    if (!match_data)
        throw Error("out of memory while matching the pre-tokenizer pattern '" + pattern_ + "'");

    // The caller passes well-formed UTF-8, and every match ends on a
    // character boundary, so PCRE2 need not check the text again.
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t offset = 0;
    while (offset < text.size()) {
        int rc = pcre2_match(compiled_->code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK, match_data.get(),
                             nullptr);
        // The JIT's default stack is small; the interpreter keeps its
        // backtracking state on the heap.
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
            rc = pcre2_match(compiled_->code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                             match_data.get(), nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw Error("matching the pre-tokenizer pattern '" + pattern_ + "' failed at byte " +
                        std::to_string(offset) + " of a " + std::to_string(text.size()) +
                        "-byte text: " + pcre2_message(rc));

        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data.get());
        const size_t begin = ovector[0];
        const size_t end = ovector[1];
        if (end > begin) {
            matches.emplace_back(begin, end);
            offset = end;
        } else if (begin < text.size()) {
            // An empty match splits nothing; step over one character.
            offset = begin + check_utf8_sequence(text, begin).length;
        } else {
            break;
        }
    }
}

void TextSplitter::split_well_formed(std::string_view text, std::vector<std::string_view>& output) const
{
    std::vector<std::pair<size_t, size_t>> matches;
    find_matches(text, matches);

    // Cut points follow from the behavior; a piece is what lies between two.
    size_t piece_start = 0;
    const auto emit = [&](size_t end) {
        if (end > piece_start)
            output.push_back(text.substr(piece_start, end - piece_start));
        piece_start = end;
    };
    for (const auto& [begin, end] : matches) {
        switch (behavior_) {
        case SplitBehavior::Isolated:
            emit(begin);
            emit(end);
            break;
        case SplitBehavior::Removed:
            emit(begin);
            piece_start = end;
            break;
        case SplitBehavior::MergedWithPrevious:
            emit(end);
            break;
        case SplitBehavior::MergedWithNext:
            emit(begin);
            break;
        }
    }
    emit(text.size());
}

void TextSplitter::split(std::string_view text, std::vector<std::string_view>& output) const
{
    while (!text.empty()) {
        // A well-formed run is matched as a whole.
        const size_t run = well_formed_utf8_prefix(text);
        if (run > 0) {
            split_well_formed(text.substr(0, run), output);
            text.remove_prefix(run);
            continue;
        }

        // An ill-formed sequence is a piece of its own.
        const size_t bad = check_utf8_sequence(text, 0).length;
        output.push_back(text.substr(0, bad));
        text.remove_prefix(bad);
    }
}

std::vector<std::string_view> split_text(std::string_view text, const std::vector<TextSplitter>& splitters)
{
    std::vector<std::string_view> pieces;
    if (!text.empty())
        pieces.push_back(text);
    std::vector<std::string_view> next;
    for (const TextSplitter& splitter : splitters) {
        next.clear();
        for (const std::string_view piece : pieces)
            splitter.split(piece, next);
        pieces.swap(next);
    }
    return pieces;
}

} // namespace quanta

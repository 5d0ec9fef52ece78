// String helpers with Python's semantics, for the Jinja interpreter: Python
// strings index by code point, strip Unicode whitespace, and print floats and
// reprs in a fixed style that chat templates' output depends on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quanta::jinja::text {

// Decodes UTF-8 into code points. Each invalid byte B decodes as U+DC00 + B
// (Python's "surrogateescape"), so that encode(decode(s)) returns s for any
// input.
std::u32string decode(std::string_view utf8);
std::string encode(std::u32string_view code_points);
void append_code_point(std::string& out, char32_t code_point);

// Number of code points, as Python's len(str).
size_t length(std::string_view utf8);
bool is_ascii(std::string_view text);

// Python's str.isspace() for one code point.
bool is_space(char32_t c);

// str.strip/lstrip/rstrip. Without `chars` they strip whitespace as Python
// does, and with `chars` they strip any code point of it.
std::string strip(std::string_view s, const std::string* chars, bool left, bool right);

// str.split(sep, maxsplit). A null `sep` splits on runs of whitespace and
// drops empty fields. An empty `sep` is the caller's error to report.
std::vector<std::string> split(std::string_view s, const std::string* sep, int64_t max_split);
std::vector<std::string> rsplit(std::string_view s, const std::string* sep, int64_t max_split);
// str.splitlines() without keepends: Python's full set of line boundaries.
std::vector<std::string> split_lines(std::string_view s);

// str.replace(old, new, count); count < 0 replaces every occurrence.
std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);
// str.count(sub), non-overlapping.
size_t count(std::string_view s, std::string_view sub);

// Case mapping. NOTE: only ASCII letters change case; other code points are
// copied unchanged, which differs from Python for accented and Greek or
// Cyrillic letters.
std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string swap_case(std::string_view s);
// str.title(): a letter after a non-letter is upper-cased, others lowered.
std::string python_title(std::string_view s);
// Jinja's |title filter: words start after spaces, '-', and opening brackets.
std::string jinja_title(std::string_view s);
// str.capitalize(): the first code point upper, the rest lower.
std::string capitalize(std::string_view s);

// Python's repr(float): the shortest text that reads back as the same
// double, "1.0" for integral values, exponent form below 1e-4 and from 1e16.
std::string format_float(double value);
// Python's repr(str): single quotes unless the text has a single quote and
// no double quote; backslash escapes for the quote, '\\' and control bytes.
std::string repr_string(std::string_view s);
// The JSON string literal that Python's json.dumps writes. With
// `ensure_ascii` every non-ASCII code point becomes \uXXXX (surrogate pairs
// above U+FFFF).
std::string json_string(std::string_view s, bool ensure_ascii);

// Code point offsets for slicing: the byte offset of each code point, plus
// the total size at the end.
std::vector<size_t> code_point_offsets(std::string_view utf8);

} // namespace quanta::jinja::text

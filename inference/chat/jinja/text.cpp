#include "chat/jinja/text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace quanta::jinja::text {

namespace {

// decode() maps each invalid byte B to the lone surrogate U+DC00 + B, as
// Python's "surrogateescape" error handler does, and encode() maps it back.
constexpr char32_t kEscapedByteBase = 0xDC00;

// Length of the well-formed UTF-8 sequence at `s[i]`, or 0 when it is not.
size_t sequence_length(std::string_view s, size_t i)
{
    const auto lead = static_cast<unsigned char>(s[i]);
    size_t length = 0;
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF)
        length = 3;
    else if (lead >= 0xF0 && lead <= 0xF4)
        length = 4;
    if (length == 0 || i + length > s.size())
        return 0;
    for (size_t k = 1; k < length; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 0;
    }
    return length;
}

char32_t decode_at(std::string_view s, size_t i, size_t length)
{
    const auto byte = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
    switch (length) {
    case 2: return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3: return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    case 4: return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    default: return byte(0);
    }
}

bool is_line_break(char32_t c)
{
    return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x85 ||
           c == 0x2028 || c == 0x2029;
}

// Python's str.isprintable() for the code points that matter in practice:
// controls, separators other than ' ', and common format characters.
// NOTE: unassigned and private-use code points count as printable here,
// although Python escapes them in repr().
bool is_printable(char32_t c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD)
        return false;
    if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
        (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF)
        return false;
    return !(c >= 0xD800 && c <= 0xDFFF);
}

bool is_ascii_letter(char32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char32_t to_upper(char32_t c)
{
    return (c >= 'a' && c <= 'z') ? c - 32 : c;
}

char32_t to_lower(char32_t c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

std::string map_code_points(std::string_view s, char32_t (*mapping)(char32_t))
{
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte < 0x80 ? static_cast<char>(mapping(byte)) : c;
    }
    return out;
}

void append_hex(std::string& out, const char* format, unsigned value)
{
    char buffer[16];
    std::snprintf(buffer, sizeof(buffer), format, value);
    out += buffer;
}

// Splits on whitespace runs from the left, at most `max_split` times.
std::vector<std::string> split_whitespace(const std::u32string& cps, int64_t max_split)
{
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < cps.size()) {
        while (i < cps.size() && is_space(cps[i]))
            ++i;
        if (i == cps.size())
            break;
        if (max_split >= 0 && static_cast<int64_t>(parts.size()) == max_split) {
            size_t end = cps.size();
            while (end > i && is_space(cps[end - 1]))
                --end;
            parts.push_back(encode(std::u32string_view(cps).substr(i, end - i)));
            return parts;
        }
        const size_t start = i;
        while (i < cps.size() && !is_space(cps[i]))
            ++i;
        parts.push_back(encode(std::u32string_view(cps).substr(start, i - start)));
    }
    return parts;
}

} // namespace

std::u32string decode(std::string_view utf8)
{
    std::u32string out;
    out.reserve(utf8.size());
    for (size_t i = 0; i < utf8.size();) {
        const size_t length = sequence_length(utf8, i);
        if (length == 0) {
            out += kEscapedByteBase + static_cast<unsigned char>(utf8[i]);
            ++i;
            continue;
        }
        out += decode_at(utf8, i, length);
        i += length;
    }
    return out;
}

void append_code_point(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

std::string encode(std::u32string_view code_points)
{
    std::string out;
    out.reserve(code_points.size());
    for (char32_t c : code_points) {
        // Bytes that were invalid UTF-8 come back as themselves.
        if (c >= kEscapedByteBase + 0x80 && c <= kEscapedByteBase + 0xFF)
            out += static_cast<char>(c - kEscapedByteBase);
        else
            append_code_point(out, c);
    }
    return out;
}

size_t length(std::string_view utf8)
{
    size_t count = 0;
    for (size_t i = 0; i < utf8.size();) {
        const size_t step = sequence_length(utf8, i);
        i += step == 0 ? 1 : step;
        ++count;
    }
    return count;
}

bool is_ascii(std::string_view text)
{
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    }
    return true;
}

std::vector<size_t> code_point_offsets(std::string_view utf8)
{
    std::vector<size_t> offsets;
    offsets.reserve(utf8.size() + 1);
    for (size_t i = 0; i < utf8.size();) {
        offsets.push_back(i);
        const size_t step = sequence_length(utf8, i);
        i += step == 0 ? 1 : step;
    }
    offsets.push_back(utf8.size());
    return offsets;
}

bool is_space(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string strip(std::string_view s, const std::string* chars, bool left, bool right)
{
    const std::u32string cps = decode(s);
    const std::u32string set = chars ? decode(*chars) : std::u32string();
    const auto strippable = [&](char32_t c) { return chars ? set.find(c) != std::u32string::npos : is_space(c); };
    size_t begin = 0;
    size_t end = cps.size();
    while (left && begin < end && strippable(cps[begin]))
        ++begin;
    while (right && end > begin && strippable(cps[end - 1]))
        --end;
    if (begin == 0 && end == cps.size())
        return std::string(s);
    return encode(std::u32string_view(cps).substr(begin, end - begin));
}

std::vector<std::string> split(std::string_view s, const std::string* sep, int64_t max_split)
{
    if (!sep)
        return split_whitespace(decode(s), max_split);
    std::vector<std::string> parts;
    size_t start = 0;
    while (max_split < 0 || static_cast<int64_t>(parts.size()) < max_split) {
        const size_t found = s.find(*sep, start);
        if (found == std::string_view::npos)
            break;
        parts.emplace_back(s.substr(start, found - start));
        start = found + sep->size();
    }
    parts.emplace_back(s.substr(start));
    return parts;
}

std::vector<std::string> rsplit(std::string_view s, const std::string* sep, int64_t max_split)
{
    if (max_split < 0)
        return split(s, sep, max_split);
    std::vector<std::string> parts;
    if (!sep) {
        // Split from the right: reverse the code points, split, reverse back.
        std::u32string cps = decode(s);
        std::u32string reversed(cps.rbegin(), cps.rend());
        for (const std::string& part : split_whitespace(reversed, max_split)) {
            const std::u32string part_cps = decode(part);
            parts.insert(parts.begin(), encode(std::u32string(part_cps.rbegin(), part_cps.rend())));
        }
        return parts;
    }
    size_t end = s.size();
    while (static_cast<int64_t>(parts.size()) < max_split) {
        if (end < sep->size())
            break;
        const size_t found = s.rfind(*sep, end - sep->size());
        if (found == std::string_view::npos)
            break;
        parts.insert(parts.begin(), std::string(s.substr(found + sep->size(), end - found - sep->size())));
        end = found;
    }
    parts.insert(parts.begin(), std::string(s.substr(0, end)));
    return parts;
}

std::vector<std::string> split_lines(std::string_view s)
{
    const std::u32string cps = decode(s);
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t i = 0; i < cps.size(); ++i) {
        if (!is_line_break(cps[i]))
            continue;
        lines.push_back(encode(std::u32string_view(cps).substr(start, i - start)));
        if (cps[i] == '\r' && i + 1 < cps.size() && cps[i + 1] == '\n')
            ++i;
        start = i + 1;
    }
    if (start < cps.size())
        lines.push_back(encode(std::u32string_view(cps).substr(start)));
    return lines;
}

std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count)
{
    std::string out;
    if (from.empty()) {
        // Python inserts `to` before every code point and at the end.
        const std::vector<size_t> offsets = code_point_offsets(s);
        int64_t done = 0;
        for (size_t k = 0; k + 1 < offsets.size(); ++k) {
            if (count < 0 || done < count) {
                out += to;
                ++done;
            }
            out += s.substr(offsets[k], offsets[k + 1] - offsets[k]);
        }
        if (count < 0 || done < count)
            out += to;
        return out;
    }
    size_t start = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        const size_t found = s.find(from, start);
        if (found == std::string_view::npos)
            break;
        out += s.substr(start, found - start);
        out += to;
        start = found + from.size();
        ++done;
    }
    out += s.substr(start);
    return out;
}

size_t count(std::string_view s, std::string_view sub)
{
    if (sub.empty())
        return length(s) + 1;
    size_t found = 0;
    for (size_t at = s.find(sub); at != std::string_view::npos; at = s.find(sub, at + sub.size()))
        ++found;
    return found;
}

std::string upper(std::string_view s)
{
    return map_code_points(s, to_upper);
}

std::string lower(std::string_view s)
{
    return map_code_points(s, to_lower);
}

std::string swap_case(std::string_view s)
{
    return map_code_points(s, [](char32_t c) { return (c >= 'a' && c <= 'z') ? to_upper(c) : to_lower(c); });
}

std::string python_title(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    bool previous_cased = false;
    for (char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_ascii_letter(byte)) {
            out += static_cast<char>(previous_cased ? to_lower(byte) : to_upper(byte));
            previous_cased = true;
        } else {
            out += c;
            previous_cased = false;
        }
    }
    return out;
}

std::string jinja_title(std::string_view s)
{
    const auto separator = [](char c) {
        return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_space(static_cast<unsigned char>(c));
    };
    std::string out;
    out.reserve(s.size());
    bool word_start = true;
    for (char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        if (separator(c)) {
            out += c;
            word_start = true;
            continue;
        }
        out += static_cast<char>(word_start ? to_upper(byte) : to_lower(byte));
        word_start = false;
    }
    return out;
}

std::string capitalize(std::string_view s)
{
    std::string out = lower(s);
    if (!out.empty())
        out[0] = static_cast<char>(to_upper(static_cast<unsigned char>(out[0])));
    return out;
}

std::string format_float(double value)
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value < 0 ? "-inf" : "inf";

    // Shortest round-trip digits in scientific form, e.g. "-1.2345e+02".
    char buffer[64];
    const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value,
                                                      std::chars_format::scientific);
    const std::string_view sci(buffer, static_cast<size_t>(result.ptr - buffer));
    const size_t e_at = sci.find('e');
    std::string_view mantissa = sci.substr(0, e_at);
    const int exponent = std::atoi(std::string(sci.substr(e_at + 1)).c_str());
    const bool negative = !mantissa.empty() && mantissa[0] == '-';
    if (negative)
        mantissa.remove_prefix(1);
    std::string digits;
    for (char c : mantissa) {
        if (c != '.')
            digits += c;
    }

    // Python switches to exponent form when the exponent is < -4 or >= 16.
    std::string out = negative ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
        out += digits[0];
        if (digits.size() > 1) {
            out += '.';
            out += digits.substr(1);
        }
        char exponent_text[16];
        std::snprintf(exponent_text, sizeof(exponent_text), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        return out + exponent_text;
    }
    const int point = exponent + 1; // digits before the decimal point
    if (point <= 0) {
        out += "0." + std::string(static_cast<size_t>(-point), '0') + digits;
    } else if (static_cast<size_t>(point) >= digits.size()) {
        out += digits + std::string(static_cast<size_t>(point) - digits.size(), '0') + ".0";
    } else {
        out += digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
    }
    return out;
}

std::string repr_string(std::string_view s)
{
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char quote = (has_single && !has_double) ? '"' : '\'';
    std::string out(1, quote);
    for (char32_t c : decode(s)) {
        if (c == static_cast<char32_t>(quote) || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (is_printable(c)) {
            append_code_point(out, c);
        } else if (c < 0x100) {
            append_hex(out, "\\x%02x", static_cast<unsigned>(c));
        } else if (c < 0x10000) {
            append_hex(out, "\\u%04x", static_cast<unsigned>(c));
        } else {
            append_hex(out, "\\U%08x", static_cast<unsigned>(c));
        }
    }
    out += quote;
    return out;
}

std::string json_string(std::string_view s, bool ensure_ascii)
{
    std::string out = "\"";
    for (char32_t c : decode(s)) {
        switch (c) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        default: break;
        }
        if (c < 0x20) {
            append_hex(out, "\\u%04x", static_cast<unsigned>(c));
        } else if (c < 0x80 || !ensure_ascii) {
            append_code_point(out, c);
        } else if (c < 0x10000) {
            append_hex(out, "\\u%04x", static_cast<unsigned>(c));
        } else {
            const char32_t v = c - 0x10000;
            append_hex(out, "\\u%04x", static_cast<unsigned>(0xD800 + (v >> 10)));
            append_hex(out, "\\u%04x", static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
        }
    }
    out += '"';
    return out;
}

} // namespace quanta::jinja::text

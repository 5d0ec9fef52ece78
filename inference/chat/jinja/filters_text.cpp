// Filters on single values: strings, numbers and JSON.
#include "chat/jinja/builtins_internal.h"
#include "chat/jinja/json.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

namespace quanta::jinja {

namespace {

// Python's float(str): surrounding whitespace, a sign, digits with single
// underscores between them, a fraction, an exponent, or inf/infinity/nan.
std::optional<double> parse_python_float(const std::string& input)
{
    const std::string trimmed = text::strip(input, nullptr, true, true);
    std::string cleaned;
    size_t i = 0;
    if (i < trimmed.size() && (trimmed[i] == '+' || trimmed[i] == '-'))
        cleaned += trimmed[i++];
    const std::string rest = text::lower(trimmed.substr(i));
    if (rest == "inf" || rest == "infinity" || rest == "nan")
        return std::strtod((cleaned + rest).c_str(), nullptr);

    // digits [. digits] [e [sign] digits], with '_' only between digits.
    bool digits = false;
    bool exponent = false;
    char previous = 0;
    for (; i < trimmed.size(); ++i) {
        const char c = trimmed[i];
        if (c >= '0' && c <= '9') {
            digits = true;
            cleaned += c;
        } else if (c == '_') {
            if (!(previous >= '0' && previous <= '9') || i + 1 >= trimmed.size() || trimmed[i + 1] < '0' ||
                trimmed[i + 1] > '9')
                return std::nullopt;
        } else if (c == '.' && !exponent && cleaned.find('.') == std::string::npos) {
            cleaned += c;
        } else if ((c == 'e' || c == 'E') && digits && !exponent) {
            exponent = true;
            digits = false;
            cleaned += 'e';
            if (i + 1 < trimmed.size() && (trimmed[i + 1] == '+' || trimmed[i + 1] == '-'))
                cleaned += trimmed[++i];
        } else {
            return std::nullopt;
        }
        previous = c;
    }
    if (!digits)
        return std::nullopt;
    return std::strtod(cleaned.c_str(), nullptr);
}

int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

// Python's int(str, base) for bases 2 to 36, with the 0x/0o/0b prefix that
// matches the base.
std::optional<int64_t> parse_python_int(const std::string& input, int64_t base)
{
    const std::string trimmed = text::strip(input, nullptr, true, true);
    size_t i = 0;
    bool negative = false;
    if (i < trimmed.size() && (trimmed[i] == '+' || trimmed[i] == '-'))
        negative = trimmed[i++] == '-';
    if (i + 1 < trimmed.size() && trimmed[i] == '0') {
        const char prefix = static_cast<char>(trimmed[i + 1] | 0x20);
        if ((base == 16 && prefix == 'x') || (base == 8 && prefix == 'o') || (base == 2 && prefix == 'b'))
            i += 2;
    }
    uint64_t magnitude = 0;
    bool any = false;
    for (; i < trimmed.size(); ++i) {
        if (trimmed[i] == '_' && any && i + 1 < trimmed.size() && trimmed[i + 1] != '_')
            continue;
        const int digit = digit_value(trimmed[i]);
        if (digit >= base)
            return std::nullopt;
        if (__builtin_mul_overflow(magnitude, static_cast<uint64_t>(base), &magnitude) ||
            __builtin_add_overflow(magnitude, static_cast<uint64_t>(digit), &magnitude))
            throw EvalError("filter 'int': " + text::repr_string(input) + " is out of the 64-bit range");
        any = true;
    }
    if (!any)
        return std::nullopt;
    const uint64_t limit = negative ? uint64_t(1) << 63 : (uint64_t(1) << 63) - 1;
    if (magnitude > limit)
        throw EvalError("filter 'int': " + text::repr_string(input) + " is out of the 64-bit range");
    return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

// int(x) of a finite double, or nullopt when Python would raise.
std::optional<int64_t> truncate_double(double value)
{
    if (!std::isfinite(value))
        return std::nullopt;
    const double truncated = std::trunc(value);
    if (truncated < -9.2233720368547758e18 || truncated >= 9.2233720368547758e18)
        throw EvalError("filter 'int': " + text::format_float(value) + " is out of the 64-bit range");
    return static_cast<int64_t>(truncated);
}

std::string html_escape(const std::string& input)
{
    std::string out;
    out.reserve(input.size());
    for (char c : input) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c; break;
        }
    }
    return out;
}

} // namespace

Value filter_trim(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'trim'", args, {"chars"});
    const Value& chars = reader.get(0);
    if (!chars.is_undefined() && !chars.is_none() && !chars.is_string())
        throw EvalError("filter 'trim': chars must be a string, not " + type_name(chars));
    const std::string* set = chars.is_string() ? &chars.as_string() : nullptr;
    return in.make_string(text::strip(soft_string(input), set, true, true));
}

Value filter_upper(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'upper'", args, {});
    return in.make_string(text::upper(soft_string(input)));
}

Value filter_lower(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'lower'", args, {});
    return in.make_string(text::lower(soft_string(input)));
}

Value filter_title(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'title'", args, {});
    return in.make_string(text::jinja_title(soft_string(input)));
}

Value filter_capitalize(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'capitalize'", args, {});
    return in.make_string(text::capitalize(soft_string(input)));
}

Value filter_replace(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'replace'", args, {"old", "new", "count"});
    if (!reader.has(0) || !reader.has(1))
        throw EvalError("filter 'replace' needs the old and the new text");
    const std::string old_text = soft_string(reader.get(0));
    const std::string new_text = soft_string(reader.get(1));
    const int64_t count = reader.integer(2, -1);
    const std::string source = soft_string(input);

    // Check the size before building: a hostile replacement can multiply it.
    const size_t matches = old_text.empty() ? text::length(source) + 1 : text::count(source, old_text);
    const size_t replaced = count < 0 ? matches : std::min(matches, static_cast<size_t>(count));
    if (new_text.size() > old_text.size() &&
        replaced > in.options().limits.max_output_bytes / (new_text.size() - old_text.size() + 1))
        throw LimitError("filter 'replace': the result would exceed the limit of " +
                         std::to_string(in.options().limits.max_output_bytes) + " bytes");
    return in.make_string(text::replace(source, old_text, new_text, count));
}

// Jinja2's do_indent: indents every line but the first (and the first too
// with first=True); blank lines stay empty unless blank=True.
Value filter_indent(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'indent'", args, {"width", "first", "blank"});
    const Value& width = reader.get(0);
    std::string indentation = "    ";
    if (width.is_string())
        indentation = width.as_string();
    else if (!width.is_undefined())
        indentation = std::string(static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(reader.integer(0, 4), 256))), ' ');
    const bool first = reader.boolean(1, false);
    const bool blank = reader.boolean(2, false);

    const std::vector<std::string> lines = text::split_lines(soft_string(input) + "\n");
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            out += '\n';
            if (blank || !lines[i].empty())
                out += indentation;
        }
        out += lines[i];
        if (out.size() > in.options().limits.max_output_bytes)
            throw LimitError("filter 'indent': the result exceeds the size limit");
    }
    if (first)
        out = indentation + out;
    return in.make_string(std::move(out));
}

Value filter_center(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'center'", args, {"width"});
    const int64_t width = std::min<int64_t>(reader.integer(0, 80), 1 << 16);
    const std::string source = soft_string(input);
    const auto length = static_cast<int64_t>(text::length(source));
    if (width <= length)
        return in.make_string(source);
    // CPython's str.center: an odd margin puts its extra space on the left
    // when the width is odd too, and on the right otherwise.
    const int64_t margin = width - length;
    const int64_t left = margin / 2 + (margin & width & 1);
    return in.make_string(std::string(static_cast<size_t>(left), ' ') + source +
                          std::string(static_cast<size_t>(margin - left), ' '));
}

Value filter_wordcount(Interpreter&, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'wordcount'", args, {});
    // Words as Python's \w+ finds them; non-ASCII bytes count as word
    // characters, which holds for letters of other scripts.
    int64_t words = 0;
    bool in_word = false;
    for (char c : soft_string(input)) {
        const auto byte = static_cast<unsigned char>(c);
        const bool word = std::isalnum(byte) || c == '_' || byte >= 0x80;
        if (word && !in_word)
            ++words;
        in_word = word;
    }
    return Value::integer(words);
}

Value filter_format(Interpreter& in, const Value& input, Arguments& args)
{
    if (!args.positional.empty() && !args.keyword.empty())
        throw EvalError("filter 'format' takes positional or keyword arguments, not both");
    Value values;
    if (!args.keyword.empty()) {
        const DictPtr mapping = in.heap().dict();
        for (const auto& [name, value] : args.keyword)
            mapping->set(Value::string(name), value);
        values = Value::dict(mapping);
    } else {
        values = Value::list(in.heap().list(args.positional, true));
    }
    return in.make_string(percent_format(soft_string(input), values));
}

Value filter_string(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'string'", args, {});
    return input.is_string() ? input : in.make_string(soft_string(input));
}

Value filter_safe(Interpreter& in, const Value& input, Arguments& args)
{
    // Without autoescaping, marking text safe changes nothing but its type.
    ArgumentReader("filter 'safe'", args, {});
    return input.is_string() ? input : in.make_string(soft_string(input));
}

Value filter_escape(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'escape'", args, {});
    return in.make_string(html_escape(soft_string(input)));
}

// transformers' tojson: json.dumps(x, ensure_ascii=False, indent=None,
// separators=None, sort_keys=False), with those parameters in that order.
Value filter_tojson(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'tojson'", args, {"ensure_ascii", "indent", "separators", "sort_keys"});
    JsonStyle style;
    style.ensure_ascii = reader.boolean(0, false);
    const Value& indent = reader.get(1);
    if (indent.is_string())
        style.indent = indent.as_string();
    else if (indent.is_int() || indent.is_bool())
        style.indent = std::string(static_cast<size_t>(std::clamp<int64_t>(indent.as_int(), 0, 256)), ' ');
    else if (!indent.is_undefined() && !indent.is_none())
        throw EvalError("filter 'tojson': indent must be an integer or a string, not " + type_name(indent));
    if (style.indent)
        style.item_separator = std::string(1, ',');
    const Value& separators = reader.get(2);
    if (separators.is_list()) {
        const std::vector<Value>& pair = separators.as_list().items;
        if (pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
            throw EvalError("filter 'tojson': separators must be two strings, (item separator, key separator)");
        style.item_separator = pair[0].as_string();
        style.key_separator = pair[1].as_string();
    } else if (!separators.is_undefined() && !separators.is_none()) {
        throw EvalError("filter 'tojson': separators must be a tuple of two strings, not " + type_name(separators));
    }
    style.sort_keys = reader.boolean(3, false);
    return in.make_string(to_json(input, style));
}

Value filter_int(Interpreter&, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'int'", args, {"default", "base"});
    const Value fallback = reader.get(0, Value::integer(0));
    const int64_t base = reader.integer(1, 10);
    if (base < 2 || base > 36)
        throw EvalError("filter 'int': base must be from 2 to 36, not " + std::to_string(base));
    if (input.is_int() || input.is_bool())
        return Value::integer(input.as_int());
    if (input.is_float()) {
        const std::optional<int64_t> value = truncate_double(input.as_double());
        return value ? Value::integer(*value) : fallback;
    }
    if (input.is_string()) {
        // "42.23"|int is 42: a failed integer parse falls back to float.
        if (const std::optional<int64_t> value = parse_python_int(input.as_string(), base))
            return Value::integer(*value);
        if (const std::optional<double> number = parse_python_float(input.as_string())) {
            const std::optional<int64_t> value = truncate_double(*number);
            return value ? Value::integer(*value) : fallback;
        }
    }
    return fallback;
}

Value filter_float(Interpreter&, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'float'", args, {"default"});
    const Value fallback = reader.get(0, Value::number(0.0));
    if (input.is_number())
        return Value::number(input.as_double());
    if (input.is_string()) {
        if (const std::optional<double> number = parse_python_float(input.as_string()))
            return Value::number(*number);
    }
    return fallback;
}

Value filter_abs(Interpreter&, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'abs'", args, {});
    if (input.is_float())
        return Value::number(std::fabs(input.as_double()));
    if (input.is_int() || input.is_bool()) {
        const int64_t value = input.as_int();
        if (value == std::numeric_limits<int64_t>::min())
            throw EvalError("filter 'abs': the result does not fit in 64 bits");
        return Value::integer(value < 0 ? -value : value);
    }
    if (input.is_undefined())
        fail_undefined(input);
    throw EvalError("filter 'abs': bad operand type '" + type_name(input) + "'");
}

// Python's round(): the exact binary value is rounded to `precision`
// decimals, halves to the even neighbour. glibc's printf rounds the same
// way, so "%.*f" and strtod give Python's result.
Value filter_round(Interpreter&, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'round'", args, {"precision", "method"});
    const int64_t precision = std::clamp<int64_t>(reader.integer(0, 0), -308, 308);
    const std::string method = reader.string(1, "common");
    if (method != "common" && method != "ceil" && method != "floor")
        throw EvalError("filter 'round': method must be common, ceil or floor, not " + text::repr_string(method));
    if (!input.is_number()) {
        if (input.is_undefined())
            fail_undefined(input);
        throw EvalError("filter 'round': a number is required, not " + type_name(input));
    }
    if (method == "common" && !input.is_float()) {
        // round(int, -n) stays an int: to a multiple of 10^n, halves to even.
        const int64_t value = input.as_int();
        if (precision >= 0)
            return Value::integer(value);
        if (precision < -18)
            return Value::integer(0);
        int64_t unit = 1;
        for (int64_t i = 0; i < -precision; ++i)
            unit *= 10;
        int64_t quotient = value / unit;
        int64_t remainder = value % unit;
        if (remainder < 0) {
            quotient -= 1;
            remainder += unit;
        }
        if (remainder * 2 > unit || (remainder * 2 == unit && quotient % 2 != 0))
            quotient += 1;
        int64_t result = 0;
        if (__builtin_mul_overflow(quotient, unit, &result))
            throw EvalError("filter 'round': the result does not fit in 64 bits");
        return Value::integer(result);
    }

    const double value = input.as_double();
    if (method == "common" && precision >= 0 && std::isfinite(value)) {
        char buffer[512];
        std::snprintf(buffer, sizeof(buffer), "%.*f", static_cast<int>(std::min<int64_t>(precision, 300)), value);
        return Value::number(std::strtod(buffer, nullptr));
    }
    const double scale = std::pow(10.0, static_cast<double>(precision));
    const double scaled = value * scale;
    double rounded;
    if (method == "ceil")
        rounded = std::ceil(scaled);
    else if (method == "floor")
        rounded = std::floor(scaled);
    else
        rounded = std::nearbyint(scaled);
    return Value::number(rounded / scale);
}

Value filter_default(Interpreter&, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'default'", args, {"default_value", "boolean"});
    const bool use_default = input.is_undefined() || (reader.boolean(1, false) && !truthy(input));
    return use_default ? reader.get(0, Value::string(std::string())) : input;
}

Value filter_attr(Interpreter& in, const Value& input, Arguments& args)
{
    // Only attributes, never items: {{ {'a': 1}|attr('a') }} is undefined.
    const ArgumentReader reader("filter 'attr'", args, {"name"});
    const std::string name = reader.string(0, "");
    if (input.is_object())
        return input.as_object().get_attribute(name);
    if (input.is_undefined())
        fail_undefined(input);
    Value method = find_method(in, input, name);
    if (!method.is_undefined())
        return method;
    std::string hint(1, '\'');
    hint += type_name(input) + " object' has no attribute " + text::repr_string(name);
    return Value::undefined(std::move(hint));
}

} // namespace quanta::jinja

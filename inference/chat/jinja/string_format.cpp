// Python's str.format for templates that build text with it.
#include "chat/jinja/builtins_internal.h"
#include "chat/jinja/text.h"

#include <cstdio>

namespace quanta::jinja {

namespace {

// A parsed format spec: [[fill]align][sign][#][0][width][.precision][type].
struct FormatSpec {
    std::string fill = " ";
    char align = 0; // '<', '>', '^', '=' or 0 for the type's default
    char sign = '-';
    bool alternate = false;
    int width = 0;
    int precision = -1;
    char type = 0;
};

// The maximum width or precision, so that a spec cannot demand a gigabyte
// of padding.
constexpr int kMaxSpecNumber = 4096;

int parse_number(const std::string& spec, size_t& i)
{
    int value = 0;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
        value = value * 10 + (spec[i++] - '0');
        if (value > kMaxSpecNumber)
            throw EvalError("str.format(): width or precision above " + std::to_string(kMaxSpecNumber));
    }
    return value;
}

FormatSpec parse_spec(const std::string& spec)
{
    FormatSpec parsed;
    size_t i = 0;
    const std::u32string code_points = text::decode(spec);
    const auto is_align = [](char32_t c) { return c == '<' || c == '>' || c == '^' || c == '='; };
    if (code_points.size() >= 2 && is_align(code_points[1])) {
        parsed.fill = text::encode(code_points.substr(0, 1));
        parsed.align = static_cast<char>(code_points[1]);
        i = parsed.fill.size() + 1;
    } else if (!spec.empty() && is_align(static_cast<unsigned char>(spec[0]))) {
        parsed.align = spec[0];
        i = 1;
    }
    if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' '))
        parsed.sign = spec[i++];
    if (i < spec.size() && spec[i] == '#') {
        parsed.alternate = true;
        ++i;
    }
    if (i < spec.size() && spec[i] == '0') {
        if (parsed.align == 0) {
            parsed.fill = std::string(1, '0');
            parsed.align = '=';
        }
        ++i;
    }
    parsed.width = parse_number(spec, i);
    if (i < spec.size() && spec[i] == '.') {
        ++i;
        parsed.precision = parse_number(spec, i);
    }
    if (i < spec.size())
        parsed.type = spec[i++];
    if (i != spec.size())
        throw EvalError("str.format(): invalid format spec " + text::repr_string(spec));
    return parsed;
}

std::string pad(std::string body, const FormatSpec& spec, char default_align)
{
    const char align = spec.align ? spec.align : default_align;
    const auto length = static_cast<int>(text::length(body));
    if (length >= spec.width)
        return body;
    const int margin = spec.width - length;
    std::string fill;
    const auto repeat = [&](int count) {
        std::string out;
        for (int k = 0; k < count; ++k)
            out += spec.fill;
        return out;
    };
    switch (align) {
    case '<': return body + repeat(margin);
    case '^': return repeat(margin / 2) + body + repeat(margin - margin / 2);
    case '=': {
        // Padding goes between the sign and the digits: "-0042".
        const size_t sign = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) ? 1 : 0;
        return body.substr(0, sign) + repeat(margin) + body.substr(sign);
    }
    default: return repeat(margin) + body;
    }
}

std::string format_value(const Value& value, const FormatSpec& spec)
{
    char buffer[kMaxSpecNumber + 64];
    const std::string sign = spec.sign == '-' ? "" : std::string(1, spec.sign);
    const bool integer_type = spec.type == 'd' || spec.type == 'x' || spec.type == 'X' || spec.type == 'o' ||
                              spec.type == 'b' || spec.type == 'c';
    const bool float_type = spec.type == 'f' || spec.type == 'F' || spec.type == 'e' || spec.type == 'E' ||
                            spec.type == 'g' || spec.type == 'G' || spec.type == '%';

    // Integers: d, x, X, o, b, c, or no type.
    if ((value.is_int() || value.is_bool()) && (integer_type || (spec.type == 0 && !value.is_bool()))) {
        const int64_t number = value.as_int();
        if (spec.type == 'c') {
            if (number < 0 || number > 0x10FFFF)
                throw EvalError("str.format(): " + std::to_string(number) + " is not a Unicode code point");
            std::string out;
            text::append_code_point(out, static_cast<char32_t>(number));
            return pad(out, spec, '<');
        }
        const uint64_t magnitude = number < 0 ? 0 - static_cast<uint64_t>(number) : static_cast<uint64_t>(number);
        std::string digits;
        if (spec.type == 'b') {
            for (uint64_t rest = magnitude; rest > 0 || digits.empty(); rest >>= 1)
                digits.insert(digits.begin(), static_cast<char>('0' + (rest & 1)));
        } else {
            const char* conversion = "%llu";
            if (spec.type == 'x')
                conversion = "%llx";
            else if (spec.type == 'X')
                conversion = "%llX";
            else if (spec.type == 'o')
                conversion = "%llo";
            std::snprintf(buffer, sizeof(buffer), conversion, static_cast<unsigned long long>(magnitude));
            digits = buffer;
        }
        if (spec.alternate && spec.type && spec.type != 'd')
            digits = std::string("0") + (spec.type == 'X' ? 'X' : spec.type) + digits;
        return pad((number < 0 ? "-" : sign) + digits, spec, '>');
    }

    // Floats, and integers given a float type.
    if (value.is_number() && !value.is_bool() && (float_type || spec.type == 0)) {
        double number = value.as_double();
        if (spec.type == 0 && spec.precision < 0) {
            const std::string text = text::format_float(number);
            return pad(number < 0 ? text : sign + text, spec, '>');
        }
        const int precision = spec.precision < 0 ? 6 : spec.precision;
        char type = spec.type;
        if (type == 0)
            type = 'g';
        else if (type == '%')
            type = 'f';
        if (spec.type == '%')
            number *= 100;
        const std::string conversion = std::string("%") + (spec.alternate ? "#" : "") + "." +
                                       std::to_string(precision) + type;
        std::snprintf(buffer, sizeof(buffer), conversion.c_str(), number);
        std::string text = buffer;
        if (spec.type == '%')
            text += '%';
        return pad(number < 0 || text[0] == '-' ? text : sign + text, spec, '>');
    }

    if (spec.type != 0 && spec.type != 's')
        throw EvalError(std::string("str.format(): unknown format code '") + spec.type + "' for a value of type " +
                        type_name(value));
    std::string text = to_string(value);
    if (spec.precision >= 0) {
        const std::vector<size_t> offsets = text::code_point_offsets(text);
        if (static_cast<size_t>(spec.precision) + 1 < offsets.size())
            text.resize(offsets[static_cast<size_t>(spec.precision)]);
    }
    return pad(text, spec, '<');
}

// Resolves "0", "name", "0.attr", "name[key]" against the arguments.
Value resolve_field(Interpreter& in, const std::string& field, const Arguments& args, size_t& next_auto, int& numbering)
{
    size_t end = field.find_first_of(".[");
    const std::string head = field.substr(0, end);
    Value value;
    if (head.empty() || (head.find_first_not_of("0123456789") == std::string::npos)) {
        const int mode = head.empty() ? 1 : 2;
        if (numbering != 0 && numbering != mode)
            throw EvalError("str.format(): cannot switch between automatic and manual field numbering");
        numbering = mode;
        const size_t index = head.empty() ? next_auto++ : static_cast<size_t>(std::stoul(head.substr(0, 9)));
        if (index >= args.positional.size())
            throw EvalError("str.format(): replacement index " + std::to_string(index) + " out of range");
        value = args.positional[index];
    } else {
        bool found = false;
        for (const auto& [name, argument] : args.keyword) {
            if (name == head) {
                value = argument;
                found = true;
            }
        }
        if (!found)
            throw EvalError("str.format(): no argument named " + text::repr_string(head));
    }

    // .attribute and [key] lookups, as Python's formatter applies them.
    while (end != std::string::npos && end < field.size()) {
        if (field[end] == '.') {
            const size_t next = field.find_first_of(".[", end + 1);
            value = in.get_attribute(value, field.substr(end + 1, next == std::string::npos ? next : next - end - 1));
            end = next;
            continue;
        }
        const size_t close = field.find(']', end);
        if (close == std::string::npos)
            throw EvalError("str.format(): missing ']' in field " + text::repr_string(field));
        const std::string key = field.substr(end + 1, close - end - 1);
        const bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
        value = in.get_item(value, numeric ? Value::integer(std::stoll(key.substr(0, 18))) : Value::string(key));
        end = close + 1;
    }
    return value;
}

} // namespace

std::string python_format(Interpreter& in, const std::string& format, const Arguments& args)
{
    std::string out;
    size_t next_auto = 0;
    int numbering = 0; // 0 not decided, 1 automatic, 2 manual
    for (size_t i = 0; i < format.size(); ++i) {
        const char c = format[i];
        if (c == '}') {
            if (i + 1 < format.size() && format[i + 1] == '}') {
                out += '}';
                ++i;
                continue;
            }
            throw EvalError("str.format(): single '}' encountered in the format string");
        }
        if (c != '{') {
            out += c;
            continue;
        }
        if (i + 1 < format.size() && format[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }

        // {field!conversion:spec}
        const size_t close = format.find('}', i);
        if (close == std::string::npos)
            throw EvalError("str.format(): single '{' encountered in the format string");
        const std::string inside = format.substr(i + 1, close - i - 1);
        if (inside.find('{') != std::string::npos)
            throw EvalError("str.format(): nested replacement fields are not supported");
        const size_t colon = inside.find(':');
        std::string field = inside.substr(0, colon);
        const std::string spec = colon == std::string::npos ? std::string() : inside.substr(colon + 1);
        char conversion = 0;
        if (const size_t bang = field.find('!'); bang != std::string::npos) {
            if (bang + 2 != field.size() || std::string("rsa").find(field[bang + 1]) == std::string::npos)
                throw EvalError("str.format(): invalid conversion in " + text::repr_string(inside));
            conversion = field[bang + 1];
            field.resize(bang);
        }
        Value value = resolve_field(in, field, args, next_auto, numbering);
        if (conversion == 's')
            value = Value::string(to_string(value));
        else if (conversion == 'r' || conversion == 'a')
            value = Value::string(repr(value));
        out += format_value(value, parse_spec(spec));
        if (out.size() > in.options().limits.max_output_bytes)
            throw LimitError("str.format(): the result exceeds the size limit");
        i = close;
    }
    return out;
}

} // namespace quanta::jinja

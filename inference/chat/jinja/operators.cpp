#include "chat/jinja/operators.h"

#include "chat/jinja/interpreter.h"
#include "chat/jinja/text.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace quanta::jinja {

namespace {

const char* operator_symbol(ast::BinaryOp op)
{
    switch (op) {
    case ast::BinaryOp::Add: return "+";
    case ast::BinaryOp::Subtract: return "-";
    case ast::BinaryOp::Multiply: return "*";
    case ast::BinaryOp::Divide: return "/";
    case ast::BinaryOp::FloorDivide: return "//";
    case ast::BinaryOp::Modulo: return "%";
    case ast::BinaryOp::Power: return "**";
    case ast::BinaryOp::Concat: return "~";
    }
    return "?";
}

[[noreturn]] void unsupported_operands(ast::BinaryOp op, const Value& a, const Value& b)
{
    throw EvalError(std::string("unsupported operand type(s) for ") + operator_symbol(op) + ": '" + type_name(a) +
                    "' and '" + type_name(b) + "'");
}

[[noreturn]] void overflow(ast::BinaryOp op)
{
    throw EvalError(std::string("integer overflow in '") + operator_symbol(op) +
                    "': the result does not fit in 64 bits");
}

int64_t integer_power(int64_t base, int64_t exponent)
{
    int64_t result = 1;
    while (exponent > 0) {
        if ((exponent & 1) && __builtin_mul_overflow(result, base, &result))
            overflow(ast::BinaryOp::Power);
        exponent >>= 1;
        if (exponent > 0 && __builtin_mul_overflow(base, base, &base))
            overflow(ast::BinaryOp::Power);
    }
    return result;
}

Value integer_operation(ast::BinaryOp op, int64_t a, int64_t b)
{
    int64_t result = 0;
    switch (op) {
    case ast::BinaryOp::Add:
        if (__builtin_add_overflow(a, b, &result))
            overflow(op);
        return Value::integer(result);
    case ast::BinaryOp::Subtract:
        if (__builtin_sub_overflow(a, b, &result))
            overflow(op);
        return Value::integer(result);
    case ast::BinaryOp::Multiply:
        if (__builtin_mul_overflow(a, b, &result))
            overflow(op);
        return Value::integer(result);
    case ast::BinaryOp::Divide:
        if (b == 0)
            throw EvalError("division by zero");
        return Value::number(static_cast<double>(a) / static_cast<double>(b));
    case ast::BinaryOp::FloorDivide:
    case ast::BinaryOp::Modulo: {
        if (b == 0)
            throw EvalError("integer division or modulo by zero");
        if (a == std::numeric_limits<int64_t>::min() && b == -1)
            overflow(op);
        // Python rounds the quotient toward negative infinity, so the
        // remainder takes the sign of the divisor.
        int64_t quotient = a / b;
        int64_t remainder = a % b;
        if (remainder != 0 && ((remainder < 0) != (b < 0))) {
            quotient -= 1;
            remainder += b;
        }
        return Value::integer(op == ast::BinaryOp::FloorDivide ? quotient : remainder);
    }
    case ast::BinaryOp::Power:
        if (b < 0)
            return Value::number(std::pow(static_cast<double>(a), static_cast<double>(b)));
        return Value::integer(integer_power(a, b));
    case ast::BinaryOp::Concat: break;
    }
    return Value();
}

Value float_operation(ast::BinaryOp op, double a, double b)
{
    switch (op) {
    case ast::BinaryOp::Add: return Value::number(a + b);
    case ast::BinaryOp::Subtract: return Value::number(a - b);
    case ast::BinaryOp::Multiply: return Value::number(a * b);
    case ast::BinaryOp::Divide:
        if (b == 0)
            throw EvalError("float division by zero");
        return Value::number(a / b);
    case ast::BinaryOp::FloorDivide:
    case ast::BinaryOp::Modulo: {
        if (b == 0)
            throw EvalError("float modulo by zero");
        double remainder = std::fmod(a, b);
        if (remainder != 0 && ((b < 0) != (remainder < 0)))
            remainder += b;
        if (op == ast::BinaryOp::Modulo)
            return Value::number(remainder);
        return Value::number(std::floor((a - remainder) / b + 0.5));
    }
    case ast::BinaryOp::Power:
        if (a == 0 && b < 0)
            throw EvalError("0.0 cannot be raised to a negative power");
        return Value::number(std::pow(a, b));
    case ast::BinaryOp::Concat: break;
    }
    return Value();
}

Value repeat(Interpreter& interpreter, const Value& sequence, int64_t count)
{
    if (count < 0)
        count = 0;
    const auto times = static_cast<size_t>(count);
    if (sequence.is_string()) {
        const std::string& text = sequence.as_string();
        const size_t limit = interpreter.options().limits.max_output_bytes;
        if (!text.empty() && times > limit / text.size()) {
            throw LimitError("repeating a string of " + std::to_string(text.size()) + " bytes " +
                             std::to_string(count) + " times exceeds the limit of " + std::to_string(limit) +
                             " bytes");
        }
        std::string out;
        out.reserve(text.size() * times);
        for (size_t i = 0; i < times; ++i)
            out += text;
        return interpreter.make_string(std::move(out));
    }
    const List& list = sequence.as_list();
    const size_t limit = interpreter.options().limits.max_container_items;
    if (!list.items.empty() && times > limit / list.items.size())
        interpreter.check_items(limit + 1, "a repeated list");
    std::vector<Value> items;
    items.reserve(list.items.size() * times);
    for (size_t i = 0; i < times; ++i)
        items.insert(items.end(), list.items.begin(), list.items.end());
    return Value::list(interpreter.heap().list(std::move(items), list.is_tuple));
}

Value add(Interpreter& interpreter, const Value& a, const Value& b)
{
    if (a.is_string()) {
        if (!b.is_string())
            throw EvalError("can only concatenate str (not \"" + type_name(b) + "\") to str");
        return interpreter.make_string(a.as_string() + b.as_string());
    }
    if (a.is_list()) {
        if (!b.is_list() || a.as_list().is_tuple != b.as_list().is_tuple)
            throw EvalError("can only concatenate " + type_name(a) + " (not \"" + type_name(b) + "\") to " +
                            type_name(a));
        const std::vector<Value>& left = a.as_list().items;
        const std::vector<Value>& right = b.as_list().items;
        interpreter.check_items(left.size() + right.size(), "a concatenated list");
        std::vector<Value> items(left);
        items.insert(items.end(), right.begin(), right.end());
        return Value::list(interpreter.heap().list(std::move(items), a.as_list().is_tuple));
    }
    unsupported_operands(ast::BinaryOp::Add, a, b);
}

// One printf-style conversion of `format % arguments`.
std::string convert(char conversion, const std::string& flags, int width, int precision, const Value& value)
{
    std::string spec = "%" + flags;
    if (width >= 0)
        spec += std::to_string(width);
    if (precision >= 0) {
        spec += '.';
        spec += std::to_string(precision);
    }
    char buffer[512];
    switch (conversion) {
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o':
    case 'c': {
        if (!value.is_number())
            throw EvalError(std::string("%") + conversion + " format: a number is required, not " + type_name(value));
        const double real = value.as_double();
        if (value.is_float() && !(real > -9.2e18 && real < 9.2e18))
            throw EvalError(std::string("%") + conversion + " format: " + text::format_float(real) +
                            " is out of the 64-bit integer range");
        const int64_t number = value.is_float() ? static_cast<int64_t>(real) : value.as_int();
        if (conversion == 'c') {
            if (number < 0 || number > 0x10FFFF)
                throw EvalError("%c format: " + std::to_string(number) + " is not a Unicode code point");
            std::string out;
            text::append_code_point(out, static_cast<char32_t>(number));
            return out;
        }
        spec += std::string("ll") + (conversion == 'i' || conversion == 'u' ? 'd' : conversion);
        std::snprintf(buffer, sizeof(buffer), spec.c_str(), static_cast<long long>(number));
        return buffer;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
        if (!value.is_number())
            throw EvalError(std::string("%") + conversion + " format: a real number is required, not " +
                            type_name(value));
        spec += conversion;
        std::snprintf(buffer, sizeof(buffer), spec.c_str(), value.as_double());
        return buffer;
    default: break;
    }

    // %s, %r, %a: text, cut to the precision and padded to the width.
    std::string out = conversion == 's' ? to_string(value) : repr(value);
    if (precision >= 0) {
        const std::vector<size_t> offsets = text::code_point_offsets(out);
        if (static_cast<size_t>(precision) + 1 < offsets.size())
            out.resize(offsets[static_cast<size_t>(precision)]);
    }
    const size_t length = text::length(out);
    if (width > 0 && length < static_cast<size_t>(width)) {
        const std::string padding(static_cast<size_t>(width) - length, ' ');
        out = flags.find('-') != std::string::npos ? out + padding : padding + out;
    }
    return out;
}

} // namespace

Value binary_operation(Interpreter& interpreter, ast::BinaryOp op, const Value& a, const Value& b)
{
    // ~ converts both sides with str(); undefined becomes "".
    if (op == ast::BinaryOp::Concat)
        return interpreter.make_string(to_string(a) + to_string(b));
    if (a.is_undefined())
        fail_undefined(a);
    if (b.is_undefined())
        fail_undefined(b);

    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float())
            return float_operation(op, a.as_double(), b.as_double());
        return integer_operation(op, a.as_int(), b.as_int());
    }
    switch (op) {
    case ast::BinaryOp::Add: return add(interpreter, a, b);
    case ast::BinaryOp::Multiply:
        if ((a.is_string() || a.is_list()) && (b.is_int() || b.is_bool()))
            return repeat(interpreter, a, b.as_int());
        if ((b.is_string() || b.is_list()) && (a.is_int() || a.is_bool()))
            return repeat(interpreter, b, a.as_int());
        break;
    case ast::BinaryOp::Modulo:
        if (a.is_string())
            return interpreter.make_string(percent_format(a.as_string(), b));
        break;
    default: break;
    }
    unsupported_operands(op, a, b);
}

Value unary_operation(ast::ExprKind kind, const Value& operand)
{
    if (operand.is_undefined())
        fail_undefined(operand);
    const char* symbol = kind == ast::ExprKind::Negate ? "-" : "+";
    if (!operand.is_number())
        throw EvalError(std::string("bad operand type for unary ") + symbol + ": '" + type_name(operand) + "'");
    if (operand.is_float())
        return Value::number(kind == ast::ExprKind::Negate ? -operand.as_double() : operand.as_double());
    const int64_t value = operand.as_int();
    if (kind == ast::ExprKind::Plus)
        return Value::integer(value);
    if (value == std::numeric_limits<int64_t>::min())
        throw EvalError("integer overflow in unary '-': the result does not fit in 64 bits");
    return Value::integer(-value);
}

bool contains(Interpreter& interpreter, const Value& container, const Value& item)
{
    switch (container.kind()) {
    case Value::Kind::String:
        if (!item.is_string())
            throw EvalError("'in <string>' requires a string as the left operand, not " + type_name(item));
        return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::List: {
        const std::vector<Value>& items = container.as_list().items;
        interpreter.count_iterations(items.size());
        for (const Value& candidate : items) {
            if (equals(candidate, item))
                return true;
        }
        return false;
    }
    case Value::Kind::Dict:
        if (item.is_list() || item.is_dict())
            throw EvalError("unhashable type: '" + type_name(item) + "'");
        return container.as_dict().find(item) != nullptr;
    case Value::Kind::Undefined: return false;
    default: throw EvalError("argument of type '" + type_name(container) + "' is not iterable");
    }
}

Value slice(Interpreter& interpreter, const Value& object, const Value& start, const Value& stop, const Value& step)
{
    if (object.is_undefined())
        fail_undefined(object);
    for (const Value* bound : {&start, &stop, &step}) {
        if (!bound->is_none() && !bound->is_int() && !bound->is_bool())
            throw EvalError("slice indices must be integers or none, not " + type_name(*bound));
    }
    if (!object.is_string() && !object.is_list())
        return Value::undefined(std::string(1, '\'') + type_name(object) + " object' cannot be sliced");

    // Python's slice index adjustment (CPython's PySlice_AdjustIndices).
    const int64_t step_value = step.is_none() ? 1 : step.as_int();
    if (step_value == 0)
        throw EvalError("slice step cannot be zero");
    const std::vector<size_t> offsets =
        object.is_string() ? text::code_point_offsets(object.as_string()) : std::vector<size_t>();
    const auto length = static_cast<int64_t>(object.is_string() ? offsets.size() - 1 : object.as_list().items.size());
    const bool backward = step_value < 0;
    const int64_t lower = backward ? -1 : 0;
    const int64_t upper = backward ? length - 1 : length;
    const auto adjust = [&](const Value& bound, int64_t fallback) {
        if (bound.is_none())
            return fallback;
        int64_t index = bound.as_int();
        if (index < 0) {
            index += length;
            return index < lower ? lower : index;
        }
        return index > upper ? upper : index;
    };
    const int64_t first = adjust(start, backward ? upper : lower);
    const int64_t last = adjust(stop, backward ? lower : upper);

    // The selected positions; a step near the 64-bit limit ends the walk
    // instead of overflowing.
    std::vector<size_t> positions;
    for (int64_t i = first; backward ? i > last : i < last;) {
        positions.push_back(static_cast<size_t>(i));
        if (__builtin_add_overflow(i, step_value, &i))
            break;
    }
    if (object.is_string()) {
        const std::string& source = object.as_string();
        std::string out;
        for (size_t k : positions)
            out.append(source, offsets[k], offsets[k + 1] - offsets[k]);
        return interpreter.make_string(std::move(out));
    }
    const List& list = object.as_list();
    std::vector<Value> items;
    items.reserve(positions.size());
    for (size_t k : positions)
        items.push_back(list.items[k]);
    return Value::list(interpreter.heap().list(std::move(items), list.is_tuple));
}

std::string percent_format(const std::string& format, const Value& arguments)
{
    // A tuple supplies one value per conversion, a dict supplies %(name)s
    // values, and anything else is the single value.
    std::vector<Value> values;
    if (arguments.is_list() && arguments.as_list().is_tuple)
        values = arguments.as_list().items;
    else
        values.push_back(arguments);
    const Dict* mapping = arguments.is_dict() ? &arguments.as_dict() : nullptr;

    std::string out;
    size_t next = 0;
    bool used_mapping = false;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        const size_t start = i++;
        const auto at_end = [&] { return i >= format.size(); };
        if (at_end())
            throw EvalError("incomplete format: '%' at the end of the format string");

        // %(name)s takes the value from the dict.
        const Value* value = nullptr;
        if (format[i] == '(') {
            const size_t close = format.find(')', i);
            if (close == std::string::npos || !mapping)
                throw EvalError("format requires a mapping for '%(...)'");
            value = mapping->find(std::string_view(format).substr(i + 1, close - i - 1));
            if (!value)
                throw EvalError("format key '" + format.substr(i + 1, close - i - 1) + "' not found");
            used_mapping = true;
            i = close + 1;
        }
        std::string flags;
        while (!at_end() && std::string_view("-+ #0").find(format[i]) != std::string_view::npos)
            flags += format[i++];
        int width = -1;
        while (!at_end() && format[i] >= '0' && format[i] <= '9')
            width = std::max(width, 0) * 10 + (format[i++] - '0');
        int precision = -1;
        if (!at_end() && format[i] == '.') {
            ++i;
            precision = 0;
            while (!at_end() && format[i] >= '0' && format[i] <= '9')
                precision = precision * 10 + (format[i++] - '0');
        }
        if (width > 256 || precision > 256)
            throw EvalError("format width or precision above 256 in '" + format.substr(start, i - start) + "'");
        if (at_end())
            throw EvalError("incomplete format: '" + format.substr(start) + "'");
        const char conversion = format[i];
        if (conversion == '%') {
            out += '%';
            continue;
        }
        if (std::string_view("sradiuxXocfFeEgG").find(conversion) == std::string_view::npos)
            throw EvalError(std::string("unsupported format character '") + conversion + "'");
        if (!value) {
            if (next >= values.size())
                throw EvalError("not enough arguments for the format string");
            value = &values[next++];
        }
        out += convert(conversion, flags, width, precision, *value);
    }
    if (!used_mapping && !mapping && next < values.size())
        throw EvalError("not all arguments converted during string formatting");
    return out;
}

} // namespace quanta::jinja

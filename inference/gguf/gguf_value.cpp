// GgufValue conversions and display. The file parser is in gguf_reader.cpp.
#include "gguf/gguf_reader.h"

#include "core/error.h"
#include "gguf/utf8_check.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <string>

namespace quanta {

namespace {

// Strings longer than this are cut in displays: chat templates run to
// several kilobytes.
constexpr size_t kMaxDisplayStringBytes = 120;

std::string describe_key(std::string_view key)
{
    return "key '" + std::string(key) + "'";
}

[[noreturn]] void throw_wrong_type(std::string_view key, GgufValueType found, std::string_view expected)
{
    throw FormatError(describe_key(key) + " has type " + std::string(gguf_value_type_name(found)) + " but " +
                      std::string(expected) + " is required");
}

// Appends `text` in double quotes, escaping quotes, backslashes, control
// characters and bytes that are not valid UTF-8, and cutting it after
// kMaxDisplayStringBytes bytes.
void append_quoted(std::string& out, std::string_view text)
{
    out += '"';
    size_t position = 0;
    while (position < text.size() && position < kMaxDisplayStringBytes) {
        const auto byte = static_cast<uint8_t>(text[position]);
        const size_t length = gguf_detail::utf8_sequence_length(text, position);
        if (byte == '"' || byte == '\\') {
            out += '\\';
            out += static_cast<char>(byte);
        } else if (byte == '\n') {
            out += "\\n";
        } else if (byte == '\t') {
            out += "\\t";
        } else if (byte == '\r') {
            out += "\\r";
        } else if (byte < 0x20 || byte == 0x7F || length == 0) {
            char escaped[8];
            std::snprintf(escaped, sizeof(escaped), "\\x%02X", byte);
            out += escaped;
        } else {
            out.append(text.substr(position, length));
            position += length;
            continue;
        }
        ++position;
    }
    out += '"';
    if (position < text.size())
        out += "... (" + std::to_string(text.size()) + " bytes)";
}

// Shortest text that reads back as the same float32 or float64.
std::string format_float(GgufValueType type, double value)
{
    char buffer[64];
    std::to_chars_result result;
    if (type == GgufValueType::Float32)
        result = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<float>(value));
    else
        result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return std::string(buffer, result.ptr);
}

void append_display(std::string& out, const GgufValue& value, size_t max_items)
{
    switch (value.type) {
    case GgufValueType::Uint8:
    case GgufValueType::Uint16:
    case GgufValueType::Uint32:
    case GgufValueType::Uint64:
        out += std::to_string(std::get<uint64_t>(value.value));
        return;
    case GgufValueType::Int8:
    case GgufValueType::Int16:
    case GgufValueType::Int32:
    case GgufValueType::Int64:
        out += std::to_string(std::get<int64_t>(value.value));
        return;
    case GgufValueType::Float32:
    case GgufValueType::Float64:
        out += format_float(value.type, std::get<double>(value.value));
        return;
    case GgufValueType::Bool:
        out += std::get<bool>(value.value) ? "true" : "false";
        return;
    case GgufValueType::String:
        append_quoted(out, std::get<std::string>(value.value));
        return;
    case GgufValueType::Array: {
        const GgufArray& array = std::get<GgufArray>(value.value);
        out += '[';
        const size_t shown = std::min(array.items.size(), max_items);
        for (size_t i = 0; i < shown; ++i) {
            if (i > 0)
                out += ", ";
            append_display(out, array.items[i], max_items);
        }
        if (shown < array.items.size())
            out += (shown > 0 ? ", ... " : "... ") + std::to_string(array.items.size() - shown) + " more";
        out += ']';
        return;
    }
    }
    out += "?";
}

} // namespace

std::string_view gguf_value_type_name(GgufValueType type)
{
    switch (type) {
    case GgufValueType::Uint8: return "uint8";
    case GgufValueType::Int8: return "int8";
    case GgufValueType::Uint16: return "uint16";
    case GgufValueType::Int16: return "int16";
    case GgufValueType::Uint32: return "uint32";
    case GgufValueType::Int32: return "int32";
    case GgufValueType::Float32: return "float32";
    case GgufValueType::Bool: return "bool";
    case GgufValueType::String: return "string";
    case GgufValueType::Array: return "array";
    case GgufValueType::Uint64: return "uint64";
    case GgufValueType::Int64: return "int64";
    case GgufValueType::Float64: return "float64";
    }
    return "unknown";
}

bool GgufValue::is_integer() const
{
    return std::holds_alternative<uint64_t>(value) || std::holds_alternative<int64_t>(value);
}

bool GgufValue::is_float() const
{
    return std::holds_alternative<double>(value);
}

uint64_t GgufValue::as_uint(std::string_view key) const
{
    if (const auto* unsigned_value = std::get_if<uint64_t>(&value))
        return *unsigned_value;
    if (const auto* signed_value = std::get_if<int64_t>(&value)) {
        if (*signed_value < 0)
            throw FormatError(describe_key(key) + " is " + std::to_string(*signed_value) +
                              " but must be a non-negative integer");
        return static_cast<uint64_t>(*signed_value);
    }
    throw_wrong_type(key, type, "an unsigned integer");
}

int64_t GgufValue::as_int(std::string_view key) const
{
    if (const auto* signed_value = std::get_if<int64_t>(&value))
        return *signed_value;
    if (const auto* unsigned_value = std::get_if<uint64_t>(&value)) {
        if (*unsigned_value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw FormatError(describe_key(key) + " is " + std::to_string(*unsigned_value) +
                              " but must fit in int64");
        return static_cast<int64_t>(*unsigned_value);
    }
    throw_wrong_type(key, type, "an integer");
}

double GgufValue::as_float(std::string_view key) const
{
    if (const auto* float_value = std::get_if<double>(&value))
        return *float_value;
    if (const auto* unsigned_value = std::get_if<uint64_t>(&value))
        return static_cast<double>(*unsigned_value);
    if (const auto* signed_value = std::get_if<int64_t>(&value))
        return static_cast<double>(*signed_value);
    throw_wrong_type(key, type, "a number");
}

bool GgufValue::as_bool(std::string_view key) const
{
    if (const auto* bool_value = std::get_if<bool>(&value))
        return *bool_value;
    throw_wrong_type(key, type, "a bool");
}

const std::string& GgufValue::as_string(std::string_view key) const
{
    if (const auto* string_value = std::get_if<std::string>(&value))
        return *string_value;
    throw_wrong_type(key, type, "a string");
}

const GgufArray& GgufValue::as_array(std::string_view key) const
{
    if (const auto* array_value = std::get_if<GgufArray>(&value))
        return *array_value;
    throw_wrong_type(key, type, "an array");
}

std::string GgufValue::to_display_string(size_t max_items) const
{
    std::string out;
    append_display(out, *this, max_items);
    return out;
}

} // namespace quanta

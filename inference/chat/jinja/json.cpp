#include "chat/jinja/json.h"

#include "chat/jinja/text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace quanta::jinja {

namespace {

// JSON input and output nested deeper than this is rejected instead of
// overflowing the stack.
constexpr int kMaxJsonDepth = 512;

Value from_json_at(const nlohmann::ordered_json& json, Heap& heap, int depth)
{
    if (depth > kMaxJsonDepth)
        throw EvalError("JSON value nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    switch (json.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value::boolean(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value::integer(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
        const uint64_t value = json.get<uint64_t>();
        if (value > static_cast<uint64_t>(INT64_MAX))
            return Value::number(static_cast<double>(value));
        return Value::integer(static_cast<int64_t>(value));
    }
    case nlohmann::ordered_json::value_t::number_float: return Value::number(json.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value::string(json.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
        ListPtr list = heap.list();
        list->items.reserve(json.size());
        for (const auto& item : json)
            list->items.push_back(from_json_at(item, heap, depth + 1));
        return Value::list(std::move(list));
    }
    case nlohmann::ordered_json::value_t::object: {
        DictPtr dict = heap.dict();
        for (const auto& [key, item] : json.items())
            dict->set(Value::string(key), from_json_at(item, heap, depth + 1));
        return Value::dict(std::move(dict));
    }
    default: return Value::none();
    }
}

// Python's json.dumps of a float: repr(), with NaN and the infinities as
// JavaScript names.
std::string json_float(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value < 0 ? "-Infinity" : "Infinity";
    return text::format_float(value);
}

// The key text json.dumps writes for a dict key: strings as they are, and
// numbers, booleans and None converted as Python converts them.
std::string json_key(const Value& key)
{
    switch (key.kind()) {
    case Value::Kind::String: return key.as_string();
    case Value::Kind::Bool: return key.as_bool() ? "true" : "false";
    case Value::Kind::Int: return std::to_string(key.as_int());
    case Value::Kind::Float: return json_float(key.as_double());
    case Value::Kind::None: return "null";
    default: throw EvalError("keys must be str, int, float, bool or None, not " + type_name(key));
    }
}

class JsonWriter {
public:
    explicit JsonWriter(const JsonStyle& style) : style_(style) {}

    void write(const Value& value, int depth)
    {
        if (depth > kMaxJsonDepth)
            throw EvalError("tojson: value nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        switch (value.kind()) {
        case Value::Kind::None: out_ += "null"; return;
        case Value::Kind::Bool: out_ += value.as_bool() ? "true" : "false"; return;
        case Value::Kind::Int: out_ += std::to_string(value.as_int()); return;
        case Value::Kind::Float: out_ += json_float(value.as_double()); return;
        case Value::Kind::String: out_ += text::json_string(value.as_string(), style_.ensure_ascii); return;
        case Value::Kind::List: write_list(value.as_list(), depth); return;
        case Value::Kind::Dict: write_dict(value.as_dict(), depth); return;
        default: throw EvalError("Object of type " + type_name(value) + " is not JSON serializable");
        }
    }

    std::string take() { return std::move(out_); }

private:
    void enter(const void* container)
    {
        if (std::find(active_.begin(), active_.end(), container) != active_.end())
            throw EvalError("tojson: circular reference detected");
        active_.push_back(container);
    }

    void newline(int depth)
    {
        if (!style_.indent)
            return;
        out_ += '\n';
        for (int i = 0; i < depth; ++i)
            out_ += *style_.indent;
    }

    void write_list(const List& list, int depth)
    {
        if (list.items.empty()) {
            out_ += "[]";
            return;
        }
        enter(&list);
        out_ += '[';
        for (size_t i = 0; i < list.items.size(); ++i) {
            if (i > 0)
                out_ += style_.item_separator;
            newline(depth + 1);
            write(list.items[i], depth + 1);
        }
        newline(depth);
        out_ += ']';
        active_.pop_back();
    }

    void write_dict(const Dict& dict, int depth)
    {
        if (dict.entries.empty()) {
            out_ += "{}";
            return;
        }
        enter(&dict);
        std::vector<std::pair<std::string, const Value*>> entries;
        entries.reserve(dict.entries.size());
        for (const auto& [key, item] : dict.entries)
            entries.emplace_back(json_key(key), &item);
        if (style_.sort_keys) {
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
        }
        out_ += '{';
        for (size_t i = 0; i < entries.size(); ++i) {
            if (i > 0)
                out_ += style_.item_separator;
            newline(depth + 1);
            out_ += text::json_string(entries[i].first, style_.ensure_ascii);
            out_ += style_.key_separator;
            write(*entries[i].second, depth + 1);
        }
        newline(depth);
        out_ += '}';
        active_.pop_back();
    }

    const JsonStyle& style_;
    std::string out_;
    std::vector<const void*> active_;
};

} // namespace

Value from_json(const nlohmann::ordered_json& json, Heap& heap)
{
    return from_json_at(json, heap, 0);
}

std::string to_json(const Value& value, const JsonStyle& style)
{
    JsonWriter writer(style);
    writer.write(value, 0);
    return writer.take();
}

} // namespace quanta::jinja

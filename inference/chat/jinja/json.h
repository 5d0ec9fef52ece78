// JSON in and out of the interpreter: template variables arrive as JSON, and
// the tojson filter writes what Python's json.dumps writes, because chat
// templates are rendered by Hugging Face transformers with
// json.dumps(value, ensure_ascii=False, ...) as their tojson.
#pragma once

#include "chat/jinja/value.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace quanta::jinja {

// Converts JSON into interpreter values made on `heap`. Object key order is
// kept, as Python keeps it.
Value from_json(const nlohmann::ordered_json& json, Heap& heap);

// The arguments of Python's json.dumps that tojson passes on.
struct JsonStyle {
    std::optional<std::string> indent; // null: one line; else the text of one indent level
    std::string item_separator = ", ";  // ", " on one line, "," with indent, as Python's defaults
    std::string key_separator = ": ";
    bool sort_keys = false;
    bool ensure_ascii = false;
};

// Python's json.dumps(value). Throws EvalError for undefined values,
// namespaces and other objects ("Object of type X is not JSON serializable")
// and for a container that contains itself.
std::string to_json(const Value& value, const JsonStyle& style);

} // namespace quanta::jinja

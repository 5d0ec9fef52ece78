// Python methods of str, list and dict that templates call, such as
// content.strip(), message.get('tool_calls') and ns.items.append(x).
#include "chat/jinja/builtins_internal.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/objects.h"
#include "chat/jinja/text.h"

#include <algorithm>
#include <cctype>

namespace quanta::jinja {

namespace {

using Method = Value (*)(Interpreter& in, const Value& self, Arguments& args);

// A Python string index (code points) of a byte offset.
int64_t code_point_index(const std::string& s, size_t byte_offset)
{
    return static_cast<int64_t>(text::length(std::string_view(s).substr(0, byte_offset)));
}

const std::string* optional_string(const ArgumentReader& reader, size_t index)
{
    const Value& value = reader.get(index);
    if (value.is_undefined() || value.is_none())
        return nullptr;
    if (!value.is_string())
        throw EvalError(reader.callee() + ": expected a string, not " + type_name(value));
    return &value.as_string();
}

std::string required_string(const ArgumentReader& reader, size_t index)
{
    if (!reader.has(index))
        throw EvalError(reader.callee() + " is missing a required argument");
    const std::string* value = optional_string(reader, index);
    if (!value)
        throw EvalError(reader.callee() + ": expected a string, not None");
    return *value;
}

Value list_of_strings(Interpreter& in, std::vector<std::string> parts)
{
    std::vector<Value> items;
    items.reserve(parts.size());
    for (std::string& part : parts)
        items.push_back(Value::string(std::move(part)));
    in.check_items(items.size(), "a split string");
    return Value::list(in.heap().list(std::move(items)));
}

// ------------------------------------------------------------ str methods

Value str_strip(Interpreter& in, const Value& self, Arguments& args, bool left, bool right, const char* name)
{
    const ArgumentReader reader(std::string("str.") + name + "()", args, {"chars"});
    return in.make_string(text::strip(self.as_string(), optional_string(reader, 0), left, right));
}

Value str_strip_both(Interpreter& in, const Value& s, Arguments& a) { return str_strip(in, s, a, true, true, "strip"); }
Value str_lstrip(Interpreter& in, const Value& s, Arguments& a) { return str_strip(in, s, a, true, false, "lstrip"); }
Value str_rstrip(Interpreter& in, const Value& s, Arguments& a) { return str_strip(in, s, a, false, true, "rstrip"); }

Value str_affix(const Value& self, Arguments& args, bool prefix)
{
    const ArgumentReader reader(prefix ? "str.startswith()" : "str.endswith()", args, {"affix"});
    const Value& affix = reader.get(0);
    std::vector<Value> candidates;
    if (affix.is_list() && affix.as_list().is_tuple)
        candidates = affix.as_list().items;
    else
        candidates.push_back(affix);
    const std::string& s = self.as_string();
    for (const Value& candidate : candidates) {
        if (!candidate.is_string())
            throw EvalError(reader.callee() + ": expected a string or a tuple of strings, not " + type_name(candidate));
        const std::string& part = candidate.as_string();
        if (part.size() <= s.size() &&
            s.compare(prefix ? 0 : s.size() - part.size(), part.size(), part) == 0)
            return Value::boolean(true);
    }
    return Value::boolean(false);
}

Value str_startswith(Interpreter&, const Value& s, Arguments& a) { return str_affix(s, a, true); }
Value str_endswith(Interpreter&, const Value& s, Arguments& a) { return str_affix(s, a, false); }

Value str_split_impl(Interpreter& in, const Value& self, Arguments& args, bool from_right)
{
    const ArgumentReader reader(from_right ? "str.rsplit()" : "str.split()", args, {"sep", "maxsplit"});
    const std::string* sep = optional_string(reader, 0);
    if (sep && sep->empty())
        throw EvalError(reader.callee() + ": empty separator");
    const int64_t max_split = reader.integer(1, -1);
    return list_of_strings(in, from_right ? text::rsplit(self.as_string(), sep, max_split)
                                          : text::split(self.as_string(), sep, max_split));
}

Value str_split(Interpreter& in, const Value& s, Arguments& a) { return str_split_impl(in, s, a, false); }
Value str_rsplit(Interpreter& in, const Value& s, Arguments& a) { return str_split_impl(in, s, a, true); }

Value str_splitlines(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("str.splitlines()", args, {"keepends"});
    if (reader.boolean(0, false))
        throw EvalError("str.splitlines(keepends=True) is not supported");
    return list_of_strings(in, text::split_lines(self.as_string()));
}

Value str_case(Interpreter& in, const Value& self, Arguments& args, std::string (*mapping)(std::string_view),
               const char* name)
{
    ArgumentReader(std::string("str.") + name + "()", args, {});
    return in.make_string(mapping(self.as_string()));
}

Value str_upper(Interpreter& in, const Value& s, Arguments& a) { return str_case(in, s, a, text::upper, "upper"); }
Value str_lower(Interpreter& in, const Value& s, Arguments& a) { return str_case(in, s, a, text::lower, "lower"); }
Value str_title(Interpreter& in, const Value& s, Arguments& a) { return str_case(in, s, a, text::python_title, "title"); }
Value str_swapcase(Interpreter& in, const Value& s, Arguments& a) { return str_case(in, s, a, text::swap_case, "swapcase"); }

Value str_capitalize(Interpreter& in, const Value& s, Arguments& a)
{
    return str_case(in, s, a, text::capitalize, "capitalize");
}

Value str_replace(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("str.replace()", args, {"old", "new", "count"});
    const std::string old_text = required_string(reader, 0);
    const std::string new_text = required_string(reader, 1);
    const int64_t count = reader.integer(2, -1);
    const size_t matches = old_text.empty() ? text::length(self.as_string()) + 1 : text::count(self.as_string(), old_text);
    if (new_text.size() > old_text.size() &&
        matches > in.options().limits.max_output_bytes / (new_text.size() - old_text.size() + 1))
        throw LimitError("str.replace(): the result would exceed the limit of " +
                         std::to_string(in.options().limits.max_output_bytes) + " bytes");
    return in.make_string(text::replace(self.as_string(), old_text, new_text, count));
}

Value str_find_impl(const Value& self, Arguments& args, bool from_right, bool raise, const char* name)
{
    const ArgumentReader reader(std::string("str.") + name + "()", args, {"sub"});
    const std::string sub = required_string(reader, 0);
    const std::string& s = self.as_string();
    const size_t found = from_right ? s.rfind(sub) : s.find(sub);
    if (found == std::string::npos) {
        if (raise)
            throw EvalError(reader.callee() + ": substring not found");
        return Value::integer(-1);
    }
    return Value::integer(code_point_index(s, found));
}

Value str_find(Interpreter&, const Value& s, Arguments& a) { return str_find_impl(s, a, false, false, "find"); }
Value str_rfind(Interpreter&, const Value& s, Arguments& a) { return str_find_impl(s, a, true, false, "rfind"); }
Value str_index(Interpreter&, const Value& s, Arguments& a) { return str_find_impl(s, a, false, true, "index"); }
Value str_rindex(Interpreter&, const Value& s, Arguments& a) { return str_find_impl(s, a, true, true, "rindex"); }

Value str_count(Interpreter&, const Value& self, Arguments& args)
{
    const ArgumentReader reader("str.count()", args, {"sub"});
    return Value::integer(static_cast<int64_t>(text::count(self.as_string(), required_string(reader, 0))));
}

Value str_join(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("str.join()", args, {"iterable"});
    std::string out;
    size_t index = 0;
    for (const Value& item : in.iterate(reader.get(0), "str.join()")) {
        if (!item.is_string()) {
            throw EvalError("str.join(): sequence item " + std::to_string(index) + ": expected str instance, " +
                            type_name(item) + " found");
        }
        if (index++ > 0)
            out += self.as_string();
        out += item.as_string();
        if (out.size() > in.options().limits.max_output_bytes)
            throw LimitError("str.join(): the result exceeds the size limit");
    }
    return in.make_string(std::move(out));
}

Value str_predicate(const Value& self, Arguments& args, const char* name, int (*accept)(int))
{
    ArgumentReader(std::string("str.") + name + "()", args, {});
    const std::string& s = self.as_string();
    if (s.empty())
        return Value::boolean(false);
    return Value::boolean(std::all_of(s.begin(), s.end(), [&](char c) { return accept(static_cast<unsigned char>(c)) != 0; }));
}

Value str_isdigit(Interpreter&, const Value& s, Arguments& a) { return str_predicate(s, a, "isdigit", isdigit); }
Value str_isalpha(Interpreter&, const Value& s, Arguments& a) { return str_predicate(s, a, "isalpha", isalpha); }
Value str_isalnum(Interpreter&, const Value& s, Arguments& a) { return str_predicate(s, a, "isalnum", isalnum); }

Value str_isspace(Interpreter&, const Value& self, Arguments& args)
{
    ArgumentReader("str.isspace()", args, {});
    const std::u32string code_points = text::decode(self.as_string());
    return Value::boolean(!code_points.empty() &&
                          std::all_of(code_points.begin(), code_points.end(), [](char32_t c) { return text::is_space(c); }));
}

Value str_cased(const Value& self, Arguments& args, bool lower)
{
    ArgumentReader(lower ? "str.islower()" : "str.isupper()", args, {});
    bool cased = false;
    for (char c : self.as_string()) {
        if (lower ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'))
            return Value::boolean(false);
        cased = cased || std::isalpha(static_cast<unsigned char>(c));
    }
    return Value::boolean(cased);
}

Value str_islower(Interpreter&, const Value& s, Arguments& a) { return str_cased(s, a, true); }
Value str_isupper(Interpreter&, const Value& s, Arguments& a) { return str_cased(s, a, false); }

Value str_justify(Interpreter& in, const Value& self, Arguments& args, char align, const char* name)
{
    const ArgumentReader reader(std::string("str.") + name + "()", args, {"width", "fillchar"});
    const int64_t width = std::min<int64_t>(reader.integer(0, 0), 1 << 16);
    const std::string fill = reader.string(1, " ");
    if (text::length(fill) != 1)
        throw EvalError(reader.callee() + ": the fill character must be exactly one character long");
    const std::string& s = self.as_string();
    const auto length = static_cast<int64_t>(text::length(s));
    if (width <= length)
        return self;
    const int64_t margin = width - length;
    // CPython's centring puts the odd space on the left when the width is odd.
    int64_t left = margin / 2 + (margin & width & 1);
    if (align == '<')
        left = 0;
    else if (align == '>')
        left = margin;
    std::string out;
    for (int64_t i = 0; i < left; ++i)
        out += fill;
    out += s;
    for (int64_t i = left; i < margin; ++i)
        out += fill;
    return in.make_string(std::move(out));
}

Value str_center(Interpreter& in, const Value& s, Arguments& a) { return str_justify(in, s, a, '^', "center"); }
Value str_ljust(Interpreter& in, const Value& s, Arguments& a) { return str_justify(in, s, a, '<', "ljust"); }
Value str_rjust(Interpreter& in, const Value& s, Arguments& a) { return str_justify(in, s, a, '>', "rjust"); }

Value str_zfill(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("str.zfill()", args, {"width"});
    const int64_t width = std::min<int64_t>(reader.integer(0, 0), 1 << 16);
    std::string s = self.as_string();
    const auto length = static_cast<int64_t>(text::length(s));
    if (width <= length)
        return self;
    const size_t sign = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    s.insert(sign, std::string(static_cast<size_t>(width - length), '0'));
    return in.make_string(std::move(s));
}

Value str_partition_impl(Interpreter& in, const Value& self, Arguments& args, bool from_right)
{
    const ArgumentReader reader(from_right ? "str.rpartition()" : "str.partition()", args, {"sep"});
    const std::string sep = required_string(reader, 0);
    if (sep.empty())
        throw EvalError(reader.callee() + ": empty separator");
    const std::string& s = self.as_string();
    const size_t found = from_right ? s.rfind(sep) : s.find(sep);
    std::vector<Value> parts;
    if (found == std::string::npos) {
        const Value empty = Value::string(std::string());
        parts = from_right ? std::vector<Value>{empty, empty, self} : std::vector<Value>{self, empty, empty};
    } else {
        parts = {Value::string(s.substr(0, found)), Value::string(sep), Value::string(s.substr(found + sep.size()))};
    }
    return Value::list(in.heap().list(std::move(parts), true));
}

Value str_partition(Interpreter& in, const Value& s, Arguments& a) { return str_partition_impl(in, s, a, false); }
Value str_rpartition(Interpreter& in, const Value& s, Arguments& a) { return str_partition_impl(in, s, a, true); }

Value str_remove_affix(Interpreter& in, const Value& self, Arguments& args, bool prefix)
{
    const ArgumentReader reader(prefix ? "str.removeprefix()" : "str.removesuffix()", args, {"affix"});
    const std::string affix = required_string(reader, 0);
    const std::string& s = self.as_string();
    if (affix.empty() || affix.size() > s.size())
        return self;
    if (prefix && s.compare(0, affix.size(), affix) == 0)
        return in.make_string(s.substr(affix.size()));
    if (!prefix && s.compare(s.size() - affix.size(), affix.size(), affix) == 0)
        return in.make_string(s.substr(0, s.size() - affix.size()));
    return self;
}

Value str_removeprefix(Interpreter& in, const Value& s, Arguments& a) { return str_remove_affix(in, s, a, true); }
Value str_removesuffix(Interpreter& in, const Value& s, Arguments& a) { return str_remove_affix(in, s, a, false); }

Value str_format(Interpreter& in, const Value& self, Arguments& args)
{
    return in.make_string(python_format(in, self.as_string(), args));
}

} // namespace

// ---------------------------------------------------------- list and dict

namespace {

Value list_append(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("list.append()", args, {"item"});
    if (!reader.has(0))
        throw EvalError("list.append() takes exactly one argument");
    List& list = self.as_list();
    if (list.is_tuple)
        throw EvalError("'tuple' object has no attribute 'append'");
    in.check_items(list.items.size() + 1, "a list");
    list.items.push_back(reader.get(0));
    return Value::none();
}

Value list_extend(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("list.extend()", args, {"iterable"});
    std::vector<Value> items = in.iterate(reader.get(0), "list.extend()");
    List& list = self.as_list();
    in.check_items(list.items.size() + items.size(), "a list");
    list.items.insert(list.items.end(), items.begin(), items.end());
    return Value::none();
}

// Python's index normalisation for insert() and pop().
size_t list_position(int64_t index, size_t size, bool clamp)
{
    const auto length = static_cast<int64_t>(size);
    if (index < 0)
        index += length;
    if (clamp)
        return static_cast<size_t>(std::clamp<int64_t>(index, 0, length));
    if (index < 0 || index >= length)
        throw EvalError("list index out of range");
    return static_cast<size_t>(index);
}

Value list_insert(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("list.insert()", args, {"index", "item"});
    List& list = self.as_list();
    in.check_items(list.items.size() + 1, "a list");
    const size_t position = list_position(reader.integer(0, 0), list.items.size(), true);
    list.items.insert(list.items.begin() + static_cast<std::ptrdiff_t>(position), reader.get(1));
    return Value::none();
}

Value list_pop(Interpreter&, const Value& self, Arguments& args)
{
    const ArgumentReader reader("list.pop()", args, {"index"});
    List& list = self.as_list();
    if (list.items.empty())
        throw EvalError("pop from empty list");
    const size_t position = list_position(reader.integer(0, -1), list.items.size(), false);
    Value item = list.items[position];
    list.items.erase(list.items.begin() + static_cast<std::ptrdiff_t>(position));
    return item;
}

Value list_find(Interpreter& in, const Value& self, Arguments& args, const char* name, bool remove)
{
    const ArgumentReader reader(std::string("list.") + name + "()", args, {"item"});
    List& list = self.as_list();
    in.count_iterations(list.items.size());
    for (size_t i = 0; i < list.items.size(); ++i) {
        if (!equals(list.items[i], reader.get(0)))
            continue;
        if (!remove)
            return Value::integer(static_cast<int64_t>(i));
        list.items.erase(list.items.begin() + static_cast<std::ptrdiff_t>(i));
        return Value::none();
    }
    throw EvalError(reader.callee() + ": the item is not in the list");
}

Value list_index(Interpreter& in, const Value& s, Arguments& a) { return list_find(in, s, a, "index", false); }
Value list_remove(Interpreter& in, const Value& s, Arguments& a) { return list_find(in, s, a, "remove", true); }

Value list_count(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("list.count()", args, {"item"});
    const std::vector<Value>& items = self.as_list().items;
    in.count_iterations(items.size());
    return Value::integer(std::count_if(items.begin(), items.end(),
                                        [&](const Value& item) { return equals(item, reader.get(0)); }));
}

Value list_reverse(Interpreter&, const Value& self, Arguments& args)
{
    ArgumentReader("list.reverse()", args, {});
    std::reverse(self.as_list().items.begin(), self.as_list().items.end());
    return Value::none();
}

Value list_copy(Interpreter& in, const Value& self, Arguments& args)
{
    ArgumentReader("list.copy()", args, {});
    return Value::list(in.heap().list(self.as_list().items, self.as_list().is_tuple));
}

Value list_clear(Interpreter&, const Value& self, Arguments& args)
{
    ArgumentReader("list.clear()", args, {});
    self.as_list().items.clear();
    return Value::none();
}

Value dict_get(Interpreter&, const Value& self, Arguments& args)
{
    const ArgumentReader reader("dict.get()", args, {"key", "default"});
    const Value* found = self.as_dict().find(reader.get(0));
    return found ? *found : reader.get(1, Value::none());
}

Value dict_keys(Interpreter& in, const Value& self, Arguments& args)
{
    ArgumentReader("dict.keys()", args, {});
    std::vector<Value> keys;
    for (const auto& entry : self.as_dict().entries)
        keys.push_back(entry.first);
    return Value::list(in.heap().list(std::move(keys)));
}

Value dict_values(Interpreter& in, const Value& self, Arguments& args)
{
    ArgumentReader("dict.values()", args, {});
    std::vector<Value> values;
    for (const auto& entry : self.as_dict().entries)
        values.push_back(entry.second);
    return Value::list(in.heap().list(std::move(values)));
}

Value dict_items(Interpreter& in, const Value& self, Arguments& args)
{
    ArgumentReader("dict.items()", args, {});
    std::vector<Value> pairs;
    for (const auto& [key, value] : self.as_dict().entries)
        pairs.push_back(Value::list(in.heap().list({key, value}, true)));
    return Value::list(in.heap().list(std::move(pairs)));
}

Value dict_copy(Interpreter& in, const Value& self, Arguments& args)
{
    ArgumentReader("dict.copy()", args, {});
    const DictPtr copy = in.heap().dict();
    for (const auto& [key, value] : self.as_dict().entries)
        copy->set(key, value);
    return Value::dict(copy);
}

Value dict_update(Interpreter& in, const Value& self, Arguments& args)
{
    Dict& dict = self.as_dict();
    if (args.positional.size() > 1)
        throw EvalError("dict.update() takes at most 1 positional argument");
    if (!args.positional.empty()) {
        if (!args.positional.front().is_dict())
            throw EvalError("dict.update() takes a dict, not " + type_name(args.positional.front()));
        for (const auto& [key, value] : args.positional.front().as_dict().entries)
            dict.set(key, value);
    }
    for (const auto& [key, value] : args.keyword)
        dict.set(Value::string(key), value);
    in.check_items(dict.entries.size(), "a dict");
    return Value::none();
}

Value dict_pop(Interpreter&, const Value& self, Arguments& args)
{
    const ArgumentReader reader("dict.pop()", args, {"key", "default"});
    Dict& dict = self.as_dict();
    if (const Value* found = dict.find(reader.get(0))) {
        Value value = *found;
        dict.erase(reader.get(0));
        return value;
    }
    if (reader.has(1))
        return reader.get(1);
    throw EvalError("dict.pop(): key " + repr(reader.get(0)) + " not found");
}

Value dict_setdefault(Interpreter& in, const Value& self, Arguments& args)
{
    const ArgumentReader reader("dict.setdefault()", args, {"key", "default"});
    Dict& dict = self.as_dict();
    if (const Value* found = dict.find(reader.get(0)))
        return *found;
    const Value& key = reader.get(0);
    if (key.is_list() || key.is_dict() || key.is_undefined())
        throw EvalError("dict.setdefault(): unhashable key type '" + type_name(key) + "'");
    in.check_items(dict.entries.size() + 1, "a dict");
    dict.set(key, reader.get(1, Value::none()));
    return reader.get(1, Value::none());
}

Value dict_clear(Interpreter&, const Value& self, Arguments& args)
{
    ArgumentReader("dict.clear()", args, {});
    self.as_dict().release_references();
    return Value::none();
}

struct MethodEntry {
    std::string_view name;
    Method method;
};

constexpr MethodEntry kStringMethods[] = {
    {"strip", str_strip_both},   {"lstrip", str_lstrip},         {"rstrip", str_rstrip},
    {"startswith", str_startswith}, {"endswith", str_endswith},  {"split", str_split},
    {"rsplit", str_rsplit},      {"splitlines", str_splitlines}, {"upper", str_upper},
    {"lower", str_lower},        {"casefold", str_lower},        {"title", str_title},
    {"capitalize", str_capitalize}, {"swapcase", str_swapcase},  {"replace", str_replace},
    {"find", str_find},          {"rfind", str_rfind},           {"index", str_index},
    {"rindex", str_rindex},      {"count", str_count},           {"join", str_join},
    {"format", str_format},      {"isdigit", str_isdigit},       {"isalpha", str_isalpha},
    {"isalnum", str_isalnum},    {"isspace", str_isspace},       {"islower", str_islower},
    {"isupper", str_isupper},    {"center", str_center},         {"ljust", str_ljust},
    {"rjust", str_rjust},        {"zfill", str_zfill},           {"partition", str_partition},
    {"rpartition", str_rpartition}, {"removeprefix", str_removeprefix}, {"removesuffix", str_removesuffix},
};

constexpr MethodEntry kListMethods[] = {
    {"append", list_append}, {"extend", list_extend}, {"insert", list_insert}, {"pop", list_pop},
    {"remove", list_remove}, {"index", list_index},   {"count", list_count},   {"reverse", list_reverse},
    {"copy", list_copy},     {"clear", list_clear},
};

constexpr MethodEntry kDictMethods[] = {
    {"get", dict_get},   {"keys", dict_keys}, {"values", dict_values}, {"items", dict_items},
    {"copy", dict_copy}, {"update", dict_update}, {"pop", dict_pop},   {"setdefault", dict_setdefault},
    {"clear", dict_clear},
};

template <size_t N>
Method lookup(const MethodEntry (&table)[N], std::string_view name)
{
    for (const MethodEntry& entry : table) {
        if (entry.name == name)
            return entry.method;
    }
    return nullptr;
}

} // namespace

Value find_method(Interpreter& in, const Value& self, std::string_view name)
{
    Method method = nullptr;
    std::string type;
    if (self.is_string()) {
        method = lookup(kStringMethods, name);
        type = "str";
    } else if (self.is_list()) {
        // Tuples have only the methods that do not change them.
        method = lookup(kListMethods, name);
        if (self.as_list().is_tuple && name != "index" && name != "count")
            method = nullptr;
        type = type_name(self);
    } else if (self.is_dict()) {
        method = lookup(kDictMethods, name);
        type = "dict";
    }
    if (!method)
        return Value::undefined("'" + type_name(self) + " object' has no attribute '" + std::string(name) + "'");
    return Value::object(in.heap().make<NativeFunction>(
        type + "." + std::string(name),
        [method, self](Interpreter& interpreter, Arguments& args) { return method(interpreter, self, args); }));
}

} // namespace quanta::jinja

// Filters on sequences and mappings.
#include "chat/jinja/builtins_internal.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/text.h"

#include <algorithm>
#include <unordered_set>

namespace quanta::jinja {

namespace {

// Jinja2's ignore_case: strings compare lower-cased unless case-sensitive.
Value fold_case(Interpreter& in, const Value& value, bool case_sensitive)
{
    if (case_sensitive || !value.is_string())
        return value;
    return in.make_string(text::lower(value.as_string()));
}

// The key an item sorts, groups or de-duplicates by: the item itself, one
// attribute path, or a tuple of paths given as "a,b".
Value item_key(Interpreter& in, const Value& item, const std::vector<std::string>& attributes, bool case_sensitive)
{
    if (attributes.empty())
        return fold_case(in, item, case_sensitive);
    if (attributes.size() == 1)
        return fold_case(in, in.get_attribute_path(item, attributes[0]), case_sensitive);
    std::vector<Value> parts;
    for (const std::string& attribute : attributes)
        parts.push_back(fold_case(in, in.get_attribute_path(item, attribute), case_sensitive));
    return Value::list(in.heap().list(std::move(parts), true));
}

// Attribute paths as sort, unique, min and max take them: "a.b", or
// several separated by commas, or an integer index.
std::vector<std::string> attribute_list(const Value& attribute)
{
    std::vector<std::string> attributes;
    if (attribute.is_int()) {
        attributes.push_back(std::to_string(attribute.as_int()));
    } else if (attribute.is_string()) {
        const std::string comma = ",";
        for (std::string& name : text::split(attribute.as_string(), &comma, -1)) {
            if (!name.empty())
                attributes.push_back(std::move(name));
        }
    }
    return attributes;
}

// select, reject, selectattr and rejectattr: keep the items whose value
// (the item or its attribute) passes the test, or fails it for reject.
Value select_items(Interpreter& in, const Value& input, Arguments& args, bool by_attribute, bool keep_when,
                   const char* name)
{
    std::vector<Value> positional = args.positional;
    std::string attribute;
    if (by_attribute) {
        if (positional.empty() || !positional.front().is_string())
            throw EvalError(std::string("filter '") + name + "' needs an attribute name");
        attribute = positional.front().as_string();
        positional.erase(positional.begin());
    }
    std::string test;
    if (!positional.empty()) {
        if (!positional.front().is_string())
            throw EvalError(std::string("filter '") + name + "': the test name must be a string");
        test = positional.front().as_string();
        positional.erase(positional.begin());
    }

    std::vector<Value> kept;
    for (const Value& item : in.iterate(input, std::string("filter '") + name + "'")) {
        const Value value = by_attribute ? in.get_attribute_path(item, attribute) : item;
        bool passed;
        if (test.empty()) {
            passed = truthy(value);
        } else {
            Arguments test_args{positional, args.keyword};
            passed = in.apply_test(test, value, test_args);
        }
        if (passed == keep_when)
            kept.push_back(item);
    }
    return Value::list(in.heap().list(std::move(kept)));
}

Value extreme(Interpreter& in, const Value& input, Arguments& args, bool want_max)
{
    const char* name = want_max ? "filter 'max'" : "filter 'min'";
    const ArgumentReader reader(name, args, {"case_sensitive", "attribute"});
    const bool case_sensitive = reader.boolean(0, false);
    const std::vector<std::string> attributes = attribute_list(reader.get(1));
    const std::vector<Value> items = in.iterate(input, name);
    if (items.empty())
        return Value::undefined(std::string("No ") + (want_max ? "largest" : "smallest") + " item, sequence was empty.");
    size_t best = 0;
    Value best_key = item_key(in, items[0], attributes, case_sensitive);
    for (size_t i = 1; i < items.size(); ++i) {
        Value key = item_key(in, items[i], attributes, case_sensitive);
        if (want_max ? less_than(best_key, key) : less_than(key, best_key)) {
            best = i;
            best_key = std::move(key);
        }
    }
    return items[best];
}

} // namespace

Value filter_length(Interpreter&, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'length'", args, {});
    switch (input.kind()) {
    case Value::Kind::Undefined: return Value::integer(0);
    case Value::Kind::String: return Value::integer(static_cast<int64_t>(text::length(input.as_string())));
    case Value::Kind::List: return Value::integer(static_cast<int64_t>(input.as_list().items.size()));
    case Value::Kind::Dict: return Value::integer(static_cast<int64_t>(input.as_dict().entries.size()));
    default: throw EvalError("filter 'length': object of type '" + type_name(input) + "' has no len()");
    }
}

Value filter_join(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'join'", args, {"d", "attribute"});
    const std::string separator = soft_string(reader.get(0, Value::string(std::string())));
    const std::vector<std::string> attributes = attribute_list(reader.get(1));
    std::string out;
    bool first = true;
    for (const Value& item : in.iterate(input, "filter 'join'")) {
        if (!first)
            out += separator;
        first = false;
        out += soft_string(attributes.empty() ? item : in.get_attribute_path(item, attributes[0]));
        if (out.size() > in.options().limits.max_output_bytes)
            throw LimitError("filter 'join': the result exceeds the limit of " +
                             std::to_string(in.options().limits.max_output_bytes) + " bytes");
    }
    return in.make_string(std::move(out));
}

Value filter_first(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'first'", args, {});
    if (input.is_list())
        return input.as_list().items.empty() ? Value::undefined("No first item, sequence was empty.")
                                             : input.as_list().items.front();
    const std::vector<Value> items = in.iterate(input, "filter 'first'");
    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value filter_last(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'last'", args, {});
    if (input.is_list())
        return input.as_list().items.empty() ? Value::undefined("No last item, sequence was empty.")
                                             : input.as_list().items.back();
    const std::vector<Value> items = in.iterate(input, "filter 'last'");
    return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

Value filter_list(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'list'", args, {});
    return Value::list(in.heap().list(in.iterate(input, "filter 'list'")));
}

// map(attribute='name', default=x) or map('filter', arguments...).
Value filter_map(Interpreter& in, const Value& input, Arguments& args)
{
    std::vector<Value> items = in.iterate(input, "filter 'map'");
    if (args.positional.empty()) {
        Value attribute;
        Value fallback;
        for (const auto& [name, value] : args.keyword) {
            if (name == "attribute")
                attribute = value;
            else if (name == "default")
                fallback = value;
            else
                throw EvalError("filter 'map' got an unexpected keyword argument '" + name + "'");
        }
        if (attribute.is_undefined())
            throw EvalError("filter 'map' needs a filter name or attribute=");
        const std::vector<std::string> path = attribute_list(attribute);
        for (Value& item : items) {
            Value mapped = path.empty() ? Value::undefined("no attribute") : in.get_attribute_path(item, path[0]);
            item = (mapped.is_undefined() && !fallback.is_undefined()) ? fallback : std::move(mapped);
        }
        return Value::list(in.heap().list(std::move(items)));
    }

    if (!args.positional.front().is_string())
        throw EvalError("filter 'map': the filter name must be a string, not " + type_name(args.positional.front()));
    const std::string filter = args.positional.front().as_string();
    Arguments filter_args{std::vector<Value>(args.positional.begin() + 1, args.positional.end()), args.keyword};
    for (Value& item : items) {
        Arguments call_args = filter_args;
        item = in.apply_filter(filter, item, call_args);
    }
    return Value::list(in.heap().list(std::move(items)));
}

Value filter_select(Interpreter& in, const Value& input, Arguments& args)
{
    return select_items(in, input, args, false, true, "select");
}

Value filter_reject(Interpreter& in, const Value& input, Arguments& args)
{
    return select_items(in, input, args, false, false, "reject");
}

Value filter_selectattr(Interpreter& in, const Value& input, Arguments& args)
{
    return select_items(in, input, args, true, true, "selectattr");
}

Value filter_rejectattr(Interpreter& in, const Value& input, Arguments& args)
{
    return select_items(in, input, args, true, false, "rejectattr");
}

Value filter_unique(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'unique'", args, {"case_sensitive", "attribute"});
    const bool case_sensitive = reader.boolean(0, false);
    const std::vector<std::string> attributes = attribute_list(reader.get(1));
    std::vector<Value> kept;
    std::unordered_set<std::string> seen_strings;
    std::vector<Value> seen_others;
    for (const Value& item : in.iterate(input, "filter 'unique'")) {
        const Value key = item_key(in, item, attributes, case_sensitive);
        if (key.is_string()) {
            if (!seen_strings.insert(key.as_string()).second)
                continue;
        } else {
            const bool seen = std::any_of(seen_others.begin(), seen_others.end(),
                                          [&](const Value& other) { return equals(other, key); });
            if (seen)
                continue;
            seen_others.push_back(key);
        }
        kept.push_back(item);
    }
    return Value::list(in.heap().list(std::move(kept)));
}

Value filter_reverse(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'reverse'", args, {});
    if (input.is_string()) {
        std::u32string code_points = text::decode(input.as_string());
        std::reverse(code_points.begin(), code_points.end());
        return in.make_string(text::encode(code_points));
    }
    std::vector<Value> items = in.iterate(input, "filter 'reverse'");
    std::reverse(items.begin(), items.end());
    return Value::list(in.heap().list(std::move(items)));
}

Value filter_sort(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'sort'", args, {"reverse", "case_sensitive", "attribute"});
    const bool reverse = reader.boolean(0, false);
    const bool case_sensitive = reader.boolean(1, false);
    const std::vector<std::string> attributes = attribute_list(reader.get(2));

    // Sort (key, item) pairs stably; reverse=True keeps equal items in
    // their original order, as Python's sorted() does.
    std::vector<std::pair<Value, Value>> keyed;
    for (Value& item : in.iterate(input, "filter 'sort'"))
        keyed.emplace_back(item_key(in, item, attributes, case_sensitive), std::move(item));
    std::stable_sort(keyed.begin(), keyed.end(), [reverse](const auto& a, const auto& b) {
        return reverse ? less_than(b.first, a.first) : less_than(a.first, b.first);
    });
    std::vector<Value> items;
    items.reserve(keyed.size());
    for (auto& entry : keyed)
        items.push_back(std::move(entry.second));
    return Value::list(in.heap().list(std::move(items)));
}

Value filter_items(Interpreter& in, const Value& input, Arguments& args)
{
    ArgumentReader("filter 'items'", args, {});
    std::vector<Value> pairs;
    if (input.is_undefined())
        return Value::list(in.heap().list());
    if (!input.is_dict())
        throw EvalError("filter 'items': can only get item pairs from a mapping, not " + type_name(input));
    in.count_iterations(input.as_dict().entries.size());
    for (const auto& [key, value] : input.as_dict().entries)
        pairs.push_back(Value::list(in.heap().list({key, value}, true)));
    return Value::list(in.heap().list(std::move(pairs)));
}

Value filter_dictsort(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'dictsort'", args, {"case_sensitive", "by", "reverse"});
    const bool case_sensitive = reader.boolean(0, false);
    const std::string by = reader.string(1, "key");
    const bool reverse = reader.boolean(2, false);
    if (by != "key" && by != "value")
        throw EvalError("filter 'dictsort': you can only sort by either 'key' or 'value', not " +
                        text::repr_string(by));
    if (!input.is_dict())
        throw EvalError("filter 'dictsort': a dict is required, not " + type_name(input));
    std::vector<std::pair<Value, Value>> keyed;
    in.count_iterations(input.as_dict().entries.size());
    for (const auto& [key, value] : input.as_dict().entries) {
        Value sort_key = fold_case(in, by == "key" ? key : value, case_sensitive);
        keyed.emplace_back(std::move(sort_key), Value::list(in.heap().list({key, value}, true)));
    }
    std::stable_sort(keyed.begin(), keyed.end(), [reverse](const auto& a, const auto& b) {
        return reverse ? less_than(b.first, a.first) : less_than(a.first, b.first);
    });
    std::vector<Value> pairs;
    for (auto& entry : keyed)
        pairs.push_back(std::move(entry.second));
    return Value::list(in.heap().list(std::move(pairs)));
}

Value filter_sum(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'sum'", args, {"attribute", "start"});
    const std::vector<std::string> attributes = attribute_list(reader.get(0));
    Value total = reader.get(1, Value::integer(0));
    for (const Value& item : in.iterate(input, "filter 'sum'")) {
        const Value value = attributes.empty() ? item : in.get_attribute_path(item, attributes[0]);
        total = binary_operation(in, ast::BinaryOp::Add, total, value);
    }
    return total;
}

Value filter_min(Interpreter& in, const Value& input, Arguments& args)
{
    return extreme(in, input, args, false);
}

Value filter_max(Interpreter& in, const Value& input, Arguments& args)
{
    return extreme(in, input, args, true);
}

Value filter_batch(Interpreter& in, const Value& input, Arguments& args)
{
    const ArgumentReader reader("filter 'batch'", args, {"linecount", "fill_with"});
    const int64_t size = reader.integer(0, 0);
    if (size <= 0)
        throw EvalError("filter 'batch': linecount must be a positive integer");
    std::vector<Value> batches;
    std::vector<Value> current;
    for (Value& item : in.iterate(input, "filter 'batch'")) {
        current.push_back(std::move(item));
        if (static_cast<int64_t>(current.size()) == size) {
            batches.push_back(Value::list(in.heap().list(std::move(current))));
            current.clear();
        }
    }
    if (!current.empty()) {
        if (reader.has(1)) {
            while (static_cast<int64_t>(current.size()) < size)
                current.push_back(reader.get(1));
        }
        batches.push_back(Value::list(in.heap().list(std::move(current))));
    }
    return Value::list(in.heap().list(std::move(batches)));
}

} // namespace quanta::jinja

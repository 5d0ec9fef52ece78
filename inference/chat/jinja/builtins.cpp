// The tables of filters and tests, the tests themselves, and the global
// functions of a chat template.
#include "chat/jinja/builtins.h"

#include "chat/jinja/builtins_internal.h"
#include "chat/jinja/objects.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/text.h"

#include <chrono>
#include <ctime>

namespace quanta::jinja {

namespace {

// Jinja2's sandbox rejects larger ranges, and so does this interpreter.
constexpr int64_t kMaxRange = 100'000;

// ------------------------------------------------------------------- tests

const Value& test_argument(Arguments& args, const char* name)
{
    const ArgumentReader reader(std::string("test '") + name + "'", args, {"other"});
    if (!reader.has(0))
        throw EvalError(std::string("test '") + name + "' needs a value to compare with");
    return args.positional.empty() ? args.keyword.front().second : args.positional.front();
}

bool no_arguments(Arguments& args, const char* name)
{
    ArgumentReader(std::string("test '") + name + "'", args, {});
    return true;
}

bool test_defined(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "defined") && !v.is_undefined(); }
bool test_undefined(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "undefined") && v.is_undefined(); }
bool test_none(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "none") && v.is_none(); }
bool test_string(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "string") && v.is_string(); }
bool test_number(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "number") && v.is_number(); }
bool test_integer(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "integer") && v.is_int(); }
bool test_float(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "float") && v.is_float(); }
bool test_mapping(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "mapping") && v.is_dict(); }
bool test_boolean(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "boolean") && v.is_bool(); }
bool test_true(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "true") && v.is_bool() && v.as_bool(); }
bool test_false(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "false") && v.is_bool() && !v.as_bool(); }
bool test_escaped(Interpreter&, const Value&, Arguments& a) { return !no_arguments(a, "escaped"); }

// Jinja2 calls iter() and len(): undefined passes both, as in Python.
bool test_iterable(Interpreter&, const Value& v, Arguments& a)
{
    return no_arguments(a, "iterable") && (v.is_string() || v.is_list() || v.is_dict() || v.is_undefined());
}

bool test_sequence(Interpreter&, const Value& v, Arguments& a)
{
    return no_arguments(a, "sequence") && (v.is_string() || v.is_list() || v.is_dict() || v.is_undefined());
}

bool test_callable(Interpreter&, const Value& v, Arguments& a)
{
    return no_arguments(a, "callable") && v.is_object() && v.as_object().is_callable();
}

bool divisible(Interpreter& in, const Value& value, const Value& divisor)
{
    return equals(binary_operation(in, ast::BinaryOp::Modulo, value, divisor), Value::integer(0));
}

bool test_odd(Interpreter& in, const Value& v, Arguments& a)
{
    return no_arguments(a, "odd") && !divisible(in, v, Value::integer(2));
}

bool test_even(Interpreter& in, const Value& v, Arguments& a)
{
    return no_arguments(a, "even") && divisible(in, v, Value::integer(2));
}

bool test_divisibleby(Interpreter& in, const Value& v, Arguments& a)
{
    const ArgumentReader reader("test 'divisibleby'", a, {"num"});
    return divisible(in, v, reader.get(0));
}

bool test_equal(Interpreter&, const Value& v, Arguments& a) { return equals(v, test_argument(a, "eq")); }
bool test_not_equal(Interpreter&, const Value& v, Arguments& a) { return !equals(v, test_argument(a, "ne")); }
bool test_less(Interpreter&, const Value& v, Arguments& a) { return less_than(v, test_argument(a, "lt")); }
bool test_greater(Interpreter&, const Value& v, Arguments& a) { return less_than(test_argument(a, "gt"), v); }

bool test_less_equal(Interpreter&, const Value& v, Arguments& a)
{
    const Value& other = test_argument(a, "le");
    return less_than(v, other) || equals(v, other);
}

bool test_greater_equal(Interpreter&, const Value& v, Arguments& a)
{
    const Value& other = test_argument(a, "ge");
    return less_than(other, v) || equals(v, other);
}

bool test_in(Interpreter& in, const Value& v, Arguments& a)
{
    return contains(in, test_argument(a, "in"), v);
}

// Python's `is`: the same object. Scalars compare by value, as CPython's
// shared None, True, False and small integers make them behave.
bool test_sameas(Interpreter&, const Value& v, Arguments& a)
{
    const Value& other = test_argument(a, "sameas");
    if (v.kind() != other.kind())
        return false;
    switch (v.kind()) {
    case Value::Kind::List: return v.list_ptr() == other.list_ptr();
    case Value::Kind::Dict: return v.dict_ptr() == other.dict_ptr();
    case Value::Kind::Object: return v.object_ptr() == other.object_ptr();
    case Value::Kind::String: return v.string_ptr() == other.string_ptr() || v.as_string() == other.as_string();
    default: return equals(v, other);
    }
}

// str.islower() / str.isupper(): some cased letter, and none of the other case.
bool has_case(const Value& v, bool lower)
{
    if (!v.is_string())
        return false;
    bool cased = false;
    for (char c : v.as_string()) {
        if ((lower && c >= 'A' && c <= 'Z') || (!lower && c >= 'a' && c <= 'z'))
            return false;
        cased = cased || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    return cased;
}

bool test_lower(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "lower") && has_case(v, true); }
bool test_upper(Interpreter&, const Value& v, Arguments& a) { return no_arguments(a, "upper") && has_case(v, false); }

bool test_filter(Interpreter&, const Value& v, Arguments& a)
{
    return no_arguments(a, "filter") && v.is_string() && find_filter(v.as_string()) != nullptr;
}

bool test_test(Interpreter&, const Value& v, Arguments& a)
{
    return no_arguments(a, "test") && v.is_string() && find_test(v.as_string()) != nullptr;
}

// ----------------------------------------------------------------- globals

Value global_range(Interpreter& in, Arguments& args)
{
    const ArgumentReader reader("range()", args, {"start", "stop", "step"});
    if (!args.keyword.empty())
        throw EvalError("range() takes no keyword arguments");
    int64_t start = 0;
    int64_t stop = 0;
    if (args.positional.size() == 1) {
        stop = reader.integer(0, 0);
    } else if (args.positional.size() >= 2) {
        start = reader.integer(0, 0);
        stop = reader.integer(1, 0);
    } else {
        throw EvalError("range() needs at least one argument");
    }
    const int64_t step = reader.integer(2, 1);
    if (step == 0)
        throw EvalError("range() arg 3 must not be zero");

    // Count the items first, so that a huge range is refused before any is made.
    const long double span = static_cast<long double>(stop) - static_cast<long double>(start);
    const long double count = span / static_cast<long double>(step);
    if (count > static_cast<long double>(kMaxRange))
        throw LimitError("range(): more than " + std::to_string(kMaxRange) +
                         " items, above the limit that Jinja2's sandbox also sets");
    std::vector<Value> items;
    for (int64_t value = start; step > 0 ? value < stop : value > stop;) {
        items.push_back(Value::integer(value));
        if (__builtin_add_overflow(value, step, &value))
            break;
    }
    return Value::list(in.heap().list(std::move(items)));
}

// dict(mapping or pairs, **kwargs) and namespace(...) take the same arguments.
void collect_mapping(Interpreter& in, Arguments& args, const char* name,
                     std::vector<std::pair<Value, Value>>& entries)
{
    if (args.positional.size() > 1)
        throw EvalError(std::string(name) + " takes at most 1 positional argument");
    if (!args.positional.empty()) {
        const Value& source = args.positional.front();
        if (source.is_dict()) {
            entries = source.as_dict().entries;
        } else {
            for (const Value& pair : in.iterate(source, name)) {
                if (!pair.is_list() || pair.as_list().items.size() != 2)
                    throw EvalError(std::string(name) + ": each item must be a pair of key and value");
                entries.emplace_back(pair.as_list().items[0], pair.as_list().items[1]);
            }
        }
    }
    for (const auto& [key, value] : args.keyword)
        entries.emplace_back(Value::string(key), value);
}

Value global_dict(Interpreter& in, Arguments& args)
{
    std::vector<std::pair<Value, Value>> entries;
    collect_mapping(in, args, "dict()", entries);
    const DictPtr dict = in.heap().dict();
    for (auto& [key, value] : entries) {
        if (key.is_list() || key.is_dict() || key.is_undefined())
            throw EvalError("dict(): unhashable key type '" + type_name(key) + "'");
        dict->set(std::move(key), std::move(value));
    }
    return Value::dict(dict);
}

Value global_namespace(Interpreter& in, Arguments& args)
{
    std::vector<std::pair<Value, Value>> entries;
    collect_mapping(in, args, "namespace()", entries);
    const std::shared_ptr<Namespace> ns = in.heap().make<Namespace>();
    for (auto& [key, value] : entries) {
        if (!key.is_string())
            throw EvalError("namespace(): attribute names must be strings, not " + type_name(key));
        ns->set_attribute(key.as_string(), std::move(value));
    }
    return Value::object(ns);
}

Value global_raise_exception(Interpreter&, Arguments& args)
{
    const ArgumentReader reader("raise_exception()", args, {"message"});
    throw RaisedError(to_string(reader.get(0)));
}

// transformers' strftime_now: datetime.now().strftime(format), which calls
// the C library's strftime on Linux.
Value global_strftime_now(Interpreter& in, Arguments& args)
{
    const ArgumentReader reader("strftime_now()", args, {"format"});
    const std::string format = reader.string(0, "");
    if (format.size() > 256)
        throw EvalError("strftime_now(): the format is longer than 256 bytes");
    std::tm now{};
    if (in.options().now) {
        now = in.options().now();
    } else {
        const std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        localtime_r(&seconds, &now);
    }
    if (format.empty())
        return Value::string(std::string());
    std::string buffer(format.size() * 16 + 64, '\0');
    const size_t written = std::strftime(buffer.data(), buffer.size(), format.c_str(), &now);
    buffer.resize(written);
    return in.make_string(std::move(buffer));
}

template <class Function>
struct Entry {
    std::string_view name;
    Function function;
};

constexpr Entry<FilterFunction> kFilters[] = {
    {"abs", filter_abs},           {"attr", filter_attr},
    {"batch", filter_batch},       {"capitalize", filter_capitalize},
    {"center", filter_center},     {"count", filter_length},
    {"d", filter_default},         {"default", filter_default},
    {"dictsort", filter_dictsort}, {"e", filter_escape},
    {"escape", filter_escape},     {"first", filter_first},
    {"float", filter_float},       {"forceescape", filter_escape},
    {"format", filter_format},     {"indent", filter_indent},
    {"int", filter_int},           {"items", filter_items},
    {"join", filter_join},         {"last", filter_last},
    {"length", filter_length},     {"list", filter_list},
    {"lower", filter_lower},       {"map", filter_map},
    {"max", filter_max},           {"min", filter_min},
    {"reject", filter_reject},     {"rejectattr", filter_rejectattr},
    {"replace", filter_replace},   {"reverse", filter_reverse},
    {"round", filter_round},       {"safe", filter_safe},
    {"select", filter_select},     {"selectattr", filter_selectattr},
    {"sort", filter_sort},         {"string", filter_string},
    {"sum", filter_sum},           {"title", filter_title},
    {"tojson", filter_tojson},     {"trim", filter_trim},
    {"unique", filter_unique},     {"upper", filter_upper},
    {"wordcount", filter_wordcount},
};

constexpr Entry<TestFunction> kTests[] = {
    {"boolean", test_boolean},   {"callable", test_callable},  {"defined", test_defined},
    {"divisibleby", test_divisibleby}, {"eq", test_equal},     {"equalto", test_equal},
    {"==", test_equal},          {"escaped", test_escaped},    {"even", test_even},
    {"false", test_false},       {"filter", test_filter},      {"float", test_float},
    {"ge", test_greater_equal},  {">=", test_greater_equal},   {"gt", test_greater},
    {"greaterthan", test_greater}, {">", test_greater},        {"in", test_in},
    {"integer", test_integer},   {"iterable", test_iterable},  {"le", test_less_equal},
    {"<=", test_less_equal},     {"lower", test_lower},        {"lt", test_less},
    {"lessthan", test_less},     {"<", test_less},             {"mapping", test_mapping},
    {"ne", test_not_equal},      {"!=", test_not_equal},       {"none", test_none},
    {"number", test_number},     {"odd", test_odd},            {"sameas", test_sameas},
    {"sequence", test_sequence}, {"string", test_string},      {"test", test_test},
    {"true", test_true},         {"undefined", test_undefined}, {"upper", test_upper},
};

} // namespace

FilterFunction find_filter(std::string_view name)
{
    for (const auto& entry : kFilters) {
        if (entry.name == name)
            return entry.function;
    }
    return nullptr;
}

TestFunction find_test(std::string_view name)
{
    for (const auto& entry : kTests) {
        if (entry.name == name)
            return entry.function;
    }
    return nullptr;
}

void install_globals(Interpreter& in, Scope& scope)
{
    const auto define = [&](const char* name, NativeFunction::Body body) {
        scope.set(name, Value::object(in.heap().make<NativeFunction>(name, std::move(body))));
    };
    define("range", global_range);
    define("dict", global_dict);
    define("namespace", global_namespace);
    define("raise_exception", global_raise_exception);
    define("strftime_now", global_strftime_now);
}

} // namespace quanta::jinja

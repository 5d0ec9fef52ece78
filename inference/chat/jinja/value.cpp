#include "chat/jinja/value.h"

#include "chat/jinja/text.h"

#include <algorithm>
#include <cmath>

namespace quanta::jinja {

namespace {

// Deeper nesting than this in equality, ordering or repr() is an error
// rather than a stack overflow.
constexpr int kMaxNesting = 512;

const std::string& empty_string()
{
    static const std::string empty;
    return empty;
}

void check_depth(int depth, const char* operation)
{
    if (depth > kMaxNesting) {
        throw EvalError(std::string(operation) + " of values nested deeper than " + std::to_string(kMaxNesting) +
                        " levels");
    }
}

bool equals_at(const Value& a, const Value& b, int depth);

bool lists_equal(const List& a, const List& b, int depth)
{
    if (&a == &b)
        return true;
    if (a.items.size() != b.items.size())
        return false;
    for (size_t i = 0; i < a.items.size(); ++i) {
        if (!equals_at(a.items[i], b.items[i], depth + 1))
            return false;
    }
    return true;
}

bool dicts_equal(const Dict& a, const Dict& b, int depth)
{
    if (&a == &b)
        return true;
    if (a.entries.size() != b.entries.size())
        return false;
    for (const auto& [key, value] : a.entries) {
        const Value* other = b.find(key);
        if (!other || !equals_at(value, *other, depth + 1))
            return false;
    }
    return true;
}

bool equals_at(const Value& a, const Value& b, int depth)
{
    check_depth(depth, "comparison");
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float())
            return a.as_double() == b.as_double();
        return a.as_int() == b.as_int();
    }
    if (a.kind() != b.kind())
        return false;
    switch (a.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return true;
    case Value::Kind::String: return a.as_string() == b.as_string();
    case Value::Kind::List: return a.as_list().is_tuple == b.as_list().is_tuple && lists_equal(a.as_list(), b.as_list(), depth);
    case Value::Kind::Dict: return dicts_equal(a.as_dict(), b.as_dict(), depth);
    case Value::Kind::Object: return a.object_ptr() == b.object_ptr();
    default: return false;
    }
}

bool less_at(const Value& a, const Value& b, int depth)
{
    check_depth(depth, "comparison");
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float())
            return a.as_double() < b.as_double();
        return a.as_int() < b.as_int();
    }
    if (a.is_string() && b.is_string())
        return a.as_string() < b.as_string();
    if (a.is_undefined())
        fail_undefined(a);
    if (b.is_undefined())
        fail_undefined(b);
    if (a.is_list() && b.is_list() && a.as_list().is_tuple == b.as_list().is_tuple) {
        const std::vector<Value>& left = a.as_list().items;
        const std::vector<Value>& right = b.as_list().items;
        for (size_t i = 0; i < left.size() && i < right.size(); ++i) {
            if (!equals_at(left[i], right[i], depth + 1))
                return less_at(left[i], right[i], depth + 1);
        }
        return left.size() < right.size();
    }
    throw EvalError("'<' is not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

// repr() with the containers being printed on `active`: Python prints a
// container that contains itself as [...] or {...}.
void repr_into(std::string& out, const Value& value, std::vector<const void*>& active, int depth)
{
    check_depth(depth, "printing");
    switch (value.kind()) {
    case Value::Kind::String: out += text::repr_string(value.as_string()); return;
    case Value::Kind::List: {
        const List& list = value.as_list();
        if (std::find(active.begin(), active.end(), &list) != active.end()) {
            out += list.is_tuple ? "(...)" : "[...]";
            return;
        }
        active.push_back(&list);
        out += list.is_tuple ? '(' : '[';
        for (size_t i = 0; i < list.items.size(); ++i) {
            if (i > 0)
                out += ", ";
            repr_into(out, list.items[i], active, depth + 1);
        }
        if (list.is_tuple && list.items.size() == 1)
            out += ',';
        out += list.is_tuple ? ')' : ']';
        active.pop_back();
        return;
    }
    case Value::Kind::Dict: {
        const Dict& dict = value.as_dict();
        if (std::find(active.begin(), active.end(), &dict) != active.end()) {
            out += "{...}";
            return;
        }
        active.push_back(&dict);
        out += '{';
        for (size_t i = 0; i < dict.entries.size(); ++i) {
            if (i > 0)
                out += ", ";
            repr_into(out, dict.entries[i].first, active, depth + 1);
            out += ": ";
            repr_into(out, dict.entries[i].second, active, depth + 1);
        }
        out += '}';
        active.pop_back();
        return;
    }
    case Value::Kind::Object: {
        const Object& object = value.as_object();
        if (std::find(active.begin(), active.end(), &object) != active.end()) {
            out += "<...>";
            return;
        }
        active.push_back(&object);
        object.write_repr(out, [&](const Value& item) { repr_into(out, item, active, depth + 1); });
        active.pop_back();
        return;
    }
    case Value::Kind::Undefined: out += "Undefined"; return;
    default: out += to_string(value); return;
    }
}

} // namespace

Value::Value() : data_(UndefinedData{}) {}

Value Value::undefined(std::string hint)
{
    return Value(UndefinedData{std::make_shared<const std::string>(std::move(hint))});
}

Value Value::none()
{
    return Value(NoneData{});
}

Value Value::boolean(bool value)
{
    return Value(Data(std::in_place_type<bool>, value));
}

Value Value::integer(int64_t value)
{
    return Value(Data(std::in_place_type<int64_t>, value));
}

Value Value::number(double value)
{
    return Value(Data(std::in_place_type<double>, value));
}

Value Value::string(std::string value)
{
    return Value(Data(std::make_shared<const std::string>(std::move(value))));
}

Value Value::string(StringPtr value)
{
    return Value(Data(std::move(value)));
}

Value Value::list(ListPtr value)
{
    return Value(Data(std::move(value)));
}

Value Value::dict(DictPtr value)
{
    return Value(Data(std::move(value)));
}

Value Value::object(ObjectPtr value)
{
    return Value(Data(std::move(value)));
}

int64_t Value::as_int() const
{
    if (is_bool())
        return as_bool() ? 1 : 0;
    return std::get<int64_t>(data_);
}

double Value::as_double() const
{
    return is_float() ? std::get<double>(data_) : static_cast<double>(as_int());
}

const std::string& Value::undefined_hint() const
{
    const StringPtr& hint = std::get<UndefinedData>(data_).hint;
    return hint ? *hint : empty_string();
}

const Value* Dict::find(std::string_view key) const
{
    const auto found = string_index_.find(std::string(key));
    return found == string_index_.end() ? nullptr : &entries[found->second].second;
}

const Value* Dict::find(const Value& key) const
{
    if (key.is_string())
        return find(key.as_string());
    for (const auto& entry : entries) {
        if (!entry.first.is_string() && equals(entry.first, key))
            return &entry.second;
    }
    return nullptr;
}

void Dict::set(Value key, Value value)
{
    if (const Value* existing = find(key)) {
        *const_cast<Value*>(existing) = std::move(value);
        return;
    }
    if (key.is_string())
        string_index_.emplace(key.as_string(), entries.size());
    entries.emplace_back(std::move(key), std::move(value));
}

bool Dict::erase(const Value& key)
{
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (it->first.is_string() == key.is_string() && equals(it->first, key)) {
            entries.erase(it);
            reindex();
            return true;
        }
    }
    return false;
}

void Dict::reindex()
{
    string_index_.clear();
    for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].first.is_string())
            string_index_.emplace(entries[i].first.as_string(), i);
    }
}

void Dict::release_references()
{
    entries.clear();
    string_index_.clear();
}

Value Object::get_attribute(std::string_view name)
{
    std::string hint(1, '\'');
    hint += type_name() + " object' has no attribute '" + std::string(name) + "'";
    return Value::undefined(std::move(hint));
}

bool Object::set_attribute(std::string_view, Value)
{
    return false;
}

Value Object::call(Interpreter&, Arguments&)
{
    throw EvalError("'" + type_name() + "' object is not callable");
}

std::string Object::to_string() const
{
    std::string text(1, '<');
    text += type_name() + " object>";
    return text;
}

void Object::write_repr(std::string& out, const std::function<void(const Value&)>&) const
{
    out += to_string();
}

ListPtr Heap::list(std::vector<Value> items, bool is_tuple)
{
    ListPtr list = make<List>();
    list->items = std::move(items);
    list->is_tuple = is_tuple;
    return list;
}

DictPtr Heap::dict()
{
    return make<Dict>();
}

void Heap::track(std::weak_ptr<Collectable> object)
{
    // Forget objects that are gone, so the list grows with live objects only.
    if (objects_.size() >= prune_at_) {
        std::erase_if(objects_, [](const std::weak_ptr<Collectable>& entry) { return entry.expired(); });
        prune_at_ = std::max<size_t>(1024, objects_.size() * 2);
    }
    objects_.push_back(std::move(object));
}

void Heap::release_all()
{
    // Releasing one object can free others; their entries just expire.
    std::vector<std::weak_ptr<Collectable>> objects = std::move(objects_);
    objects_.clear();
    for (const std::weak_ptr<Collectable>& entry : objects) {
        if (const std::shared_ptr<Collectable> object = entry.lock())
            object->release_references();
    }
}

bool truthy(const Value& value)
{
    switch (value.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return false;
    case Value::Kind::Bool: return value.as_bool();
    case Value::Kind::Int: return value.as_int() != 0;
    case Value::Kind::Float: return value.as_double() != 0.0;
    case Value::Kind::String: return !value.as_string().empty();
    case Value::Kind::List: return !value.as_list().items.empty();
    case Value::Kind::Dict: return !value.as_dict().entries.empty();
    case Value::Kind::Object: return true;
    }
    return false;
}

bool equals(const Value& a, const Value& b)
{
    return equals_at(a, b, 0);
}

bool less_than(const Value& a, const Value& b)
{
    return less_at(a, b, 0);
}

std::string to_string(const Value& value)
{
    switch (value.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::None: return "None";
    case Value::Kind::Bool: return value.as_bool() ? "True" : "False";
    case Value::Kind::Int: return std::to_string(value.as_int());
    case Value::Kind::Float: return text::format_float(value.as_double());
    case Value::Kind::String: return value.as_string();
    case Value::Kind::Object:
    case Value::Kind::List:
    case Value::Kind::Dict: return repr(value);
    }
    return {};
}

std::string repr(const Value& value)
{
    std::string out;
    std::vector<const void*> active;
    repr_into(out, value, active, 0);
    return out;
}

std::string type_name(const Value& value)
{
    switch (value.kind()) {
    case Value::Kind::Undefined: return "Undefined";
    case Value::Kind::None: return "NoneType";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return "str";
    case Value::Kind::List: return value.as_list().is_tuple ? "tuple" : "list";
    case Value::Kind::Dict: return "dict";
    case Value::Kind::Object: return value.as_object().type_name();
    }
    return "object";
}

void fail_undefined(const Value& value)
{
    const std::string& hint = value.undefined_hint();
    throw EvalError(hint.empty() ? std::string("the value is undefined") : hint);
}

} // namespace quanta::jinja

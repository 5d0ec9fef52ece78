// Values of the Jinja interpreter, with Python's semantics: truthiness,
// equality, ordering, str() and repr(). Lists, dicts and objects are shared
// by reference as in Python, and every one made during a render is tracked by
// a Heap that breaks reference cycles when the render ends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace quanta::jinja {

class Interpreter;
class Value;
struct Arguments;

// An error while evaluating an expression, without a position: the
// interpreter adds the line and column of the expression that failed.
class EvalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A limit against hostile templates was exceeded.
class LimitError : public EvalError {
public:
    using EvalError::EvalError;
};

// The template called raise_exception(message).
class RaisedError : public EvalError {
public:
    using EvalError::EvalError;
};

// A heap object that can hold Values and so take part in a cycle.
class Collectable {
public:
    virtual ~Collectable() = default;
    // Drops every Value the object holds.
    virtual void release_references() = 0;
};

struct List;
struct Dict;
class Object;

using StringPtr = std::shared_ptr<const std::string>;
using ListPtr = std::shared_ptr<List>;
using DictPtr = std::shared_ptr<Dict>;
using ObjectPtr = std::shared_ptr<Object>;

class Value {
public:
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Object };

    // Undefined, with the message an operation on it reports
    // ("'x' is undefined", "'dict object' has no attribute 'y'").
    Value();
    static Value undefined(std::string hint);
    static Value none();
    static Value boolean(bool value);
    static Value integer(int64_t value);
    static Value number(double value);
    static Value string(std::string value);
    static Value string(StringPtr value);
    static Value list(ListPtr value);
    static Value dict(DictPtr value);
    static Value object(ObjectPtr value);

    Kind kind() const { return static_cast<Kind>(data_.index()); }
    bool is_undefined() const { return kind() == Kind::Undefined; }
    bool is_none() const { return kind() == Kind::None; }
    bool is_bool() const { return kind() == Kind::Bool; }
    bool is_int() const { return kind() == Kind::Int; }
    bool is_float() const { return kind() == Kind::Float; }
    // Python's numbers: bool, int and float.
    bool is_number() const { return is_bool() || is_int() || is_float(); }
    bool is_string() const { return kind() == Kind::String; }
    bool is_list() const { return kind() == Kind::List; }
    bool is_dict() const { return kind() == Kind::Dict; }
    bool is_object() const { return kind() == Kind::Object; }

    bool as_bool() const { return std::get<bool>(data_); }
    // The integer value of a bool or int.
    int64_t as_int() const;
    // The value of any number as a double.
    double as_double() const;
    const std::string& as_string() const { return *std::get<StringPtr>(data_); }
    const StringPtr& string_ptr() const { return std::get<StringPtr>(data_); }
    List& as_list() const { return *std::get<ListPtr>(data_); }
    const ListPtr& list_ptr() const { return std::get<ListPtr>(data_); }
    Dict& as_dict() const { return *std::get<DictPtr>(data_); }
    const DictPtr& dict_ptr() const { return std::get<DictPtr>(data_); }
    Object& as_object() const { return *std::get<ObjectPtr>(data_); }
    const ObjectPtr& object_ptr() const { return std::get<ObjectPtr>(data_); }
    const std::string& undefined_hint() const;

private:
    struct UndefinedData {
        StringPtr hint;
    };
    struct NoneData {};
    using Data = std::variant<UndefinedData, NoneData, bool, int64_t, double, StringPtr, ListPtr, DictPtr, ObjectPtr>;
    explicit Value(Data data) : data_(std::move(data)) {}

    Data data_;
};

// A Python list; `is_tuple` marks tuples, which differ only in repr().
struct List final : Collectable {
    std::vector<Value> items;
    bool is_tuple = false;
    void release_references() override { items.clear(); }
};

// A Python dict: insertion-ordered, keyed by any scalar. String keys are
// indexed; other keys are found by a linear search.
struct Dict final : Collectable {
    std::vector<std::pair<Value, Value>> entries;

    const Value* find(const Value& key) const;
    const Value* find(std::string_view key) const;
    void set(Value key, Value value);
    // Removes `key`; returns false when it is absent.
    bool erase(const Value& key);
    void release_references() override;

private:
    void reindex();
    std::unordered_map<std::string, size_t> string_index_;
};

// Anything else a template can hold: namespaces, the loop variable, macros
// and functions.
class Object : public Collectable, public std::enable_shared_from_this<Object> {
public:
    // Python's type name, used in error messages ("Namespace", "Macro").
    virtual std::string type_name() const = 0;
    // The attribute `name`, or an undefined Value when there is none.
    virtual Value get_attribute(std::string_view name);
    // Assigns an attribute; returns false when the object takes none.
    virtual bool set_attribute(std::string_view name, Value value);
    virtual bool is_callable() const { return false; }
    virtual Value call(Interpreter& interpreter, Arguments& arguments);
    // str(): the default is "<type object>".
    virtual std::string to_string() const;
    // Writes repr() of an object that contains values. Each value goes
    // through `write_value`, so a namespace that contains itself prints
    // "<...>" instead of recursing. The default writes to_string().
    virtual void write_repr(std::string& out, const std::function<void(const Value&)>& write_value) const;
};

// Tracks every collectable made during a render. release_all() empties them
// when the render ends, so that lists holding themselves or macros holding
// the scope they are stored in are freed.
class Heap {
public:
    Heap() = default;
    Heap(const Heap&) = delete;
    Heap& operator=(const Heap&) = delete;
    ~Heap() { release_all(); }

    template <class T, class... Args>
    std::shared_ptr<T> make(Args&&... args)
    {
        // A separate allocation, so that the object's memory is freed when
        // the last reference goes, although the Heap keeps a weak pointer.
        std::shared_ptr<T> object(new T(std::forward<Args>(args)...));
        track(object);
        return object;
    }
    ListPtr list(std::vector<Value> items = {}, bool is_tuple = false);
    DictPtr dict();

    void release_all();

private:
    void track(std::weak_ptr<Collectable> object);

    std::vector<std::weak_ptr<Collectable>> objects_;
    size_t prune_at_ = 1024;
};

// Python's bool(value).
bool truthy(const Value& value);
// Python's ==, where 1 == 1.0 == True, and undefined equals only undefined.
bool equals(const Value& a, const Value& b);
// Python's <: numbers, strings (by code point), lists and tuples. Throws
// EvalError naming both types for any other pair.
bool less_than(const Value& a, const Value& b);
// Python's str(): undefined prints as "", None as "None", floats as repr().
std::string to_string(const Value& value);
// Python's repr(), as lists and dicts print their items.
std::string repr(const Value& value);
// The type name Python reports in errors: 'str', 'int', 'list', ...
std::string type_name(const Value& value);
// Throws EvalError with the hint of an undefined value.
[[noreturn]] void fail_undefined(const Value& value);

} // namespace quanta::jinja

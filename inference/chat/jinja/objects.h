// The objects a template can hold besides data: namespace(), the loop
// variable, macros, and built-in functions and bound methods.
#pragma once

#include "chat/jinja/ast.h"
#include "chat/jinja/value.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace quanta::jinja {

class Interpreter;
class Scope;
struct Arguments;

// namespace(a=1): the one object whose attributes {% set ns.a = ... %} may
// assign, which is how templates carry values out of a loop.
class Namespace final : public Object {
public:
    std::string type_name() const override { return "Namespace"; }
    Value get_attribute(std::string_view name) override;
    bool set_attribute(std::string_view name, Value value) override;
    std::string to_string() const override;
    void write_repr(std::string& out, const std::function<void(const Value&)>& write_value) const override;
    void release_references() override { attributes_.clear(); }

private:
    std::vector<std::pair<std::string, Value>> attributes_;
};

// The `loop` variable inside a for loop.
class LoopObject final : public Object {
public:
    LoopObject(Interpreter& interpreter, const ast::For& node, std::shared_ptr<Scope> scope, ListPtr items, int depth)
        : interpreter_(interpreter), node_(node), scope_(std::move(scope)), items_(std::move(items)), depth_(depth)
    {
    }

    void set_index(size_t index) { index_ = index; }

    std::string type_name() const override { return "LoopContext"; }
    Value get_attribute(std::string_view name) override;
    // loop(items) renders the body again for `items`, in a recursive loop.
    bool is_callable() const override { return node_.recursive; }
    Value call(Interpreter& interpreter, Arguments& arguments) override;
    std::string to_string() const override;
    void release_references() override;

private:
    Value cycle(Arguments& arguments) const;
    Value changed(Arguments& arguments);

    Interpreter& interpreter_;
    const ast::For& node_;
    std::shared_ptr<Scope> scope_; // where the for statement runs
    ListPtr items_;                // after the loop's `if` filter
    int depth_;                    // 1 for the outermost level of a recursive loop
    size_t index_ = 0;
    std::vector<Value> last_changed_; // loop.changed() arguments of the last call
    bool changed_called_ = false;
};

class MacroObject final : public Object {
public:
    MacroObject(const ast::Macro& macro, std::shared_ptr<Scope> closure) : macro_(macro), closure_(std::move(closure))
    {
    }

    std::string type_name() const override { return "Macro"; }
    Value get_attribute(std::string_view name) override;
    bool is_callable() const override { return true; }
    Value call(Interpreter& interpreter, Arguments& arguments) override;
    std::string to_string() const override { return "<Macro '" + macro_.name + "'>"; }
    void release_references() override { closure_.reset(); }

private:
    const ast::Macro& macro_;
    std::shared_ptr<Scope> closure_; // the scope the macro was defined in
};

// A function implemented in C++: a global such as range(), or a method
// bound to its object, such as the `append` of one list.
class NativeFunction final : public Object {
public:
    using Body = std::function<Value(Interpreter&, Arguments&)>;

    NativeFunction(std::string name, Body body) : name_(std::move(name)), body_(std::move(body)) {}

    std::string type_name() const override { return "builtin_function_or_method"; }
    bool is_callable() const override { return true; }
    Value call(Interpreter& interpreter, Arguments& arguments) override;
    std::string to_string() const override { return "<built-in function " + name_ + ">"; }
    void release_references() override { body_ = nullptr; }

private:
    std::string name_;
    Body body_; // may hold the bound object
};

} // namespace quanta::jinja

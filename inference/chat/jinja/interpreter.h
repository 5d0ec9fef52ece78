// Runs a parsed template: statements write text, expressions produce
// Values. One Interpreter renders one template once; built-in filters,
// tests, functions and methods call back into it.
#pragma once

#include "chat/jinja/ast.h"
#include "chat/jinja/template.h"
#include "chat/jinja/value.h"

#include <nlohmann/json_fwd.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quanta::jinja {

// Arguments of a call after evaluation.
struct Arguments {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keyword;
};

// Binds Arguments to a built-in's parameter list, as Python binds them, and
// reports misuse with the built-in's name ("filter 'join'").
class ArgumentReader {
public:
    ArgumentReader(std::string callee, const Arguments& arguments, std::initializer_list<std::string_view> parameters);

    bool has(size_t index) const { return bound_[index] != nullptr; }
    // The argument, or undefined when it was not given.
    const Value& get(size_t index) const;
    Value get(size_t index, Value fallback) const;
    // Typed access; a wrong type is an EvalError naming the parameter.
    std::string string(size_t index, std::string fallback) const;
    int64_t integer(size_t index, int64_t fallback) const;
    bool boolean(size_t index, bool fallback) const;
    const std::string& callee() const { return callee_; }

private:
    std::string callee_;
    std::vector<std::string_view> names_;
    std::vector<const Value*> bound_;
};

// Variables of one level: the template, a loop iteration, a macro call.
class Scope final : public Collectable, public std::enable_shared_from_this<Scope> {
public:
    explicit Scope(std::shared_ptr<Scope> parent) : parent_(std::move(parent)) {}

    // The innermost variable called `name`, or null.
    const Value* find(std::string_view name) const;
    void set(std::string_view name, Value value);
    void release_references() override;

private:
    std::shared_ptr<Scope> parent_;
    std::vector<std::pair<std::string, Value>> variables_;
};

class Interpreter {
public:
    explicit Interpreter(const RenderOptions& options);
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;

    std::string render(const ast::Body& body, const nlohmann::ordered_json& variables);

    Heap& heap() { return heap_; }
    const RenderOptions& options() const { return options_; }

    // ---- used by the built-ins
    // A new string value; throws LimitError past the size limits.
    Value make_string(std::string text);
    // Counts `count` iterations against the loop limit.
    void count_iterations(size_t count);
    // Throws LimitError when a list or dict would exceed the item limit.
    void check_items(size_t count, const char* container) const;
    // The items Python's iter() yields: list items, dict keys, string
    // characters; nothing for undefined. Others are an EvalError that
    // names `context`.
    std::vector<Value> iterate(const Value& iterable, std::string_view context);
    // Jinja's obj.name: an attribute or method first, then an item.
    Value get_attribute(const Value& object, std::string_view name);
    // Jinja's obj[key]: an item first, then an attribute.
    Value get_item(const Value& object, const Value& key);
    // Dotted attribute paths for filters: "a.b" or "0.name".
    Value get_attribute_path(const Value& object, std::string_view path);
    Value call(const Value& callee, Arguments& arguments);
    Value apply_filter(std::string_view name, const Value& input, Arguments& arguments);
    bool apply_test(std::string_view name, const Value& value, Arguments& arguments);

    // ---- used by macros and loops (objects.cpp)
    Value call_macro(const ast::Macro& macro, const std::shared_ptr<Scope>& closure, Arguments& arguments);
    Value call_recursive_loop(const ast::For& loop, const std::shared_ptr<Scope>& scope, const Value& iterable,
                              int depth);

private:
    enum class Flow { Normal, Break, Continue };

    // Rethrows an EvalError as a SourceError at `offset`, keeping its kind.
    [[noreturn]] static void raise_at(const EvalError& error, size_t offset);

    // Counts nested evaluation against max_nesting_depth.
    class DepthGuard {
    public:
        DepthGuard(Interpreter& interpreter, int& depth, int limit, const char* construct);
        ~DepthGuard() { --depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

    private:
        int& depth_;
    };

    // ---- statements (interpreter.cpp)
    Flow execute(const ast::Body& body, Scope& scope, std::string& out);
    Flow execute(const ast::Stmt& stmt, Scope& scope, std::string& out);
    Flow execute_node(const ast::Stmt& stmt, Scope& scope, std::string& out);
    void execute_if(const ast::If& node, Scope& scope, std::string& out, Flow& flow);
    void execute_for(const ast::For& node, Scope& scope, std::string& out);
    void run_loop(const ast::For& node, Scope& scope, const Value& iterable, int depth, std::string& out);
    void assign(const ast::Target& target, Value value, Scope& scope);
    std::string render_body(const ast::Body& body, Scope& scope);
    Value apply_filters(const std::vector<ast::FilterCall>& filters, Value value, Scope& scope);
    void append(std::string& out, std::string_view text) const;

    // ---- expressions (evaluate.cpp)
    Value evaluate(const ast::Expr& expr, Scope& scope);
    Value evaluate_node(const ast::Expr& expr, Scope& scope);
    Value evaluate_item(const ast::GetItem& node, Scope& scope);
    Value evaluate_compare(const ast::Compare& node, Scope& scope);
    Value evaluate_call(const ast::Call& node, Scope& scope, const Value* caller);
    void evaluate_arguments(const ast::CallArgs& args, Scope& scope, Arguments& out);

    RenderOptions options_;
    Heap heap_;
    std::shared_ptr<Scope> globals_;
    size_t total_string_bytes_ = 0;
    size_t loop_iterations_ = 0;
    int nesting_depth_ = 0;
    int call_depth_ = 0;
};

} // namespace quanta::jinja

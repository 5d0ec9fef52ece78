#include "chat/jinja/interpreter.h"

#include "chat/jinja/builtins.h"
#include "chat/jinja/error.h"
#include "chat/jinja/json.h"
#include "chat/jinja/objects.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace quanta::jinja {

namespace {

const Value& undefined_value()
{
    static const Value undefined;
    return undefined;
}

} // namespace

// ---------------------------------------------------------- ArgumentReader

ArgumentReader::ArgumentReader(std::string callee, const Arguments& arguments,
                               std::initializer_list<std::string_view> parameters)
    : callee_(std::move(callee)), names_(parameters), bound_(parameters.size(), nullptr)
{
    if (arguments.positional.size() > names_.size()) {
        throw EvalError(callee_ + " takes at most " + std::to_string(names_.size()) + " argument(s), " +
                        std::to_string(arguments.positional.size()) + " given");
    }
    for (size_t i = 0; i < arguments.positional.size(); ++i)
        bound_[i] = &arguments.positional[i];
    for (const auto& [name, value] : arguments.keyword) {
        const auto found = std::find(names_.begin(), names_.end(), name);
        if (found == names_.end())
            throw EvalError(callee_ + " got an unexpected keyword argument '" + name + "'");
        const size_t index = static_cast<size_t>(found - names_.begin());
        if (bound_[index])
            throw EvalError(callee_ + " got multiple values for argument '" + name + "'");
        bound_[index] = &value;
    }
}

const Value& ArgumentReader::get(size_t index) const
{
    return bound_[index] ? *bound_[index] : undefined_value();
}

Value ArgumentReader::get(size_t index, Value fallback) const
{
    return bound_[index] ? *bound_[index] : std::move(fallback);
}

std::string ArgumentReader::string(size_t index, std::string fallback) const
{
    if (!bound_[index] || bound_[index]->is_none())
        return fallback;
    if (!bound_[index]->is_string()) {
        throw EvalError(callee_ + ": argument '" + std::string(names_[index]) + "' must be a string, not " +
                        type_name(*bound_[index]));
    }
    return bound_[index]->as_string();
}

int64_t ArgumentReader::integer(size_t index, int64_t fallback) const
{
    if (!bound_[index] || bound_[index]->is_none())
        return fallback;
    if (!bound_[index]->is_int() && !bound_[index]->is_bool()) {
        throw EvalError(callee_ + ": argument '" + std::string(names_[index]) + "' must be an integer, not " +
                        type_name(*bound_[index]));
    }
    return bound_[index]->as_int();
}

bool ArgumentReader::boolean(size_t index, bool fallback) const
{
    return bound_[index] ? truthy(*bound_[index]) : fallback;
}

// ------------------------------------------------------------------- Scope

const Value* Scope::find(std::string_view name) const
{
    for (const Scope* scope = this; scope; scope = scope->parent_.get()) {
        for (const auto& [key, value] : scope->variables_) {
            if (key == name)
                return &value;
        }
    }
    return nullptr;
}

void Scope::set(std::string_view name, Value value)
{
    for (auto& [key, existing] : variables_) {
        if (key == name) {
            existing = std::move(value);
            return;
        }
    }
    variables_.emplace_back(std::string(name), std::move(value));
}

void Scope::release_references()
{
    variables_.clear();
    parent_.reset();
}

// ------------------------------------------------------------- Interpreter

Interpreter::DepthGuard::DepthGuard(Interpreter&, int& depth, int limit, const char* construct) : depth_(depth)
{
    if (++depth_ > limit) {
        --depth_;
        throw LimitError(std::string(construct) + " nested deeper than " + std::to_string(limit) + " levels");
    }
}

Interpreter::Interpreter(const RenderOptions& options) : options_(options) {}

void Interpreter::raise_at(const EvalError& error, size_t offset)
{
    TemplateError::Kind kind = TemplateError::Kind::Render;
    if (dynamic_cast<const RaisedError*>(&error))
        kind = TemplateError::Kind::Raised;
    else if (dynamic_cast<const LimitError*>(&error))
        kind = TemplateError::Kind::Limit;
    throw SourceError(kind, error.what(), offset);
}

std::string Interpreter::render(const ast::Body& body, const nlohmann::ordered_json& variables)
{
    // Step 1: the template's globals: built-ins, then the caller's variables.
    globals_ = heap_.make<Scope>(nullptr);
    install_globals(*this, *globals_);
    if (!variables.is_null() && !variables.is_object())
        throw SourceError(TemplateError::Kind::Render, "the template variables must be a JSON object", 0);
    if (variables.is_object()) {
        for (const auto& [name, value] : variables.items()) {
            try {
                globals_->set(name, from_json(value, heap_));
            } catch (const EvalError& error) {
                throw SourceError(TemplateError::Kind::Limit,
                                  "template variable '" + name + "': " + error.what(), 0);
            }
        }
    }

    // Step 2: run the statements.
    std::string out;
    execute(body, *globals_, out);
    return out;
}

Value Interpreter::make_string(std::string text)
{
    const RenderLimits& limits = options_.limits;
    if (text.size() > limits.max_output_bytes) {
        throw LimitError("a string of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                         std::to_string(limits.max_output_bytes) + " bytes");
    }
    total_string_bytes_ += text.size();
    if (total_string_bytes_ > limits.max_total_string_bytes) {
        throw LimitError("the template built more than " + std::to_string(limits.max_total_string_bytes) +
                         " bytes of strings in total");
    }
    return Value::string(std::move(text));
}

void Interpreter::count_iterations(size_t count)
{
    loop_iterations_ += count;
    if (loop_iterations_ > options_.limits.max_loop_iterations) {
        throw LimitError("the template ran more than " + std::to_string(options_.limits.max_loop_iterations) +
                         " loop iterations");
    }
}

void Interpreter::check_items(size_t count, const char* container) const
{
    if (count > options_.limits.max_container_items) {
        throw LimitError(std::string(container) + " of " + std::to_string(count) + " items exceeds the limit of " +
                         std::to_string(options_.limits.max_container_items) + " items");
    }
}

void Interpreter::append(std::string& out, std::string_view text) const
{
    if (out.size() + text.size() > options_.limits.max_output_bytes) {
        throw LimitError("the output exceeds the limit of " + std::to_string(options_.limits.max_output_bytes) +
                         " bytes");
    }
    out += text;
}

// -------------------------------------------------------------- statements

Interpreter::Flow Interpreter::execute(const ast::Body& body, Scope& scope, std::string& out)
{
    for (const ast::StmtPtr& stmt : body) {
        const Flow flow = execute(*stmt, scope, out);
        if (flow != Flow::Normal)
            return flow;
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::execute(const ast::Stmt& stmt, Scope& scope, std::string& out)
{
    try {
        const DepthGuard guard(*this, nesting_depth_, options_.limits.max_nesting_depth, "statements");
        return execute_node(stmt, scope, out);
    } catch (const EvalError& error) {
        raise_at(error, stmt.offset);
    }
}

Interpreter::Flow Interpreter::execute_node(const ast::Stmt& stmt, Scope& scope, std::string& out)
{
    Flow flow = Flow::Normal;
    switch (stmt.kind) {
    case ast::StmtKind::Text: append(out, static_cast<const ast::Text&>(stmt).text); break;
    case ast::StmtKind::Output:
        append(out, to_string(evaluate(*static_cast<const ast::Output&>(stmt).value, scope)));
        break;
    case ast::StmtKind::If: execute_if(static_cast<const ast::If&>(stmt), scope, out, flow); break;
    case ast::StmtKind::For: execute_for(static_cast<const ast::For&>(stmt), scope, out); break;
    case ast::StmtKind::Set: {
        const auto& node = static_cast<const ast::Set&>(stmt);
        assign(node.target, evaluate(*node.value, scope), scope);
        break;
    }
    case ast::StmtKind::SetBlock: {
        const auto& node = static_cast<const ast::SetBlock&>(stmt);
        const std::shared_ptr<Scope> inner = heap_.make<Scope>(scope.shared_from_this());
        Value value = make_string(render_body(node.body, *inner));
        assign(node.target, apply_filters(node.filters, std::move(value), scope), scope);
        break;
    }
    case ast::StmtKind::Macro: {
        const auto& node = static_cast<const ast::Macro&>(stmt);
        scope.set(node.name, Value::object(heap_.make<MacroObject>(node, scope.shared_from_this())));
        break;
    }
    case ast::StmtKind::CallBlock: {
        // The block becomes `caller`, a macro the called macro can invoke.
        const auto& node = static_cast<const ast::CallBlock&>(stmt);
        const Value caller = Value::object(heap_.make<MacroObject>(node.caller, scope.shared_from_this()));
        const Value result = evaluate_call(static_cast<const ast::Call&>(*node.call), scope, &caller);
        append(out, to_string(result));
        break;
    }
    case ast::StmtKind::FilterBlock: {
        const auto& node = static_cast<const ast::FilterBlock&>(stmt);
        const std::shared_ptr<Scope> inner = heap_.make<Scope>(scope.shared_from_this());
        Value value = make_string(render_body(node.body, *inner));
        append(out, to_string(apply_filters(node.filters, std::move(value), scope)));
        break;
    }
    case ast::StmtKind::Scope: {
        // {% with a = x %}: the values are computed in the outer scope.
        const auto& node = static_cast<const ast::ScopeBlock&>(stmt);
        const std::shared_ptr<Scope> inner = heap_.make<Scope>(scope.shared_from_this());
        for (const auto& [target, value] : node.assignments)
            assign(target, evaluate(*value, scope), *inner);
        flow = execute(node.body, *inner, out);
        break;
    }
    case ast::StmtKind::Do: evaluate(*static_cast<const ast::Do&>(stmt).value, scope); break;
    case ast::StmtKind::Break: flow = Flow::Break; break;
    case ast::StmtKind::Continue: flow = Flow::Continue; break;
    }
    return flow;
}

void Interpreter::execute_if(const ast::If& node, Scope& scope, std::string& out, Flow& flow)
{
    for (const auto& [condition, body] : node.branches) {
        if (truthy(evaluate(*condition, scope))) {
            flow = execute(body, scope, out);
            return;
        }
    }
    flow = execute(node.else_body, scope, out);
}

void Interpreter::execute_for(const ast::For& node, Scope& scope, std::string& out)
{
    const Value iterable = evaluate(*node.iterable, scope);
    run_loop(node, scope, iterable, 1, out);
}

// Runs one level of a for loop. Each iteration gets its own scope, so that
// {% set %} inside the body does not outlive the iteration, as in Jinja2.
void Interpreter::run_loop(const ast::For& node, Scope& scope, const Value& iterable, int depth, std::string& out)
{
    // Step 1: the items, after the loop's `if` filter, which can read the
    // loop variables but not `loop`.
    std::vector<Value> items = iterate(iterable, "for loop");
    if (node.filter) {
        std::vector<Value> selected;
        for (Value& item : items) {
            const std::shared_ptr<Scope> probe = heap_.make<Scope>(scope.shared_from_this());
            assign(node.target, item, *probe);
            if (truthy(evaluate(*node.filter, *probe)))
                selected.push_back(std::move(item));
        }
        items = std::move(selected);
    }
    if (items.empty()) {
        execute(node.else_body, scope, out);
        return;
    }

    // Step 2: the body once per item, with `loop` describing the position.
    const ListPtr list = heap_.list(std::move(items));
    const std::shared_ptr<LoopObject> loop =
        heap_.make<LoopObject>(*this, node, scope.shared_from_this(), list, depth);
    for (size_t i = 0; i < list->items.size(); ++i) {
        const std::shared_ptr<Scope> iteration = heap_.make<Scope>(scope.shared_from_this());
        loop->set_index(i);
        iteration->set("loop", Value::object(loop));
        assign(node.target, list->items[i], *iteration);
        if (execute(node.body, *iteration, out) == Flow::Break)
            break;
    }
}

Value Interpreter::call_recursive_loop(const ast::For& loop, const std::shared_ptr<Scope>& scope,
                                       const Value& iterable, int depth)
{
    const DepthGuard guard(*this, call_depth_, options_.limits.max_call_depth, "recursive loop calls");
    std::string out;
    run_loop(loop, *scope, iterable, depth, out);
    return make_string(std::move(out));
}

void Interpreter::assign(const ast::Target& target, Value value, Scope& scope)
{
    switch (target.kind) {
    case ast::Target::Kind::Name: scope.set(target.name, std::move(value)); return;
    case ast::Target::Kind::Attribute: {
        const Value* object = scope.find(target.name);
        if (!object || object->is_undefined())
            throw EvalError("cannot assign '" + target.name + "." + target.attribute + "': '" + target.name +
                            "' is undefined");
        if (!object->is_object() || !object->as_object().set_attribute(target.attribute, std::move(value))) {
            throw EvalError("cannot assign '" + target.name + "." + target.attribute + "': '" + target.name +
                            "' is of type " + type_name(*object) + ", and only namespace() objects take attributes");
        }
        return;
    }
    case ast::Target::Kind::Tuple: {
        const std::vector<Value> items = iterate(value, "unpacking");
        if (items.size() != target.items.size()) {
            throw EvalError(std::string(items.size() < target.items.size() ? "not enough" : "too many") +
                            " values to unpack (expected " + std::to_string(target.items.size()) + ", got " +
                            std::to_string(items.size()) + ")");
        }
        for (size_t i = 0; i < items.size(); ++i)
            assign(target.items[i], items[i], scope);
        return;
    }
    }
}

std::string Interpreter::render_body(const ast::Body& body, Scope& scope)
{
    std::string out;
    execute(body, scope, out);
    return out;
}

Value Interpreter::apply_filters(const std::vector<ast::FilterCall>& filters, Value value, Scope& scope)
{
    for (const ast::FilterCall& filter : filters) {
        Arguments arguments;
        evaluate_arguments(filter.args, scope, arguments);
        try {
            value = apply_filter(filter.name, value, arguments);
        } catch (const EvalError& error) {
            raise_at(error, filter.offset);
        }
    }
    return value;
}

Value Interpreter::call_macro(const ast::Macro& macro, const std::shared_ptr<Scope>& closure, Arguments& arguments)
{
    const DepthGuard guard(*this, call_depth_, options_.limits.max_call_depth, "macro calls");
    const std::shared_ptr<Scope> scope = heap_.make<Scope>(closure);

    // Step 1: bind the arguments; missing ones without a default are
    // undefined, extras go to varargs and kwargs, and a {% call %} block
    // arrives as the keyword argument `caller`, as in Jinja2.
    const std::vector<ast::Parameter>& parameters = macro.parameters;
    std::vector<bool> bound(parameters.size(), false);
    const ListPtr varargs = heap_.list({}, true);
    for (size_t i = 0; i < arguments.positional.size(); ++i) {
        if (i < parameters.size()) {
            scope->set(parameters[i].name, arguments.positional[i]);
            bound[i] = true;
        } else {
            varargs->items.push_back(arguments.positional[i]);
        }
    }
    const DictPtr kwargs = heap_.dict();
    bool has_caller = false;
    Value caller_value;
    for (auto& [name, value] : arguments.keyword) {
        const auto found = std::find_if(parameters.begin(), parameters.end(),
                                        [&](const ast::Parameter& parameter) { return parameter.name == name; });
        if (found == parameters.end()) {
            if (name == "caller") {
                caller_value = value;
                has_caller = true;
                continue;
            }
            kwargs->set(Value::string(name), value);
            continue;
        }
        const size_t index = static_cast<size_t>(found - parameters.begin());
        if (bound[index])
            throw EvalError("macro '" + macro.name + "' got multiple values for argument '" + name + "'");
        scope->set(name, value);
        bound[index] = true;
    }
    for (size_t i = 0; i < parameters.size(); ++i) {
        if (bound[i])
            continue;
        if (parameters[i].default_value)
            scope->set(parameters[i].name, evaluate(*parameters[i].default_value, *scope));
        else
            scope->set(parameters[i].name, Value::undefined("parameter '" + parameters[i].name + "' of macro '" +
                                                            macro.name + "' was not given"));
    }
    scope->set("varargs", Value::list(varargs));
    scope->set("kwargs", Value::dict(kwargs));
    if (has_caller)
        scope->set("caller", caller_value);

    // Step 2: render the body; the result is the macro's return value.
    return make_string(render_body(macro.body, *scope));
}

} // namespace quanta::jinja

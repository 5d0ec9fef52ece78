// Expression evaluation, and the lookups, calls and iteration that the
// built-ins share with it.
#include "chat/jinja/builtins.h"
#include "chat/jinja/error.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/text.h"

namespace quanta::jinja {

namespace {

// The name Jinja2 gives an object in "has no attribute" hints.
std::string hint_name(const Value& object)
{
    std::string name(1, '\'');
    name += object.is_none() ? "None" : type_name(object) + " object";
    name += '\'';
    return name;
}

Value missing_attribute(const Value& object, const std::string& name_repr)
{
    return Value::undefined(hint_name(object) + " has no attribute " + name_repr);
}

bool compare(ast::CompareOp op, Interpreter& interpreter, const Value& left, const Value& right)
{
    switch (op) {
    case ast::CompareOp::Equal: return equals(left, right);
    case ast::CompareOp::NotEqual: return !equals(left, right);
    case ast::CompareOp::In: return contains(interpreter, right, left);
    case ast::CompareOp::NotIn: return !contains(interpreter, right, left);
    default: break;
    }
    if (left.is_undefined())
        fail_undefined(left);
    if (right.is_undefined())
        fail_undefined(right);
    switch (op) {
    case ast::CompareOp::Less: return less_than(left, right);
    case ast::CompareOp::LessEqual: return less_than(left, right) || equals(left, right);
    case ast::CompareOp::Greater: return less_than(right, left);
    case ast::CompareOp::GreaterEqual: return less_than(right, left) || equals(left, right);
    default: return false;
    }
}

} // namespace

Value Interpreter::evaluate(const ast::Expr& expr, Scope& scope)
{
    try {
        const DepthGuard guard(*this, nesting_depth_, options_.limits.max_nesting_depth, "expressions");
        return evaluate_node(expr, scope);
    } catch (const EvalError& error) {
        raise_at(error, expr.offset);
    }
}

Value Interpreter::evaluate_node(const ast::Expr& expr, Scope& scope)
{
    switch (expr.kind) {
    case ast::ExprKind::Literal: return static_cast<const ast::Literal&>(expr).value;
    case ast::ExprKind::Name: {
        const std::string& name = static_cast<const ast::Name&>(expr).name;
        if (const Value* value = scope.find(name))
            return *value;
        return Value::undefined("'" + name + "' is undefined");
    }
    case ast::ExprKind::GetAttr: {
        const auto& node = static_cast<const ast::GetAttr&>(expr);
        return get_attribute(evaluate(*node.object, scope), node.attribute);
    }
    case ast::ExprKind::GetItem: return evaluate_item(static_cast<const ast::GetItem&>(expr), scope);
    case ast::ExprKind::Slice: throw EvalError("a slice is only valid inside '[' and ']'");
    case ast::ExprKind::Call: return evaluate_call(static_cast<const ast::Call&>(expr), scope, nullptr);
    case ast::ExprKind::Filter: {
        const auto& node = static_cast<const ast::Filter&>(expr);
        const Value input = evaluate(*node.input, scope);
        Arguments arguments;
        evaluate_arguments(node.call.args, scope, arguments);
        return apply_filter(node.call.name, input, arguments);
    }
    case ast::ExprKind::Test: {
        const auto& node = static_cast<const ast::Test&>(expr);
        const Value value = evaluate(*node.input, scope);
        Arguments arguments;
        evaluate_arguments(node.args, scope, arguments);
        return Value::boolean(apply_test(node.name, value, arguments) != node.negated);
    }
    case ast::ExprKind::Negate:
    case ast::ExprKind::Plus:
        return unary_operation(expr.kind, evaluate(*static_cast<const ast::Unary&>(expr).operand, scope));
    case ast::ExprKind::Not: return Value::boolean(!truthy(evaluate(*static_cast<const ast::Unary&>(expr).operand, scope)));
    case ast::ExprKind::Binary: {
        const auto& node = static_cast<const ast::Binary&>(expr);
        const Value left = evaluate(*node.left, scope);
        const Value right = evaluate(*node.right, scope);
        return binary_operation(*this, node.op, left, right);
    }
    case ast::ExprKind::Compare: return evaluate_compare(static_cast<const ast::Compare&>(expr), scope);
    case ast::ExprKind::And:
    case ast::ExprKind::Or: {
        // Python returns the deciding operand itself, not a bool.
        const auto& node = static_cast<const ast::Logical&>(expr);
        Value left = evaluate(*node.left, scope);
        if (truthy(left) == (expr.kind == ast::ExprKind::Or))
            return left;
        return evaluate(*node.right, scope);
    }
    case ast::ExprKind::Conditional: {
        const auto& node = static_cast<const ast::Conditional&>(expr);
        if (truthy(evaluate(*node.condition, scope)))
            return evaluate(*node.then_value, scope);
        if (node.else_value)
            return evaluate(*node.else_value, scope);
        return Value::undefined("the inline 'if' expression is false and has no 'else'");
    }
    case ast::ExprKind::List:
    case ast::ExprKind::Tuple: {
        const auto& node = static_cast<const ast::Sequence&>(expr);
        std::vector<Value> items;
        items.reserve(node.items.size());
        for (const ast::ExprPtr& item : node.items)
            items.push_back(evaluate(*item, scope));
        return Value::list(heap_.list(std::move(items), expr.kind == ast::ExprKind::Tuple));
    }
    case ast::ExprKind::Dict: {
        const DictPtr dict = heap_.dict();
        for (const auto& [key_expr, value_expr] : static_cast<const ast::DictLiteral&>(expr).items) {
            Value key = evaluate(*key_expr, scope);
            if (key.is_list() || key.is_dict() || key.is_undefined())
                throw EvalError("unhashable type for a dict key: '" + type_name(key) + "'");
            dict->set(std::move(key), evaluate(*value_expr, scope));
        }
        return Value::dict(dict);
    }
    }
    return Value();
}

Value Interpreter::evaluate_item(const ast::GetItem& node, Scope& scope)
{
    const Value object = evaluate(*node.object, scope);
    if (node.key->kind != ast::ExprKind::Slice)
        return get_item(object, evaluate(*node.key, scope));
    const auto& range = static_cast<const ast::Slice&>(*node.key);
    const auto bound = [&](const ast::ExprPtr& expr) { return expr ? evaluate(*expr, scope) : Value::none(); };
    const Value start = bound(range.start);
    const Value stop = bound(range.stop);
    const Value step = bound(range.step);
    return slice(*this, object, start, stop, step);
}

Value Interpreter::evaluate_compare(const ast::Compare& node, Scope& scope)
{
    // a < b < c means a < b and b < c, with b evaluated once.
    Value left = evaluate(*node.first, scope);
    for (const auto& [op, expr] : node.rest) {
        Value right = evaluate(*expr, scope);
        if (!compare(op, *this, left, right))
            return Value::boolean(false);
        left = std::move(right);
    }
    return Value::boolean(true);
}

Value Interpreter::evaluate_call(const ast::Call& node, Scope& scope, const Value* caller)
{
    const Value callee = evaluate(*node.callee, scope);
    Arguments arguments;
    evaluate_arguments(node.args, scope, arguments);
    if (caller)
        arguments.keyword.emplace_back("caller", *caller);
    return call(callee, arguments);
}

void Interpreter::evaluate_arguments(const ast::CallArgs& args, Scope& scope, Arguments& out)
{
    for (const ast::ExprPtr& expr : args.positional)
        out.positional.push_back(evaluate(*expr, scope));
    if (args.star_args) {
        for (Value& item : iterate(evaluate(*args.star_args, scope), "*arguments"))
            out.positional.push_back(std::move(item));
    }
    for (const auto& [name, expr] : args.keyword)
        out.keyword.emplace_back(name, evaluate(*expr, scope));
    if (args.star_kwargs) {
        const Value mapping = evaluate(*args.star_kwargs, scope);
        if (!mapping.is_dict())
            throw EvalError("** arguments must be a dict, not " + type_name(mapping));
        for (const auto& [key, value] : mapping.as_dict().entries) {
            if (!key.is_string())
                throw EvalError("** argument keys must be strings, not " + type_name(key));
            out.keyword.emplace_back(key.as_string(), value);
        }
    }
}

// ------------------------------------------------------ shared with builtins

std::vector<Value> Interpreter::iterate(const Value& iterable, std::string_view context)
{
    std::vector<Value> items;
    switch (iterable.kind()) {
    case Value::Kind::Undefined: return items;
    case Value::Kind::List: items = iterable.as_list().items; break;
    case Value::Kind::Dict:
        items.reserve(iterable.as_dict().entries.size());
        for (const auto& entry : iterable.as_dict().entries)
            items.push_back(entry.first);
        break;
    case Value::Kind::String: {
        const std::string& source = iterable.as_string();
        const std::vector<size_t> offsets = text::code_point_offsets(source);
        items.reserve(offsets.size() - 1);
        for (size_t k = 0; k + 1 < offsets.size(); ++k)
            items.push_back(Value::string(source.substr(offsets[k], offsets[k + 1] - offsets[k])));
        break;
    }
    default:
        throw EvalError(std::string(context) + ": '" + type_name(iterable) + "' object is not iterable");
    }
    count_iterations(items.size());
    return items;
}

Value Interpreter::get_attribute(const Value& object, std::string_view name)
{
    switch (object.kind()) {
    case Value::Kind::Undefined: fail_undefined(object);
    case Value::Kind::Object: return object.as_object().get_attribute(name);
    case Value::Kind::Dict: {
        // As in Python, a method wins over a key of the same name.
        Value method = find_method(*this, object, name);
        if (!method.is_undefined())
            return method;
        if (const Value* value = object.as_dict().find(name))
            return *value;
        break;
    }
    case Value::Kind::List:
    case Value::Kind::String: {
        Value method = find_method(*this, object, name);
        if (!method.is_undefined())
            return method;
        break;
    }
    default: break;
    }
    return missing_attribute(object, text::repr_string(name));
}

Value Interpreter::get_item(const Value& object, const Value& key)
{
    switch (object.kind()) {
    case Value::Kind::Undefined: fail_undefined(object);
    case Value::Kind::Dict:
        if (!key.is_list() && !key.is_dict()) {
            if (const Value* value = object.as_dict().find(key))
                return *value;
        }
        break;
    case Value::Kind::List:
    case Value::Kind::String: {
        if (!key.is_int() && !key.is_bool())
            break;
        int64_t index = key.as_int();
        if (object.is_list()) {
            const auto size = static_cast<int64_t>(object.as_list().items.size());
            if (index < 0)
                index += size;
            if (index >= 0 && index < size)
                return object.as_list().items[static_cast<size_t>(index)];
            break;
        }
        const std::vector<size_t> offsets = text::code_point_offsets(object.as_string());
        const auto size = static_cast<int64_t>(offsets.size()) - 1;
        if (index < 0)
            index += size;
        if (index >= 0 && index < size) {
            const auto k = static_cast<size_t>(index);
            return Value::string(object.as_string().substr(offsets[k], offsets[k + 1] - offsets[k]));
        }
        break;
    }
    default: break;
    }

    // Jinja falls back to the attribute of that name: x['items'] is x.items.
    if (key.is_string())
        return get_attribute(object, key.as_string());
    return missing_attribute(object, repr(key));
}

Value Interpreter::get_attribute_path(const Value& object, std::string_view path)
{
    Value value = object;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t dot = path.find('.', start);
        const std::string_view part = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
        bool numeric = !part.empty() && part.size() <= 18;
        for (char c : part)
            numeric = numeric && c >= '0' && c <= '9';
        value = numeric ? get_item(value, Value::integer(std::stoll(std::string(part))))
                        : get_item(value, Value::string(std::string(part)));
        if (dot == std::string_view::npos)
            break;
        if (value.is_undefined())
            return value;
        start = dot + 1;
    }
    return value;
}

Value Interpreter::call(const Value& callee, Arguments& arguments)
{
    if (callee.is_undefined())
        fail_undefined(callee);
    if (!callee.is_object() || !callee.as_object().is_callable())
        throw EvalError("'" + type_name(callee) + "' object is not callable");
    return callee.as_object().call(*this, arguments);
}

Value Interpreter::apply_filter(std::string_view name, const Value& input, Arguments& arguments)
{
    const FilterFunction filter = find_filter(name);
    if (!filter)
        throw EvalError("no filter named '" + std::string(name) + "'");
    return filter(*this, input, arguments);
}

bool Interpreter::apply_test(std::string_view name, const Value& value, Arguments& arguments)
{
    const TestFunction test = find_test(name);
    if (!test)
        throw EvalError("no test named '" + std::string(name) + "'");
    return test(*this, value, arguments);
}

} // namespace quanta::jinja

// A pass over the syntax tree after parsing: every filter and test the
// template names must exist. Jinja2 checks this when it compiles a
// template, so a template that uses a filter this interpreter lacks fails
// as soon as the model loads, with the filter's position.
#include "chat/jinja/builtins.h"
#include "chat/jinja/error.h"

namespace quanta::jinja {

namespace {

void check(const ast::Expr* expr);
void check(const ast::Body& body);

void check_filter(const ast::FilterCall& call)
{
    if (!find_filter(call.name)) {
        throw SourceError(TemplateError::Kind::Unsupported, "the filter '" + call.name + "' is not supported",
                          call.offset);
    }
}

void check_args(const ast::CallArgs& args)
{
    for (const ast::ExprPtr& expr : args.positional)
        check(expr.get());
    for (const auto& keyword : args.keyword)
        check(keyword.second.get());
    check(args.star_args.get());
    check(args.star_kwargs.get());
}

void check(const ast::Expr* expr)
{
    if (!expr)
        return;
    switch (expr->kind) {
    case ast::ExprKind::Literal:
    case ast::ExprKind::Name: return;
    case ast::ExprKind::GetAttr: check(static_cast<const ast::GetAttr*>(expr)->object.get()); return;
    case ast::ExprKind::GetItem: {
        const auto* node = static_cast<const ast::GetItem*>(expr);
        check(node->object.get());
        check(node->key.get());
        return;
    }
    case ast::ExprKind::Slice: {
        const auto* node = static_cast<const ast::Slice*>(expr);
        check(node->start.get());
        check(node->stop.get());
        check(node->step.get());
        return;
    }
    case ast::ExprKind::Call: {
        const auto* node = static_cast<const ast::Call*>(expr);
        check(node->callee.get());
        check_args(node->args);
        return;
    }
    case ast::ExprKind::Filter: {
        const auto* node = static_cast<const ast::Filter*>(expr);
        check_filter(node->call);
        check(node->input.get());
        check_args(node->call.args);
        return;
    }
    case ast::ExprKind::Test: {
        const auto* node = static_cast<const ast::Test*>(expr);
        if (!find_test(node->name)) {
            throw SourceError(TemplateError::Kind::Unsupported, "the test '" + node->name + "' is not supported",
                              expr->offset);
        }
        check(node->input.get());
        check_args(node->args);
        return;
    }
    case ast::ExprKind::Negate:
    case ast::ExprKind::Plus:
    case ast::ExprKind::Not: check(static_cast<const ast::Unary*>(expr)->operand.get()); return;
    case ast::ExprKind::Binary: {
        const auto* node = static_cast<const ast::Binary*>(expr);
        check(node->left.get());
        check(node->right.get());
        return;
    }
    case ast::ExprKind::Compare: {
        const auto* node = static_cast<const ast::Compare*>(expr);
        check(node->first.get());
        for (const auto& operand : node->rest)
            check(operand.second.get());
        return;
    }
    case ast::ExprKind::And:
    case ast::ExprKind::Or: {
        const auto* node = static_cast<const ast::Logical*>(expr);
        check(node->left.get());
        check(node->right.get());
        return;
    }
    case ast::ExprKind::Conditional: {
        const auto* node = static_cast<const ast::Conditional*>(expr);
        check(node->condition.get());
        check(node->then_value.get());
        check(node->else_value.get());
        return;
    }
    case ast::ExprKind::List:
    case ast::ExprKind::Tuple:
        for (const ast::ExprPtr& item : static_cast<const ast::Sequence*>(expr)->items)
            check(item.get());
        return;
    case ast::ExprKind::Dict:
        for (const auto& [key, value] : static_cast<const ast::DictLiteral*>(expr)->items) {
            check(key.get());
            check(value.get());
        }
        return;
    }
}

void check_macro(const ast::Macro& macro)
{
    for (const ast::Parameter& parameter : macro.parameters)
        check(parameter.default_value.get());
    check(macro.body);
}

void check(const ast::Stmt& stmt)
{
    switch (stmt.kind) {
    case ast::StmtKind::Text:
    case ast::StmtKind::Break:
    case ast::StmtKind::Continue: return;
    case ast::StmtKind::Output: check(static_cast<const ast::Output&>(stmt).value.get()); return;
    case ast::StmtKind::Do: check(static_cast<const ast::Do&>(stmt).value.get()); return;
    case ast::StmtKind::If: {
        const auto& node = static_cast<const ast::If&>(stmt);
        for (const auto& [condition, body] : node.branches) {
            check(condition.get());
            check(body);
        }
        check(node.else_body);
        return;
    }
    case ast::StmtKind::For: {
        const auto& node = static_cast<const ast::For&>(stmt);
        check(node.iterable.get());
        check(node.filter.get());
        check(node.body);
        check(node.else_body);
        return;
    }
    case ast::StmtKind::Set: check(static_cast<const ast::Set&>(stmt).value.get()); return;
    case ast::StmtKind::SetBlock: {
        const auto& node = static_cast<const ast::SetBlock&>(stmt);
        for (const ast::FilterCall& filter : node.filters) {
            check_filter(filter);
            check_args(filter.args);
        }
        check(node.body);
        return;
    }
    case ast::StmtKind::Macro: check_macro(static_cast<const ast::Macro&>(stmt)); return;
    case ast::StmtKind::CallBlock: {
        const auto& node = static_cast<const ast::CallBlock&>(stmt);
        check(node.call.get());
        check_macro(node.caller);
        return;
    }
    case ast::StmtKind::FilterBlock: {
        const auto& node = static_cast<const ast::FilterBlock&>(stmt);
        for (const ast::FilterCall& filter : node.filters) {
            check_filter(filter);
            check_args(filter.args);
        }
        check(node.body);
        return;
    }
    case ast::StmtKind::Scope: {
        const auto& node = static_cast<const ast::ScopeBlock&>(stmt);
        for (const auto& assignment : node.assignments)
            check(assignment.second.get());
        check(node.body);
        return;
    }
    }
}

void check(const ast::Body& body)
{
    for (const ast::StmtPtr& stmt : body)
        check(*stmt);
}

} // namespace

void check_builtins(const ast::Body& body)
{
    check(body);
}

} // namespace quanta::jinja

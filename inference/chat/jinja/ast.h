// The syntax tree of a parsed template. Every node keeps the byte offset of
// its first token, from which errors report a line and column.
#pragma once

#include "chat/jinja/value.h"

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace quanta::jinja::ast {

// ---------------------------------------------------------------- expressions

enum class ExprKind {
    Literal,     // a constant: string, number, true/false, none
    Name,        // a variable
    GetAttr,     // object.name
    GetItem,     // object[key]
    Slice,       // start:stop:step, only as the key of GetItem
    Call,        // callee(arguments)
    Filter,      // input | name(arguments)
    Test,        // input is [not] name(arguments)
    Negate,      // -x
    Plus,        // +x
    Binary,      // arithmetic and ~
    Compare,     // a == b < c ... (chained)
    And,
    Or,
    Not,
    Conditional, // a if condition else b
    List,        // [a, b]
    Tuple,       // (a, b)
    Dict,        // {key: value}
};

struct Expr {
    Expr(ExprKind kind, size_t offset) : kind(kind), offset(offset) {}
    virtual ~Expr() = default;

    ExprKind kind;
    size_t offset;
};

using ExprPtr = std::unique_ptr<Expr>;

// Arguments of a call, filter or test, as written.
struct CallArgs {
    std::vector<ExprPtr> positional;
    std::vector<std::pair<std::string, ExprPtr>> keyword;
    ExprPtr star_args;   // *list
    ExprPtr star_kwargs; // **dict
};

struct Literal final : Expr {
    Literal(size_t offset, Value value) : Expr(ExprKind::Literal, offset), value(std::move(value)) {}
    Value value; // never a list, dict or object, so it is safe to share
};

struct Name final : Expr {
    Name(size_t offset, std::string name) : Expr(ExprKind::Name, offset), name(std::move(name)) {}
    std::string name;
};

struct GetAttr final : Expr {
    GetAttr(size_t offset, ExprPtr object, std::string attribute)
        : Expr(ExprKind::GetAttr, offset), object(std::move(object)), attribute(std::move(attribute))
    {
    }
    ExprPtr object;
    std::string attribute;
};

struct GetItem final : Expr {
    GetItem(size_t offset, ExprPtr object, ExprPtr key)
        : Expr(ExprKind::GetItem, offset), object(std::move(object)), key(std::move(key))
    {
    }
    ExprPtr object;
    ExprPtr key; // a Slice node for object[a:b]
};

struct Slice final : Expr {
    explicit Slice(size_t offset) : Expr(ExprKind::Slice, offset) {}
    ExprPtr start; // each may be null
    ExprPtr stop;
    ExprPtr step;
};

struct Call final : Expr {
    Call(size_t offset, ExprPtr callee) : Expr(ExprKind::Call, offset), callee(std::move(callee)) {}
    ExprPtr callee;
    CallArgs args;
};

// A filter as written after '|', also used by {% filter %} and {% set %}
// blocks, where the input is the block's output.
struct FilterCall {
    std::string name;
    CallArgs args;
    size_t offset = 0;
};

struct Filter final : Expr {
    Filter(size_t offset, ExprPtr input, FilterCall call)
        : Expr(ExprKind::Filter, offset), input(std::move(input)), call(std::move(call))
    {
    }
    ExprPtr input;
    FilterCall call;
};

struct Test final : Expr {
    Test(size_t offset, ExprPtr input, std::string name, bool negated)
        : Expr(ExprKind::Test, offset), input(std::move(input)), name(std::move(name)), negated(negated)
    {
    }
    ExprPtr input;
    std::string name;
    bool negated;
    CallArgs args;
};

struct Unary final : Expr {
    Unary(ExprKind kind, size_t offset, ExprPtr operand) : Expr(kind, offset), operand(std::move(operand)) {}
    ExprPtr operand; // Negate, Plus and Not
};

enum class BinaryOp { Add, Subtract, Multiply, Divide, FloorDivide, Modulo, Power, Concat };

struct Binary final : Expr {
    Binary(size_t offset, BinaryOp op, ExprPtr left, ExprPtr right)
        : Expr(ExprKind::Binary, offset), op(op), left(std::move(left)), right(std::move(right))
    {
    }
    BinaryOp op;
    ExprPtr left;
    ExprPtr right;
};

enum class CompareOp { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, In, NotIn };

struct Compare final : Expr {
    Compare(size_t offset, ExprPtr first) : Expr(ExprKind::Compare, offset), first(std::move(first)) {}
    ExprPtr first;
    std::vector<std::pair<CompareOp, ExprPtr>> rest;
};

struct Logical final : Expr {
    Logical(ExprKind kind, size_t offset, ExprPtr left, ExprPtr right)
        : Expr(kind, offset), left(std::move(left)), right(std::move(right))
    {
    }
    ExprPtr left; // And and Or
    ExprPtr right;
};

struct Conditional final : Expr {
    Conditional(size_t offset, ExprPtr condition, ExprPtr then_value, ExprPtr else_value)
        : Expr(ExprKind::Conditional, offset), condition(std::move(condition)), then_value(std::move(then_value)),
          else_value(std::move(else_value))
    {
    }
    ExprPtr condition;
    ExprPtr then_value;
    ExprPtr else_value; // null: undefined when the condition is false
};

struct Sequence final : Expr {
    Sequence(ExprKind kind, size_t offset) : Expr(kind, offset) {}
    std::vector<ExprPtr> items; // List and Tuple
};

struct DictLiteral final : Expr {
    explicit DictLiteral(size_t offset) : Expr(ExprKind::Dict, offset) {}
    std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

// ----------------------------------------------------------------- statements

enum class StmtKind {
    Text,        // template data
    Output,      // {{ expression }}
    If,
    For,
    Set,         // {% set target = value %}
    SetBlock,    // {% set name %}...{% endset %}
    Macro,
    CallBlock,   // {% call macro(...) %}...{% endcall %}
    FilterBlock, // {% filter name %}...{% endfilter %}
    Scope,       // {% with %}, {% block %} and {% generation %}: a body in its own scope
    Do,          // {% do expression %}
    Break,
    Continue,
};

struct Stmt {
    Stmt(StmtKind kind, size_t offset) : kind(kind), offset(offset) {}
    virtual ~Stmt() = default;

    StmtKind kind;
    size_t offset;
};

using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

// The destination of an assignment: a name, a namespace attribute
// (ns.count) or a tuple of targets that unpacks a sequence.
struct Target {
    enum class Kind { Name, Attribute, Tuple };
    Kind kind = Kind::Name;
    std::string name;      // the variable, or the namespace for Attribute
    std::string attribute; // Attribute only
    std::vector<Target> items;
    size_t offset = 0;
};

struct Text final : Stmt {
    Text(size_t offset, std::string text) : Stmt(StmtKind::Text, offset), text(std::move(text)) {}
    std::string text;
};

struct Output final : Stmt {
    Output(size_t offset, ExprPtr value) : Stmt(StmtKind::Output, offset), value(std::move(value)) {}
    ExprPtr value;
};

struct If final : Stmt {
    explicit If(size_t offset) : Stmt(StmtKind::If, offset) {}
    std::vector<std::pair<ExprPtr, Body>> branches; // if and each elif
    Body else_body;
};

struct For final : Stmt {
    explicit For(size_t offset) : Stmt(StmtKind::For, offset) {}
    Target target;
    ExprPtr iterable;
    ExprPtr filter; // `for x in xs if condition`; may be null
    bool recursive = false;
    Body body;
    Body else_body;
};

struct Set final : Stmt {
    explicit Set(size_t offset) : Stmt(StmtKind::Set, offset) {}
    Target target;
    ExprPtr value;
};

struct SetBlock final : Stmt {
    explicit SetBlock(size_t offset) : Stmt(StmtKind::SetBlock, offset) {}
    Target target;
    std::vector<FilterCall> filters; // applied to the body's output in order
    Body body;
};

struct Parameter {
    std::string name;
    ExprPtr default_value; // may be null
};

struct Macro final : Stmt {
    explicit Macro(size_t offset) : Stmt(StmtKind::Macro, offset) {}
    std::string name;
    std::vector<Parameter> parameters;
    Body body;
};

struct CallBlock final : Stmt {
    explicit CallBlock(size_t offset) : Stmt(StmtKind::CallBlock, offset) {}
    Macro caller{0};      // the block, callable as caller() from the macro
    ExprPtr call;         // a Call expression
};

struct FilterBlock final : Stmt {
    explicit FilterBlock(size_t offset) : Stmt(StmtKind::FilterBlock, offset) {}
    std::vector<FilterCall> filters;
    Body body;
};

struct ScopeBlock final : Stmt {
    explicit ScopeBlock(size_t offset) : Stmt(StmtKind::Scope, offset) {}
    std::vector<std::pair<Target, ExprPtr>> assignments; // {% with a = 1 %}
    Body body;
};

struct Do final : Stmt {
    Do(size_t offset, ExprPtr value) : Stmt(StmtKind::Do, offset), value(std::move(value)) {}
    ExprPtr value;
};

struct LoopControl final : Stmt {
    LoopControl(StmtKind kind, size_t offset) : Stmt(kind, offset) {} // Break and Continue
};

} // namespace quanta::jinja::ast

// Expressions, from the loosest binding to the tightest, as in Jinja2:
// conditional, or, and, not, comparisons, + -, ~, * / // %, **, unary - +,
// then primaries with their postfix operators, filters and tests.
#include "chat/jinja/parser_internal.h"

namespace quanta::jinja {

namespace {

bool is_constant_name(const std::string& name, Value& value)
{
    if (name == "true" || name == "True") {
        value = Value::boolean(true);
        return true;
    }
    if (name == "false" || name == "False") {
        value = Value::boolean(false);
        return true;
    }
    if (name == "none" || name == "None") {
        value = Value::none();
        return true;
    }
    return false;
}

} // namespace

bool Parser::is_tuple_end(std::initializer_list<std::string_view> end_names) const
{
    const Token& token = current();
    if (token.type == TokenType::VariableEnd || token.type == TokenType::BlockEnd || at_operator(")"))
        return true;
    for (std::string_view name : end_names) {
        if (at_name(name))
            return true;
    }
    return false;
}

ast::ExprPtr Parser::parse_tuple(bool with_condexpr, std::initializer_list<std::string_view> end_names,
                                 bool explicit_parentheses)
{
    const size_t offset = current().offset;
    std::vector<ast::ExprPtr> items;
    bool is_tuple = false;
    while (true) {
        if (!items.empty())
            expect_operator(",", "between the items of a tuple");
        if (is_tuple_end(end_names))
            break;
        items.push_back(parse_expression(with_condexpr));
        if (!at_operator(","))
            break;
        is_tuple = true;
    }
    if (!is_tuple) {
        if (!items.empty())
            return std::move(items.front());
        if (!explicit_parentheses)
            fail_unexpected("an expression");
    }
    auto tuple = std::make_unique<ast::Sequence>(ast::ExprKind::Tuple, offset);
    tuple->items = std::move(items);
    return tuple;
}

ast::ExprPtr Parser::parse_expression(bool with_condexpr)
{
    const DepthGuard guard(*this, expression_depth_, kMaxExpressionDepth, "expressions");
    return with_condexpr ? parse_condexpr() : parse_or();
}

ast::ExprPtr Parser::parse_condexpr()
{
    size_t offset = current().offset;
    ast::ExprPtr value = parse_or();
    while (skip_name("if")) {
        ast::ExprPtr condition = parse_or();
        ast::ExprPtr otherwise;
        if (skip_name("else"))
            otherwise = parse_condexpr();
        value = std::make_unique<ast::Conditional>(offset, std::move(condition), std::move(value),
                                                   std::move(otherwise));
        offset = current().offset;
    }
    return value;
}

ast::ExprPtr Parser::parse_or()
{
    ast::ExprPtr left = parse_and();
    while (at_name("or")) {
        const size_t offset = advance().offset;
        left = std::make_unique<ast::Logical>(ast::ExprKind::Or, offset, std::move(left), parse_and());
    }
    return left;
}

ast::ExprPtr Parser::parse_and()
{
    ast::ExprPtr left = parse_not();
    while (at_name("and")) {
        const size_t offset = advance().offset;
        left = std::make_unique<ast::Logical>(ast::ExprKind::And, offset, std::move(left), parse_not());
    }
    return left;
}

ast::ExprPtr Parser::parse_not()
{
    if (at_name("not")) {
        const DepthGuard guard(*this, expression_depth_, kMaxExpressionDepth, "expressions");
        const size_t offset = advance().offset;
        return std::make_unique<ast::Unary>(ast::ExprKind::Not, offset, parse_not());
    }
    return parse_compare();
}

ast::ExprPtr Parser::parse_compare()
{
    const size_t offset = current().offset;
    ast::ExprPtr first = parse_math1();
    std::unique_ptr<ast::Compare> compare;
    while (true) {
        ast::CompareOp op;
        if (at_operator("=="))
            op = ast::CompareOp::Equal;
        else if (at_operator("!="))
            op = ast::CompareOp::NotEqual;
        else if (at_operator("<"))
            op = ast::CompareOp::Less;
        else if (at_operator("<="))
            op = ast::CompareOp::LessEqual;
        else if (at_operator(">"))
            op = ast::CompareOp::Greater;
        else if (at_operator(">="))
            op = ast::CompareOp::GreaterEqual;
        else if (at_name("in"))
            op = ast::CompareOp::In;
        else if (at_name("not") && peek().type == TokenType::Name && peek().value == "in")
            op = ast::CompareOp::NotIn;
        else
            break;
        advance();
        if (op == ast::CompareOp::NotIn)
            advance();
        if (!compare)
            compare = std::make_unique<ast::Compare>(offset, std::move(first));
        compare->rest.emplace_back(op, parse_math1());
    }
    if (compare)
        return compare;
    return first;
}

ast::ExprPtr Parser::parse_math1()
{
    ast::ExprPtr left = parse_concat();
    while (at_operator("+") || at_operator("-")) {
        const ast::BinaryOp op = at_operator("+") ? ast::BinaryOp::Add : ast::BinaryOp::Subtract;
        const size_t offset = advance().offset;
        left = std::make_unique<ast::Binary>(offset, op, std::move(left), parse_concat());
    }
    return left;
}

ast::ExprPtr Parser::parse_concat()
{
    ast::ExprPtr left = parse_math2();
    while (at_operator("~")) {
        const size_t offset = advance().offset;
        left = std::make_unique<ast::Binary>(offset, ast::BinaryOp::Concat, std::move(left), parse_math2());
    }
    return left;
}

ast::ExprPtr Parser::parse_math2()
{
    ast::ExprPtr left = parse_pow();
    while (true) {
        ast::BinaryOp op;
        if (at_operator("*"))
            op = ast::BinaryOp::Multiply;
        else if (at_operator("/"))
            op = ast::BinaryOp::Divide;
        else if (at_operator("//"))
            op = ast::BinaryOp::FloorDivide;
        else if (at_operator("%"))
            op = ast::BinaryOp::Modulo;
        else
            break;
        const size_t offset = advance().offset;
        left = std::make_unique<ast::Binary>(offset, op, std::move(left), parse_pow());
    }
    return left;
}

// Jinja2 parses ** left-associatively, unlike Python: 2 ** 3 ** 2 is 64.
ast::ExprPtr Parser::parse_pow()
{
    ast::ExprPtr left = parse_unary(true);
    while (at_operator("**")) {
        const size_t offset = advance().offset;
        left = std::make_unique<ast::Binary>(offset, ast::BinaryOp::Power, std::move(left), parse_unary(true));
    }
    return left;
}

// As in Jinja2, filters bind to the negated value: -x|abs is (-x)|abs.
ast::ExprPtr Parser::parse_unary(bool with_filter)
{
    const DepthGuard guard(*this, expression_depth_, kMaxExpressionDepth, "expressions");
    ast::ExprPtr node;
    if (at_operator("-") || at_operator("+")) {
        const ast::ExprKind kind = at_operator("-") ? ast::ExprKind::Negate : ast::ExprKind::Plus;
        const size_t offset = advance().offset;
        node = std::make_unique<ast::Unary>(kind, offset, parse_unary(false));
    } else {
        node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter)
        node = parse_filter_expr(std::move(node));
    return node;
}

ast::ExprPtr Parser::parse_primary()
{
    const Token& token = current();
    switch (token.type) {
    case TokenType::Name: {
        advance();
        Value constant;
        if (is_constant_name(token.value, constant))
            return std::make_unique<ast::Literal>(token.offset, constant);
        return std::make_unique<ast::Name>(token.offset, token.value);
    }
    case TokenType::String: {
        // Adjacent literals join, as in Python: "a" "b" is "ab".
        std::string joined;
        while (current().type == TokenType::String)
            joined += advance().value;
        return std::make_unique<ast::Literal>(token.offset, Value::string(std::move(joined)));
    }
    case TokenType::Integer: advance(); return std::make_unique<ast::Literal>(token.offset, Value::integer(token.integer));
    case TokenType::Float: advance(); return std::make_unique<ast::Literal>(token.offset, Value::number(token.number));
    case TokenType::Operator:
        if (token.value == "(") {
            advance();
            ast::ExprPtr inner = parse_tuple(true, {}, true);
            expect_operator(")", "to close '('");
            return inner;
        }
        if (token.value == "[")
            return parse_list();
        if (token.value == "{")
            return parse_dict();
        break;
    default: break;
    }
    fail_unexpected("an expression");
}

ast::ExprPtr Parser::parse_list()
{
    auto list = std::make_unique<ast::Sequence>(ast::ExprKind::List, advance().offset);
    while (!at_operator("]")) {
        if (!list->items.empty())
            expect_operator(",", "between list items");
        if (at_operator("]"))
            break;
        list->items.push_back(parse_expression());
    }
    advance();
    return list;
}

ast::ExprPtr Parser::parse_dict()
{
    auto dict = std::make_unique<ast::DictLiteral>(advance().offset);
    while (!at_operator("}")) {
        if (!dict->items.empty())
            expect_operator(",", "between dict items");
        if (at_operator("}"))
            break;
        ast::ExprPtr key = parse_expression();
        expect_operator(":", "after a dict key");
        dict->items.emplace_back(std::move(key), parse_expression());
    }
    advance();
    return dict;
}

ast::ExprPtr Parser::parse_postfix(ast::ExprPtr node)
{
    while (true) {
        if (at_operator(".") || at_operator("[")) {
            node = parse_subscript(std::move(node));
        } else if (at_operator("(")) {
            const size_t offset = node->offset; // errors point at the callee, not at '('
            auto call = std::make_unique<ast::Call>(offset, std::move(node));
            parse_call_args(call->args);
            node = std::move(call);
        } else {
            return node;
        }
    }
}

ast::ExprPtr Parser::parse_subscript(ast::ExprPtr node)
{
    const Token& token = advance();
    if (token.value == ".") {
        const Token& attribute = current();
        if (attribute.type == TokenType::Name) {
            advance();
            return std::make_unique<ast::GetAttr>(token.offset, std::move(node), attribute.value);
        }
        if (attribute.type == TokenType::Integer) {
            advance();
            return std::make_unique<ast::GetItem>(
                token.offset, std::move(node), std::make_unique<ast::Literal>(attribute.offset, Value::integer(attribute.integer)));
        }
        fail_unexpected("an attribute name or number after '.'");
    }

    // object[key], object[a:b:c] or object[a, b] (a tuple key).
    std::vector<ast::ExprPtr> keys;
    while (!at_operator("]")) {
        if (!keys.empty())
            expect_operator(",", "between subscripts");
        keys.push_back(parse_subscribed());
    }
    advance();
    if (keys.empty())
        fail("expected a subscript between '[' and ']'", token.offset);
    if (keys.size() == 1)
        return std::make_unique<ast::GetItem>(token.offset, std::move(node), std::move(keys.front()));
    auto tuple = std::make_unique<ast::Sequence>(ast::ExprKind::Tuple, token.offset);
    tuple->items = std::move(keys);
    return std::make_unique<ast::GetItem>(token.offset, std::move(node), std::move(tuple));
}

ast::ExprPtr Parser::parse_subscribed()
{
    const size_t offset = current().offset;
    ast::ExprPtr start;
    if (!at_operator(":")) {
        start = parse_expression();
        if (!at_operator(":"))
            return start;
    }
    advance();
    auto slice = std::make_unique<ast::Slice>(offset);
    slice->start = std::move(start);
    const auto at_slice_end = [&] { return at_operator("]") || at_operator(","); };
    if (!at_operator(":") && !at_slice_end())
        slice->stop = parse_expression();
    if (skip_operator(":") && !at_slice_end())
        slice->step = parse_expression();
    return slice;
}

ast::ExprPtr Parser::parse_filter_expr(ast::ExprPtr node)
{
    while (true) {
        if (at_operator("|")) {
            advance();
            const size_t offset = current().offset;
            node = std::make_unique<ast::Filter>(offset, std::move(node), parse_filter_call());
        } else if (at_name("is")) {
            node = parse_test(std::move(node));
        } else if (at_operator("(")) {
            const size_t offset = node->offset; // errors point at the callee, not at '('
            auto call = std::make_unique<ast::Call>(offset, std::move(node));
            parse_call_args(call->args);
            node = std::move(call);
        } else {
            return node;
        }
    }
}

ast::ExprPtr Parser::parse_test(ast::ExprPtr node)
{
    const size_t offset = advance().offset; // 'is'
    const bool negated = skip_name("not");
    std::string name = expect_name("for the test after 'is'");
    while (at_operator(".") && peek().type == TokenType::Name) {
        advance();
        name += "." + advance().value;
    }
    auto test = std::make_unique<ast::Test>(offset, std::move(node), std::move(name), negated);

    // `x is divisibleby(3)` or `x is divisibleby 3`: one argument may follow
    // without parentheses.
    if (at_operator("(")) {
        parse_call_args(test->args);
        return test;
    }
    const Token& next = current();
    const bool starts_argument =
        next.type == TokenType::Name || next.type == TokenType::String || next.type == TokenType::Integer ||
        next.type == TokenType::Float || at_operator("[") || at_operator("{");
    if (starts_argument && !at_name("else") && !at_name("or") && !at_name("and")) {
        if (at_name("is"))
            fail("tests cannot be chained: found a second 'is'", next.offset);
        test->args.positional.push_back(parse_postfix(parse_primary()));
    }
    return test;
}

ast::FilterCall Parser::parse_filter_call()
{
    ast::FilterCall call;
    call.offset = current().offset;
    call.name = expect_name("for the filter after '|'");
    while (at_operator(".") && peek().type == TokenType::Name) {
        advance();
        call.name += "." + advance().value;
    }
    if (at_operator("("))
        parse_call_args(call.args);
    return call;
}

void Parser::parse_call_args(ast::CallArgs& args)
{
    expect_operator("(", "to start the arguments");
    bool first = true;
    while (!at_operator(")")) {
        if (!first)
            expect_operator(",", "between arguments");
        if (at_operator(")"))
            break;
        first = false;
        if (skip_operator("*")) {
            args.star_args = parse_expression();
        } else if (skip_operator("**")) {
            args.star_kwargs = parse_expression();
        } else if (current().type == TokenType::Name && peek().type == TokenType::Operator && peek().value == "=") {
            std::string name = advance().value;
            advance();
            args.keyword.emplace_back(std::move(name), parse_expression());
        } else {
            if (!args.keyword.empty() || args.star_kwargs)
                fail("a positional argument follows a keyword argument", current().offset);
            args.positional.push_back(parse_expression());
        }
    }
    advance();
}

} // namespace quanta::jinja

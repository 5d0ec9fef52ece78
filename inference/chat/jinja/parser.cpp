#include "chat/jinja/parser.h"

#include "chat/jinja/parser_internal.h"

#include <algorithm>

namespace quanta::jinja {

namespace {

using Kind = TemplateError::Kind;

// Tags of Jinja that need other templates or an HTML setting. Chat templates
// are rendered on their own, without autoescaping.
bool is_unsupported_tag(std::string_view tag)
{
    return tag == "include" || tag == "import" || tag == "from" || tag == "extends" || tag == "autoescape" ||
           tag == "trans" || tag == "pluralize";
}

bool is_end_tag(std::string_view tag)
{
    return tag.substr(0, 3) == "end" || tag == "else" || tag == "elif";
}

} // namespace

// ------------------------------------------------------------- token stream

Parser::DepthGuard::DepthGuard(Parser& parser, int& depth, int limit, const char* what) : depth_(depth)
{
    if (++depth_ > limit) {
        --depth_;
        throw SourceError(Kind::Limit,
                          std::string(what) + " nested deeper than " + std::to_string(limit) + " levels",
                          parser.current().offset);
    }
}

const Token& Parser::peek(size_t ahead) const
{
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& Parser::advance()
{
    const Token& token = tokens_[pos_];
    if (pos_ + 1 < tokens_.size())
        ++pos_;
    return token;
}

bool Parser::at_operator(std::string_view op) const
{
    return current().type == TokenType::Operator && current().value == op;
}

bool Parser::at_name(std::string_view name) const
{
    return current().type == TokenType::Name && current().value == name;
}

bool Parser::skip_operator(std::string_view op)
{
    if (!at_operator(op))
        return false;
    advance();
    return true;
}

bool Parser::skip_name(std::string_view name)
{
    if (!at_name(name))
        return false;
    advance();
    return true;
}

const Token& Parser::expect_operator(std::string_view op, const char* context)
{
    if (!at_operator(op)) {
        fail("expected '" + std::string(op) + "' " + context + ", found " + describe_token(current()),
             current().offset);
    }
    return advance();
}

std::string Parser::expect_name(const char* context)
{
    if (current().type != TokenType::Name)
        fail(std::string("expected a name ") + context + ", found " + describe_token(current()), current().offset);
    return advance().value;
}

void Parser::expect_block_end(const char* tag)
{
    if (current().type != TokenType::BlockEnd) {
        fail(std::string("expected '%}' to end the '") + tag + "' tag, found " + describe_token(current()),
             current().offset);
    }
    advance();
}

void Parser::fail(const std::string& message, size_t offset) const
{
    throw SourceError(Kind::Syntax, message, offset);
}

void Parser::fail_unexpected(const char* expected) const
{
    fail(std::string("expected ") + expected + ", found " + describe_token(current()), current().offset);
}

// --------------------------------------------------------------- statements

ast::Body Parser::parse_template()
{
    return parse_body({}, {}, 0, nullptr);
}

ast::Body Parser::parse_body(std::initializer_list<std::string_view> end_tags, std::string_view open_tag,
                             size_t open_offset, BodyEnd* end)
{
    const DepthGuard guard(*this, block_depth_, kMaxBlockDepth, "blocks");
    ast::Body body;
    while (true) {
        const Token& token = current();
        switch (token.type) {
        case TokenType::Text:
            body.push_back(std::make_unique<ast::Text>(token.offset, token.value));
            advance();
            continue;
        case TokenType::VariableBegin: {
            advance();
            ast::ExprPtr value = parse_tuple(true, {}, false);
            if (current().type != TokenType::VariableEnd)
                fail_unexpected("'}}' to end the expression");
            advance();
            body.push_back(std::make_unique<ast::Output>(token.offset, std::move(value)));
            continue;
        }
        case TokenType::BlockBegin: break;
        case TokenType::End:
            if (end_tags.size() == 0)
                return body;
            fail("unexpected end of template: the '" + std::string(open_tag) + "' block opened on line " +
                     std::to_string(line_of(source_, open_offset)) + " needs '{% " +
                     std::string(*end_tags.begin()) + " %}'",
                 token.offset);
        default: fail_unexpected("template text or a tag");
        }

        // A block tag: either the end of this body or a nested statement.
        const size_t offset = token.offset;
        advance();
        if (current().type != TokenType::Name)
            fail_unexpected("a tag name after '{%'");
        const std::string tag = current().value;
        if (std::find(end_tags.begin(), end_tags.end(), tag) != end_tags.end()) {
            advance();
            if (end) {
                end->tag = tag;
                end->offset = offset;
            }
            return body;
        }
        if (is_end_tag(tag)) {
            if (end_tags.size() == 0)
                fail("unexpected '" + tag + "': no block is open", current().offset);
            fail("unexpected '" + tag + "': the innermost open block is '" + std::string(open_tag) +
                     "' from line " + std::to_string(line_of(source_, open_offset)) + ", which ends with '" +
                     std::string(*end_tags.begin()) + "'",
                 current().offset);
        }
        advance();
        body.push_back(parse_statement(tag, offset));
    }
}

ast::StmtPtr Parser::parse_statement(const std::string& tag, size_t offset)
{
    if (tag == "for")
        return parse_for(offset);
    if (tag == "if")
        return parse_if(offset);
    if (tag == "set")
        return parse_set(offset);
    if (tag == "macro")
        return parse_macro(offset);
    if (tag == "call")
        return parse_call_block(offset);
    if (tag == "filter")
        return parse_filter_block(offset);
    if (tag == "with")
        return parse_with(offset);
    if (tag == "block" || tag == "generation")
        return parse_named_block(tag, offset);
    if (tag == "do") {
        ast::ExprPtr value = parse_tuple(true, {}, false);
        expect_block_end("do");
        return std::make_unique<ast::Do>(offset, std::move(value));
    }
    if (tag == "break" || tag == "continue") {
        if (loop_depth_ == 0)
            fail("'" + tag + "' outside of a for loop", offset);
        expect_block_end(tag.c_str());
        return std::make_unique<ast::LoopControl>(tag == "break" ? ast::StmtKind::Break : ast::StmtKind::Continue,
                                                  offset);
    }
    if (is_unsupported_tag(tag)) {
        throw SourceError(Kind::Unsupported,
                          "the '" + tag + "' tag is not supported: chat templates are rendered on their own", offset);
    }
    fail("unknown tag '" + tag + "'", offset);
}

ast::StmtPtr Parser::parse_for(size_t offset)
{
    auto node = std::make_unique<ast::For>(offset);
    node->target = parse_target(true, false);
    if (!skip_name("in"))
        fail_unexpected("'in' after the loop variables");
    node->iterable = parse_tuple(false, {"recursive"}, false);
    if (skip_name("if"))
        node->filter = parse_expression();
    node->recursive = skip_name("recursive");
    expect_block_end("for");

    BodyEnd end;
    ++loop_depth_;
    node->body = parse_body({"endfor", "else"}, "for", offset, &end);
    --loop_depth_;
    if (end.tag == "else") {
        expect_block_end("else");
        node->else_body = parse_body({"endfor"}, "for", offset, &end);
    }
    expect_block_end("endfor");
    return node;
}

ast::StmtPtr Parser::parse_if(size_t offset)
{
    auto node = std::make_unique<ast::If>(offset);
    ast::ExprPtr condition = parse_tuple(false, {}, false);
    expect_block_end("if");
    while (true) {
        BodyEnd end;
        ast::Body body = parse_body({"endif", "elif", "else"}, "if", offset, &end);
        node->branches.emplace_back(std::move(condition), std::move(body));
        if (end.tag == "elif") {
            condition = parse_tuple(false, {}, false);
            expect_block_end("elif");
            continue;
        }
        if (end.tag == "else") {
            expect_block_end("else");
            node->else_body = parse_body({"endif"}, "if", offset, &end);
        }
        expect_block_end("endif");
        return node;
    }
}

ast::StmtPtr Parser::parse_set(size_t offset)
{
    ast::Target target = parse_target(true, true);
    if (skip_operator("=")) {
        auto node = std::make_unique<ast::Set>(offset);
        node->target = std::move(target);
        node->value = parse_tuple(true, {}, false);
        expect_block_end("set");
        return node;
    }

    // {% set name %}...{% endset %}, optionally with filters.
    if (target.kind == ast::Target::Kind::Tuple)
        fail("a {% set %} block assigns to one name, not a tuple", target.offset);
    auto node = std::make_unique<ast::SetBlock>(offset);
    node->target = std::move(target);
    if (at_operator("|")) {
        advance();
        node->filters = parse_filter_chain();
    }
    expect_block_end("set");
    node->body = parse_body({"endset"}, "set", offset, nullptr);
    expect_block_end("endset");
    return node;
}

ast::StmtPtr Parser::parse_macro(size_t offset)
{
    auto node = std::make_unique<ast::Macro>(offset);
    node->name = expect_name("after 'macro'");
    parse_parameters(node->parameters);
    expect_block_end("macro");

    // break and continue do not reach through a macro into the caller's loop.
    const int outer_loops = loop_depth_;
    loop_depth_ = 0;
    node->body = parse_body({"endmacro"}, "macro", offset, nullptr);
    loop_depth_ = outer_loops;
    expect_block_end("endmacro");
    return node;
}

ast::StmtPtr Parser::parse_call_block(size_t offset)
{
    auto node = std::make_unique<ast::CallBlock>(offset);
    node->caller.offset = offset;
    node->caller.name = "caller";
    if (at_operator("("))
        parse_parameters(node->caller.parameters);
    node->call = parse_expression();
    if (node->call->kind != ast::ExprKind::Call)
        fail("expected a macro call after 'call'", node->call->offset);
    expect_block_end("call");

    const int outer_loops = loop_depth_;
    loop_depth_ = 0;
    node->caller.body = parse_body({"endcall"}, "call", offset, nullptr);
    loop_depth_ = outer_loops;
    expect_block_end("endcall");
    return node;
}

ast::StmtPtr Parser::parse_filter_block(size_t offset)
{
    auto node = std::make_unique<ast::FilterBlock>(offset);
    node->filters = parse_filter_chain();
    expect_block_end("filter");
    node->body = parse_body({"endfilter"}, "filter", offset, nullptr);
    expect_block_end("endfilter");
    return node;
}

ast::StmtPtr Parser::parse_with(size_t offset)
{
    auto node = std::make_unique<ast::ScopeBlock>(offset);
    while (current().type != TokenType::BlockEnd) {
        if (!node->assignments.empty())
            expect_operator(",", "between the assignments of 'with'");
        ast::Target target = parse_target(false, false);
        expect_operator("=", "in the assignment of 'with'");
        node->assignments.emplace_back(std::move(target), parse_expression());
    }
    expect_block_end("with");
    node->body = parse_body({"endwith"}, "with", offset, nullptr);
    expect_block_end("endwith");
    return node;
}

// {% block name %} renders its body in place, since there is no template
// inheritance here. {% generation %} is the marker transformers uses to find
// assistant text, and renders its body too.
ast::StmtPtr Parser::parse_named_block(const std::string& tag, size_t offset)
{
    auto node = std::make_unique<ast::ScopeBlock>(offset);
    if (tag == "block") {
        expect_name("after 'block'");
        while (skip_name("scoped") || skip_name("required")) {
        }
    }
    expect_block_end(tag.c_str());
    const std::string end_tag = "end" + tag;
    node->body = parse_body({end_tag}, tag, offset, nullptr);
    if (tag == "block" && current().type == TokenType::Name)
        advance(); // {% endblock name %}
    expect_block_end(end_tag.c_str());
    return node;
}

ast::Target Parser::parse_target(bool allow_tuple, bool allow_namespace)
{
    // ns.attribute, for namespace objects.
    if (allow_namespace && current().type == TokenType::Name && peek().type == TokenType::Operator &&
        peek().value == ".") {
        ast::Target target;
        target.kind = ast::Target::Kind::Attribute;
        target.offset = current().offset;
        target.name = advance().value;
        advance();
        target.attribute = expect_name("after '.' in the assignment target");
        return target;
    }

    ast::Target first = parse_target_item();
    if (!allow_tuple || !at_operator(","))
        return first;
    ast::Target tuple;
    tuple.kind = ast::Target::Kind::Tuple;
    tuple.offset = first.offset;
    tuple.items.push_back(std::move(first));
    while (skip_operator(",")) {
        if ((current().type != TokenType::Name || at_name("in")) && !at_operator("("))
            break;
        tuple.items.push_back(parse_target_item());
    }
    return tuple;
}

ast::Target Parser::parse_target_item()
{
    ast::Target target;
    target.offset = current().offset;
    if (skip_operator("(")) {
        target.kind = ast::Target::Kind::Tuple;
        while (!at_operator(")")) {
            if (!target.items.empty())
                expect_operator(",", "between the names of a tuple target");
            if (at_operator(")"))
                break;
            target.items.push_back(parse_target_item());
        }
        advance();
        return target;
    }
    if (current().type != TokenType::Name)
        fail_unexpected("a variable name to assign to");
    const std::string& name = current().value;
    if (name == "true" || name == "false" || name == "none" || name == "True" || name == "False" || name == "None")
        fail("cannot assign to the constant '" + name + "'", current().offset);
    target.name = advance().value;
    return target;
}

void Parser::parse_parameters(std::vector<ast::Parameter>& parameters)
{
    expect_operator("(", "to start the parameter list");
    while (!at_operator(")")) {
        if (!parameters.empty())
            expect_operator(",", "between parameters");
        if (at_operator(")"))
            break;
        ast::Parameter parameter;
        const size_t offset = current().offset;
        parameter.name = expect_name("for a parameter");
        if (skip_operator("="))
            parameter.default_value = parse_expression();
        else if (!parameters.empty() && parameters.back().default_value)
            fail("parameter '" + parameter.name + "' without a default follows one with a default", offset);
        parameters.push_back(std::move(parameter));
    }
    advance();
}

std::vector<ast::FilterCall> Parser::parse_filter_chain()
{
    std::vector<ast::FilterCall> filters;
    filters.push_back(parse_filter_call());
    while (skip_operator("|"))
        filters.push_back(parse_filter_call());
    return filters;
}

ast::Body parse(std::string_view source, const std::vector<Token>& tokens)
{
    return Parser(source, tokens).parse_template();
}

int line_of(std::string_view source, size_t offset)
{
    offset = std::min(offset, source.size());
    return 1 + static_cast<int>(std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

} // namespace quanta::jinja

// The parser's state, shared by parser.cpp (statements) and
// parser_expressions.cpp (expressions). Internal to the interpreter.
#pragma once

#include "chat/jinja/ast.h"
#include "chat/jinja/error.h"
#include "chat/jinja/lexer.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace quanta::jinja {

class Parser {
public:
    Parser(std::string_view source, const std::vector<Token>& tokens) : source_(source), tokens_(tokens) {}

    ast::Body parse_template();

private:
    // Nested expressions and blocks deeper than these are rejected, so that
    // a hostile template cannot overflow the stack of the parser or of the
    // interpreter that walks the tree.
    static constexpr int kMaxExpressionDepth = 200;
    static constexpr int kMaxBlockDepth = 100;

    // Counts nesting for as long as it lives.
    class DepthGuard {
    public:
        DepthGuard(Parser& parser, int& depth, int limit, const char* what);
        ~DepthGuard() { --depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

    private:
        int& depth_;
    };

    // The tag that closed a body, e.g. "endfor" or "else".
    struct BodyEnd {
        std::string tag;
        size_t offset = 0;
    };

    // ---- token stream
    const Token& current() const { return tokens_[pos_]; }
    const Token& peek(size_t ahead = 1) const;
    const Token& advance();
    bool at_operator(std::string_view op) const;
    bool at_name(std::string_view name) const;
    bool skip_operator(std::string_view op);
    bool skip_name(std::string_view name);
    const Token& expect_operator(std::string_view op, const char* context);
    std::string expect_name(const char* context);
    void expect_block_end(const char* tag);
    [[noreturn]] void fail(const std::string& message, size_t offset) const;
    [[noreturn]] void fail_unexpected(const char* expected) const;

    // ---- statements (parser.cpp)
    ast::Body parse_body(std::initializer_list<std::string_view> end_tags, std::string_view open_tag,
                         size_t open_offset, BodyEnd* end);
    ast::StmtPtr parse_statement(const std::string& tag, size_t offset);
    ast::StmtPtr parse_for(size_t offset);
    ast::StmtPtr parse_if(size_t offset);
    ast::StmtPtr parse_set(size_t offset);
    ast::StmtPtr parse_macro(size_t offset);
    ast::StmtPtr parse_call_block(size_t offset);
    ast::StmtPtr parse_filter_block(size_t offset);
    ast::StmtPtr parse_with(size_t offset);
    ast::StmtPtr parse_named_block(const std::string& tag, size_t offset);
    ast::Target parse_target(bool allow_tuple, bool allow_namespace);
    ast::Target parse_target_item();
    void parse_parameters(std::vector<ast::Parameter>& parameters);
    std::vector<ast::FilterCall> parse_filter_chain();

    // ---- expressions (parser_expressions.cpp)
    ast::ExprPtr parse_tuple(bool with_condexpr, std::initializer_list<std::string_view> end_names,
                             bool explicit_parentheses);
    ast::ExprPtr parse_expression(bool with_condexpr = true);
    ast::ExprPtr parse_condexpr();
    ast::ExprPtr parse_or();
    ast::ExprPtr parse_and();
    ast::ExprPtr parse_not();
    ast::ExprPtr parse_compare();
    ast::ExprPtr parse_math1();
    ast::ExprPtr parse_concat();
    ast::ExprPtr parse_math2();
    ast::ExprPtr parse_pow();
    ast::ExprPtr parse_unary(bool with_filter);
    ast::ExprPtr parse_primary();
    ast::ExprPtr parse_list();
    ast::ExprPtr parse_dict();
    ast::ExprPtr parse_postfix(ast::ExprPtr node);
    ast::ExprPtr parse_subscript(ast::ExprPtr node);
    ast::ExprPtr parse_subscribed();
    ast::ExprPtr parse_filter_expr(ast::ExprPtr node);
    ast::ExprPtr parse_test(ast::ExprPtr node);
    ast::FilterCall parse_filter_call();
    void parse_call_args(ast::CallArgs& args);
    bool is_tuple_end(std::initializer_list<std::string_view> end_names) const;

    std::string_view source_;
    const std::vector<Token>& tokens_;
    size_t pos_ = 0;
    int expression_depth_ = 0;
    int block_depth_ = 0;
    int loop_depth_ = 0; // for loops around the current statement, within the current macro
};

} // namespace quanta::jinja

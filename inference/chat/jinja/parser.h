// Builds the syntax tree of a template from its tokens, following Jinja2's
// grammar and operator precedence.
#pragma once

#include "chat/jinja/ast.h"
#include "chat/jinja/lexer.h"

#include <string_view>
#include <vector>

namespace quanta::jinja {

// Parses `tokens` of `source` (used to name the line of an unclosed block in
// messages). Throws SourceError for a syntax error, an unknown tag, a tag
// this interpreter does not support, or nesting beyond its limit.
ast::Body parse(std::string_view source, const std::vector<Token>& tokens);

// Line number (1-based) of a byte offset in `source`.
int line_of(std::string_view source, size_t offset);

} // namespace quanta::jinja

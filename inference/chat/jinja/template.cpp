#include "chat/jinja/template.h"

#include "chat/jinja/builtins.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/lexer.h"
#include "chat/jinja/parser.h"

#include <nlohmann/json.hpp>

#include <new>

namespace quanta::jinja {

namespace {

int column_of(std::string_view source, size_t offset)
{
    offset = std::min(offset, source.size());
    const size_t line_start = source.rfind('\n', offset == 0 ? 0 : offset - 1);
    const size_t start = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
    // Count code points, not bytes: continuation bytes are 10xxxxxx.
    int column = 1;
    for (size_t i = start; i < offset; ++i) {
        if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80)
            ++column;
    }
    return column;
}

} // namespace

Template::Template(std::string_view source, std::string name, const ParseOptions& options)
    : name_(std::move(name)), source_(normalize_source(source, options.keep_trailing_newline))
{
    try {
        LexerOptions lexer_options;
        lexer_options.trim_blocks = options.trim_blocks;
        lexer_options.lstrip_blocks = options.lstrip_blocks;
        const std::vector<Token> tokens = tokenize(source_, lexer_options);
        body_ = std::make_unique<ast::Body>(parse(source_, tokens));
        check_builtins(*body_);
    } catch (const SourceError& error) {
        rethrow(error);
    }
}

Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::render(const nlohmann::ordered_json& variables, const RenderOptions& options) const
{
    try {
        Interpreter interpreter(options);
        return interpreter.render(*body_, variables);
    } catch (const SourceError& error) {
        rethrow(error);
    } catch (const std::bad_alloc&) {
        throw TemplateError(TemplateError::Kind::Limit, name_ + ": out of memory while rendering", 0, 0);
    }
}

void Template::rethrow(const SourceError& error) const
{
    const int line = line_of(source_, error.offset);
    const int column = column_of(source_, error.offset);
    std::string message = name_ + ", line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
    if (error.kind == TemplateError::Kind::Raised)
        message += "the template raised an error: ";
    message += error.what();
    throw TemplateError(error.kind, message, line, column);
}

} // namespace quanta::jinja

// A Jinja2 template interpreter for chat templates: the `tokenizer.chat_template`
// of a model, rendered as Hugging Face transformers renders it (Jinja2 with
// trim_blocks and lstrip_blocks, json.dumps as tojson, raise_exception and
// strftime_now as globals). Templates are untrusted input: rendering stops
// with a TemplateError at limits on output size, loop iterations and
// recursion depth.
#pragma once

#include "chat/jinja/error.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace quanta::jinja {

namespace ast {
struct Stmt;
}

struct ParseOptions {
    bool trim_blocks = true;   // drop the first newline after a block tag or comment
    bool lstrip_blocks = true; // drop the indentation before a block tag or comment
    bool keep_trailing_newline = false;
};

// Limits against hostile templates. Each one exceeded is a TemplateError of
// kind Limit that names it.
struct RenderLimits {
    size_t max_output_bytes = size_t(16) << 20;        // the rendered text, and any one string value
    size_t max_total_string_bytes = size_t(256) << 20; // all strings a render builds, together
    size_t max_loop_iterations = 1'000'000;            // for-loop iterations plus items filters visit
    size_t max_container_items = 1'000'000;            // items of one list or dict
    int max_call_depth = 64;                           // nested macro calls and recursive loops
    int max_nesting_depth = 1000;                      // expressions and statements being evaluated at once
};

struct RenderOptions {
    RenderLimits limits;
    // The time strftime_now() formats. Empty: the local time when called.
    std::function<std::tm()> now;
};

class Template {
public:
    // Parses `source`. `name` starts every error message ("chat template",
    // a file path). Throws TemplateError for a syntax error, an unknown tag,
    // filter or test, or a construct this interpreter does not implement.
    explicit Template(std::string_view source, std::string name = "chat template", const ParseOptions& options = {});
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    // Renders with `variables` (a JSON object) as the template's globals,
    // next to the built-in functions. Throws TemplateError.
    std::string render(const nlohmann::ordered_json& variables, const RenderOptions& options = {}) const;

    const std::string& name() const { return name_; }

private:
    [[noreturn]] void rethrow(const SourceError& error) const;

    std::string name_;
    std::string source_; // normalised; error offsets point into it
    std::unique_ptr<std::vector<std::unique_ptr<ast::Stmt>>> body_;
};

} // namespace quanta::jinja

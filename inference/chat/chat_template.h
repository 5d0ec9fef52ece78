// A model's chat template: its `tokenizer.chat_template` run by the Jinja
// interpreter with the variables Hugging Face transformers passes, and the
// recognised ChatFormat as the fallback when the template cannot be used.
#pragma once

#include "chat/chat_format.h"
#include "chat/jinja/error.h"

#include <nlohmann/json_fwd.hpp>

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace quanta {

namespace jinja {
class Template;
}

// A prompt and where its text came from.
struct ChatPrompt {
    RenderedPrompt prompt;
    // The format recognised in the template: it gives the stop strings, and
    // renders the prompt when the template cannot.
    ChatFormat format = ChatFormat::Plain;
    bool from_template = false; // rendered by the model's own template
    // Why the model's template was not used: its parse or render error,
    // naming the construct, line and column. Empty when the template
    // rendered the prompt or the model has none.
    std::string fallback_reason;
};

class ChatTemplate {
public:
    // Parses `source` once; a template that does not parse is remembered
    // with its error, not thrown. `bos_token` and `eos_token` are the texts
    // of the model's BOS and EOS tokens. An empty one stays undefined in the
    // template, as transformers leaves out a token the model lacks.
    ChatTemplate(std::string_view source, std::string bos_token, std::string eos_token);
    ~ChatTemplate();
    ChatTemplate(ChatTemplate&&) noexcept;
    ChatTemplate& operator=(ChatTemplate&&) noexcept;

    // Renders `messages` with the model's template, or with the recognised
    // format when the template is missing, did not parse, or failed (it may
    // raise_exception() on a conversation it rejects). Does not throw for
    // template errors.
    ChatPrompt render(std::span<const ChatMessage> messages, bool add_generation_prompt) const;

    // Renders with the template alone and throws jinja::TemplateError when
    // it cannot, for callers that show template errors as they are.
    // `messages` is a JSON array of messages, which may carry tool calls and
    // content parts. `extra_variables` (a JSON object or null) add to or
    // replace the standard variables.
    std::string render_strict(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                              const nlohmann::ordered_json& extra_variables) const;

    bool has_template() const { return !source_empty_; }
    // The parse error, or empty.
    std::string parse_error() const { return parse_failure_ ? parse_failure_->what() : std::string(); }
    ChatFormat format() const { return format_; }

    // Sets the time that strftime_now() formats, which tests pin. The
    // default is the local time at the call.
    void set_clock(std::function<std::tm()> now) { now_ = std::move(now); }

private:
    nlohmann::ordered_json variables(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                                     const nlohmann::ordered_json& extra_variables) const;
    ChatPrompt render_fallback(std::span<const ChatMessage> messages, bool add_generation_prompt,
                               std::string reason) const;

    std::unique_ptr<jinja::Template> template_; // null when absent or unparsable
    bool source_empty_ = true;
    std::optional<jinja::TemplateError> parse_failure_;
    ChatFormat format_ = ChatFormat::Plain;
    std::string bos_token_;
    std::string eos_token_;
    std::function<std::tm()> now_;
};

// The messages as the JSON array a chat template iterates:
// [{"role": ..., "content": ...}, ...].
nlohmann::ordered_json messages_to_json(std::span<const ChatMessage> messages);

} // namespace quanta

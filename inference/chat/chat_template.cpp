#include "chat/chat_template.h"

#include "chat/jinja/template.h"

#include <nlohmann/json.hpp>

namespace quanta {

ChatTemplate::ChatTemplate(std::string_view source, std::string bos_token, std::string eos_token)
    : source_empty_(source.empty()), format_(detect_chat_format(source)), bos_token_(std::move(bos_token)),
      eos_token_(std::move(eos_token))
{
    if (source_empty_)
        return;
    try {
        template_ = std::make_unique<jinja::Template>(source, "chat template");
    } catch (const jinja::TemplateError& error) {
        parse_failure_ = error;
    }
}

ChatTemplate::~ChatTemplate() = default;
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;

nlohmann::ordered_json ChatTemplate::variables(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                                               const nlohmann::ordered_json& extra_variables) const
{
    // What transformers' apply_chat_template passes: the messages, the
    // generation flag, the special tokens the model has, and tools and
    // documents as None unless given.
    nlohmann::ordered_json variables = nlohmann::ordered_json::object();
    variables["messages"] = messages;
    variables["add_generation_prompt"] = add_generation_prompt;
    if (!bos_token_.empty())
        variables["bos_token"] = bos_token_;
    if (!eos_token_.empty())
        variables["eos_token"] = eos_token_;
    variables["tools"] = nullptr;
    variables["documents"] = nullptr;
    if (extra_variables.is_object()) {
        for (const auto& [name, value] : extra_variables.items())
            variables[name] = value;
    }
    return variables;
}

std::string ChatTemplate::render_strict(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                                        const nlohmann::ordered_json& extra_variables) const
{
    if (source_empty_)
        throw jinja::TemplateError(jinja::TemplateError::Kind::Syntax, "the chat template is empty", 1, 1);
    if (!template_)
        throw *parse_failure_;
    jinja::RenderOptions options;
    options.now = now_;
    return template_->render(variables(messages, add_generation_prompt, extra_variables), options);
}

ChatPrompt ChatTemplate::render(std::span<const ChatMessage> messages, bool add_generation_prompt) const
{
    if (source_empty_)
        return render_fallback(messages, add_generation_prompt, {});
    if (!template_)
        return render_fallback(messages, add_generation_prompt, parse_failure_->what());
    try {
        ChatPrompt result;
        result.prompt.text = render_strict(messages_to_json(messages), add_generation_prompt, nullptr);
        result.format = format_;
        result.from_template = true;
        // Stop at the format's turn markers; a template in no known format
        // ends its turns with EOS at least.
        result.prompt.stop_strings = chat_format_stop_strings(format_);
        if (result.prompt.stop_strings.empty() && !eos_token_.empty())
            result.prompt.stop_strings.push_back(eos_token_);
        return result;
    } catch (const jinja::TemplateError& error) {
        return render_fallback(messages, add_generation_prompt, error.what());
    }
}

ChatPrompt ChatTemplate::render_fallback(std::span<const ChatMessage> messages, bool add_generation_prompt,
                                         std::string reason) const
{
    ChatPrompt result;
    result.prompt = render_chat(format_, messages, bos_token_, eos_token_, add_generation_prompt);
    result.format = format_;
    result.fallback_reason = std::move(reason);
    return result;
}

nlohmann::ordered_json messages_to_json(std::span<const ChatMessage> messages)
{
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const ChatMessage& message : messages)
        array.push_back({{"role", message.role}, {"content", message.content}});
    return array;
}

} // namespace quanta

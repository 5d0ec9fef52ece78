#include "chat/chat_format.h"

#include <optional>

namespace quanta {

namespace {

bool contains(std::string_view text, std::string_view marker)
{
    return text.find(marker) != std::string_view::npos;
}

// The first system message's text, or nullopt when there is none (an empty
// system message still counts, as in the Jinja templates).
std::optional<std::string> system_text(std::span<const ChatMessage> messages)
{
    for (const ChatMessage& message : messages) {
        if (message.role == "system")
            return message.content;
    }
    return std::nullopt;
}

// Python's str.strip() and Jinja's trim: ASCII whitespace at both ends.
std::string trim(std::string_view text)
{
    const char* whitespace = " \t\n\r\f\v";
    const size_t begin = text.find_first_not_of(whitespace);
    if (begin == std::string_view::npos)
        return {};
    const size_t end = text.find_last_not_of(whitespace);
    return std::string(text.substr(begin, end - begin + 1));
}

RenderedPrompt render_chatml(std::span<const ChatMessage> messages, bool add_generation_prompt)
{
    RenderedPrompt prompt;
    for (const ChatMessage& message : messages)
        prompt.text += "<|im_start|>" + message.role + "\n" + message.content + "<|im_end|>\n";
    if (add_generation_prompt)
        prompt.text += "<|im_start|>assistant\n";
    prompt.stop_strings = chat_format_stop_strings(ChatFormat::ChatML);
    return prompt;
}

// Meta's Llama 3 Instruct template trims each message's content.
RenderedPrompt render_llama3(std::span<const ChatMessage> messages, std::string_view bos, bool add_generation_prompt)
{
    RenderedPrompt prompt;
    prompt.text = std::string(bos);
    for (const ChatMessage& message : messages) {
        prompt.text += "<|start_header_id|>" + message.role + "<|end_header_id|>\n\n" + trim(message.content) +
                       "<|eot_id|>";
    }
    if (add_generation_prompt)
        prompt.text += "<|start_header_id|>assistant<|end_header_id|>\n\n";
    prompt.stop_strings = chat_format_stop_strings(ChatFormat::Llama3);
    return prompt;
}

RenderedPrompt render_zephyr(std::span<const ChatMessage> messages, std::string_view eos, bool add_generation_prompt)
{
    RenderedPrompt prompt;
    for (const ChatMessage& message : messages)
        prompt.text += "<|" + message.role + "|>\n" + message.content + std::string(eos) + "\n";
    if (add_generation_prompt)
        prompt.text += "<|assistant|>\n";
    prompt.stop_strings = chat_format_stop_strings(ChatFormat::Zephyr);
    return prompt;
}

// Llama 2 chat: the system prompt goes inside the first [INST] between
// <<SYS>> markers, and each exchange is "<s>[INST] user [/INST] reply </s>"
// with both texts stripped.
RenderedPrompt render_llama2(std::span<const ChatMessage> messages, std::string_view bos, std::string_view eos)
{
    RenderedPrompt prompt;
    const std::optional<std::string> system = system_text(messages);
    bool first_user = true;
    for (const ChatMessage& message : messages) {
        if (message.role == "system")
            continue;
        if (message.role == "user") {
            std::string content = message.content;
            if (first_user && system)
                content = "<<SYS>>\n" + *system + "\n<</SYS>>\n\n" + content;
            first_user = false;
            prompt.text += std::string(bos) + "[INST] " + trim(content) + " [/INST]";
        } else {
            prompt.text += ' ';
            prompt.text += trim(message.content);
            prompt.text += ' ';
            prompt.text += eos;
        }
    }
    prompt.stop_strings = chat_format_stop_strings(ChatFormat::Llama2);
    return prompt;
}

// Mistral Instruct (v0.2 and later v1 templates): one BOS, " [INST] user
// [/INST]" per user turn with any system text before the first one, and
// " reply</s>" per assistant turn, all unstripped.
RenderedPrompt render_mistral(std::span<const ChatMessage> messages, std::string_view bos, std::string_view eos)
{
    RenderedPrompt prompt;
    prompt.text = std::string(bos);
    const std::optional<std::string> system = system_text(messages);
    bool first_user = true;
    for (const ChatMessage& message : messages) {
        if (message.role == "system")
            continue;
        if (message.role == "user") {
            std::string content = message.content;
            if (first_user && system)
                content = *system + "\n\n" + content;
            first_user = false;
            prompt.text += " [INST] " + content + " [/INST]";
        } else {
            prompt.text += " " + message.content + std::string(eos);
        }
    }
    prompt.stop_strings = chat_format_stop_strings(ChatFormat::Mistral);
    return prompt;
}

RenderedPrompt render_phi3(std::span<const ChatMessage> messages, std::string_view eos, bool add_generation_prompt)
{
    RenderedPrompt prompt;
    for (const ChatMessage& message : messages)
        prompt.text += "<|" + message.role + "|>\n" + message.content + "<|end|>\n";
    prompt.text += add_generation_prompt ? std::string("<|assistant|>\n") : std::string(eos);
    prompt.stop_strings = chat_format_stop_strings(ChatFormat::Phi3);
    return prompt;
}

// Gemma 2 and 3: the assistant's role is "model", content is trimmed, and a
// system message becomes a prefix of the first user turn (Gemma 2's own
// template rejects system messages; Gemma 3's prefixes them like this).
RenderedPrompt render_gemma(std::span<const ChatMessage> messages, std::string_view bos, bool add_generation_prompt)
{
    RenderedPrompt prompt;
    prompt.text = std::string(bos);
    const std::optional<std::string> system = system_text(messages);
    bool first_turn = true;
    for (const ChatMessage& message : messages) {
        if (message.role == "system")
            continue;
        const std::string role = message.role == "assistant" ? "model" : message.role;
        const std::string prefix = first_turn && system ? *system + "\n\n" : std::string();
        first_turn = false;
        prompt.text += "<start_of_turn>" + role + "\n" + prefix + trim(message.content) + "<end_of_turn>\n";
    }
    if (add_generation_prompt)
        prompt.text += "<start_of_turn>model\n";
    prompt.stop_strings = chat_format_stop_strings(ChatFormat::Gemma);
    return prompt;
}

RenderedPrompt render_plain(std::span<const ChatMessage> messages)
{
    RenderedPrompt prompt;
    for (const ChatMessage& message : messages) {
        if (message.content.empty())
            continue;
        if (!prompt.text.empty())
            prompt.text += "\n";
        prompt.text += message.content;
    }
    return prompt;
}

} // namespace

ChatFormat detect_chat_format(std::string_view chat_template)
{
    if (chat_template.empty())
        return ChatFormat::Plain;
    if (contains(chat_template, "<|im_start|>"))
        return ChatFormat::ChatML;
    if (contains(chat_template, "<|start_header_id|>"))
        return ChatFormat::Llama3;
    if (contains(chat_template, "<start_of_turn>"))
        return ChatFormat::Gemma;
    if (contains(chat_template, "<|user|>") && contains(chat_template, "<|end|>"))
        return ChatFormat::Phi3;
    if (contains(chat_template, "<|user|>") && contains(chat_template, "<|assistant|>"))
        return ChatFormat::Zephyr;
    if (contains(chat_template, "[INST]"))
        return contains(chat_template, "<<SYS>>") ? ChatFormat::Llama2 : ChatFormat::Mistral;
    return ChatFormat::Plain;
}

std::string_view chat_format_name(ChatFormat format)
{
    switch (format) {
    case ChatFormat::Plain: return "plain";
    case ChatFormat::ChatML: return "chatml";
    case ChatFormat::Llama2: return "llama2";
    case ChatFormat::Llama3: return "llama3";
    case ChatFormat::Zephyr: return "zephyr";
    case ChatFormat::Mistral: return "mistral";
    case ChatFormat::Phi3: return "phi3";
    case ChatFormat::Gemma: return "gemma";
    }
    return "plain";
}

std::vector<std::string> chat_format_stop_strings(ChatFormat format)
{
    switch (format) {
    case ChatFormat::ChatML: return {"<|im_end|>", "<|im_start|>"};
    case ChatFormat::Llama3: return {"<|eot_id|>", "<|start_header_id|>"};
    case ChatFormat::Zephyr: return {"<|user|>", "<|system|>"};
    case ChatFormat::Llama2:
    case ChatFormat::Mistral: return {"[INST]"};
    case ChatFormat::Phi3: return {"<|end|>", "<|user|>"};
    case ChatFormat::Gemma: return {"<end_of_turn>", "<start_of_turn>"};
    case ChatFormat::Plain: break;
    }
    return {};
}

RenderedPrompt render_chat(ChatFormat format, std::span<const ChatMessage> messages, std::string_view bos_token,
                           std::string_view eos_token, bool add_generation_prompt)
{
    switch (format) {
    case ChatFormat::ChatML: return render_chatml(messages, add_generation_prompt);
    case ChatFormat::Llama3: return render_llama3(messages, bos_token, add_generation_prompt);
    case ChatFormat::Zephyr: return render_zephyr(messages, eos_token, add_generation_prompt);
    case ChatFormat::Llama2: return render_llama2(messages, bos_token, eos_token);
    case ChatFormat::Mistral: return render_mistral(messages, bos_token, eos_token);
    case ChatFormat::Phi3: return render_phi3(messages, eos_token, add_generation_prompt);
    case ChatFormat::Gemma: return render_gemma(messages, bos_token, add_generation_prompt);
    case ChatFormat::Plain: break;
    }
    return render_plain(messages);
}

} // namespace quanta

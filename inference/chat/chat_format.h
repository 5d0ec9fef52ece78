// Prompt formats for chat models. Recognises the common chat templates by
// their markers and renders a conversation in that format. Models' own
// templates run in the Jinja interpreter (chat_template.h); these formats
// give the stop strings, and the prompt when a template cannot be used.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

enum class ChatFormat {
    Plain,   // no template: the messages' text joined, for completion models
    ChatML,  // <|im_start|>role ... <|im_end|> (Qwen, many fine-tunes)
    Llama2,  // <s>[INST] <<SYS>> ... <</SYS>> ... [/INST]
    Llama3,  // <|start_header_id|>role<|end_header_id|> ... <|eot_id|>
    Zephyr,  // <|system|> ... </s> <|user|> ... </s> <|assistant|>
    Mistral, // [INST] ... [/INST] without <<SYS>>, system text joined to the first user turn
    Phi3,    // <|user|> ... <|end|> <|assistant|>
    Gemma,   // <start_of_turn>user ... <end_of_turn> <start_of_turn>model
};

struct ChatMessage {
    std::string role; // "system", "user" or "assistant"
    std::string content;
};

struct RenderedPrompt {
    std::string text;
    // Strings that end the reply when they appear in the generated text.
    std::vector<std::string> stop_strings;
};

// Guesses the format from a model's `tokenizer.chat_template` (Jinja source).
// An empty or unrecognised template gives Plain.
ChatFormat detect_chat_format(std::string_view chat_template);

std::string_view chat_format_name(ChatFormat format);

// Strings that end the reply in `format`: the marker that closes a turn and
// the one that opens the next. None for Plain.
std::vector<std::string> chat_format_stop_strings(ChatFormat format);

// Renders `messages` and, with `add_generation_prompt`, the opening of the
// assistant's turn. `bos_token` is written where the format puts BOS in
// text; callers tokenize with special tokens parsed and without another BOS.
RenderedPrompt render_chat(ChatFormat format, std::span<const ChatMessage> messages, std::string_view bos_token,
                           std::string_view eos_token, bool add_generation_prompt);

} // namespace quanta

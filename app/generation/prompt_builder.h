// Turns a conversation into prompt tokens for a model, and finds how much of
// the session's KV cache the next prompt can reuse. No Qt types: the worker
// thread and the tests call it directly.
#pragma once

#include "chat/chat_format.h"
#include "chat/chat_template.h"
#include "tokenizer/tokenizer.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

struct PromptPlan {
    std::vector<TokenId> tokens;          // the whole conversation, rendered and tokenized
    std::vector<std::string> stopStrings; // from the chat format
    int droppedMessages = 0;              // oldest messages left out so the prompt fits
    bool fromTemplate = false;            // rendered by the model's own chat template
    // The reason the model's chat template was not used and the recognised
    // format rendered the prompt: the template's error with its line and
    // column. Empty when the template rendered the prompt, or the model has none.
    std::string templateFallbackReason;
};

class PromptBuilder {
public:
    // Renders with the recognised `format` only.
    PromptBuilder(const Tokenizer& tokenizer, ChatFormat format);
    // Renders with the model's own `tokenizer.chat_template`, and with the
    // format recognised in it when the template does not parse or fails on
    // a conversation. An empty template renders as Plain.
    PromptBuilder(const Tokenizer& tokenizer, std::string_view chatTemplate);
    ~PromptBuilder();

    // Renders `messages` with the assistant's turn opened and tokenizes the
    // text with special tokens parsed. BOS comes from the rendered text where
    // the template or format writes it, and from the tokenizer for Plain
    // without a template. When the prompt plus `replyReserve` tokens exceeds
    // `contextSize`, the oldest messages (never a leading system message,
    // never the last message) are dropped one at a time. With a model
    // template, assistant turns left at the front are dropped too, because
    // strict templates require the conversation to open with a user turn.
    // Throws Error when even the shortest prompt does not fit.
    PromptPlan build(std::span<const ChatMessage> messages, int contextSize, int replyReserve) const;

    ChatFormat format() const { return format_; }
    // Why the model's template does not parse, or empty.
    std::string templateError() const { return template_ ? template_->parse_error() : std::string(); }

private:
    PromptPlan render(std::span<const ChatMessage> messages) const;

    const Tokenizer& tokenizer_;
    ChatFormat format_;
    std::unique_ptr<ChatTemplate> template_; // null with the format-only constructor
};

// Tokens at the start of `cached` that equal the start of `prompt`, capped at
// prompt.size() - 1: at least one prompt token must be evaluated again, so
// that generation starts from that token's fresh logits.
std::size_t reusablePrefix(std::span<const TokenId> cached, std::span<const TokenId> prompt);

// Tokens to reserve for the reply when fitting a prompt into the context: the
// requested reply length, but at most half the context so that long chats keep
// some history.
int replyReserve(int maxTokens, int contextSize);

} // namespace quanta

// Turns a conversation into prompt tokens for a model, and finds how much of
// the session's KV cache the next prompt can reuse. No Qt types: the worker
// thread and the tests call it directly.
#pragma once

#include "chat/chat_format.h"
#include "tokenizer/tokenizer.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace quanta {

struct PromptPlan {
    std::vector<TokenId> tokens;          // the whole conversation, rendered and tokenized
    std::vector<std::string> stopStrings; // from the chat format
    int droppedMessages = 0;              // oldest messages left out so the prompt fits
};

class PromptBuilder {
public:
    PromptBuilder(const Tokenizer& tokenizer, ChatFormat format);

    // Renders `messages` with the assistant's turn opened and tokenizes the
    // text with special tokens parsed. BOS comes from the rendered text where
    // the format writes it, and from the tokenizer for Plain. When the prompt
    // plus `replyReserve` tokens exceeds `contextSize`, the oldest messages
    // (never a leading system message, never the last message) are dropped
    // one at a time. Throws Error when even the shortest prompt does not fit.
    PromptPlan build(std::span<const ChatMessage> messages, int contextSize, int replyReserve) const;

    ChatFormat format() const { return format_; }

private:
    PromptPlan render(std::span<const ChatMessage> messages) const;

    const Tokenizer& tokenizer_;
    ChatFormat format_;
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

#include "generation/prompt_builder.h"

#include "core/error.h"

#include <algorithm>

namespace quanta {

PromptBuilder::PromptBuilder(const Tokenizer& tokenizer, ChatFormat format)
    : tokenizer_(tokenizer), format_(format)
{
}

PromptPlan PromptBuilder::render(std::span<const ChatMessage> messages) const
{
    // Chat formats write BOS as text ("<s>", "<|begin_of_text|>") where they
    // need it; parse_special turns that text into the token. Plain text has no
    // markers, so the tokenizer adds BOS when the model wants one.
    const std::string bos = tokenizer_.bos() >= 0 ? tokenizer_.token_text(tokenizer_.bos()) : std::string();
    const std::string eos = tokenizer_.eos() >= 0 ? tokenizer_.token_text(tokenizer_.eos()) : std::string();
    const RenderedPrompt rendered = render_chat(format_, messages, bos, eos, /*add_generation_prompt=*/true);

    PromptPlan plan;
    const bool addBos = (format_ == ChatFormat::Plain);
    plan.tokens = tokenizer_.encode(rendered.text, addBos, /*parse_special=*/true);
    plan.stopStrings = rendered.stop_strings;
    return plan;
}

PromptPlan PromptBuilder::build(std::span<const ChatMessage> messages, int contextSize, int replyReserve) const
{
    const bool hasSystem = !messages.empty() && messages.front().role == "system";
    const std::size_t firstDroppable = hasSystem ? 1 : 0;
    const long budget = static_cast<long>(contextSize) - std::max(replyReserve, 1);

    // Drop the oldest turns until the prompt leaves room for the reply.
    std::vector<ChatMessage> kept(messages.begin(), messages.end());
    int dropped = 0;
    while (true) {
        PromptPlan plan = render(kept);
        if (static_cast<long>(plan.tokens.size()) <= budget) {
            plan.droppedMessages = dropped;
            return plan;
        }
        if (kept.size() <= firstDroppable + 1) {
            throw Error("The message is too long for the model's context: the prompt needs " +
                        std::to_string(plan.tokens.size()) + " tokens, but the context holds " +
                        std::to_string(contextSize) + " with " + std::to_string(std::max(replyReserve, 1)) +
                        " kept for the reply. Shorten the message.");
        }
        kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(firstDroppable));
        ++dropped;
    }
}

std::size_t reusablePrefix(std::span<const TokenId> cached, std::span<const TokenId> prompt)
{
    const std::size_t limit = std::min(cached.size(), prompt.size());
    std::size_t common = 0;
    while (common < limit && cached[common] == prompt[common])
        ++common;
    if (!prompt.empty() && common == prompt.size())
        --common;
    return common;
}

int replyReserve(int maxTokens, int contextSize)
{
    return std::max(1, std::min(maxTokens, contextSize / 2));
}

} // namespace quanta

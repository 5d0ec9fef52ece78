#include "generation/prompt_builder.h"

#include "core/error.h"
#include "logging/log_categories.h"

#include <algorithm>

namespace quanta {

namespace {

std::string tokenText(const Tokenizer& tokenizer, TokenId id)
{
    return id >= 0 ? tokenizer.token_text(id) : std::string();
}

} // namespace

PromptBuilder::PromptBuilder(const Tokenizer& tokenizer, ChatFormat format)
    : tokenizer_(tokenizer), format_(format)
{
}

PromptBuilder::PromptBuilder(const Tokenizer& tokenizer, std::string_view chatTemplate)
    : tokenizer_(tokenizer),
      format_(detect_chat_format(chatTemplate)),
      template_(std::make_unique<ChatTemplate>(chatTemplate, tokenText(tokenizer, tokenizer.bos()),
                                               tokenText(tokenizer, tokenizer.eos())))
{
}

PromptBuilder::~PromptBuilder() = default;

PromptPlan PromptBuilder::render(std::span<const ChatMessage> messages) const
{
    // Templates and chat formats write BOS as text ("<s>",
    // "<|begin_of_text|>") where they need it, and parse_special turns that
    // text into the token. As in transformers, a template that writes no BOS
    // gets none. Plain text has no markers, so the tokenizer adds BOS when
    // the model wants one.
    ChatPrompt rendered;
    if (template_) {
        rendered = template_->render(messages, /*add_generation_prompt=*/true);
    } else {
        rendered.prompt = render_chat(format_, messages, tokenText(tokenizer_, tokenizer_.bos()),
                                      tokenText(tokenizer_, tokenizer_.eos()), /*add_generation_prompt=*/true);
        rendered.format = format_;
    }

    PromptPlan plan;
    const bool addBos = !rendered.from_template && rendered.format == ChatFormat::Plain;
    plan.tokens = tokenizer_.encode(rendered.prompt.text, addBos, /*parse_special=*/true);
    plan.stopStrings = rendered.prompt.stop_strings;
    plan.fromTemplate = rendered.from_template;
    plan.templateFallbackReason = rendered.fallback_reason;
    return plan;
}

PromptPlan PromptBuilder::build(std::span<const ChatMessage> messages, int contextSize, int replyReserve) const
{
    const bool hasSystem = !messages.empty() && messages.front().role == "system";
    const std::size_t firstDroppable = hasSystem ? 1 : 0;
    const long budget = static_cast<long>(contextSize) - std::max(replyReserve, 1);

    // The conversation without its `drop` oldest turns. A leading system
    // message and the last message always stay. Strict templates raise
    // unless the turns after the system message start with the user's, so
    // assistant turns left at the front are dropped too.
    const auto without = [&](std::size_t drop) {
        std::vector<ChatMessage> kept(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(firstDroppable));
        std::size_t start = firstDroppable + drop;
        while (template_ && start + 1 < messages.size() && messages[start].role != "user")
            ++start;
        kept.insert(kept.end(), messages.begin() + static_cast<std::ptrdiff_t>(start), messages.end());
        return std::make_pair(std::move(kept), static_cast<int>(start - firstDroppable));
    };
    const auto fits = [&](const PromptPlan& plan) { return static_cast<long>(plan.tokens.size()) <= budget; };
    const auto accept = [&](PromptPlan plan, int dropped) {
        plan.droppedMessages = dropped;
        if (!plan.templateFallbackReason.empty()) {
            const std::string_view name = chat_format_name(format_);
            qCWarning(lcInference).noquote()
                << QStringLiteral("Chat template not used; the prompt is in the %1 format instead. %2")
                       .arg(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())),
                            QString::fromStdString(plan.templateFallbackReason));
        }
        return plan;
    };

    // Step 1: the whole conversation, which fits in most turns.
    auto [all, none] = without(0);
    PromptPlan plan = render(all);
    if (fits(plan))
        return accept(std::move(plan), none);

    // Step 2: even the last message alone (with the system message) must fit.
    const std::size_t maxDrop = messages.size() > firstDroppable + 1 ? messages.size() - firstDroppable - 1 : 0;
    auto [shortest, shortestDropped] = without(maxDrop);
    PromptPlan shortestPlan = render(shortest);
    if (!fits(shortestPlan)) {
        throw Error("The message is too long for the model's context: the prompt needs " +
                    std::to_string(shortestPlan.tokens.size()) + " tokens, but the context holds " +
                    std::to_string(contextSize) + " with " + std::to_string(std::max(replyReserve, 1)) +
                    " kept for the reply. Shorten the message.");
    }

    // Step 3: the fewest dropped turns that fit, by bisection: a prompt only
    // gets shorter as turns are dropped, and each render of a long chat is
    // costly, so this renders about log2(turns) times instead of once per turn.
    std::size_t tooFew = 0;       // does not fit
    std::size_t enough = maxDrop; // fits
    PromptPlan best = std::move(shortestPlan);
    int bestDropped = shortestDropped;
    while (enough - tooFew > 1) {
        const std::size_t middle = tooFew + (enough - tooFew) / 2;
        auto [kept, dropped] = without(middle);
        PromptPlan candidate = render(kept);
        if (fits(candidate)) {
            enough = middle;
            best = std::move(candidate);
            bestDropped = dropped;
        } else {
            tooFew = middle;
        }
    }
    return accept(std::move(best), bestDropped);
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

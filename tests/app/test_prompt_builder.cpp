// PromptBuilder and the KV-cache prefix rule, with the real tokenizer of
// stories260K.gguf (SentencePiece, BOS "<s>" = 1), and with real chat
// templates from the reference renderings.

#include "core/error.h"
#include "engine/model.h"
#include "generation/prompt_builder.h"
#include "test_support.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <memory>

using namespace quanta;

namespace {

long countToken(const std::vector<TokenId>& tokens, TokenId token)
{
    return std::count(tokens.begin(), tokens.end(), token);
}

std::vector<ChatMessage> oneQuestion(const std::string& text)
{
    return {{"user", text}};
}

// A reference chat template file: the template, and each case's messages
// and expected rendering.
nlohmann::ordered_json readReference(const std::string& name)
{
    std::ifstream input(test::shared_path("reference/chat-templates/" + name + ".json"));
    if (!input)
        throw std::runtime_error("reference chat template " + name + " is missing");
    return nlohmann::ordered_json::parse(input);
}

const nlohmann::ordered_json& referenceCase(const nlohmann::ordered_json& root, const std::string& name)
{
    for (const auto& item : root["cases"]) {
        if (item["name"] == name)
            return item;
    }
    throw std::runtime_error("reference case " + name + " is missing");
}

std::vector<ChatMessage> toMessages(const nlohmann::ordered_json& messages)
{
    std::vector<ChatMessage> out;
    for (const auto& message : messages)
        out.push_back({message["role"].get<std::string>(), message["content"].get<std::string>()});
    return out;
}

} // namespace

class TestPromptBuilder : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void plainPromptGetsOneBos();
    void llama2PromptTakesBosFromText();
    void stopStringsComeFromFormat();
    void oldestMessagesDroppedToFit();
    void systemMessageKeptWhenDropping();
    void tooLongMessageThrows();
    void nextTurnExtendsPreviousPrompt();
    void modelTemplateIsUsed();
    void templateWithoutBosAddsNone();
    void brokenTemplateFallsBack();
    void rejectedConversationFallsBack();
    void droppingKeepsUserTurnFirst();
    void longHistoryDropsByBisection();
    void reusablePrefix_data();
    void reusablePrefix();
    void replyReserve_data();
    void replyReserve();

private:
    std::shared_ptr<Model> model_;
};

void TestPromptBuilder::initTestCase()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    model_ = Model::load(test::shared_path("models/stories260K.gguf"));
    QCOMPARE(model_->tokenizer().bos(), 1);
}

void TestPromptBuilder::plainPromptGetsOneBos()
{
    const Tokenizer& tokenizer = model_->tokenizer();
    const PromptBuilder builder(tokenizer, ChatFormat::Plain);
    const PromptPlan plan = builder.build(oneQuestion("Once upon a time"), 2048, 512);

    QVERIFY(!plan.tokens.empty());
    QCOMPARE(plan.tokens.front(), tokenizer.bos());
    QCOMPARE(countToken(plan.tokens, tokenizer.bos()), 1L);
    QCOMPARE(plan.tokens, tokenizer.encode("Once upon a time", true, true));
    QCOMPARE(plan.droppedMessages, 0);
}

void TestPromptBuilder::llama2PromptTakesBosFromText()
{
    // The format writes "<s>" before each [INST]; parse_special turns each
    // into BOS, and the tokenizer must not add another in front.
    const Tokenizer& tokenizer = model_->tokenizer();
    const PromptBuilder builder(tokenizer, ChatFormat::Llama2);
    const std::vector<ChatMessage> messages{
        {"user", "Hi"}, {"assistant", "Hello"}, {"user", "Tell me a story"}};
    const PromptPlan plan = builder.build(messages, 2048, 512);

    QVERIFY(plan.tokens.size() > 2);
    QCOMPARE(plan.tokens[0], tokenizer.bos());
    QVERIFY(plan.tokens[1] != tokenizer.bos());
    QCOMPARE(countToken(plan.tokens, tokenizer.bos()), 2L);
}

void TestPromptBuilder::stopStringsComeFromFormat()
{
    const Tokenizer& tokenizer = model_->tokenizer();
    const std::vector<ChatMessage> messages = oneQuestion("Hi");
    const RenderedPrompt rendered = render_chat(ChatFormat::Llama2, messages, "<s>", "</s>", true);
    const PromptPlan plan = PromptBuilder(tokenizer, ChatFormat::Llama2).build(messages, 2048, 512);
    QVERIFY(!rendered.stop_strings.empty());
    QCOMPARE(plan.stopStrings, rendered.stop_strings);
}

void TestPromptBuilder::oldestMessagesDroppedToFit()
{
    const Tokenizer& tokenizer = model_->tokenizer();
    const PromptBuilder builder(tokenizer, ChatFormat::Plain);
    std::vector<ChatMessage> messages;
    for (int i = 0; i < 10; ++i) {
        messages.push_back({"user", "The cat number " + std::to_string(i) + " sat on the big red mat in the sun."});
        messages.push_back({"assistant", "The dog ran to the park and played with a ball all day long."});
    }
    messages.push_back({"user", "Lily found a shiny stone."});

    const int contextSize = 128;
    const int reserve = 32;
    const PromptPlan plan = builder.build(messages, contextSize, reserve);
    QVERIFY(plan.droppedMessages > 0);
    QVERIFY(static_cast<int>(plan.tokens.size()) <= contextSize - reserve);

    // The newest message is there, the oldest is not.
    const std::string text = tokenizer.decode(plan.tokens);
    QVERIFY2(text.find("Lily found a shiny stone.") != std::string::npos, text.c_str());
    QVERIFY2(text.find("cat number 0 ") == std::string::npos, text.c_str());

    // Dropping one message fewer would not have fitted.
    const std::vector<ChatMessage> oneMore(messages.begin() + plan.droppedMessages - 1, messages.end());
    const PromptPlan bigger = builder.build(oneMore, 4096, reserve);
    QVERIFY(static_cast<int>(bigger.tokens.size()) > contextSize - reserve);
}

// A chat of thousands of turns finds the turns to drop by bisection, with
// the same result as dropping one turn at a time: it fits, and one dropped
// turn fewer would not.
void TestPromptBuilder::longHistoryDropsByBisection()
{
    const Tokenizer& tokenizer = model_->tokenizer();
    const PromptBuilder builder(tokenizer, ChatFormat::Plain);
    std::vector<ChatMessage> messages{{"system", "Always be kind."}};
    for (int i = 0; i < 5000; ++i)
        messages.push_back({i % 2 == 0 ? "user" : "assistant", "Turn " + std::to_string(i) + " of the story."});
    messages.push_back({"user", "The end."});

    const int contextSize = 256;
    const int reserve = 64;
    const PromptPlan plan = builder.build(messages, contextSize, reserve);
    QVERIFY(plan.droppedMessages > 4900);
    QVERIFY(static_cast<int>(plan.tokens.size()) <= contextSize - reserve);

    std::vector<ChatMessage> oneMore{messages.front()};
    oneMore.insert(oneMore.end(), messages.begin() + 1 + plan.droppedMessages - 1, messages.end());
    const PromptPlan bigger = builder.build(oneMore, 1 << 20, reserve);
    QVERIFY(static_cast<int>(bigger.tokens.size()) > contextSize - reserve);
}

void TestPromptBuilder::systemMessageKeptWhenDropping()
{
    const Tokenizer& tokenizer = model_->tokenizer();
    const PromptBuilder builder(tokenizer, ChatFormat::Plain);
    std::vector<ChatMessage> messages{{"system", "Always be kind."}};
    for (int i = 0; i < 8; ++i)
        messages.push_back({"user", "Tom had a little boat and he sailed it on the pond every day."});
    messages.push_back({"user", "The end."});

    const PromptPlan plan = builder.build(messages, 96, 24);
    QVERIFY(plan.droppedMessages > 0);
    const std::string text = tokenizer.decode(plan.tokens);
    QVERIFY2(text.rfind("Always be kind.", 0) == 0, text.c_str());
    QVERIFY2(text.find("The end.") != std::string::npos, text.c_str());
}

void TestPromptBuilder::tooLongMessageThrows()
{
    const PromptBuilder builder(model_->tokenizer(), ChatFormat::Plain);
    std::string story;
    for (int i = 0; i < 100; ++i)
        story += "Once upon a time there was a bird. ";
    try {
        builder.build(oneQuestion(story), 64, 16);
        QFAIL("a message longer than the context must be rejected");
    } catch (const Error& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("too long")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("64")), qPrintable(message));
    }
}

void TestPromptBuilder::nextTurnExtendsPreviousPrompt()
{
    // What makes the KV cache reusable between turns: the second turn's
    // prompt starts with the first turn's prompt.
    const PromptBuilder builder(model_->tokenizer(), ChatFormat::Plain);
    const std::vector<ChatMessage> first = oneQuestion("Once upon a time");
    const std::vector<ChatMessage> second{
        {"user", "Once upon a time"}, {"assistant", "there was a cat."}, {"user", "The cat was happy."}};
    const PromptPlan firstPlan = builder.build(first, 2048, 512);
    const PromptPlan secondPlan = builder.build(second, 2048, 512);

    QVERIFY(secondPlan.tokens.size() > firstPlan.tokens.size());
    QVERIFY(std::equal(firstPlan.tokens.begin(), firstPlan.tokens.end(), secondPlan.tokens.begin()));
    QCOMPARE(quanta::reusablePrefix(firstPlan.tokens, secondPlan.tokens), firstPlan.tokens.size());
}

void TestPromptBuilder::modelTemplateIsUsed()
{
    // Llama 2's own template writes "<s>" before each [INST]; the prompt is
    // the reference rendering, tokenized with special tokens parsed.
    const Tokenizer& tokenizer = model_->tokenizer();
    const nlohmann::ordered_json root = readReference("llama2-chat");
    const nlohmann::ordered_json& item = referenceCase(root, "system_multi_turn");
    const PromptBuilder builder(tokenizer, root["template"].get<std::string>());
    QVERIFY(builder.templateError().empty());
    QCOMPARE(builder.format(), ChatFormat::Llama2);

    const PromptPlan plan = builder.build(toMessages(item["messages"]), 2048, 512);
    QVERIFY(plan.fromTemplate);
    QVERIFY(plan.templateFallbackReason.empty());
    QCOMPARE(plan.tokens, tokenizer.encode(item["rendered"].get<std::string>(), false, true));
    QCOMPARE(countToken(plan.tokens, tokenizer.bos()), 2L);
    QCOMPARE(plan.stopStrings, chat_format_stop_strings(ChatFormat::Llama2));
}

void TestPromptBuilder::templateWithoutBosAddsNone()
{
    // As transformers does, a template that writes no BOS gets none.
    const Tokenizer& tokenizer = model_->tokenizer();
    const nlohmann::ordered_json root = readReference("chatml");
    const nlohmann::ordered_json& item = referenceCase(root, "single_user");
    const PromptPlan plan =
        PromptBuilder(tokenizer, root["template"].get<std::string>()).build(toMessages(item["messages"]), 2048, 512);
    QVERIFY(plan.fromTemplate);
    QCOMPARE(countToken(plan.tokens, tokenizer.bos()), 0L);
    QCOMPARE(plan.tokens, tokenizer.encode(item["rendered"].get<std::string>(), false, true));
}

void TestPromptBuilder::brokenTemplateFallsBack()
{
    // The loop is never closed; the [INST] markers still identify Mistral.
    const Tokenizer& tokenizer = model_->tokenizer();
    const PromptBuilder builder(tokenizer, "{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]");
    QCOMPARE(builder.format(), ChatFormat::Mistral);
    QVERIFY(!builder.templateError().empty());

    const std::vector<ChatMessage> messages = oneQuestion("Tell me a story");
    const PromptPlan plan = builder.build(messages, 2048, 512);
    QVERIFY(!plan.fromTemplate);
    QVERIFY2(plan.templateFallbackReason.find("line 1") != std::string::npos, plan.templateFallbackReason.c_str());
    QVERIFY2(plan.templateFallbackReason.find("endfor") != std::string::npos, plan.templateFallbackReason.c_str());
    QCOMPARE(plan.tokens, PromptBuilder(tokenizer, ChatFormat::Mistral).build(messages, 2048, 512).tokens);
}

void TestPromptBuilder::rejectedConversationFallsBack()
{
    // Gemma 2's template raises on a system message. The Gemma format folds
    // it into the first user turn instead, and the reason names the error.
    const Tokenizer& tokenizer = model_->tokenizer();
    const nlohmann::ordered_json root = readReference("gemma2");
    const PromptBuilder builder(tokenizer, root["template"].get<std::string>());
    const std::vector<ChatMessage> messages{{"system", "Be kind."}, {"user", "Hi"}};
    const PromptPlan plan = builder.build(messages, 2048, 512);
    QVERIFY(!plan.fromTemplate);
    QVERIFY2(plan.templateFallbackReason.find("System role not supported") != std::string::npos,
             plan.templateFallbackReason.c_str());
    QCOMPARE(plan.tokens, PromptBuilder(tokenizer, ChatFormat::Gemma).build(messages, 2048, 512).tokens);

    // A conversation it accepts is rendered by the template itself.
    const PromptPlan accepted = builder.build(oneQuestion("Hi"), 2048, 512);
    QVERIFY(accepted.fromTemplate);
    QVERIFY(accepted.templateFallbackReason.empty());
}

void TestPromptBuilder::droppingKeepsUserTurnFirst()
{
    // The original Mistral v0.2 template raises unless roles alternate
    // user/assistant from the first message; dropping only the oldest
    // message would leave an assistant turn first.
    const Tokenizer& tokenizer = model_->tokenizer();
    const nlohmann::ordered_json root = readReference("mistral-instruct-v0.2-legacy");
    const PromptBuilder builder(tokenizer, root["template"].get<std::string>());
    std::vector<ChatMessage> messages;
    for (int i = 0; i < 8; ++i) {
        messages.push_back({"user", "The cat number " + std::to_string(i) + " sat on the big red mat in the sun."});
        messages.push_back({"assistant", "The dog ran to the park and played with a ball all day long."});
    }
    messages.push_back({"user", "Lily found a shiny stone."});

    const PromptPlan plan = builder.build(messages, 160, 32);
    QVERIFY(plan.droppedMessages > 0);
    QCOMPARE(plan.droppedMessages % 2, 0);
    QVERIFY2(plan.fromTemplate, plan.templateFallbackReason.c_str());
    QVERIFY(static_cast<int>(plan.tokens.size()) <= 160 - 32);
}

void TestPromptBuilder::reusablePrefix_data()
{
    QTest::addColumn<std::vector<TokenId>>("cached");
    QTest::addColumn<std::vector<TokenId>>("prompt");
    QTest::addColumn<int>("expected");

    QTest::newRow("empty cache") << std::vector<TokenId>{} << std::vector<TokenId>{1, 2, 3} << 0;
    QTest::newRow("cache is a prefix") << std::vector<TokenId>{1, 2, 3} << std::vector<TokenId>{1, 2, 3, 4} << 3;
    QTest::newRow("same prompt again keeps one to evaluate")
        << std::vector<TokenId>{1, 2, 3} << std::vector<TokenId>{1, 2, 3} << 2;
    QTest::newRow("diverges midway") << std::vector<TokenId>{1, 2, 9, 9} << std::vector<TokenId>{1, 2, 3, 4} << 2;
    QTest::newRow("cache longer than prompt")
        << std::vector<TokenId>{1, 2, 3, 4, 5} << std::vector<TokenId>{1, 2, 3} << 2;
    QTest::newRow("first token differs") << std::vector<TokenId>{5} << std::vector<TokenId>{1} << 0;
    QTest::newRow("both empty") << std::vector<TokenId>{} << std::vector<TokenId>{} << 0;
}

void TestPromptBuilder::reusablePrefix()
{
    QFETCH(std::vector<TokenId>, cached);
    QFETCH(std::vector<TokenId>, prompt);
    QFETCH(int, expected);
    QCOMPARE(static_cast<int>(quanta::reusablePrefix(cached, prompt)), expected);
}

void TestPromptBuilder::replyReserve_data()
{
    QTest::addColumn<int>("maxTokens");
    QTest::addColumn<int>("contextSize");
    QTest::addColumn<int>("expected");

    QTest::newRow("fits") << 512 << 2048 << 512;
    QTest::newRow("capped at half the context") << 512 << 512 << 256;
    QTest::newRow("at least one") << 0 << 100 << 1;
}

void TestPromptBuilder::replyReserve()
{
    QFETCH(int, maxTokens);
    QFETCH(int, contextSize);
    QFETCH(int, expected);
    QCOMPARE(quanta::replyReserve(maxTokens, contextSize), expected);
}

QTEST_GUILESS_MAIN(TestPromptBuilder)
#include "test_prompt_builder.moc"

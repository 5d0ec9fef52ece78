// Chat prompt formats against templates rendered by independent Jinja
// renderers (reference files under shared/reference/chat-templates).
#include "chat/chat_format.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace quanta;

class ChatFormatTest : public QObject {
    Q_OBJECT

private slots:
    void rendersLikeReference_data();
    void rendersLikeReference();
    void detectsNoTemplateAsPlain();
    void plainJoinsMessages();
};

void ChatFormatTest::rendersLikeReference_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("format");
    QTest::newRow("chatml") << "chatml" << int(ChatFormat::ChatML);
    QTest::newRow("qwen3 (ChatML)") << "qwen3" << int(ChatFormat::ChatML);
    QTest::newRow("llama2-chat") << "llama2-chat" << int(ChatFormat::Llama2);
    QTest::newRow("llama3 instruct") << "llama3_1" << int(ChatFormat::Llama3);
    QTest::newRow("zephyr") << "zephyr" << int(ChatFormat::Zephyr);
    QTest::newRow("mistral v0.2") << "mistral-instruct-v0.2" << int(ChatFormat::Mistral);
    QTest::newRow("phi3") << "phi3" << int(ChatFormat::Phi3);
    QTest::newRow("gemma2") << "gemma2" << int(ChatFormat::Gemma);
    QTest::newRow("gemma3") << "gemma3" << int(ChatFormat::Gemma);
}

void ChatFormatTest::rendersLikeReference()
{
    QFETCH(QString, file);
    QFETCH(int, format);
    const std::string path = test::shared_path("reference/chat-templates/" + file.toStdString() + ".json");
    QFile input(QString::fromStdString(path));
    if (!input.open(QIODevice::ReadOnly))
        QSKIP("reference chat templates are not available");
    const QJsonObject root = QJsonDocument::fromJson(input.readAll()).object();

    const std::string chat_template = root["template"].toString().toStdString();
    QCOMPARE(int(detect_chat_format(chat_template)), format);

    const std::string bos = root["bos_token"].toString().toStdString();
    const std::string eos = root["eos_token"].toString().toStdString();
    int compared = 0;
    for (const QJsonValue& value : root["cases"].toArray()) {
        const QJsonObject item = value.toObject();
        const QString name = item["name"].toString();
        // Cases the template rejects, or that need template variables we do not model, are skipped.
        if (item["rendered"].isNull() || item.contains("extra_variables"))
            continue;
        // Qwen3's template adds an empty <think> block to past assistant turns.
        if (file == "qwen3" && name == "no_generation_prompt")
            continue;

        std::vector<ChatMessage> messages;
        for (const QJsonValue& message : item["messages"].toArray()) {
            messages.push_back({message["role"].toString().toStdString(),
                                message["content"].toString().toStdString()});
        }
        const RenderedPrompt prompt =
            render_chat(ChatFormat(format), messages, bos, eos, item["add_generation_prompt"].toBool());
        QVERIFY2(prompt.text == item["rendered"].toString().toStdString(),
                 qPrintable(QStringLiteral("case %1 rendered:\n%2").arg(name, QString::fromStdString(prompt.text))));
        ++compared;
    }
    QVERIFY(compared >= 3);
}

void ChatFormatTest::detectsNoTemplateAsPlain()
{
    QCOMPARE(detect_chat_format(""), ChatFormat::Plain);
    QCOMPARE(detect_chat_format("{{ messages[0]['content'] }}"), ChatFormat::Plain);
}

void ChatFormatTest::plainJoinsMessages()
{
    const std::vector<ChatMessage> messages = {{"user", "Once upon a time"}, {"assistant", " there was a cat."},
                                               {"user", "The cat"}};
    const RenderedPrompt prompt = render_chat(ChatFormat::Plain, messages, "<s>", "</s>", true);
    QCOMPARE(QString::fromStdString(prompt.text), QStringLiteral("Once upon a time\n there was a cat.\nThe cat"));
    QVERIFY(prompt.stop_strings.empty());
}

QTEST_APPLESS_MAIN(ChatFormatTest)
#include "test_chat_format.moc"

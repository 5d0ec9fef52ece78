// Real chat templates against the renderings of two independent Jinja
// implementations: Python Jinja2 3.1.6 set up as transformers sets it up,
// and @huggingface/jinja. Also ChatTemplate's fallback to the recognised
// chat formats.
#include "chat/chat_template.h"
#include "chat/jinja/template.h"
#include "test_support.h"

#include <QDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace quanta;
using json = nlohmann::ordered_json;

namespace {

std::string referenceDir()
{
    return test::shared_path("reference/chat-templates");
}

json readReference(const QString& file)
{
    std::ifstream input(referenceDir() + "/" + file.toStdString());
    if (!input)
        throw std::runtime_error("cannot read " + file.toStdString());
    return json::parse(input);
}

// The variables the references were rendered with: messages,
// add_generation_prompt, bos_token and eos_token when not null, tools and
// documents as None, and a case's extra_variables.
json referenceVariables(const json& root, const json& item)
{
    json variables = json::object();
    variables["messages"] = item["messages"];
    variables["add_generation_prompt"] = item["add_generation_prompt"];
    if (!root["bos_token"].is_null())
        variables["bos_token"] = root["bos_token"];
    if (!root["eos_token"].is_null())
        variables["eos_token"] = root["eos_token"];
    variables["tools"] = nullptr;
    variables["documents"] = nullptr;
    if (item.contains("extra_variables")) {
        for (const auto& [name, value] : item["extra_variables"].items())
            variables[name] = value;
    }
    return variables;
}

std::vector<ChatMessage> toMessages(const json& messages)
{
    std::vector<ChatMessage> out;
    for (const json& message : messages)
        out.push_back({message["role"].get<std::string>(), message["content"].get<std::string>()});
    return out;
}

std::string tokenOrEmpty(const json& token)
{
    return token.is_null() ? std::string() : token.get<std::string>();
}

QByteArray bytes(const std::string& text)
{
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}

} // namespace

class JinjaReferenceTest : public QObject {
    Q_OBJECT

private slots:
    void rendersReferenceCase_data();
    void rendersReferenceCase();
    void everyReferenceFileIsCovered();
    void chatTemplateMatchesReference_data();
    void chatTemplateMatchesReference();

    void brokenTemplateFallsBack();
    void raisingTemplateFallsBack();
    void missingTemplateRendersPlain();
    void templateStopStringsComeFromFormat();
    void unknownFormatStopsAtEos();
    void missingTokensStayUndefined();
    void renderStrictThrows();
    void strftimeNowUsesClock();
};

void JinjaReferenceTest::rendersReferenceCase_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("index");
    const QDir dir(QString::fromStdString(referenceDir()));
    if (!dir.exists())
        QSKIP("the reference chat templates are not available");
    for (const QString& file : dir.entryList({"*.json"}, QDir::Files, QDir::Name)) {
        const json root = readReference(file);
        for (size_t i = 0; i < root["cases"].size(); ++i) {
            const std::string name = file.toStdString() + " " + root["cases"][i]["name"].get<std::string>();
            QTest::newRow(name.c_str()) << file << static_cast<int>(i);
        }
    }
}

void JinjaReferenceTest::rendersReferenceCase()
{
    QFETCH(QString, file);
    QFETCH(int, index);
    const json root = readReference(file);
    const json& item = root["cases"][static_cast<size_t>(index)];
    const jinja::Template chatTemplate(root["template"].get<std::string>());
    const json variables = referenceVariables(root, item);

    // A case whose template raises has "rendered": null and the message in "error".
    if (item["rendered"].is_null()) {
        try {
            const std::string text = chatTemplate.render(variables);
            QFAIL(qPrintable("expected an error, rendered: " + QString::fromStdString(text)));
        } catch (const jinja::TemplateError& error) {
            const std::string expected = item["error"].get<std::string>();
            QCOMPARE(error.kind(), jinja::TemplateError::Kind::Raised);
            QVERIFY2(std::string(error.what()).find(expected) != std::string::npos, error.what());
        }
        return;
    }
    QCOMPARE(bytes(chatTemplate.render(variables)), bytes(item["rendered"].get<std::string>()));
}

void JinjaReferenceTest::everyReferenceFileIsCovered()
{
    // The data function found the files; make sure it found all twelve.
    const QDir dir(QString::fromStdString(referenceDir()));
    if (!dir.exists())
        QSKIP("the reference chat templates are not available");
    QVERIFY(dir.entryList({"*.json"}, QDir::Files).size() >= 12);
}

void JinjaReferenceTest::chatTemplateMatchesReference_data()
{
    rendersReferenceCase_data();
}

void JinjaReferenceTest::chatTemplateMatchesReference()
{
    QFETCH(QString, file);
    QFETCH(int, index);
    const json root = readReference(file);
    const json& item = root["cases"][static_cast<size_t>(index)];
    const std::string source = root["template"].get<std::string>();
    const std::string bos = tokenOrEmpty(root["bos_token"]);
    const std::string eos = tokenOrEmpty(root["eos_token"]);
    const ChatTemplate chatTemplate(source, bos, eos);
    QVERIFY(chatTemplate.has_template());
    QVERIFY(chatTemplate.parse_error().empty());

    const std::vector<ChatMessage> messages = toMessages(item["messages"]);
    const bool addGenerationPrompt = item["add_generation_prompt"].get<bool>();

    // Variables beyond the standard ones go through render_strict.
    if (item.contains("extra_variables")) {
        const std::string text =
            chatTemplate.render_strict(messages_to_json(messages), addGenerationPrompt, item["extra_variables"]);
        QCOMPARE(bytes(text), bytes(item["rendered"].get<std::string>()));
        return;
    }
    const ChatPrompt prompt = chatTemplate.render(messages, addGenerationPrompt);
    QCOMPARE(prompt.format, detect_chat_format(source));
    QCOMPARE(prompt.prompt.stop_strings, chat_format_stop_strings(prompt.format));

    // A conversation the template rejects is rendered in the recognised
    // format, with the template's message as the reason.
    if (item["rendered"].is_null()) {
        QVERIFY(!prompt.from_template);
        QVERIFY2(prompt.fallback_reason.find(item["error"].get<std::string>()) != std::string::npos,
                 prompt.fallback_reason.c_str());
        const RenderedPrompt fallback = render_chat(prompt.format, messages, bos, eos, addGenerationPrompt);
        QCOMPARE(bytes(prompt.prompt.text), bytes(fallback.text));
        return;
    }
    QVERIFY(prompt.from_template);
    QVERIFY(prompt.fallback_reason.empty());
    QCOMPARE(bytes(prompt.prompt.text), bytes(item["rendered"].get<std::string>()));
}

void JinjaReferenceTest::brokenTemplateFallsBack()
{
    // Mistral-style markers, but the for loop is never closed.
    const ChatTemplate chatTemplate("{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]", "<s>",
                                    "</s>");
    QCOMPARE(chatTemplate.format(), ChatFormat::Mistral);
    QVERIFY(!chatTemplate.parse_error().empty());

    const std::vector<ChatMessage> messages{{"user", "Hi"}};
    const ChatPrompt prompt = chatTemplate.render(messages, true);
    QVERIFY(!prompt.from_template);
    QCOMPARE(prompt.format, ChatFormat::Mistral);
    QVERIFY2(prompt.fallback_reason.find("line 1") != std::string::npos, prompt.fallback_reason.c_str());
    QVERIFY2(prompt.fallback_reason.find("endfor") != std::string::npos, prompt.fallback_reason.c_str());
    QCOMPARE(prompt.prompt.text, render_chat(ChatFormat::Mistral, messages, "<s>", "</s>", true).text);
}

void JinjaReferenceTest::raisingTemplateFallsBack()
{
    const ChatTemplate chatTemplate(
        "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
        "{% for m in messages %}<start_of_turn>{{ m.role }}\n{{ m.content }}<end_of_turn>\n{% endfor %}",
        "<bos>", "<eos>");
    const std::vector<ChatMessage> withSystem{{"system", "Be brief."}, {"user", "Hi"}};
    const ChatPrompt rejected = chatTemplate.render(withSystem, true);
    QVERIFY(!rejected.from_template);
    QCOMPARE(rejected.format, ChatFormat::Gemma);
    QVERIFY2(rejected.fallback_reason.find("System role not supported") != std::string::npos,
             rejected.fallback_reason.c_str());
    QVERIFY(rejected.prompt.text.find("Be brief.\n\nHi") != std::string::npos);

    // Without a system message the same template renders itself.
    const std::vector<ChatMessage> userOnly{{"user", "Hi"}};
    const ChatPrompt accepted = chatTemplate.render(userOnly, false);
    QVERIFY(accepted.from_template);
    QCOMPARE(accepted.prompt.text, std::string("<start_of_turn>user\nHi<end_of_turn>\n"));
}

void JinjaReferenceTest::missingTemplateRendersPlain()
{
    const ChatTemplate chatTemplate("", "<s>", "</s>");
    QVERIFY(!chatTemplate.has_template());
    const std::vector<ChatMessage> messages{{"user", "Once upon a time"}};
    const ChatPrompt prompt = chatTemplate.render(messages, true);
    QVERIFY(!prompt.from_template);
    QVERIFY(prompt.fallback_reason.empty());
    QCOMPARE(prompt.format, ChatFormat::Plain);
    QCOMPARE(prompt.prompt.text, std::string("Once upon a time"));
}

void JinjaReferenceTest::templateStopStringsComeFromFormat()
{
    const ChatTemplate chatTemplate("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
                                    "{% endfor %}",
                                    "", "<|im_end|>");
    const std::vector<ChatMessage> messages{{"user", "Hi"}};
    const ChatPrompt prompt = chatTemplate.render(messages, true);
    QVERIFY(prompt.from_template);
    QCOMPARE(prompt.prompt.stop_strings, chat_format_stop_strings(ChatFormat::ChatML));
}

void JinjaReferenceTest::unknownFormatStopsAtEos()
{
    const ChatTemplate chatTemplate("{% for m in messages %}### {{ m.role }}: {{ m.content }}{{ eos_token }}"
                                    "{% endfor %}### assistant:",
                                    "<s>", "</s>");
    QCOMPARE(chatTemplate.format(), ChatFormat::Plain);
    const std::vector<ChatMessage> messages{{"user", "Hi"}};
    const ChatPrompt prompt = chatTemplate.render(messages, true);
    QVERIFY(prompt.from_template);
    QCOMPARE(prompt.prompt.text, std::string("### user: Hi</s>### assistant:"));
    QCOMPARE(prompt.prompt.stop_strings, std::vector<std::string>{"</s>"});
}

void JinjaReferenceTest::missingTokensStayUndefined()
{
    // transformers passes no bos_token when the model has none.
    const ChatTemplate chatTemplate("{{ bos_token is defined }}|{{ eos_token }}|{{ tools is none }}", "", "</s>");
    const ChatPrompt prompt = chatTemplate.render({}, false);
    QVERIFY(prompt.from_template);
    QCOMPARE(prompt.prompt.text, std::string("False|</s>|True"));
}

void JinjaReferenceTest::renderStrictThrows()
{
    const ChatTemplate broken("{{ messages[0].content | nosuchfilter }}", "", "");
    try {
        broken.render_strict(json::array(), false, nullptr);
        QFAIL("a template with an unknown filter must not render");
    } catch (const jinja::TemplateError& error) {
        QCOMPARE(error.kind(), jinja::TemplateError::Kind::Unsupported);
        QVERIFY2(std::string(error.what()).find("nosuchfilter") != std::string::npos, error.what());
    }

    // Extra variables reach the template and replace the standard ones.
    const ChatTemplate chatTemplate("{{ tools|length }} {{ add_generation_prompt }} {{ custom }}", "", "");
    const json extra = {{"tools", json::array({1, 2})}, {"custom", "x"}};
    QCOMPARE(chatTemplate.render_strict(json::array(), true, extra), std::string("2 True x"));
}

void JinjaReferenceTest::strftimeNowUsesClock()
{
    ChatTemplate chatTemplate("Today Date: {{ strftime_now('%d %b %Y') }}", "", "");
    chatTemplate.set_clock([] {
        std::tm time{};
        time.tm_year = 2024 - 1900;
        time.tm_mon = 6;
        time.tm_mday = 26;
        return time;
    });
    QCOMPARE(chatTemplate.render({}, false).prompt.text, std::string("Today Date: 26 Jul 2024"));
}

QTEST_APPLESS_MAIN(JinjaReferenceTest)
#include "test_jinja.moc"

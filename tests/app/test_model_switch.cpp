// Switching the model of an open chat through the library. The chat stores
// the new model at once, and the worker unloads the old model and loads the
// new one. The next reply renders the whole conversation, history included,
// with the new model's chat template. Two copies of stories260K that differ
// only in their template (ChatML and Zephyr's tags) make the difference
// visible in the prompt's token count.

#include "chats/chat_controller.h"
#include "chats/chat_list_model.h"
#include "chats/message_list_model.h"
#include "engine/model.h"
#include "generation/inference_service.h"
#include "generation/prompt_builder.h"
#include "gguf/gguf_writer.h"
#include "model_library/model_library.h"
#include "model_library/model_list_model.h"
#include "settings/library_settings.h"
#include "storage/chat_store.h"
#include "test_support.h"

#include <QDir>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace quanta;

namespace {

constexpr int kTimeoutMs = 60000;
constexpr int kReplyTokens = 12;

const std::string kChatMlTemplate =
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const std::string kZephyrTemplate =
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '</s>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

// Copies stories260K to `path` with `chatTemplate` as its tokenizer.chat_template.
void writeModelWithTemplate(const QString& path, const std::string& chatTemplate)
{
    const auto source = GgufFile::open(test::shared_path("models/stories260K.gguf"));
    GgufWriter writer(source->version());
    for (const GgufKeyValue& entry : source->metadata()) {
        if (entry.key != "tokenizer.chat_template" && entry.key != "general.alignment")
            writer.add_value(entry.key, entry.value);
    }
    writer.add_string("tokenizer.chat_template", chatTemplate);
    for (const GgufTensor& tensor : source->tensors()) {
        std::vector<uint64_t> ne(tensor.ne, tensor.ne + tensor.n_dims);
        writer.add_tensor(tensor.name, tensor.type, ne, std::vector<uint8_t>(tensor.data, tensor.data + tensor.n_bytes));
    }
    writer.write(path.toStdString());
}

// The conversation the controller sends for the messages on screen, minus
// the empty reply being generated.
std::vector<ChatMessage> conversationOf(const MessageListModel& messages)
{
    std::vector<ChatMessage> conversation;
    for (const MessageRecord& message : messages.messages()) {
        if (message.role == QLatin1String("assistant") && message.content.isEmpty())
            continue;
        conversation.push_back({message.role.toStdString(), message.content.toStdString()});
    }
    return conversation;
}

// Tokens of `conversation` rendered with `chatTemplate`, as the worker
// renders a prompt.
int promptTokens(const Model& model, const std::string& chatTemplate, const std::vector<ChatMessage>& conversation,
                 int contextSize, int maxTokens)
{
    const PromptBuilder builder(model.tokenizer(), chatTemplate);
    const PromptPlan plan = builder.build(conversation, contextSize, replyReserve(maxTokens, contextSize));
    return plan.fromTemplate ? static_cast<int>(plan.tokens.size()) : -1;
}

} // namespace

class TestModelSwitch : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void switchStoresModelAtOnce();
    void nextReplyUsesNewTemplate();
    void selectingChatLoadsItsModel();

private:
    bool waitForLoaded(const QString& path) const;
    // Sends `text` and returns the outcome of its reply.
    std::optional<GenerationOutcome> sendAndWait(const QString& text);

    QString modelA_;
    QString modelB_;
    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<ChatStore> store_;
    std::unique_ptr<ChatListModel> chats_;
    std::unique_ptr<MessageListModel> messages_;
    std::unique_ptr<InferenceService> inference_;
    std::unique_ptr<ChatController> controller_;
    std::unique_ptr<QSettings> settings_;
    std::unique_ptr<LibrarySettings> librarySettings_;
    std::unique_ptr<ModelListModel> models_;
    std::unique_ptr<ModelLibrary> library_;
};

void TestModelSwitch::initTestCase()
{
    if (!test::shared_available())
        QSKIP("the shared models folder is missing");
}

void TestModelSwitch::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    const QString folder = dir_->filePath(QStringLiteral("models"));
    QDir().mkpath(folder);
    modelA_ = folder + QStringLiteral("/stories-chatml.gguf");
    modelB_ = folder + QStringLiteral("/stories-zephyr.gguf");
    writeModelWithTemplate(modelA_, kChatMlTemplate);
    writeModelWithTemplate(modelB_, kZephyrTemplate);

    store_ = std::make_unique<ChatStore>(dir_->filePath(QStringLiteral("chats.sqlite")));
    chats_ = std::make_unique<ChatListModel>(*store_);
    messages_ = std::make_unique<MessageListModel>();
    inference_ = std::make_unique<InferenceService>();
    controller_ = std::make_unique<ChatController>(*store_, *chats_, *messages_, *inference_);
    controller_->settings().maxTokens = kReplyTokens;
    settings_ = std::make_unique<QSettings>(dir_->filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    librarySettings_ = std::make_unique<LibrarySettings>(*settings_, folder, folder);
    models_ = std::make_unique<ModelListModel>(folder);
    library_ = std::make_unique<ModelLibrary>(*librarySettings_, *models_, *inference_, nullptr,
                                              ModelLibrary::Chats{store_.get(), chats_.get(), controller_.get()});
}

void TestModelSwitch::cleanup()
{
    library_.reset();
    models_.reset();
    librarySettings_.reset();
    settings_.reset();
    controller_.reset();
    inference_.reset();
    messages_.reset();
    chats_.reset();
    store_.reset();
    dir_.reset();
}

bool TestModelSwitch::waitForLoaded(const QString& path) const
{
    return QTest::qWaitFor(
        [&] { return !inference_->loading() && inference_->modelLoaded() && inference_->modelPath() == path; },
        kTimeoutMs);
}

std::optional<GenerationOutcome> TestModelSwitch::sendAndWait(const QString& text)
{
    QSignalSpy finished(inference_.get(), &InferenceService::generationFinished);
    if (!controller_->send(text))
        return std::nullopt;
    if (!finished.wait(kTimeoutMs))
        return std::nullopt;
    // The controller saves the reply on the same signal; let it run.
    QTest::qWait(0);
    return finished.first().at(1).value<GenerationOutcome>();
}

void TestModelSwitch::switchStoresModelAtOnce()
{
    library_->loadModel(modelA_);
    QVERIFY(waitForLoaded(modelA_));
    QVERIFY(sendAndWait(QStringLiteral("Hello")).has_value());
    const qint64 chatId = controller_->currentChatId();
    QVERIFY(chatId != 0);
    QCOMPARE(store_->chat(chatId).modelPath, modelA_);

    // The chat remembers the new model before the load has finished.
    QSignalSpy loading(inference_.get(), &InferenceService::loadingChanged);
    library_->loadModel(modelB_);
    QCOMPARE(store_->chat(chatId).modelPath, modelB_);
    QVERIFY(inference_->loading());
    const int row = [&] {
        for (int i = 0; i < chats_->rowCount(); ++i) {
            if (chats_->data(chats_->index(i), ChatListModel::ChatIdRole).toLongLong() == chatId)
                return i;
        }
        return -1;
    }();
    QVERIFY(row >= 0);
    QCOMPARE(chats_->data(chats_->index(row), ChatListModel::ModelPathRole).toString(), modelB_);

    // The worker unloads and loads with progress.
    QVERIFY(waitForLoaded(modelB_));
    QVERIFY(loading.count() >= 2);
    QCOMPARE(controller_->currentChatId(), chatId);
    QCOMPARE(messages_->rowCount(), 2);
}

void TestModelSwitch::nextReplyUsesNewTemplate()
{
    const std::shared_ptr<Model> engineModel = Model::load(modelA_.toStdString());

    // Step 1: a first exchange with the ChatML model.
    library_->loadModel(modelA_);
    QVERIFY(waitForLoaded(modelA_));
    const std::optional<GenerationOutcome> first = sendAndWait(QStringLiteral("Tell me a story."));
    QVERIFY(first.has_value());
    const int contextSize = inference_->contextSize();
    {
        std::vector<ChatMessage> conversation = conversationOf(*messages_);
        conversation.pop_back(); // the reply just generated
        QCOMPARE(first->promptTokens, promptTokens(*engineModel, kChatMlTemplate, conversation, contextSize, kReplyTokens));
    }
    QCOMPARE(first->templateNotice, QString());

    // Step 2: switch to the Zephyr model and send again.
    library_->loadModel(modelB_);
    QVERIFY(waitForLoaded(modelB_));
    QCOMPARE(messages_->rowCount(), 2);
    const std::optional<GenerationOutcome> second = sendAndWait(QStringLiteral("And then?"));
    QVERIFY(second.has_value());

    // Step 3: the whole conversation went through the new template. The
    // old template's count differs, so the comparison can tell them apart,
    // and nothing came from the old model's KV cache.
    std::vector<ChatMessage> conversation = conversationOf(*messages_);
    conversation.pop_back();
    QCOMPARE(conversation.size(), std::size_t{3});
    const int withNew = promptTokens(*engineModel, kZephyrTemplate, conversation, contextSize, kReplyTokens);
    const int withOld = promptTokens(*engineModel, kChatMlTemplate, conversation, contextSize, kReplyTokens);
    QVERIFY(withNew > 0);
    QVERIFY(withOld > 0);
    QVERIFY(withNew != withOld);
    QCOMPARE(second->promptTokens, withNew);
    QCOMPARE(second->reusedTokens, 0);
    QCOMPARE(second->templateNotice, QString());
}

void TestModelSwitch::selectingChatLoadsItsModel()
{
    // Two chats, one per model, each switched through the library.
    library_->loadModel(modelA_);
    QVERIFY(waitForLoaded(modelA_));
    QVERIFY(sendAndWait(QStringLiteral("First chat")).has_value());
    const qint64 firstChat = controller_->currentChatId();

    controller_->newChat();
    library_->loadModel(modelB_);
    QVERIFY(waitForLoaded(modelB_));
    QVERIFY(sendAndWait(QStringLiteral("Second chat")).has_value());
    const qint64 secondChat = controller_->currentChatId();
    QVERIFY(secondChat != firstChat);
    QCOMPARE(store_->chat(firstChat).modelPath, modelA_);
    QCOMPARE(store_->chat(secondChat).modelPath, modelB_);

    // Going back to the first chat loads its model again.
    controller_->selectChat(firstChat);
    QVERIFY(waitForLoaded(modelA_));
}

QTEST_MAIN(TestModelSwitch)
#include "test_model_switch.moc"

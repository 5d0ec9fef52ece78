// The real window under the offscreen platform: the app's own AppContext and
// Main.qml with a temporary database, models folder and settings file. A
// message typed into the input streams a reply from stories260K.gguf into
// the message list and the database. Screenshots go to
// <build>/screenshots/ for a person to look at.

#include "app_context.h"
#include "ui_test_base.h"
#include "chats/chat_controller.h"
#include "chats/chat_list_model.h"
#include "chats/message_list_model.h"
#include "generation/inference_service.h"
#include "model_library/model_list_model.h"
#include "settings/language_settings.h"
#include "storage/chat_store.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace quanta;

namespace {

constexpr int kTimeoutMs = test::kUiTimeoutMs;

QString sharedModel()
{
    return test::sharedStoriesModel();
}

using test::findItems;
using test::screenshotPath;

// Copies the stories260K model to `path` with `chat_template` as its
// tokenizer.chat_template.
void writeModelWithTemplate(const QString& path, const std::string& chat_template)
{
    const auto source = GgufFile::open(test::shared_path("models/stories260K.gguf"));
    GgufWriter writer(source->version());
    for (const GgufKeyValue& entry : source->metadata()) {
        if (entry.key != "tokenizer.chat_template" && entry.key != "general.alignment")
            writer.add_value(entry.key, entry.value);
    }
    writer.add_string("tokenizer.chat_template", chat_template);
    for (const GgufTensor& tensor : source->tensors()) {
        std::vector<uint64_t> ne(tensor.ne, tensor.ne + tensor.n_dims);
        writer.add_tensor(tensor.name, tensor.type, ne,
                          std::vector<uint8_t>(tensor.data, tensor.data + tensor.n_bytes));
    }
    writer.write(path.toStdString());
}

} // namespace

class TestChatUi : public test::UiTestBase {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void replyStreamsAndIsSaved();
    void secondTurnContinuesChat();
    void escapeStopsReply();
    void tooLongMessageShowsError();
    void languageSwitchAppliesAtOnce();
    void noModelExplainsModelsFolder();
    void modelsFolderListsGgufFiles();
    void brokenModelShowsError();
    void damagedDatabaseReportedOnce();
    void interruptedReplyMarked();
    void renameAndDeleteThroughMenu();
    void failedSaveShowsError();
    void openModelFileThroughDialog();
    void openModelFolderThroughDialog();
    void pickerListsModelFolder();
    void brokenTemplateShowsNotice();

};

void TestChatUi::init()
{
    setUpApp();
}

void TestChatUi::cleanup()
{
    tearDownApp();
}

void TestChatUi::replyStreamsAndIsSaved()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(sharedModel()));
    ChatController& controller = context_->controller();
    MessageListModel& messages = context_->messages();
    InferenceService& inference = context_->inference();

    // Step 1: the model loads in the background and enables sending.
    QTRY_VERIFY_WITH_TIMEOUT(inference.modelLoaded(), kTimeoutMs);
    QCOMPARE(inference.modelPath(), sharedModel());
    QTRY_VERIFY(controller.canSend());
    QVERIFY2(controller.errorMessage().isEmpty(), qPrintable(controller.errorMessage()));
    QVERIFY(item("sendButton")->isVisible());

    // Step 2: record every length the reply has on its way, and whether the
    // UI showed Stop (not Send) while it streamed.
    // The text reaches the list in batches (ChatController::kFlushIntervalMs),
    // so this tiny, fast model may fill the reply in one update. The pieces
    // the engine streams are therefore counted at the service.
    QList<qsizetype> replyLengths;
    int streamedPieces = 0;
    bool stopShownWhileStreaming = true;
    QImage streamingScreenshot;
    connect(&inference, &InferenceService::textGenerated, this, [&] { ++streamedPieces; });
    connect(&messages, &QAbstractItemModel::dataChanged, this,
            [&](const QModelIndex& topLeft, const QModelIndex&, const QList<int>& roles) {
                if (!roles.contains(MessageListModel::ContentRole) || topLeft.row() != 1)
                    return;
                replyLengths.append(topLeft.data(MessageListModel::ContentRole).toString().size());
                stopShownWhileStreaming = stopShownWhileStreaming && item("stopButton")->isVisible() &&
                                          !item("sendButton")->isVisible();
                if (replyLengths.size() == 1)
                    streamingScreenshot = window()->grabWindow();
            });

    // Step 3: type the message and press Enter.
    CHECKED(typeAndSend(QStringLiteral("Once upon a time")));
    QCOMPARE(messages.rowCount(), 2);
    QCOMPARE(messages.data(messages.index(0), MessageListModel::RoleRole).toString(), QStringLiteral("user"));
    QCOMPARE(messages.data(messages.index(0), MessageListModel::ContentRole).toString(),
             QStringLiteral("Once upon a time"));
    QCOMPARE(item("messageInput")->property("text").toString(), QString());
    QVERIFY(!controller.canSend());

    // Step 4: the reply streams in over several updates, then finishes.
    QTRY_VERIFY_WITH_TIMEOUT(!inference.generating(), kTimeoutMs);
    const QString reply = messages.data(messages.index(1), MessageListModel::ContentRole).toString();
    QVERIFY2(!reply.trimmed().isEmpty(), "the model produced no text");
    QVERIFY2(streamedPieces >= 3, qPrintable(QStringLiteral("only %1 pieces").arg(streamedPieces)));
    QVERIFY(!replyLengths.isEmpty());
    QVERIFY(std::is_sorted(replyLengths.begin(), replyLengths.end()));
    QCOMPARE(replyLengths.last(), reply.size());
    QVERIFY(stopShownWhileStreaming);
    QCOMPARE(messages.data(messages.index(1), MessageListModel::StreamingRole).toBool(), false);
    QCOMPARE(messages.data(messages.index(1), MessageListModel::InterruptedRole).toBool(), false);
    QVERIFY(controller.lastReplyTokens() > 0);
    QTRY_VERIFY(controller.canSend());

    // Step 5: the database contains the chat, named after the message, and
    // the complete reply.
    const QList<ChatRecord> chats = context_->store().chats();
    QCOMPARE(chats.size(), 1);
    QCOMPARE(chats.first().title, QStringLiteral("Once upon a time"));
    QCOMPARE(chats.first().modelPath, sharedModel());
    QCOMPARE(controller.currentChatId(), chats.first().id);
    const QList<MessageRecord> saved = context_->store().messages(chats.first().id);
    QCOMPARE(saved.size(), 2);
    QCOMPARE(saved[0].content, QStringLiteral("Once upon a time"));
    QCOMPARE(saved[1].role, QStringLiteral("assistant"));
    QCOMPARE(saved[1].content, reply);
    QVERIFY(saved[1].complete);

    CHECKED(saveScreenshot(QStringLiteral("chat.png")));
    QVERIFY(!streamingScreenshot.isNull());
    QVERIFY(streamingScreenshot.save(screenshotPath(QStringLiteral("chat-streaming.png"))));
}

void TestChatUi::secondTurnContinuesChat()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(sharedModel()));
    ChatController& controller = context_->controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);

    // Two turns in one chat; the second is sent with the Send button.
    CHECKED(typeAndSend(QStringLiteral("Once upon a time")));
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);
    QQuickItem* input = item("messageInput");
    input->setProperty("text", QStringLiteral("The next day"));
    QQuickItem* send = item("sendButton");
    QTRY_VERIFY(send->isEnabled());
    CHECKED(click(send));
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);

    const QList<ChatRecord> chats = context_->store().chats();
    QCOMPARE(chats.size(), 1);
    const QList<MessageRecord> saved = context_->store().messages(chats.first().id);
    QCOMPARE(saved.size(), 4);
    QCOMPARE(saved[2].content, QStringLiteral("The next day"));
    QVERIFY(saved[3].complete);
    QCOMPARE(context_->messages().rowCount(), 4);

    // A new chat starts empty; the first chat is still there to go back to.
    controller.newChat();
    QCOMPARE(context_->messages().rowCount(), 0);
    QCOMPARE(context_->chats().rowCount(), 2);
    controller.selectChat(chats.first().id);
    QCOMPARE(context_->messages().rowCount(), 4);

    // Rename and delete go to the database and the sidebar.
    controller.renameChat(chats.first().id, QStringLiteral("  A story  "));
    QCOMPARE(context_->store().chat(chats.first().id).title, QStringLiteral("A story"));
    QCOMPARE(controller.currentTitle(), QStringLiteral("A story"));
    controller.deleteChat(chats.first().id);
    QCOMPARE(context_->chats().rowCount(), 1);
    QCOMPARE(controller.undoTitle(), QStringLiteral("A story"));
    QVERIFY(controller.currentChatId() != chats.first().id);
}

void TestChatUi::escapeStopsReply()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(sharedModel()));
    ChatController& controller = context_->controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);

    // Esc right after Enter: the reply stops long before its token limit and
    // is kept as a finished reply.
    CHECKED(typeAndSend(QStringLiteral("Once upon a time")));
    QVERIFY(context_->inference().generating());
    QTest::keyClick(window(), Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!context_->inference().generating(), kTimeoutMs);
    QVERIFY2(controller.lastReplyTokens() < controller.settings().maxTokens,
             qPrintable(QString::number(controller.lastReplyTokens())));

    const QList<MessageRecord> saved = context_->store().messages(controller.currentChatId());
    QCOMPARE(saved.size(), 2);
    QVERIFY(saved[1].complete);
    QCOMPARE(saved[1].content,
             context_->messages().data(context_->messages().index(1), MessageListModel::ContentRole).toString());
    QCOMPARE(context_->messages().data(context_->messages().index(1), MessageListModel::InterruptedRole).toBool(),
             false);
    QTRY_VERIFY(controller.canSend());
}

void TestChatUi::tooLongMessageShowsError()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(sharedModel()));
    ChatController& controller = context_->controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);

    // About 2,400 tokens: more than the 2,048-token context holds.
    QString longText;
    for (int i = 0; i < 600; ++i)
        longText += QStringLiteral("Once upon a time ");
    QQuickItem* input = item("messageInput");
    input->setProperty("text", longText);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("too long")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("The reply failed: .*too long")));
    CHECKED(click(item("sendButton")));

    // The error is shown, the failed reply is gone, and the message is kept.
    QTRY_VERIFY_WITH_TIMEOUT(!controller.errorMessage().isEmpty(), kTimeoutMs);
    QVERIFY2(controller.errorMessage().contains(QStringLiteral("too long")), qPrintable(controller.errorMessage()));
    QTRY_VERIFY(controller.canSend());
    QCOMPARE(context_->messages().rowCount(), 1);
    const QList<MessageRecord> saved = context_->store().messages(controller.currentChatId());
    QCOMPARE(saved.size(), 1);
    QCOMPARE(saved.first().role, QStringLiteral("user"));
    CHECKED(saveScreenshot(QStringLiteral("reply-error.png")));
}

void TestChatUi::languageSwitchAppliesAtOnce()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(sharedModel()));
    QTRY_VERIFY_WITH_TIMEOUT(context_->controller().canSend(), kTimeoutMs);
    QQuickItem* send = item("sendButton");
    QCOMPARE(send->property("text").toString(), QStringLiteral("Send"));

    // Switch to Simplified Chinese in the settings dialog: visible text
    // changes without a restart, and the choice is saved.
    CHECKED(click(item("settingsButton")));
    QObject* dialog = window()->findChild<QObject*>(QStringLiteral("settingsDialog"));
    QVERIFY(dialog != nullptr);
    QTRY_VERIFY(dialog->property("opened").toBool());
    CHECKED(click(item("languageChinese")));
    QCOMPARE(context_->language().language(), LanguageSettings::kChinese);
    QCOMPARE(context_->language().effectiveLanguage(), LanguageSettings::kChinese);
    QCOMPARE(send->property("text").toString(), QStringLiteral("发送"));
    QCOMPARE(item("newChatButton")->property("text").toString(), QStringLiteral("新对话"));
    QCOMPARE(dialog->property("title").toString(), QStringLiteral("设置"));
    {
        QSettings settings(dir_->filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("ui/language")).toString(), LanguageSettings::kChinese);
    }
    CHECKED(saveScreenshot(QStringLiteral("settings_zh_CN.png")));
    QVERIFY(QMetaObject::invokeMethod(dialog, "close"));
    QTRY_VERIFY(!dialog->property("visible").toBool());

    // A chat in Chinese, for the screenshot.
    CHECKED(typeAndSend(QStringLiteral("Once upon a time")));
    QTRY_VERIFY_WITH_TIMEOUT(context_->controller().canSend(), kTimeoutMs);
    CHECKED(saveScreenshot(QStringLiteral("chat_zh_CN.png")));

    // And back.
    context_->language().setLanguage(LanguageSettings::kEnglish);
    QCOMPARE(send->property("text").toString(), QStringLiteral("Send"));
}

void TestChatUi::noModelExplainsModelsFolder()
{
    CHECKED(startApp(QString()));
    QVERIFY(!context_->inference().modelLoaded());
    QVERIFY(!context_->inference().loading());
    QVERIFY(!context_->controller().canSend());
    QVERIFY(!item("sendButton")->isEnabled());

    // The empty state names the models folder, which now exists.
    QVERIFY(QFileInfo(modelsFolder()).isDir());
    QQuickItem* hint = item("emptyStateHint");
    QVERIFY(hint != nullptr);
    QVERIFY(hint->isVisible());
    QVERIFY2(hint->property("text").toString().contains(QStringLiteral(".gguf")),
             qPrintable(hint->property("text").toString()));
    QQuickItem* folderField = item("modelsFolderField");
    QVERIFY(folderField != nullptr);
    QCOMPARE(folderField->property("text").toString(), context_->models().folder());
    QVERIFY(item("emptyStateOpenButton")->isVisible());

    CHECKED(saveScreenshot(QStringLiteral("no-model.png")));

    context_->language().setLanguage(LanguageSettings::kChinese);
    QVERIFY2(hint->property("text").toString().contains(QStringLiteral("模型")),
             qPrintable(hint->property("text").toString()));
    CHECKED(saveScreenshot(QStringLiteral("no-model_zh_CN.png")));
}

void TestChatUi::modelsFolderListsGgufFiles()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");

    // A link to the shared model and a file that is not a model.
    QVERIFY(QDir().mkpath(modelsFolder() + QStringLiteral("/tiny")));
    QVERIFY(QFile::link(sharedModel(), modelsFolder() + QStringLiteral("/tiny/stories260K.gguf")));
    QFile notes(modelsFolder() + QStringLiteral("/notes.txt"));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.close();

    CHECKED(startApp(QString()));
    ModelListModel& models = context_->models();
    QCOMPARE(models.rowCount(), 1);
    const QModelIndex first = models.index(0);
    QCOMPARE(models.data(first, ModelListModel::NameRole).toString(), QStringLiteral("stories260K"));
    QCOMPARE(models.data(first, ModelListModel::SizeBytesRole).toLongLong(), QFileInfo(sharedModel()).size());
    QVERIFY(!models.data(first, ModelListModel::SizeTextRole).toString().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    QCOMPARE(models.data(first, ModelListModel::ArchitectureRole).toString(), QStringLiteral("llama"));
    QCOMPARE(models.data(first, ModelListModel::QuantizationRole).toString(), QStringLiteral("F32"));

    // Picking it loads it, as the menu item does.
    context_->inference().loadModel(models.data(first, ModelListModel::PathRole).toString());
    QTRY_VERIFY_WITH_TIMEOUT(context_->inference().modelLoaded(), kTimeoutMs);
    QVERIFY(context_->controller().canSend());
    QCOMPARE(item("modelPicker")->property("text").toString(), QStringLiteral("stories260K"));

    // The picker's menu lists it, checked as the loaded one.
    CHECKED(click(item("modelPicker")));
    QObject* menu = window()->findChild<QObject*>(QStringLiteral("modelMenu"));
    QVERIFY(menu != nullptr);
    QTRY_VERIFY(menu->property("opened").toBool());
    CHECKED(saveScreenshot(QStringLiteral("model-picker.png")));
    QTest::keyClick(window(), Qt::Key_Escape);
    QTRY_VERIFY(!menu->property("visible").toBool());

    // A file added later shows up without a restart.
    QVERIFY(QFile::link(sharedModel(), modelsFolder() + QStringLiteral("/second.GGUF")));
    QTRY_COMPARE(models.rowCount(), 2);
}

void TestChatUi::brokenModelShowsError()
{
    // A file that is not GGUF: the engine's error names it, the window shows
    // it, and nothing crashes.
    QVERIFY(QDir().mkpath(modelsFolder()));
    const QString broken = modelsFolder() + QStringLiteral("/broken.gguf");
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, 'x'));
    file.close();

    CHECKED(startApp(broken));
    ChatController& controller = context_->controller();
    QTRY_VERIFY_WITH_TIMEOUT(!controller.errorMessage().isEmpty(), kTimeoutMs);
    QVERIFY2(controller.errorMessage().contains(QStringLiteral("broken.gguf")), qPrintable(controller.errorMessage()));
    QTRY_VERIFY(!context_->inference().loading());
    QVERIFY(!context_->inference().modelLoaded());
    QVERIFY(!controller.canSend());

    QQuickItem* banner = item("errorBanner");
    QVERIFY(banner->isVisible());
    QVERIFY(item("errorText")->property("text").toString().contains(QStringLiteral("broken.gguf")));
    CHECKED(saveScreenshot(QStringLiteral("load-error.png")));

    controller.dismissError();
    QVERIFY(!banner->isVisible());

    // A failed load's banner goes away once another model loads.
    context_->inference().loadModel(broken);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kTimeoutMs);
    QTRY_VERIFY(!context_->inference().loading());
    context_->inference().loadModel(sharedModel());
    QTRY_VERIFY_WITH_TIMEOUT(context_->inference().modelLoaded(), kTimeoutMs);
    QTRY_VERIFY(!banner->isVisible());
    QVERIFY(controller.errorMessage().isEmpty());
}

void TestChatUi::damagedDatabaseReportedOnce()
{
    QFile file(databasePath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(2048, '\x5a'));
    file.close();

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("is not a valid SQLite database")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("chat database .* was damaged")));
    CHECKED(startApp(QString()));
    const QString kept = context_->store().recoveredFrom();
    QVERIFY(!kept.isEmpty());
    const QString message = context_->controller().errorMessage();
    QVERIFY2(message.contains(databasePath()), qPrintable(message));
    QVERIFY2(message.contains(kept), qPrintable(message));
    QVERIFY(item("errorBanner")->isVisible());

    // The new database works.
    context_->controller().newChat();
    QCOMPARE(context_->chats().rowCount(), 1);

    // Dismissed, it stays away.
    context_->controller().dismissError();
    QVERIFY(context_->controller().errorMessage().isEmpty());
    QVERIFY(!item("errorBanner")->isVisible());
}

void TestChatUi::interruptedReplyMarked()
{
    // A reply saved mid-stream by a run that then crashed.
    qint64 chat = 0;
    {
        ChatStore store(databasePath());
        chat = store.createChat(QStringLiteral("Crashed"));
        store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Tell me a story"));
        store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("Once there was"), false);
    }

    CHECKED(startApp(QString()));
    MessageListModel& messages = context_->messages();
    QCOMPARE(context_->controller().currentChatId(), chat);
    QCOMPARE(messages.rowCount(), 2);
    const QModelIndex reply = messages.index(1);
    QCOMPARE(messages.data(reply, MessageListModel::ContentRole).toString(), QStringLiteral("Once there was"));
    QCOMPARE(messages.data(reply, MessageListModel::InterruptedRole).toBool(), true);
    QCOMPARE(messages.data(messages.index(0), MessageListModel::InterruptedRole).toBool(), false);
    CHECKED(saveScreenshot(QStringLiteral("interrupted.png")));
}

void TestChatUi::renameAndDeleteThroughMenu()
{
    qint64 older = 0;
    qint64 newer = 0;
    {
        ChatStore store(databasePath());
        older = store.createChat(QStringLiteral("Older chat"));
        newer = store.createChat(QStringLiteral("Newer chat"));
    }
    CHECKED(startApp(QString()));
    QCOMPARE(context_->controller().currentChatId(), newer);

    // Rename: the open chat's menu, "Rename…", a new title, OK.
    CHECKED(click(item("chatMenuButton")));
    QQuickItem* renameItem = item("renameChatItem");
    QTRY_VERIFY(renameItem != nullptr && renameItem->isVisible());
    CHECKED(click(renameItem));
    QObject* renameDialog = window()->findChild<QObject*>(QStringLiteral("renameChatDialog"));
    QTRY_VERIFY(renameDialog->property("opened").toBool());
    QQuickItem* titleField = item("chatTitleField");
    QCOMPARE(titleField->property("text").toString(), QStringLiteral("Newer chat"));
    QTRY_VERIFY(titleField->hasActiveFocus());
    titleField->setProperty("text", QStringLiteral("Renamed chat"));
    QTest::keyClick(window(), Qt::Key_Return);
    QCOMPARE(context_->store().chat(newer).title, QStringLiteral("Renamed chat"));
    QCOMPARE(context_->controller().currentTitle(), QStringLiteral("Renamed chat"));
    QTRY_VERIFY(!renameDialog->property("visible").toBool());

    // Delete: the same menu, "Delete". The chat goes at once, with Undo.
    CHECKED(click(item("chatMenuButton")));
    QQuickItem* deleteItem = nullptr;
    QTRY_VERIFY((deleteItem = item("deleteChatItem")) != nullptr && deleteItem->isVisible());
    CHECKED(click(deleteItem));
    QTRY_VERIFY(item("undoBar")->isVisible());
    CHECKED(saveScreenshot(QStringLiteral("delete-chat.png")));
    QCOMPARE(context_->store().chats().size(), 1);
    QCOMPARE(context_->store().chats().first().id, older);
    QCOMPARE(context_->controller().currentChatId(), older);

    // Undo brings it back and opens it; deleting again and letting the undo
    // time pass deletes it for good.
    CHECKED(click(item("undoButton")));
    QCOMPARE(context_->store().chats().size(), 2);
    QCOMPARE(context_->controller().currentChatId(), newer);
    QTRY_VERIFY(!item("undoBar")->isVisible());
    context_->controller().deleteChat(newer);
    QTRY_VERIFY_WITH_TIMEOUT(context_->controller().undoTitle().isEmpty(), ChatController::kUndoMs + 5000);
    QVERIFY_THROWS_EXCEPTION(StorageError, context_->store().chat(newer));
    QCOMPARE(context_->chats().rowCount(), 1);
}

void TestChatUi::failedSaveShowsError()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    qint64 chat = 0;
    {
        ChatStore store(databasePath());
        chat = store.createChat(QStringLiteral("Vanishing"));
    }
    CHECKED(startApp(sharedModel()));
    ChatController& controller = context_->controller();
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);
    QCOMPARE(controller.currentChatId(), chat);

    // Another connection deletes the open chat, so saving a message to it
    // fails.
    {
        ChatStore other(databasePath());
        other.deleteChat(chat);
    }
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Saving or reading chats failed")));
    CHECKED(typeAndSend(QStringLiteral("Hello")));

    // The error is shown with the file's name, and the chat goes on in
    // memory: the message is on screen and a reply is generated.
    const QString message = controller.errorMessage();
    QVERIFY2(message.contains(databasePath()), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("not found"), Qt::CaseInsensitive), qPrintable(message));
    QVERIFY(item("errorBanner")->isVisible());
    QVERIFY(controller.unsaved());
    QCOMPARE(context_->messages().rowCount(), 2);
    QCOMPARE(context_->messages().data(context_->messages().index(0), MessageListModel::ContentRole).toString(),
             QStringLiteral("Hello"));
    QTRY_VERIFY_WITH_TIMEOUT(!context_->inference().generating(), kTimeoutMs);
    QVERIFY(!context_->messages().data(context_->messages().index(1), MessageListModel::ContentRole).toString().isEmpty());
}

void TestChatUi::openModelFileThroughDialog()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(QString()));

    // "Open model file…" in the empty state opens the file dialog in the
    // models folder.
    CHECKED(click(item("emptyStateOpenButton")));
    QObject* dialog = window()->findChild<QObject*>(QStringLiteral("modelFileDialog"));
    QVERIFY(dialog != nullptr);
    QTRY_VERIFY(dialog->property("visible").toBool());
    QCOMPARE(dialog->property("currentFolder").toUrl(), QUrl::fromLocalFile(context_->models().folder()));
    CHECKED(saveScreenshot(QStringLiteral("open-model-file.png")));

    QVERIFY(QMetaObject::invokeMethod(dialog, "close"));
    QTRY_VERIFY(!dialog->property("visible").toBool());

    // A chosen file loads. Picking it inside Qt's dialog is Qt's part, so the
    // test starts from the dialog's signal.
    QVERIFY(QMetaObject::invokeMethod(dialog, "modelChosen", Q_ARG(QUrl, QUrl::fromLocalFile(sharedModel()))));
    QTRY_VERIFY_WITH_TIMEOUT(context_->inference().modelLoaded(), kTimeoutMs);
    QCOMPARE(context_->inference().modelPath(), sharedModel());
}

void TestChatUi::openModelFolderThroughDialog()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(QString()));

    // "Open model folder…" in the empty state opens the folder dialog in the
    // models folder.
    CHECKED(click(item("emptyStateOpenFolderButton")));
    QObject* dialog = window()->findChild<QObject*>(QStringLiteral("modelFolderDialog"));
    QVERIFY(dialog != nullptr);
    QTRY_VERIFY(dialog->property("visible").toBool());
    QCOMPARE(dialog->property("currentFolder").toUrl(), QUrl::fromLocalFile(context_->models().folder()));
    CHECKED(saveScreenshot(QStringLiteral("open-model-folder.png")));

    QVERIFY(QMetaObject::invokeMethod(dialog, "close"));
    QTRY_VERIFY(!dialog->property("visible").toBool());

    // A chosen folder loads like a file; the top bar shows its format.
    const QString folder = QString::fromStdString(test::shared_path("models/hf/stories260K-wide-gptq-4bit-g128"));
    QVERIFY(QMetaObject::invokeMethod(dialog, "modelChosen", Q_ARG(QUrl, QUrl::fromLocalFile(folder))));
    QTRY_VERIFY_WITH_TIMEOUT(context_->inference().modelLoaded(), kTimeoutMs);
    QCOMPARE(context_->inference().modelPath(), folder);
    QTRY_VERIFY(context_->controller().canSend());
    QCOMPARE(item("modelPicker")->property("text").toString(), QStringLiteral("stories260K-wide-gptq-4bit-g128"));
    const QString details = item("modelDetails")->property("text").toString();
    QVERIFY2(details.contains(QStringLiteral("GPTQ 4-bit, group 128")), qPrintable(details));
}

void TestChatUi::pickerListsModelFolder()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");

    // A link to a shared AWQ folder beside a link to the GGUF file.
    QVERIFY(QDir().mkpath(modelsFolder()));
    const QString folder = QString::fromStdString(test::shared_path("models/hf/stories260K-wide-awq-gemm-4bit-g128"));
    QVERIFY(QFile::link(folder, modelsFolder() + QStringLiteral("/awq")));
    QVERIFY(QFile::link(sharedModel(), modelsFolder() + QStringLiteral("/stories260K.gguf")));

    CHECKED(startApp(QString(), QStringLiteral("zh_CN")));
    ModelListModel& models = context_->models();
    QCOMPARE(models.rowCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    const QModelIndex awq = models.index(0);
    QCOMPARE(models.data(awq, ModelListModel::NameRole).toString(), QStringLiteral("awq"));
    QCOMPARE(models.data(awq, ModelListModel::KindRole).toString(), QStringLiteral("Hugging Face 文件夹"));
    QCOMPARE(models.data(awq, ModelListModel::QuantizationRole).toString(), QStringLiteral("AWQ 4 位，每组 128"));
    QCOMPARE(models.data(models.index(1), ModelListModel::KindRole).toString(), QStringLiteral("GGUF 文件"));

    // The menu shows both, and "Open model folder…" next to "Open model
    // file…"; picking the folder's entry loads it.
    CHECKED(click(item("modelPicker")));
    QObject* menu = window()->findChild<QObject*>(QStringLiteral("modelMenu"));
    QVERIFY(menu != nullptr);
    QTRY_VERIFY(menu->property("opened").toBool());
    QObject* openFolderItem = window()->findChild<QObject*>(QStringLiteral("openModelFolderItem"));
    QVERIFY(openFolderItem != nullptr);
    QCOMPARE(openFolderItem->property("text").toString(), QStringLiteral("打开模型文件夹…"));
    CHECKED(saveScreenshot(QStringLiteral("model-picker-folder_zh_CN.png")));
    QTest::keyClick(window(), Qt::Key_Escape);
    QTRY_VERIFY(!menu->property("visible").toBool());

    context_->inference().loadModel(models.data(awq, ModelListModel::PathRole).toString());
    QTRY_VERIFY_WITH_TIMEOUT(context_->inference().modelLoaded(), kTimeoutMs);
    QCOMPARE(context_->inference().modelFileType(), QStringLiteral("AWQ 4 位，每组 128"));
    QCOMPARE(item("modelPicker")->property("text").toString(), QStringLiteral("awq"));
}

void TestChatUi::brokenTemplateShowsNotice()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    // A template whose for-loop never ends: the reply is still written, in a
    // recognised format, and the window shows the reason.
    QVERIFY(QDir().mkpath(modelsFolder()));
    const QString model = modelsFolder() + QStringLiteral("/broken-template.gguf");
    writeModelWithTemplate(model, "{% for message in messages %}<|im_start|>{{ message['content'] }}");
    CHECKED(startApp(model));
    ChatController& controller = context_->controller();
    QTRY_VERIFY_WITH_TIMEOUT(context_->inference().modelLoaded(), kTimeoutMs);
    QTRY_VERIFY(controller.canSend());
    QVERIFY(!item("templateNotice")->isVisible());

    CHECKED(typeAndSend(QStringLiteral("Hi")));
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);
    QCOMPARE(context_->messages().rowCount(), 2);
    const QString notice = controller.templateNotice();
    QVERIFY2(notice.contains(QStringLiteral("chatml"), Qt::CaseInsensitive), qPrintable(notice));
    QVERIFY2(notice.contains(QStringLiteral("endfor")), qPrintable(notice));
    QTRY_VERIFY(item("templateNotice")->isVisible());
    QCOMPARE(item("templateNoticeText")->property("text").toString(), notice);
    QVERIFY2(controller.errorMessage().isEmpty(), qPrintable(controller.errorMessage()));
    CHECKED(saveScreenshot(QStringLiteral("template-notice.png")));

    // Dismissed, it stays hidden for the next reply of the same model.
    controller.dismissTemplateNotice();
    QTRY_VERIFY(!item("templateNotice")->isVisible());
    CHECKED(typeAndSend(QStringLiteral("More")));
    QTRY_VERIFY_WITH_TIMEOUT(controller.canSend(), kTimeoutMs);
    QCOMPARE(context_->messages().rowCount(), 4);
    QVERIFY(controller.templateNotice().isEmpty());
}

QTEST_MAIN(TestChatUi)
#include "test_chat_ui.moc"

// The everyday chat flows in the real window (offscreen). Covered:
// regenerate with alternatives, edit and resend as a branch, delete a
// message, Markdown and code blocks, pin, search, per-chat settings, export
// and import, the keyboard, the dark theme and larger text, the context
// notice, and a full disk. Each main screen is saved under <build>/screenshots/.

#include "chats/chat_controller.h"
#include "chats/chat_list_model.h"
#include "chats/chat_search_model.h"
#include "chats/message_list_model.h"
#include "generation/inference_service.h"
#include "settings/appearance_settings.h"
#include "storage/chat_store.h"
#include "test_support.h"
#include "ui_test_base.h"

#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QQuickItem>
#include <QSettings>
#include <QSignalSpy>

using namespace quanta;
using test::kUiTimeoutMs;

namespace {

QVariant roleAt(const MessageListModel& messages, int row, int role)
{
    return messages.data(messages.index(row), role);
}

qint64 idAt(const MessageListModel& messages, int row)
{
    return roleAt(messages, row, MessageListModel::MessageIdRole).toLongLong();
}

// The blocks the message list gives QML for a reply with this text.
QVariantList blocksFor(const QString& text)
{
    MessageListModel model;
    MessageRecord record;
    record.id = 1;
    record.role = QStringLiteral("assistant");
    record.content = text;
    model.append(record);
    return model.data(model.index(0), MessageListModel::BlocksRole).toList();
}

QString contentAt(const MessageListModel& messages, int row)
{
    return roleAt(messages, row, MessageListModel::ContentRole).toString();
}

const QString kCodeReply = QStringLiteral(
    "Here is a **small** program <b>with tags</b>:\n\n```cpp\n#include <cstdio>\nint main() { std::puts(\"hi\"); }\n```\n\n"
    "- It prints `hi`.\n- Then it exits.\n\n![logo](http://127.0.0.1:9/track.png)");

} // namespace

class TestChatFlows : public test::UiTestBase {
    Q_OBJECT

private slots:
    void init() { setUpApp(); }
    void cleanup() { tearDownApp(); }

    void regenerateKeepsAlternatives();
    void editAndResendMakesBranch();
    void deleteMessageRemovesBranchTail();
    void markdownAndCodeBlocksRender();
    void pinAndSearchOpenTheMessage();
    void chatSettingsShapeTheReply();
    void exportAndImportRoundTrip();
    void keyboardShortcuts();
    void darkThemeAndLargerText();
    void longHistoryShowsContextNotice();
    void fullDiskKeepsChatInMemory();

private:
    void sendAndWait(const QString& text);
};

void TestChatFlows::sendAndWait(const QString& text)
{
    QTRY_VERIFY_WITH_TIMEOUT(context_->controller().canSend(), kUiTimeoutMs);
    typeAndSend(text);
    QTRY_VERIFY_WITH_TIMEOUT(!context_->inference().generating(), kUiTimeoutMs);
    QTRY_VERIFY(context_->controller().canSend());
}

void TestChatFlows::regenerateKeepsAlternatives()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(test::sharedStoriesModel()));
    ChatController& controller = context_->controller();
    MessageListModel& messages = context_->messages();

    // Step 1: a first reply. Its text reaches the list in batches, not once
    // per token.
    int contentUpdates = 0;
    connect(&messages, &QAbstractItemModel::dataChanged, this,
            [&](const QModelIndex&, const QModelIndex&, const QList<int>& roles) {
                if (roles.contains(MessageListModel::ContentRole))
                    ++contentUpdates;
            });
    CHECKED(sendAndWait(QStringLiteral("Once upon a time")));
    const QString first = contentAt(messages, 1);
    QVERIFY(!first.isEmpty());
    const int tokens = roleAt(messages, 1, MessageListModel::TokenCountRole).toInt();
    QCOMPARE(tokens, controller.lastReplyTokens());
    QVERIFY(tokens > 0);
    QVERIFY(roleAt(messages, 1, MessageListModel::TokensPerSecondRole).toDouble() > 0);
    QVERIFY2(contentUpdates < tokens, qPrintable(QStringLiteral("%1 updates for %2 tokens").arg(contentUpdates).arg(tokens)));
    QTRY_VERIFY(item("replyStats") != nullptr && item("replyStats")->isVisible());

    // Step 2: Regenerate. The new reply takes the old one's place, and the
    // old one is kept as alternative 1 of 2.
    CHECKED(click(item("regenerateButton")));
    QTRY_VERIFY_WITH_TIMEOUT(!context_->inference().generating(), kUiTimeoutMs);
    QTRY_VERIFY(controller.canSend());
    QCOMPARE(messages.rowCount(), 2);
    const QString second = contentAt(messages, 1);
    QCOMPARE(roleAt(messages, 1, MessageListModel::SiblingIndexRole).toInt(), 2);
    QCOMPARE(roleAt(messages, 1, MessageListModel::SiblingCountRole).toInt(), 2);
    QTRY_COMPARE(item("alternativeLabel")->property("text").toString(), QStringLiteral("2 / 2"));
    CHECKED(saveScreenshot(QStringLiteral("chat-alternatives.png")));

    // Step 3: flip back and forth; the store keeps both, and the choice.
    CHECKED(click(item("previousAlternative")));
    QTRY_COMPARE(contentAt(messages, 1), first);
    QCOMPARE(roleAt(messages, 1, MessageListModel::SiblingIndexRole).toInt(), 1);
    CHECKED(click(item("nextAlternative")));
    QTRY_COMPARE(contentAt(messages, 1), second);
    QCOMPARE(context_->store().messages(controller.currentChatId()).size(), 3);
    QCOMPARE(context_->store().activeBranch(controller.currentChatId()).last().content, second);
}

void TestChatFlows::editAndResendMakesBranch()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(test::sharedStoriesModel()));
    ChatController& controller = context_->controller();
    MessageListModel& messages = context_->messages();
    CHECKED(sendAndWait(QStringLiteral("Once upon a time")));
    const QString oldReply = contentAt(messages, 1);

    // Step 1: Edit on the user's message opens the editor with its text.
    CHECKED(click(item("editMessageButton")));
    QQuickItem* editor = nullptr;
    QTRY_VERIFY((editor = item("editMessageInput")) != nullptr && editor->isVisible());
    QCOMPARE(editor->property("text").toString(), QStringLiteral("Once upon a time"));
    editor->setProperty("text", QStringLiteral("The little dog"));
    CHECKED(saveScreenshot(QStringLiteral("chat-edit.png")));
    CHECKED(click(item("editSendButton")));

    // Step 2: the edited message and its reply form a new branch.
    QTRY_VERIFY_WITH_TIMEOUT(!context_->inference().generating(), kUiTimeoutMs);
    QTRY_VERIFY(controller.canSend());
    QCOMPARE(messages.rowCount(), 2);
    QCOMPARE(contentAt(messages, 0), QStringLiteral("The little dog"));
    QCOMPARE(roleAt(messages, 0, MessageListModel::SiblingIndexRole).toInt(), 2);
    QCOMPARE(roleAt(messages, 0, MessageListModel::SiblingCountRole).toInt(), 2);

    // Step 3: the old branch is one step back, with its own reply.
    controller.showAlternative(idAt(messages, 0), -1);
    QCOMPARE(contentAt(messages, 0), QStringLiteral("Once upon a time"));
    QCOMPARE(contentAt(messages, 1), oldReply);
    QCOMPARE(context_->store().messages(controller.currentChatId()).size(), 4);
}

void TestChatFlows::deleteMessageRemovesBranchTail()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(test::sharedStoriesModel()));
    ChatController& controller = context_->controller();
    MessageListModel& messages = context_->messages();
    CHECKED(sendAndWait(QStringLiteral("Once upon a time")));
    CHECKED(sendAndWait(QStringLiteral("Then what")));
    QCOMPARE(messages.rowCount(), 4);

    // The second question's Delete button, found through its bubble.
    const qint64 question = idAt(messages, 2);
    QQuickItem* deleteButton = nullptr;
    for (QQuickItem* candidate : test::findItems(window()->contentItem(), QStringLiteral("deleteMessageButton"))) {
        for (QQuickItem* up = candidate; up != nullptr; up = up->parentItem()) {
            if (up->property("messageId").isValid()) {
                if (up->property("messageId").toLongLong() == question)
                    deleteButton = candidate;
                break;
            }
        }
    }
    QVERIFY(deleteButton != nullptr);

    // Delete opens a confirmation first, and Cancel keeps the messages.
    QObject* dialog = window()->findChild<QObject*>(QStringLiteral("deleteMessageDialog"));
    QVERIFY(dialog != nullptr);
    CHECKED(click(deleteButton));
    QTRY_VERIFY(dialog->property("opened").toBool());
    CHECKED(click(item("cancelDeleteMessageButton")));
    QTRY_VERIFY(!dialog->property("visible").toBool());
    QCOMPARE(messages.rowCount(), 4);

    // Confirmed, deleting the second question takes its reply with it.
    CHECKED(click(deleteButton));
    QTRY_VERIFY(dialog->property("opened").toBool());
    CHECKED(click(item("confirmDeleteMessageButton")));
    QTRY_COMPARE(messages.rowCount(), 2);
    QCOMPARE(context_->store().messages(controller.currentChatId()).size(), 2);

    // Copy puts a message's text on the clipboard.
    CHECKED(click(item("copyMessageButton")));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("Once upon a time"));
}

void TestChatFlows::markdownAndCodeBlocksRender()
{
    {
        ChatStore store(databasePath());
        const qint64 chat = store.createChat(QStringLiteral("Code"));
        store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Write hello world in C++"));
        const qint64 reply = store.appendMessage(chat, QStringLiteral("assistant"), kCodeReply);
        store.setMessageStats(reply, 42, 123.4);
    }
    CHECKED(startApp(QString()));
    MessageListModel& messages = context_->messages();
    QCOMPARE(messages.rowCount(), 2);

    // The code block is its own box with the code verbatim, and Copy code
    // copies exactly that.
    const QVariantList blocks = roleAt(messages, 1, MessageListModel::BlocksRole).toList();
    QCOMPARE(blocks.size(), 3);
    QCOMPARE(blocks[1].toMap().value(QStringLiteral("kind")).toString(), QStringLiteral("code"));
    const QString proseHtml = blocks[0].toMap().value(QStringLiteral("html")).toString();
    QVERIFY2(proseHtml.contains(QStringLiteral("small")) && !proseHtml.contains(QStringLiteral("**")),
             qPrintable(proseHtml));
    // Images are left out, so showing a reply never loads a URL.
    const QString lastHtml = blocks[2].toMap().value(QStringLiteral("html")).toString();
    QVERIFY2(!lastHtml.contains(QStringLiteral("<img"), Qt::CaseInsensitive), qPrintable(lastHtml));
    QVERIFY(!lastHtml.contains(QStringLiteral("track.png")));
    // Raw HTML in a reply is shown as text, not applied.
    QVERIFY2(proseHtml.contains(QStringLiteral("&lt;b&gt;with tags&lt;/b&gt;")), qPrintable(proseHtml));
    QQuickItem* prose = nullptr;
    QTRY_VERIFY((prose = item("proseText")) != nullptr && prose->height() > 0);
    const QString code = QStringLiteral("#include <cstdio>\nint main() { std::puts(\"hi\"); }");
    QQuickItem* codeText = nullptr;
    QTRY_VERIFY((codeText = item("codeText")) != nullptr);
    QCOMPARE(codeText->property("text").toString(), code);
    CHECKED(click(item("copyCodeButton")));
    QCOMPARE(QGuiApplication::clipboard()->text(), code);
    QTRY_VERIFY(item("replyStats")->property("text").toString().contains(QStringLiteral("42")));
    CHECKED(saveScreenshot(QStringLiteral("chat-markdown.png")));

    // New text in the last block keeps the bubble's delegates: the first
    // block's text item stays, with the same text, and the last one shows
    // the addition.
    const QList<QQuickItem*> proseItems = test::findItems(window()->contentItem(), QStringLiteral("proseText"));
    QCOMPARE(proseItems.size(), 2);
    const QPointer<QQuickItem> firstProse = proseItems[0];
    const QPointer<QQuickItem> lastProse = proseItems[1];
    const QString firstText = firstProse->property("text").toString();
    messages.appendContent(idAt(messages, 1), QStringLiteral("\n\nOne more line."));
    QTRY_VERIFY(lastProse && lastProse->property("text").toString().contains(QStringLiteral("One more line.")));
    QVERIFY(firstProse);
    QCOMPARE(firstProse->property("text").toString(), firstText);
    QCOMPARE(test::findItems(window()->contentItem(), QStringLiteral("proseText")).size(), 2);

    // While a reply streams, its blocks follow the new text: the last one
    // changes and the earlier ones stay as they were.
    MessageListModel streamed;
    MessageRecord partial;
    partial.id = 7;
    partial.role = QStringLiteral("assistant");
    partial.content = QStringLiteral("First *part*.\n\n```\ncode\n```\n\nSecond");
    streamed.append(partial, /*streaming=*/true);
    const QVariantList before = streamed.data(streamed.index(0), MessageListModel::BlocksRole).toList();
    streamed.appendContent(7, QStringLiteral(" **part**."));
    const QVariantList after = streamed.data(streamed.index(0), MessageListModel::BlocksRole).toList();
    QCOMPARE(after.size(), 3);
    QCOMPARE(after[0].toMap().value(QStringLiteral("html")), before[0].toMap().value(QStringLiteral("html")));
    QVERIFY(after[2].toMap().value(QStringLiteral("text")).toString().endsWith(QStringLiteral("**part**.")));
    QVERIFY(!after[2].toMap().value(QStringLiteral("html")).toString().contains(QStringLiteral("**")));

    // A reply of megabytes is shown as the start of its plain text.
    const QString huge = QString(QStringLiteral("word ")).repeated(200000);
    const QVariantList hugeBlocks = blocksFor(huge);
    QCOMPARE(hugeBlocks.size(), 1);
    const QString hugeHtml = hugeBlocks[0].toMap().value(QStringLiteral("html")).toString();
    QVERIFY(hugeHtml.size() < 120000);
    QVERIFY(hugeHtml.contains(QStringLiteral("1000000")));
}

void TestChatFlows::pinAndSearchOpenTheMessage()
{
    qint64 zebraChat = 0;
    qint64 zebraMessage = 0;
    {
        ChatStore store(databasePath());
        zebraChat = store.createChat(QStringLiteral("Animals"));
        store.appendMessage(zebraChat, QStringLiteral("user"), QStringLiteral("Tell me about the zebra"));
        zebraMessage = store.appendMessage(zebraChat, QStringLiteral("assistant"),
                                           QStringLiteral("The zebra has black and white stripes."));
        const qint64 other = store.createChat(QStringLiteral("Weather"));
        store.appendMessage(other, QStringLiteral("user"), QStringLiteral("Is it raining?"));
    }
    CHECKED(startApp(QString()));
    ChatController& controller = context_->controller();
    ChatListModel& chats = context_->chats();
    QCOMPARE(chats.data(chats.index(0), ChatListModel::TitleRole).toString(), QStringLiteral("Weather"));

    // Step 1: pinning the older chat moves it to the top.
    controller.setPinned(zebraChat, true);
    QCOMPARE(chats.data(chats.index(0), ChatListModel::ChatIdRole).toLongLong(), zebraChat);
    QVERIFY(chats.data(chats.index(0), ChatListModel::PinnedRole).toBool());
    QTRY_VERIFY(item("pinMarker") != nullptr && item("pinMarker")->isVisible());

    // Step 2: typing in the search field lists the matching message.
    QQuickItem* field = item("searchField");
    field->forceActiveFocus();
    CHECKED(typeText(QStringLiteral("zebr")));
    QTRY_COMPARE(context_->search().rowCount(), 2);
    QTRY_VERIFY(item("searchResults")->isVisible());
    CHECKED(saveScreenshot(QStringLiteral("search.png")));

    // Step 3: a hit opens its chat.
    context_->search().setQuery(QStringLiteral("stripes"));
    QCOMPARE(context_->search().rowCount(), 1);
    QSignalSpy focus(&controller, &ChatController::messageFocusRequested);
    controller.selectChat(0);
    CHECKED(click(item("searchHit")));
    QCOMPARE(controller.currentChatId(), zebraChat);
    QCOMPARE(focus.size(), 1);
    QCOMPARE(focus.first().first().toInt(), context_->messages().rowOf(zebraMessage));
}

void TestChatFlows::chatSettingsShapeTheReply()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(test::sharedStoriesModel()));
    ChatController& controller = context_->controller();
    CHECKED(sendAndWait(QStringLiteral("Once upon a time")));

    // Step 1: the dialog shows the defaults; a system prompt and a short
    // reply limit are saved for this chat only.
    CHECKED(click(item("chatSettingsButton")));
    QObject* dialog = window()->findChild<QObject*>(QStringLiteral("chatSettingsDialog"));
    QTRY_VERIFY(dialog->property("opened").toBool());
    QCOMPARE(item("maxTokensSpin")->property("value").toInt(), controller.settings().maxTokens);
    item("systemPromptInput")->setProperty("text", QStringLiteral("You tell short stories."));
    item("maxTokensSpin")->setProperty("value", 5);
    CHECKED(saveScreenshot(QStringLiteral("chat-settings.png")));
    QMetaObject::invokeMethod(dialog, "accept");
    QTRY_VERIFY(!dialog->property("visible").toBool());

    const ChatRecord chat = context_->store().chat(controller.currentChatId());
    QCOMPARE(chat.systemPrompt, QStringLiteral("You tell short stories."));
    QVERIFY(chat.settingsJson.contains(QStringLiteral("maxTokens")));
    QVERIFY(controller.chatSettings().value(QStringLiteral("custom")).toBool());

    // Step 2: the next reply stops at 5 tokens.
    CHECKED(sendAndWait(QStringLiteral("The dog")));
    QVERIFY(controller.lastReplyTokens() <= 5);

    // Step 3: a new chat uses the defaults again.
    controller.newChat();
    QVERIFY(!controller.chatSettings().value(QStringLiteral("custom")).toBool());
    QVERIFY(controller.chatSystemPrompt().isEmpty());
    QCOMPARE(controller.effectiveSettings().maxTokens, controller.settings().maxTokens);
}

void TestChatFlows::exportAndImportRoundTrip()
{
    qint64 chat = 0;
    {
        ChatStore store(databasePath());
        chat = store.createChat(QStringLiteral("Exported"));
        store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("你好"));
        store.appendMessage(chat, QStringLiteral("assistant"), kCodeReply);
    }
    CHECKED(startApp(QString()));
    ChatController& controller = context_->controller();

    // The suggested file is named after the chat, in a folder that exists.
    const QString suggested = controller.suggestedExportUrl(chat, QStringLiteral("json")).toLocalFile();
    QCOMPARE(QFileInfo(suggested).fileName(), QStringLiteral("Exported.json"));
    QVERIFY(QFileInfo(QFileInfo(suggested).path()).isDir());

    // Step 1: Markdown and JSON files with the messages.
    const QString markdownPath = dir_->filePath(QStringLiteral("chat.md"));
    const QString jsonPath = dir_->filePath(QStringLiteral("chat.json"));
    QVERIFY(controller.exportChat(chat, QUrl::fromLocalFile(markdownPath), QStringLiteral("markdown")));
    QVERIFY(controller.exportChat(chat, QUrl::fromLocalFile(jsonPath), QStringLiteral("json")));
    QFile markdown(markdownPath);
    QVERIFY(markdown.open(QIODevice::ReadOnly));
    const QString markdownText = QString::fromUtf8(markdown.readAll());
    QVERIFY(markdownText.contains(QStringLiteral("你好")));
    QVERIFY(markdownText.contains(QStringLiteral("```cpp\n#include <cstdio>")));

    // Step 2: importing the JSON makes a second chat with the same messages.
    QVERIFY(controller.importChat(QUrl::fromLocalFile(jsonPath)));
    QCOMPARE(context_->store().chats().size(), 2);
    QVERIFY(controller.currentChatId() != chat);
    QCOMPARE(context_->messages().rowCount(), 2);
    QCOMPARE(contentAt(context_->messages(), 0), QStringLiteral("你好"));
    QCOMPARE(contentAt(context_->messages(), 1), kCodeReply);

    // Step 3: a title of many lines and characters becomes one short line.
    QFile exported(jsonPath);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    QJsonObject root = QJsonDocument::fromJson(exported.readAll()).object();
    exported.close();
    root.insert(QStringLiteral("title"), QStringLiteral("first\nsecond ") + QString(500, QLatin1Char('x')));
    const QString longTitlePath = dir_->filePath(QStringLiteral("long-title.json"));
    QFile longTitle(longTitlePath);
    QVERIFY(longTitle.open(QIODevice::WriteOnly));
    longTitle.write(QJsonDocument(root).toJson());
    longTitle.close();
    QVERIFY(controller.importChat(QUrl::fromLocalFile(longTitlePath)));
    const QString title = context_->store().chat(controller.currentChatId()).title;
    QVERIFY(title.startsWith(QStringLiteral("first second x")));
    QCOMPARE(title.size(), kMaxChatTitleLength);

    // Step 4: a file that is not a chat is rejected with its name.
    QFile broken(dir_->filePath(QStringLiteral("broken.json")));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{\"format\": \"something else\"}");
    broken.close();
    QVERIFY(!controller.importChat(QUrl::fromLocalFile(broken.fileName())));
    QVERIFY(controller.errorMessage().contains(QStringLiteral("broken.json")));
    QCOMPARE(context_->store().chats().size(), 3);
}

void TestChatFlows::keyboardShortcuts()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(test::sharedStoriesModel()));
    ChatController& controller = context_->controller();
    CHECKED(sendAndWait(QStringLiteral("Once upon a time")));
    const qint64 first = controller.currentChatId();

    // Shift+Enter adds a line instead of sending.
    QQuickItem* input = item("messageInput");
    input->forceActiveFocus();
    CHECKED(typeText(QStringLiteral("a")));
    QTest::keyClick(window(), Qt::Key_Return, Qt::ShiftModifier);
    CHECKED(typeText(QStringLiteral("b")));
    QCOMPARE(input->property("text").toString(), QStringLiteral("a\nb"));
    QCOMPARE(context_->messages().rowCount(), 2);

    // Ctrl+N starts a new chat.
    QTest::keyClick(window(), Qt::Key_N, Qt::ControlModifier);
    QVERIFY(controller.currentChatId() != first);
    QCOMPARE(context_->messages().rowCount(), 0);

    // Esc stops a running reply.
    input->setProperty("text", QString());
    CHECKED(typeAndSend(QStringLiteral("The end")));
    QVERIFY(context_->inference().generating());
    QTest::keyClick(window(), Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!context_->inference().generating(), kUiTimeoutMs);
}

void TestChatFlows::darkThemeAndLargerText()
{
    {
        ChatStore store(databasePath());
        const qint64 chat = store.createChat(QStringLiteral("Code"));
        store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Write hello world in C++"));
        store.appendMessage(chat, QStringLiteral("assistant"), kCodeReply);
    }
    CHECKED(startApp(QString(), QStringLiteral("en"),
                     {{QStringLiteral("ui/theme"), QStringLiteral("dark")}, {QStringLiteral("ui/textScale"), 1.3}}));
    AppearanceSettings& appearance = context_->appearance();
    QVERIFY(appearance.dark());
    QCOMPARE(appearance.textScale(), 1.3);

    // At 1280x800 with the larger text, the input and Send stay inside the
    // window.
    QCOMPARE(window()->width(), 1280);
    QCOMPARE(window()->height(), 800);
    QQuickItem* send = item("sendButton");
    const QPointF corner = send->mapToScene(QPointF(send->width(), send->height()));
    QVERIFY(corner.x() <= window()->width() && corner.y() <= window()->height());
    CHECKED(saveScreenshot(QStringLiteral("chat-dark-large-text.png")));
    QObject* settingsDialog = window()->findChild<QObject*>(QStringLiteral("settingsDialog"));
    QMetaObject::invokeMethod(settingsDialog, "open");
    QTRY_VERIFY(settingsDialog->property("opened").toBool());
    QCOMPARE(item("themeCombo")->property("currentIndex").toInt(), 2);
    CHECKED(saveScreenshot(QStringLiteral("settings-dark.png")));
    QMetaObject::invokeMethod(settingsDialog, "close");
    QTRY_VERIFY(!settingsDialog->property("visible").toBool());

    // The setting applies at once and is saved.
    appearance.setTheme(AppearanceSettings::kLight);
    appearance.setTextScale(1.0);
    QVERIFY(!appearance.dark());
    CHECKED(saveScreenshot(QStringLiteral("chat-light.png")));
    QSettings settings(settingsPath(), QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("ui/theme")).toString(), QStringLiteral("light"));
}

void TestChatFlows::longHistoryShowsContextNotice()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    // stories260K has a context of 512 tokens: a history of 40 long turns
    // cannot fit, so the oldest turns are left out.
    {
        ChatStore store(databasePath());
        const qint64 chat = store.createChat(QStringLiteral("Long"));
        for (int i = 0; i < 40; ++i) {
            store.appendMessage(chat, QStringLiteral("user"),
                                QStringLiteral("Tell me story number %1 about a cat and a dog.").arg(i));
            store.appendMessage(chat, QStringLiteral("assistant"),
                                QStringLiteral("Once upon a time there was a cat and a dog who played in the park."));
        }
    }
    CHECKED(startApp(test::sharedStoriesModel()));
    CHECKED(sendAndWait(QStringLiteral("Once upon a time")));
    const QString notice = context_->controller().contextNotice();
    QVERIFY2(notice.contains(QStringLiteral("did not fit")), qPrintable(notice));
    QTRY_VERIFY(item("contextNotice")->isVisible());
    QVERIFY2(!notice.contains(QStringLiteral("system prompt")), qPrintable(notice)); // this chat has none
    CHECKED(saveScreenshot(QStringLiteral("context-notice.png")));

    // Deleting messages ends the notice, which may be about them.
    MessageListModel& messages = context_->messages();
    context_->controller().deleteMessage(idAt(messages, messages.rowCount() - 2));
    QVERIFY(context_->controller().contextNotice().isEmpty());
    QTRY_VERIFY(!item("contextNotice")->isVisible());
}

void TestChatFlows::fullDiskKeepsChatInMemory()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(test::sharedStoriesModel()));
    ChatController& controller = context_->controller();
    CHECKED(sendAndWait(QStringLiteral("Once upon a time")));
    const qint64 chat = controller.currentChatId();

    // The database cannot grow any more: the next turn is shown and a reply is
    // generated, and the banner states that nothing was saved.
    context_->store().setMaxPageCountForTesting(1);
    CHECKED(sendAndWait(QStringLiteral("The cat")));
    QVERIFY(controller.unsaved());
    QVERIFY2(!controller.errorMessage().isEmpty(), "no error shown");
    QCOMPARE(context_->messages().rowCount(), 4);
    QCOMPARE(contentAt(context_->messages(), 2), QStringLiteral("The cat"));
    QVERIFY(!contentAt(context_->messages(), 3).isEmpty());
    CHECKED(saveScreenshot(QStringLiteral("disk-full.png")));

    // What was saved before is intact.
    context_->store().setMaxPageCountForTesting(0);
    const QList<MessageRecord> saved = context_->store().messages(chat);
    QVERIFY(saved.size() >= 2);
    QCOMPARE(saved[0].content, QStringLiteral("Once upon a time"));
    QCOMPARE(saved[1].content, contentAt(context_->messages(), 1));

    // With space again, the next turn saves the turns kept in memory too.
    CHECKED(sendAndWait(QStringLiteral("The end")));
    QVERIFY(!controller.unsaved());
    QCOMPARE(context_->store().activeBranch(chat).size(), 6);
    QCOMPARE(context_->store().activeBranch(chat).at(2).content, QStringLiteral("The cat"));
}

QTEST_MAIN(TestChatFlows)
#include "test_chat_flows.moc"

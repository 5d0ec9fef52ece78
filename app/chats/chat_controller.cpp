#include "chats/chat_controller.h"

#include "logging/log_categories.h"
#include "model_library/model_file_info.h"

#include <QDir>
#include <QFileInfo>

namespace quanta {

namespace {

// A streaming reply is written to the database at most this often (and once
// more at the end), so a crash loses at most about this much of it.
constexpr qint64 kSaveIntervalMs = 1000;

// Chat titles taken from the first message are cut to about this many
// characters.
constexpr int kTitleLength = 40;

QString defaultTitle()
{
    return ChatController::tr("New chat");
}

// The first line of `text`, cut at a word boundary near kTitleLength.
QString titleFromMessage(const QString& text)
{
    QString line = text.section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() <= kTitleLength)
        return line;
    int cut = static_cast<int>(line.lastIndexOf(QLatin1Char(' '), kTitleLength));
    if (cut < kTitleLength / 2)
        cut = kTitleLength;
    return line.left(cut).trimmed() + QChar(0x2026); // "…"
}

std::string toStd(const QString& text)
{
    return text.toUtf8().toStdString();
}

} // namespace

ChatController::ChatController(ChatStore& store, ChatListModel& chats, MessageListModel& messages,
                               InferenceService& inference, QObject* parent)
    : QObject(parent), store_(store), chats_(chats), messages_(messages), inference_(inference)
{
    connect(&inference_, &InferenceService::modelChanged, this, &ChatController::canSendChanged);
    connect(&inference_, &InferenceService::loadingChanged, this, &ChatController::canSendChanged);
    connect(&inference_, &InferenceService::generatingChanged, this, &ChatController::canSendChanged);

    connect(&inference_, &InferenceService::textGenerated, this, &ChatController::onTextGenerated);
    connect(&inference_, &InferenceService::generationFinished, this, &ChatController::onGenerationFinished);
    connect(&inference_, &InferenceService::generationFailed, this, &ChatController::onGenerationFailed);
    // Another model has another template: forget the notice about the old one.
    connect(&inference_, &InferenceService::modelChanged, this, [this] {
        dismissedTemplateNotice_.clear();
        if (!templateNotice_.isEmpty()) {
            templateNotice_.clear();
            emit templateNoticeChanged();
        }
    });
    connect(&inference_, &InferenceService::modelLoadFailed, this, [this](const QString&, const QString& message) {
        showError(tr("Loading the model failed: %1").arg(message));
        loadError_ = errorMessage_;
    });
    // A model that loads makes an earlier load failure old news.
    connect(&inference_, &InferenceService::modelChanged, this, [this] {
        if (inference_.modelLoaded() && !loadError_.isEmpty() && errorMessage_ == loadError_)
            dismissError();
        loadError_.clear();
    });
}

bool ChatController::canSend() const
{
    return inference_.modelLoaded() && !inference_.loading() && !inference_.generating();
}

void ChatController::openLatestChat(bool loadItsModel)
{
    try {
        chats_.reload();
    } catch (const StorageError& error) {
        reportStorageError(error);
        return;
    }
    if (chats_.rowCount() > 0)
        setCurrentChat(chats_.data(chats_.index(0), ChatListModel::ChatIdRole).toLongLong(), loadItsModel);
}

void ChatController::newChat()
{
    // An empty chat is already a new chat, so no second one is created.
    if (currentChatId_ != 0 && messages_.rowCount() == 0)
        return;

    try {
        const qint64 chatId = store_.createChat(defaultTitle(), inference_.modelPath());
        reloadChatList();
        setCurrentChat(chatId);
    } catch (const StorageError& error) {
        reportStorageError(error);
    }
}

void ChatController::selectChat(qint64 chatId)
{
    if (chatId == currentChatId_)
        return;
    setCurrentChat(chatId);
}

void ChatController::setCurrentChat(qint64 chatId, bool loadItsModel)
{
    // Step 1: read the chat and its messages. On failure, keep what is shown.
    ChatRecord chat;
    QList<MessageRecord> messages;
    if (chatId != 0) {
        try {
            chat = store_.chat(chatId);
            messages = store_.messages(chatId);
        } catch (const StorageError& error) {
            reportStorageError(error);
            return;
        }
    }

    // Step 2: show them. A reply still streaming into this chat has more text
    // than its last save.
    messages_.setMessages(messages);
    if (reply_.requestId != 0 && reply_.chatId == chatId) {
        messages_.setContent(reply_.messageId, reply_.text);
        messages_.setStreaming(reply_.messageId, true);
    }
    currentChatId_ = chatId;
    currentTitle_ = chat.title;
    emit currentChatChanged();

    // Step 3: switch to the model the chat last used.
    if (chatId != 0 && loadItsModel)
        loadChatModel(chat);
}

void ChatController::loadChatModel(const ChatRecord& chat)
{
    if (chat.modelPath.isEmpty() || chat.modelPath == inference_.modelPath() || inference_.generating())
        return;
    if (inference_.loading() && modelDisplayName(chat.modelPath) == inference_.loadingName())
        return;
    if (!QFileInfo::exists(chat.modelPath)) {
        qCInfo(lcUi).noquote() << QStringLiteral("Chat %1 used %2, which no longer exists; keeping the current model")
                                      .arg(chat.id)
                                      .arg(QDir::toNativeSeparators(chat.modelPath));
        return;
    }
    inference_.loadModel(chat.modelPath);
}

void ChatController::renameChat(qint64 chatId, const QString& title)
{
    const QString cleaned = title.simplified();
    if (cleaned.isEmpty())
        return;
    try {
        store_.renameChat(chatId, cleaned);
        reloadChatList();
    } catch (const StorageError& error) {
        reportStorageError(error);
        return;
    }
    if (chatId == currentChatId_) {
        currentTitle_ = cleaned;
        emit currentChatChanged();
    }
}

void ChatController::deleteChat(qint64 chatId)
{
    // Step 1: a reply streaming into this chat has nowhere to go. Stop it and
    // forget it, so that its last signals are ignored.
    if (reply_.requestId != 0 && reply_.chatId == chatId) {
        inference_.stopGeneration();
        reply_ = StreamingReply{};
    }

    // Step 2: delete, then show the next chat if this one was open.
    try {
        store_.deleteChat(chatId);
        reloadChatList();
    } catch (const StorageError& error) {
        reportStorageError(error);
        return;
    }
    if (chatId == currentChatId_) {
        const qint64 next = chats_.rowCount() > 0 ? chats_.data(chats_.index(0), ChatListModel::ChatIdRole).toLongLong() : 0;
        setCurrentChat(next);
    }
}

bool ChatController::send(const QString& text)
{
    const QString content = text.trimmed();
    if (content.isEmpty() || !canSend())
        return false;

    qint64 chatId = currentChatId_;
    qint64 replyId = 0;
    try {
        // Step 1: a chat to send to. A new chat is named after its first message.
        if (chatId == 0) {
            chatId = store_.createChat(titleFromMessage(content), inference_.modelPath());
            reloadChatList();
            setCurrentChat(chatId);
        } else if (messages_.rowCount() == 0 && currentTitle_ == defaultTitle()) {
            renameChat(chatId, titleFromMessage(content));
        }

        // Step 2: save the message and an empty reply, which stays marked
        // incomplete until generation ends.
        MessageRecord user;
        user.chatId = chatId;
        user.role = QStringLiteral("user");
        user.content = content;
        user.createdAt = QDateTime::currentDateTimeUtc();
        user.id = store_.appendMessage(chatId, user.role, user.content, true);
        messages_.append(user);

        MessageRecord reply;
        reply.chatId = chatId;
        reply.role = QStringLiteral("assistant");
        reply.complete = false;
        reply.createdAt = QDateTime::currentDateTimeUtc();
        reply.id = store_.appendMessage(chatId, reply.role, QString(), false);
        replyId = reply.id;
        messages_.append(reply, /*streaming=*/true);

        // Step 3: the chat remembers the model it talks to.
        store_.setChatModel(chatId, inference_.modelPath());
        reloadChatList();
    } catch (const StorageError& error) {
        reportStorageError(error);
        return false;
    }

    // Step 4: the conversation for the prompt: every message with text, the
    // system prompt first. The new reply is not part of it.
    std::vector<ChatMessage> conversation;
    if (!settings_.systemPrompt.trimmed().isEmpty())
        conversation.push_back({"system", toStd(settings_.systemPrompt)});
    for (const MessageRecord& message : messages_.messages()) {
        if (message.id == replyId || message.content.isEmpty())
            continue;
        conversation.push_back({toStd(message.role), toStd(message.content)});
    }

    // Step 5: start generating.
    const quint64 requestId = inference_.startGeneration(std::move(conversation), settings_);
    reply_ = StreamingReply{};
    reply_.requestId = requestId;
    reply_.chatId = chatId;
    reply_.messageId = replyId;
    reply_.sinceSave.start();
    if (requestId == 0) {
        finishReply(false);
        showError(tr("The reply could not start because no model is ready."));
        return false;
    }
    return true;
}

void ChatController::stop()
{
    inference_.stopGeneration();
}

void ChatController::onTextGenerated(quint64 requestId, const QString& text)
{
    if (requestId != reply_.requestId || requestId == 0)
        return;
    reply_.text += text;
    messages_.appendContent(reply_.messageId, text);
    if (reply_.sinceSave.elapsed() >= kSaveIntervalMs)
        saveReply(false);
}

void ChatController::onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome)
{
    if (requestId != reply_.requestId || requestId == 0)
        return;
    lastReplyTokens_ = outcome.generatedTokens;
    lastTokensPerSecond_ =
        outcome.generationSeconds > 0 ? outcome.generatedTokens / outcome.generationSeconds : 0.0;
    emit lastReplyChanged();

    const QString notice = outcome.templateNotice == dismissedTemplateNotice_ ? QString() : outcome.templateNotice;
    if (notice != templateNotice_) {
        templateNotice_ = notice;
        emit templateNoticeChanged();
    }

    // A reply the user stopped is still a finished reply: it is what they kept.
    finishReply(true);
}

void ChatController::onGenerationFailed(quint64 requestId, const QString& message)
{
    if (requestId != reply_.requestId || requestId == 0)
        return;

    // A reply that failed before its first word is removed; one with text is
    // kept and marked interrupted.
    if (reply_.text.isEmpty()) {
        const qint64 messageId = reply_.messageId;
        reply_ = StreamingReply{};
        messages_.remove(messageId);
        try {
            store_.deleteMessage(messageId);
        } catch (const StorageError& error) {
            reportStorageError(error);
        }
    } else {
        finishReply(false);
    }
    showError(tr("The reply failed: %1").arg(message));
}

void ChatController::saveReply(bool complete)
{
    try {
        store_.updateMessage(reply_.messageId, reply_.text, complete);
    } catch (const StorageError& error) {
        if (!reply_.saveFailed) {
            reply_.saveFailed = true;
            reportStorageError(error);
        }
    }
    reply_.sinceSave.restart();
}

void ChatController::finishReply(bool complete)
{
    saveReply(complete);
    messages_.setComplete(reply_.messageId, complete);
    messages_.setStreaming(reply_.messageId, false);
    reply_ = StreamingReply{};
}

void ChatController::reloadChatList()
{
    chats_.reload();
}

void ChatController::reportStorageError(const StorageError& error)
{
    showError(tr("Saving or reading chats failed: %1").arg(QString::fromUtf8(error.what())));
}

void ChatController::showError(const QString& message)
{
    qCWarning(lcUi).noquote() << message;
    errorMessage_ = message;
    emit errorMessageChanged();
}

void ChatController::dismissTemplateNotice()
{
    if (templateNotice_.isEmpty())
        return;
    dismissedTemplateNotice_ = templateNotice_;
    templateNotice_.clear();
    emit templateNoticeChanged();
}

void ChatController::dismissError()
{
    if (errorMessage_.isEmpty())
        return;
    errorMessage_.clear();
    emit errorMessageChanged();
}

} // namespace quanta

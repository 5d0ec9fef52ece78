// ChatController's message actions: send, regenerate, edit, alternatives,
// delete, and the streaming reply.
#include "chats/chat_controller.h"

#include "logging/log_categories.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHash>

#include <algorithm>

namespace quanta {

namespace {

// A streaming reply is written to the database at most this often (and once
// more at the end), so a crash loses at most about this much of it.
constexpr qint64 kSaveIntervalMs = 1000;

// Chat titles taken from the first message are cut to about this many
// characters.
constexpr int kTitleLength = 40;

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

const QString kUser = QStringLiteral("user");
const QString kAssistant = QStringLiteral("assistant");

} // namespace

bool ChatController::persistUnsaved()
{
    if (!unsaved_ || currentChatId_ == 0)
        return !unsaved_;

    // The list and the streaming reply use the stored ids of what was
    // written, whether or not everything was.
    QHash<qint64, qint64> storedIds;
    const auto adoptStoredIds = [&] {
        for (auto it = storedIds.constBegin(); it != storedIds.constEnd(); ++it) {
            messages_.replaceId(it.key(), it.value());
            if (reply_.messageId == it.key())
                reply_.messageId = it.value();
        }
    };

    // Step 1: store each message that has only a local id, in branch order,
    // so every parent has its stored id before its children need it.
    try {
        for (const MessageRecord& message : messages_.messages()) {
            if (message.id > 0)
                continue;
            const qint64 parentId = message.parentId < 0 ? storedIds.value(message.parentId) : message.parentId;
            const bool streaming = message.id == reply_.messageId && reply_.requestId != 0;
            const QString content = streaming ? reply_.text : message.content;
            const qint64 storedId =
                store_.addMessage(message.chatId, parentId, message.role, content, message.complete && !streaming);
            if (message.tokenCount > 0)
                store_.setMessageStats(storedId, message.tokenCount, message.tokensPerSecond);
            storedIds.insert(message.id, storedId);
        }
    } catch (const StorageError& error) {
        // The messages written before the failure keep their stored ids, and
        // the next attempt goes on from there.
        reportStorageError(error);
        adoptStoredIds();
        return false;
    }

    // Step 2: from now on everything uses the stored ids.
    adoptStoredIds();
    qCInfo(lcStorage) << "Saved" << storedIds.size() << "messages of chat" << currentChatId_
                      << "that were kept in memory";
    setUnsaved(false);
    return true;
}

qint64 ChatController::saveNewMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& content,
                                      bool complete)
{
    // Once a save has failed, or below a message that exists only in
    // memory, the chat goes on in memory: the user keeps talking, and the
    // banner explains why nothing is saved.
    if (!unsaved_ && parentId >= 0) {
        try {
            return store_.addMessage(chatId, parentId, role, content, complete);
        } catch (const StorageError& error) {
            reportStorageError(error);
            setUnsaved(true);
        }
    }
    return nextLocalId_--;
}

bool ChatController::send(const QString& text)
{
    const QString content = text.trimmed();
    if (content.isEmpty() || !canSend())
        return false;
    persistUnsaved();

    // Step 1: a chat to send to. A new chat is named after its first message.
    qint64 chatId = currentChatId_;
    try {
        if (chatId == 0) {
            chatId = store_.createChat(titleFromMessage(content), inference_.modelPath());
            reloadChatList();
            setCurrentChat(chatId);
        } else if (messages_.rowCount() == 0 && currentTitle_ == tr("New chat")) {
            renameChat(chatId, titleFromMessage(content));
        }
    } catch (const StorageError& error) {
        reportStorageError(error);
        return false;
    }

    // Step 2: save the message after the last one on screen.
    const QList<MessageRecord> shown = messages_.messages();
    MessageRecord user;
    user.chatId = chatId;
    user.parentId = shown.isEmpty() ? 0 : shown.last().id;
    user.role = kUser;
    user.content = content;
    user.createdAt = QDateTime::currentDateTimeUtc();
    user.id = saveNewMessage(chatId, user.parentId, user.role, user.content, true);
    messages_.append(user);

    // Step 3: the reply.
    return startReply(chatId, user.id);
}

bool ChatController::regenerate(qint64 messageId)
{
    const MessageRecord* old = messages_.find(messageId);
    if (!canSend() || old == nullptr || old->role != kAssistant)
        return false;
    const qint64 chatId = old->chatId;
    const qint64 parentId = old->parentId;

    // A reply that exists only in memory has no stored branch to keep it
    // in, so the new one replaces it.
    if (messageId < 0)
        messages_.remove(messageId);
    return startReply(chatId, parentId);
}

bool ChatController::editAndResend(qint64 messageId, const QString& text)
{
    const QString content = text.trimmed();
    const MessageRecord* old = messages_.find(messageId);
    if (content.isEmpty() || !canSend() || old == nullptr || old->role != kUser)
        return false;
    const qint64 chatId = old->chatId;
    const qint64 parentId = old->parentId;

    // Step 1: the edited text becomes a sibling of the old message, so the
    // old branch stays one click away.
    const qint64 editedId = saveNewMessage(chatId, parentId, kUser, content, true);
    if (editedId > 0) {
        reloadBranch();
    } else {
        // In memory, everything from the old message on is replaced.
        const QList<MessageRecord> shown = messages_.messages();
        const int row = messages_.rowOf(messageId);
        for (int i = static_cast<int>(shown.size()) - 1; i >= row && row >= 0; --i)
            messages_.remove(shown.at(i).id);
        MessageRecord edited;
        edited.id = editedId;
        edited.chatId = chatId;
        edited.parentId = parentId;
        edited.role = kUser;
        edited.content = content;
        edited.createdAt = QDateTime::currentDateTimeUtc();
        messages_.append(edited);
    }

    // Step 2: generate the reply to it.
    return startReply(chatId, editedId);
}

bool ChatController::startReply(qint64 chatId, qint64 parentId)
{
    // Step 1: an empty reply, marked incomplete until generation ends. A new
    // alternative changes the sibling counts on screen, so the branch is
    // read again.
    const bool isAlternative = messages_.rowCount() > 0 && messages_.messages().last().id != parentId;
    MessageRecord reply;
    reply.chatId = chatId;
    reply.parentId = parentId;
    reply.role = kAssistant;
    reply.complete = false;
    reply.createdAt = QDateTime::currentDateTimeUtc();
    reply.id = saveNewMessage(chatId, parentId, kAssistant, QString(), false);
    if (reply.id > 0 && isAlternative) {
        reloadBranch();
        messages_.setStreaming(reply.id, true);
    } else {
        messages_.append(reply, /*streaming=*/true);
    }

    // Step 2: the chat remembers the model it talks to.
    if (!unsaved_) {
        try {
            store_.setChatModel(chatId, inference_.modelPath());
            reloadChatList();
        } catch (const StorageError& error) {
            reportStorageError(error);
        }
    }

    // Step 3: start generating from the conversation up to the parent.
    const GenerationSettings settings = effectiveSettings();
    std::vector<ChatMessage> conversation;
    if (!settings.systemPrompt.trimmed().isEmpty())
        conversation.push_back({"system", toStd(settings.systemPrompt)});
    for (ChatMessage& message : conversationUpTo(parentId))
        conversation.push_back(std::move(message));
    const quint64 requestId = inference_.startGeneration(std::move(conversation), settings);

    reply_ = StreamingReply{};
    reply_.requestId = requestId;
    reply_.chatId = chatId;
    reply_.messageId = reply.id;
    reply_.sinceSave.start();
    emit replyingChanged();
    if (requestId == 0) {
        finishReply(false);
        showError(tr("The reply could not start because no model is ready."));
        return false;
    }
    return true;
}

std::vector<ChatMessage> ChatController::conversationUpTo(qint64 messageId) const
{
    // Every message with text on the branch on screen, up to and including
    // `messageId`.
    std::vector<ChatMessage> result;
    for (const MessageRecord& message : messages_.messages()) {
        if (!message.content.isEmpty())
            result.push_back({toStd(message.role), toStd(message.content)});
        if (message.id == messageId)
            break;
    }
    return result;
}

void ChatController::showAlternative(qint64 messageId, int step)
{
    const MessageRecord* shown = messages_.find(messageId);
    if (shown == nullptr || messageId < 0 || (reply_.requestId != 0 && reply_.chatId == shown->chatId))
        return;
    try {
        // Siblings share the parent; their order is the order they were made.
        QList<MessageRecord> siblings = store_.messages(shown->chatId);
        const qint64 parentId = shown->parentId;
        siblings.removeIf([parentId](const MessageRecord& m) { return m.parentId != parentId; });
        std::sort(siblings.begin(), siblings.end(),
                  [](const MessageRecord& a, const MessageRecord& b) { return a.id < b.id; });
        const auto it = std::find_if(siblings.cbegin(), siblings.cend(),
                                     [messageId](const MessageRecord& m) { return m.id == messageId; });
        const qsizetype target = (it - siblings.cbegin()) + step;
        if (it == siblings.cend() || target < 0 || target >= siblings.size())
            return;
        store_.selectBranch(siblings.at(target).id);
    } catch (const StorageError& error) {
        reportStorageError(error);
        return;
    }
    reloadBranch();
}

void ChatController::deleteMessage(qint64 messageId)
{
    const MessageRecord* message = messages_.find(messageId);
    if (message == nullptr || (reply_.requestId != 0 && reply_.chatId == message->chatId))
        return;

    // In memory: the message and everything after it on screen.
    if (messageId < 0) {
        const QList<MessageRecord> shown = messages_.messages();
        const int row = messages_.rowOf(messageId);
        for (int i = static_cast<int>(shown.size()) - 1; i >= row; --i)
            messages_.remove(shown.at(i).id);
        return;
    }
    try {
        store_.deleteMessage(messageId);
    } catch (const StorageError& error) {
        reportStorageError(error);
        return;
    }
    // A notice about messages that did not fit may be about deleted ones.
    dismissContextNotice();
    reloadBranch();
}

void ChatController::copyText(const QString& text)
{
    if (QClipboard* clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

void ChatController::stop()
{
    if (replying())
        inference_.stopGeneration();
}

void ChatController::onTextGenerated(quint64 requestId, const QString& text)
{
    if (requestId != reply_.requestId || requestId == 0)
        return;
    reply_.text += text;
    reply_.unflushed += text;
    if (!flushTimer_.isActive())
        flushTimer_.start();
    if (reply_.sinceSave.elapsed() >= kSaveIntervalMs)
        saveReply(false);
}

void ChatController::flushReply()
{
    if (reply_.unflushed.isEmpty())
        return;
    messages_.appendContent(reply_.messageId, reply_.unflushed);
    reply_.unflushed.clear();
}

void ChatController::onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome)
{
    if (requestId != reply_.requestId || requestId == 0)
        return;

    // Step 1: the reply's numbers, on the message and in the status bar.
    lastReplyTokens_ = outcome.generatedTokens;
    lastTokensPerSecond_ =
        outcome.generationSeconds > 0 ? outcome.generatedTokens / outcome.generationSeconds : 0.0;
    emit lastReplyChanged();
    messages_.setStats(reply_.messageId, lastReplyTokens_, lastTokensPerSecond_);
    if (reply_.messageId > 0) {
        try {
            store_.setMessageStats(reply_.messageId, lastReplyTokens_, lastTokensPerSecond_);
        } catch (const StorageError& error) {
            if (!reply_.saveFailed)
                reportStorageError(error);
            reply_.saveFailed = true;
        }
    }

    // Step 2: what the user should know about how the prompt was made.
    const QString notice = outcome.templateNotice == dismissedTemplateNotice_ ? QString() : outcome.templateNotice;
    if (notice != templateNotice_) {
        templateNotice_ = notice;
        emit templateNoticeChanged();
    }
    if (outcome.droppedMessages > 0 && reply_.chatId == currentChatId_) {
        contextNotice_ = tr("%n earlier message(s) did not fit in the model's context of %1 tokens, so this reply "
                            "was written without them.",
                            nullptr, outcome.droppedMessages)
                             .arg(inference_.contextSize());
        emit contextNoticeChanged();
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
        flushTimer_.stop();
        reply_ = StreamingReply{};
        emit replyingChanged();
        messages_.remove(messageId);
        if (messageId > 0) {
            try {
                store_.deleteMessage(messageId);
                reloadBranch();
            } catch (const StorageError& error) {
                reportStorageError(error);
            }
        }
    } else {
        finishReply(false);
    }
    showError(tr("The reply failed: %1").arg(message));
}

void ChatController::saveReply(bool complete)
{
    reply_.sinceSave.restart();
    if (reply_.messageId <= 0)
        return;
    try {
        store_.updateMessage(reply_.messageId, reply_.text, complete);
    } catch (const StorageError& error) {
        if (!reply_.saveFailed) {
            reply_.saveFailed = true;
            reportStorageError(error);
        }
        // The reply goes on in memory, and so does the rest of the chat.
        setUnsaved(true);
    }
}

void ChatController::finishReply(bool complete)
{
    flushTimer_.stop();
    flushReply();
    saveReply(complete);
    messages_.setComplete(reply_.messageId, complete);
    messages_.setStreaming(reply_.messageId, false);
    reply_ = StreamingReply{};
    emit replyingChanged();
}

} // namespace quanta

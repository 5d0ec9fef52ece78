#include "chats/chat_controller.h"

#include "logging/log_categories.h"
#include "model_library/model_file_info.h"
#include "storage/chat_archive.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace quanta {

namespace {

QString defaultTitle()
{
    return ChatController::tr("New chat");
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
    // Streamed text is shown in batches, and a deleted chat is deleted for
    // good when its undo time ends.
    flushTimer_.setSingleShot(true);
    flushTimer_.setInterval(kFlushIntervalMs);
    connect(&flushTimer_, &QTimer::timeout, this, &ChatController::flushReply);
    undoTimer_.setSingleShot(true);
    undoTimer_.setInterval(kUndoMs);
    connect(&undoTimer_, &QTimer::timeout, this, &ChatController::purgePendingDelete);

    // Chats deleted in a session that ended before their undo time did are
    // deleted now.
    try {
        store_.purgeDeletedChats();
    } catch (const StorageError& error) {
        qCWarning(lcStorage).noquote() << "Deleting chats left from the last session failed:" << error.what();
    }

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

ChatController::~ChatController()
{
    purgePendingDelete();
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
    // Step 1: messages kept in memory since a failed save get another try
    // before they leave the screen.
    if (chatId != currentChatId_)
        persistUnsaved();

    // Step 2: read the chat and the branch on screen. On failure, keep what
    // is shown.
    ChatRecord chat;
    QList<MessageRecord> messages;
    if (chatId != 0) {
        try {
            chat = store_.chat(chatId);
            messages = store_.activeBranch(chatId);
        } catch (const StorageError& error) {
            reportStorageError(error);
            return;
        }
    }

    // Step 3: show them. A reply still streaming into this chat has more text
    // than its last save.
    flushReply();
    messages_.setMessages(messages);
    if (reply_.requestId != 0 && reply_.chatId == chatId) {
        messages_.setContent(reply_.messageId, reply_.text);
        messages_.setStreaming(reply_.messageId, true);
    }
    currentChatId_ = chatId;
    currentTitle_ = chat.title;
    loadChatSettings(chat);
    setUnsaved(false);
    emit currentChatChanged();
    dismissContextNotice();

    // Step 4: switch to the model the chat last used.
    if (chatId != 0 && loadItsModel)
        loadChatModel(chat);
}

void ChatController::reloadBranch()
{
    if (currentChatId_ == 0)
        return;
    try {
        const QList<MessageRecord> messages = store_.activeBranch(currentChatId_);
        flushReply();
        messages_.setMessages(messages);
        if (reply_.requestId != 0 && reply_.chatId == currentChatId_) {
            messages_.setContent(reply_.messageId, reply_.text);
            messages_.setStreaming(reply_.messageId, true);
        }
    } catch (const StorageError& error) {
        reportStorageError(error);
    }
}

void ChatController::loadChatSettings(const ChatRecord& chat)
{
    chatSystemPrompt_ = chat.systemPrompt;
    chatSettingsJson_ = chat.settingsJson;
    emit chatSettingsChanged();
}

QVariantMap ChatController::chatSettings() const
{
    const QVariantMap overrides = parseSamplingJson(chatSettingsJson_);
    QVariantMap result = samplingToMap(applySamplingOverrides(settings_, overrides));
    result.insert(QStringLiteral("custom"), !overrides.isEmpty());
    return result;
}

GenerationSettings ChatController::effectiveSettings() const
{
    GenerationSettings result = applySamplingOverrides(settings_, parseSamplingJson(chatSettingsJson_));
    if (!chatSystemPrompt_.trimmed().isEmpty())
        result.systemPrompt = chatSystemPrompt_;
    return result;
}

void ChatController::saveChatSettings(const QString& systemPrompt, const QVariantMap& settings)
{
    if (currentChatId_ == 0)
        return;
    // Only the values that differ from the defaults are stored, so a later
    // change of a default still reaches this chat.
    const QVariantMap defaults = samplingToMap(settings_);
    const QVariantMap chosen = samplingToMap(applySamplingOverrides(settings_, settings));
    QVariantMap overrides;
    for (auto it = chosen.constBegin(); it != chosen.constEnd(); ++it) {
        if (it.value() != defaults.value(it.key()))
            overrides.insert(it.key(), it.value());
    }
    const QString json = samplingToJson(overrides);
    try {
        store_.setChatSystemPrompt(currentChatId_, systemPrompt);
        store_.setChatSettings(currentChatId_, json);
    } catch (const StorageError& error) {
        reportStorageError(error);
    }
    // The chat uses them for this session even when saving failed.
    chatSystemPrompt_ = systemPrompt;
    chatSettingsJson_ = json;
    emit chatSettingsChanged();
}

void ChatController::resetChatSettings()
{
    saveChatSettings(chatSystemPrompt_, {});
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
    const QString cleaned = normalizedChatTitle(title);
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

void ChatController::setPinned(qint64 chatId, bool pinned)
{
    try {
        store_.setChatPinned(chatId, pinned);
        reloadChatList();
    } catch (const StorageError& error) {
        reportStorageError(error);
    }
}

void ChatController::deleteChat(qint64 chatId)
{
    // Step 1: one chat waits for undo at a time, so an earlier one is deleted now.
    purgePendingDelete();

    // Step 2: a reply streaming into this chat has nowhere to go. Stop it and
    // forget it, so that its last signals are ignored.
    if (reply_.requestId != 0 && reply_.chatId == chatId) {
        inference_.stopGeneration();
        flushTimer_.stop();
        saveReply(false);
        reply_ = StreamingReply{};
        emit replyingChanged();
    }

    // Step 3: hide it, then show the next chat if this one was open.
    QString title;
    try {
        title = store_.chat(chatId).title;
        store_.markChatDeleted(chatId);
        reloadChatList();
    } catch (const StorageError& error) {
        reportStorageError(error);
        return;
    }
    pendingDeleteId_ = chatId;
    undoTitle_ = title;
    undoTimer_.start();
    emit undoChanged();
    if (chatId == currentChatId_) {
        const qint64 next = chats_.rowCount() > 0 ? chats_.data(chats_.index(0), ChatListModel::ChatIdRole).toLongLong() : 0;
        setCurrentChat(next);
    }
}

void ChatController::undoDelete()
{
    if (pendingDeleteId_ == 0)
        return;
    const qint64 chatId = pendingDeleteId_;
    pendingDeleteId_ = 0;
    undoTitle_.clear();
    undoTimer_.stop();
    emit undoChanged();
    try {
        store_.restoreChat(chatId);
        reloadChatList();
    } catch (const StorageError& error) {
        reportStorageError(error);
        return;
    }
    setCurrentChat(chatId);
}

void ChatController::purgePendingDelete()
{
    if (pendingDeleteId_ == 0)
        return;
    pendingDeleteId_ = 0;
    undoTitle_.clear();
    undoTimer_.stop();
    emit undoChanged();
    try {
        store_.purgeDeletedChats();
    } catch (const StorageError& error) {
        reportStorageError(error);
    }
}

bool ChatController::exportChat(qint64 chatId, const QUrl& file, const QString& format)
{
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    try {
        // Step 1: render the chat.
        const QByteArray data = format == QLatin1String("json") ? exportChatJson(store_, chatId)
                                                                : exportChatMarkdown(store_, chatId).toUtf8();

        // Step 2: write it whole or not at all.
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(data) != data.size() || !out.commit()) {
            showError(tr("Exporting the chat to %1 failed: %2").arg(QDir::toNativeSeparators(path), out.errorString()));
            return false;
        }
    } catch (const StorageError& error) {
        reportStorageError(error);
        return false;
    }
    qCInfo(lcStorage).noquote() << "Exported chat" << chatId << "as" << format << "to" << QDir::toNativeSeparators(path);
    return true;
}

QUrl ChatController::suggestedExportUrl(qint64 chatId, const QString& format) const
{
    QString title;
    try {
        title = store_.chat(chatId).title;
    } catch (const StorageError&) {
    }
    // Characters that some file systems reject become "_".
    static const QRegularExpression unsafe(QStringLiteral(R"([\\/:*?"<>|\x00-\x1f])"));
    title = title.replace(unsafe, QStringLiteral("_")).trimmed();
    if (title.isEmpty())
        title = QStringLiteral("chat");
    // The documents folder when it exists, else the home folder: a file
    // dialog opened on a missing folder shows another one and fails to save.
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!QFileInfo(folder).isDir())
        folder = QDir::homePath();
    const QString suffix = format == QLatin1String("json") ? QStringLiteral(".json") : QStringLiteral(".md");
    return QUrl::fromLocalFile(QDir(folder).filePath(title + suffix));
}

bool ChatController::importChat(const QUrl& file)
{
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        showError(tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), in.errorString()));
        return false;
    }
    // A file over the limit is rejected before it is read into memory.
    if (in.size() > kMaxChatImportBytes) {
        showError(tr("Importing %1 failed: the file has %2 bytes, more than a chat export can have (%3).")
                      .arg(QDir::toNativeSeparators(path))
                      .arg(in.size())
                      .arg(kMaxChatImportBytes));
        return false;
    }
    qint64 chatId = 0;
    try {
        chatId = importChatJson(store_, in.readAll(), path);
        // A leaf that has replies below it (a hand-edited file) would hide
        // them, so the branch goes on to the newest message below it.
        const qint64 leaf = store_.chat(chatId).leafMessageId;
        if (leaf != 0)
            store_.selectBranch(leaf);
        reloadChatList();
    } catch (const StorageError& error) {
        showError(tr("Importing %1 failed: %2").arg(QDir::toNativeSeparators(path), QString::fromUtf8(error.what())));
        return false;
    }
    setCurrentChat(chatId, /*loadItsModel=*/false);
    return true;
}

void ChatController::openMessage(qint64 chatId, qint64 messageId)
{
    // Step 1: the message's branch becomes the one on screen, unless a reply
    // streams into that chat now.
    const bool streamingThere = reply_.requestId != 0 && reply_.chatId == chatId;
    if (!streamingThere) {
        try {
            store_.selectBranch(messageId);
        } catch (const StorageError& error) {
            reportStorageError(error);
        }
    }

    // Step 2: open the chat (or show the new branch), then scroll.
    if (chatId != currentChatId_)
        setCurrentChat(chatId);
    else
        reloadBranch();
    const int row = messages_.rowOf(messageId);
    if (row >= 0)
        emit messageFocusRequested(row);
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

void ChatController::dismissContextNotice()
{
    if (contextNotice_.isEmpty())
        return;
    contextNotice_.clear();
    emit contextNoticeChanged();
}

void ChatController::setUnsaved(bool unsaved)
{
    if (unsaved_ == unsaved)
        return;
    unsaved_ = unsaved;
    emit unsavedChanged();
}

void ChatController::dismissError()
{
    if (errorMessage_.isEmpty())
        return;
    errorMessage_.clear();
    emit errorMessageChanged();
}

} // namespace quanta

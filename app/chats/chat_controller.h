// The chat actions behind the UI: choosing, creating, renaming, pinning and
// deleting chats (with undo), each chat's own settings, export and import;
// sending, regenerating and editing messages, flipping between alternatives,
// and streaming the reply into the list and the database.
//
// chat_controller.cpp contains the chat-level actions, and
// chat_controller_messages.cpp the messages and the streaming reply.
#pragma once

#include "chats/chat_list_model.h"
#include "chats/message_list_model.h"
#include "generation/generation_settings.h"
#include "generation/inference_service.h"
#include "storage/chat_store.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class ChatController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ChatController is created by the application.")

    Q_PROPERTY(qint64 currentChatId READ currentChatId NOTIFY currentChatChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentChatChanged)
    Q_PROPERTY(bool canSend READ canSend NOTIFY canSendChanged)
    // A reply of this controller is being generated (not one for the local
    // API); stop() ends it.
    Q_PROPERTY(bool replying READ replying NOTIFY replyingChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    // Why the model's own chat template was not used for the last reply;
    // empty when it was, or after dismissTemplateNotice().
    Q_PROPERTY(QString templateNotice READ templateNotice NOTIFY templateNoticeChanged)
    // Set when the last reply left out old messages to fit the context.
    Q_PROPERTY(QString contextNotice READ contextNotice NOTIFY contextNoticeChanged)
    // Speed of the last finished reply, 0 before the first one.
    Q_PROPERTY(double lastTokensPerSecond READ lastTokensPerSecond NOTIFY lastReplyChanged)
    Q_PROPERTY(int lastReplyTokens READ lastReplyTokens NOTIFY lastReplyChanged)
    // The title of the chat that was just deleted, while it can be restored
    // with undoDelete(); empty otherwise.
    Q_PROPERTY(QString undoTitle READ undoTitle NOTIFY undoChanged)
    // The open chat's system prompt and sampling settings. chatSettings has
    // the keys temperature, topK, topP, minP, repeatPenalty, maxTokens and
    // seed (-1: random), with the app's defaults where the chat has none,
    // and "custom": whether the chat has its own.
    Q_PROPERTY(QString chatSystemPrompt READ chatSystemPrompt NOTIFY chatSettingsChanged)
    Q_PROPERTY(QVariantMap chatSettings READ chatSettings NOTIFY chatSettingsChanged)
    // The open chat's messages are kept in memory only, because saving failed.
    Q_PROPERTY(bool unsaved READ unsaved NOTIFY unsavedChanged)

public:
    // How long a deleted chat can be restored, in milliseconds.
    static constexpr int kUndoMs = 10000;
    // Streamed text reaches the message list at most this often, so that a
    // fast model does not lay out the reply once per token.
    static constexpr int kFlushIntervalMs = 50;

    ChatController(ChatStore& store, ChatListModel& chats, MessageListModel& messages, InferenceService& inference,
                   QObject* parent = nullptr);
    // Deletes for good a chat whose undo time has not ended.
    ~ChatController() override;

    qint64 currentChatId() const { return currentChatId_; }
    QString currentTitle() const { return currentTitle_; }
    bool canSend() const;
    bool replying() const { return reply_.requestId != 0; }
    QString errorMessage() const { return errorMessage_; }
    QString templateNotice() const { return templateNotice_; }
    QString contextNotice() const { return contextNotice_; }
    double lastTokensPerSecond() const { return lastTokensPerSecond_; }
    int lastReplyTokens() const { return lastReplyTokens_; }
    QString undoTitle() const { return undoTitle_; }
    QString chatSystemPrompt() const { return chatSystemPrompt_; }
    QVariantMap chatSettings() const;
    bool unsaved() const { return unsaved_; }

    // The app's defaults, used by chats without their own settings.
    GenerationSettings& settings() { return settings_; }
    // What a reply in the open chat uses: the defaults with the chat's own
    // settings and system prompt over them.
    GenerationSettings effectiveSettings() const;

    // Opens the chat with the most recent activity, or none. With
    // `loadItsModel`, also loads the model that chat used last.
    void openLatestChat(bool loadItsModel);

    // Chats.
    Q_INVOKABLE void newChat();
    Q_INVOKABLE void selectChat(qint64 chatId);
    Q_INVOKABLE void renameChat(qint64 chatId, const QString& title);
    Q_INVOKABLE void setPinned(qint64 chatId, bool pinned);
    // Hides the chat at once and deletes it for good after kUndoMs, unless
    // undoDelete() comes first.
    Q_INVOKABLE void deleteChat(qint64 chatId);
    Q_INVOKABLE void undoDelete();
    // Saves the open chat's system prompt and sampling settings (the keys
    // of chatSettings; missing keys keep the defaults).
    Q_INVOKABLE void saveChatSettings(const QString& systemPrompt, const QVariantMap& settings);
    // Drops the open chat's own sampling settings, back to the defaults.
    Q_INVOKABLE void resetChatSettings();
    // Writes the chat to `file` as "markdown" or "json". Returns false and
    // shows the error when writing fails.
    Q_INVOKABLE bool exportChat(qint64 chatId, const QUrl& file, const QString& format);
    // Where exportChat() suggests saving: the documents folder, the chat's
    // title as the file name.
    Q_INVOKABLE QUrl suggestedExportUrl(qint64 chatId, const QString& format) const;
    // Reads a chat exported as JSON into a new chat and opens it.
    Q_INVOKABLE bool importChat(const QUrl& file);
    // Opens a search hit: its chat, on the branch that contains the message.
    // messageFocusRequested() then names the row to scroll to.
    Q_INVOKABLE void openMessage(qint64 chatId, qint64 messageId);

    // Messages. Each returns false (and changes nothing) when it cannot run
    // now: no model, a reply running, or an unknown message.
    // Saves `text` as the user's message and starts the reply.
    Q_INVOKABLE bool send(const QString& text);
    // Generates another reply in place of `messageId` (an assistant message);
    // the old one stays as an alternative.
    Q_INVOKABLE bool regenerate(qint64 messageId);
    // Sends `text` in place of the user message `messageId`, as a new branch.
    Q_INVOKABLE bool editAndResend(qint64 messageId, const QString& text);
    // Shows the previous (-1) or next (+1) alternative of `messageId`.
    Q_INVOKABLE void showAlternative(qint64 messageId, int step);
    // Deletes a message and what follows it on its branch.
    Q_INVOKABLE void deleteMessage(qint64 messageId);
    Q_INVOKABLE void copyText(const QString& text);
    // Stops this controller's reply; a reply to the local API goes on.
    Q_INVOKABLE void stop();

    // Shows `message` in the error banner and logs it.
    Q_INVOKABLE void showError(const QString& message);
    Q_INVOKABLE void dismissError();
    // Hides the template notice until the model changes or the reason does.
    Q_INVOKABLE void dismissTemplateNotice();
    Q_INVOKABLE void dismissContextNotice();

signals:
    void currentChatChanged();
    void canSendChanged();
    void replyingChanged();
    void errorMessageChanged();
    void templateNoticeChanged();
    void contextNoticeChanged();
    void lastReplyChanged();
    void undoChanged();
    void chatSettingsChanged();
    void unsavedChanged();
    // The view should scroll to this row of the message list.
    void messageFocusRequested(int row);

private:
    // The reply being generated. It may belong to a chat that is no longer
    // on screen; it is saved to the store either way.
    struct StreamingReply {
        quint64 requestId = 0;
        qint64 chatId = 0;
        qint64 messageId = 0;  // negative when the store could not save it
        QString text;          // everything received so far
        QString unflushed;     // received but not yet shown
        QElapsedTimer sinceSave;
        bool saveFailed = false; // report a failing save once per reply
    };

    // chat_controller.cpp
    void setCurrentChat(qint64 chatId, bool loadItsModel = true);
    void reloadChatList();
    void reloadBranch();
    void loadChatSettings(const ChatRecord& chat);
    void purgePendingDelete();
    void reportStorageError(const StorageError& error);
    void loadChatModel(const ChatRecord& chat);
    void setUnsaved(bool unsaved);

    // chat_controller_messages.cpp
    // Writes the messages kept in memory since a failed save to the store,
    // parents first. Returns false (and reports the error) while it still fails.
    bool persistUnsaved();
    qint64 saveNewMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& content, bool complete);
    bool startReply(qint64 chatId, qint64 parentId);
    std::vector<ChatMessage> conversationUpTo(qint64 messageId) const;
    void onTextGenerated(quint64 requestId, const QString& text);
    void onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome);
    void onGenerationFailed(quint64 requestId, const QString& message);
    void flushReply();
    void saveReply(bool complete);
    void finishReply(bool complete);

    ChatStore& store_;
    ChatListModel& chats_;
    MessageListModel& messages_;
    InferenceService& inference_;
    GenerationSettings settings_;

    qint64 currentChatId_ = 0;
    QString currentTitle_;
    QString chatSystemPrompt_;
    QString chatSettingsJson_;
    bool unsaved_ = false;
    qint64 nextLocalId_ = -1; // ids of messages the store could not save
    QString errorMessage_;
    QString loadError_; // the banner text of the last load failure, until a model loads
    QString templateNotice_;
    QString dismissedTemplateNotice_;
    QString contextNotice_;
    StreamingReply reply_;
    QTimer flushTimer_;
    double lastTokensPerSecond_ = 0.0;
    int lastReplyTokens_ = 0;

    qint64 pendingDeleteId_ = 0; // the chat undoDelete() restores
    QString undoTitle_;
    QTimer undoTimer_;
};

} // namespace quanta

// The chat actions behind the UI: choosing, creating, renaming and deleting
// chats, sending a message and streaming the reply into the list and the
// database, and the error banner.
#pragma once

#include "chats/chat_list_model.h"
#include "chats/message_list_model.h"
#include "generation/generation_settings.h"
#include "generation/inference_service.h"
#include "storage/chat_store.h"

#include <QElapsedTimer>
#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class ChatController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ChatController is created by the application.")

    Q_PROPERTY(qint64 currentChatId READ currentChatId NOTIFY currentChatChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentChatChanged)
    Q_PROPERTY(bool canSend READ canSend NOTIFY canSendChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    // Why the model's own chat template was not used for the last reply;
    // empty when it was, or after dismissTemplateNotice().
    Q_PROPERTY(QString templateNotice READ templateNotice NOTIFY templateNoticeChanged)
    // Speed of the last finished reply, 0 before the first one.
    Q_PROPERTY(double lastTokensPerSecond READ lastTokensPerSecond NOTIFY lastReplyChanged)
    Q_PROPERTY(int lastReplyTokens READ lastReplyTokens NOTIFY lastReplyChanged)

public:
    ChatController(ChatStore& store, ChatListModel& chats, MessageListModel& messages, InferenceService& inference,
                   QObject* parent = nullptr);

    qint64 currentChatId() const { return currentChatId_; }
    QString currentTitle() const { return currentTitle_; }
    bool canSend() const;
    QString errorMessage() const { return errorMessage_; }
    QString templateNotice() const { return templateNotice_; }
    double lastTokensPerSecond() const { return lastTokensPerSecond_; }
    int lastReplyTokens() const { return lastReplyTokens_; }

    GenerationSettings& settings() { return settings_; }

    // Opens the chat with the most recent activity, or none. With
    // `loadItsModel`, also loads the model that chat used last.
    void openLatestChat(bool loadItsModel);

    Q_INVOKABLE void newChat();
    Q_INVOKABLE void selectChat(qint64 chatId);
    Q_INVOKABLE void renameChat(qint64 chatId, const QString& title);
    Q_INVOKABLE void deleteChat(qint64 chatId);

    // Saves `text` as the user's message and starts the reply. Returns false
    // (and changes nothing) when the text is blank or canSend is false.
    Q_INVOKABLE bool send(const QString& text);
    Q_INVOKABLE void stop();

    // Shows `message` in the error banner and logs it.
    Q_INVOKABLE void showError(const QString& message);
    Q_INVOKABLE void dismissError();
    // Hides the template notice until the model changes or the reason does.
    Q_INVOKABLE void dismissTemplateNotice();

signals:
    void currentChatChanged();
    void canSendChanged();
    void errorMessageChanged();
    void templateNoticeChanged();
    void lastReplyChanged();

private:
    // The reply being generated. It may belong to a chat that is no longer
    // on screen; it is saved to the store either way.
    struct StreamingReply {
        quint64 requestId = 0;
        qint64 chatId = 0;
        qint64 messageId = 0;
        QString text;
        QElapsedTimer sinceSave;
        bool saveFailed = false; // report a failing save once per reply
    };

    void setCurrentChat(qint64 chatId, bool loadItsModel = true);
    void reloadChatList();
    void onTextGenerated(quint64 requestId, const QString& text);
    void onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome);
    void onGenerationFailed(quint64 requestId, const QString& message);
    void saveReply(bool complete);
    void finishReply(bool complete);
    void reportStorageError(const StorageError& error);
    void loadChatModel(const ChatRecord& chat);

    ChatStore& store_;
    ChatListModel& chats_;
    MessageListModel& messages_;
    InferenceService& inference_;
    GenerationSettings settings_;

    qint64 currentChatId_ = 0;
    QString currentTitle_;
    QString errorMessage_;
    QString loadError_; // the banner text of the last load failure, until a model loads
    QString templateNotice_;
    QString dismissedTemplateNotice_;
    StreamingReply reply_;
    double lastTokensPerSecond_ = 0.0;
    int lastReplyTokens_ = 0;
};

} // namespace quanta

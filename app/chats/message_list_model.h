// The branch of the open chat that is on screen, oldest first, including the
// reply that is streaming in.
#pragma once

#include "storage/chat_store.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("MessageListModel is created by the application.")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        MessageIdRole = Qt::UserRole + 1,
        RoleRole,        // "system", "user" or "assistant"
        ContentRole,
        StreamingRole,   // the reply is being generated now
        InterruptedRole, // saved while streaming and never finished (the app stopped or generation failed)
        ParentIdRole,
        TokenCountRole,      // tokens of a finished reply, 0 otherwise
        TokensPerSecondRole, // its generation speed, 0 otherwise
        SiblingIndexRole,    // 1-based place among the alternatives (regenerated replies, edited messages)
        SiblingCountRole,    // number of alternatives, 1 when there are none
        BlocksRole,          // the text split into prose and code blocks: a list of
                             // {kind: "prose" | "code", text, html (prose as rich text),
                             // language, closed}
    };
    Q_ENUM(Role)

    explicit MessageListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Replaces the list with `messages` (one chat's, from the store).
    void setMessages(const QList<MessageRecord>& messages);
    void clear();
    void append(const MessageRecord& message, bool streaming = false);
    void remove(qint64 messageId);

    // These do nothing when the message is not in the list (another chat is open).
    void appendContent(qint64 messageId, const QString& text);
    void setContent(qint64 messageId, const QString& text);
    void setStreaming(qint64 messageId, bool streaming);
    void setComplete(qint64 messageId, bool complete);
    void setStats(qint64 messageId, int tokenCount, double tokensPerSecond);
    // Gives a message kept in memory the id the store gave it, in the
    // message and in its children's parent ids.
    void replaceId(qint64 oldId, qint64 newId);

    QList<MessageRecord> messages() const;
    const MessageRecord* find(qint64 messageId) const;
    int rowOf(qint64 messageId) const;

signals:
    void countChanged();

private:
    struct Entry {
        MessageRecord record;
        bool streaming = false;
        // The blocks QML was given last, rebuilt when the text changes. The
        // old list stays until then, so unchanged prose keeps its HTML.
        mutable QVariantList blocks;
        mutable bool blocksCurrent = false;
    };

    void notifyChanged(int row, const QList<int>& roles);

    QList<Entry> entries_;
};

} // namespace quanta

// The chat list in the sidebar: the store's chats, pinned first, then by
// newest activity.
#pragma once

#include "storage/chat_store.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class ChatListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ChatListModel is created by the application.")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        ChatIdRole = Qt::UserRole + 1,
        TitleRole,
        ModelPathRole,
        UpdatedAtRole,
        PinnedRole,
    };
    Q_ENUM(Role)

    explicit ChatListModel(ChatStore& store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Re-reads the list from the store. Throws StorageError.
    void reload();

    // Row of the chat, or -1.
    Q_INVOKABLE int rowOf(qint64 chatId) const;

signals:
    void countChanged();

private:
    ChatStore& store_;
    QList<ChatRecord> chats_;
};

} // namespace quanta

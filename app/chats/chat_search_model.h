// Search results over every chat's messages, for the sidebar's search field.
#pragma once

#include "storage/chat_store.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class ChatSearchModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ChatSearchModel is created by the application.")

    // What the user typed; setting it runs the search. Empty clears the results.
    Q_PROPERTY(QString query READ query WRITE setQuery NOTIFY queryChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // Why the last search failed, or empty.
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    enum Role {
        ChatIdRole = Qt::UserRole + 1,
        MessageIdRole,
        ChatTitleRole,
        RoleRole,      // "user", "assistant" or "system"
        SnippetRole,   // the matching part of the message, matches in [brackets]
        CreatedAtRole,
    };
    Q_ENUM(Role)

    explicit ChatSearchModel(ChatStore& store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString query() const { return query_; }
    void setQuery(const QString& query);
    QString error() const { return error_; }

    // Runs the search again, e.g. after chats changed.
    Q_INVOKABLE void refresh();

signals:
    void queryChanged();
    void countChanged();
    void errorChanged();

private:
    ChatStore& store_;
    QString query_;
    QString error_;
    QList<SearchHit> hits_;
};

} // namespace quanta

#include "chats/chat_search_model.h"

#include "logging/log_categories.h"

namespace quanta {

namespace {

// More hits than a sidebar can usefully show.
constexpr int kMaxHits = 100;

} // namespace

ChatSearchModel::ChatSearchModel(ChatStore& store, QObject* parent)
    : QAbstractListModel(parent), store_(store)
{
}

int ChatSearchModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(hits_.size());
}

QVariant ChatSearchModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SearchHit& hit = hits_.at(index.row());
    switch (role) {
    case ChatIdRole:
        return hit.chatId;
    case MessageIdRole:
        return hit.messageId;
    case ChatTitleRole:
        return hit.chatTitle;
    case RoleRole:
        return hit.role;
    case Qt::DisplayRole:
    case SnippetRole:
        return hit.snippet;
    case CreatedAtRole:
        return hit.createdAt;
    default:
        return {};
    }
}

QHash<int, QByteArray> ChatSearchModel::roleNames() const
{
    return {
        {ChatIdRole, "chatId"},
        {MessageIdRole, "messageId"},
        {ChatTitleRole, "chatTitle"},
        {RoleRole, "role"},
        {SnippetRole, "snippet"},
        {CreatedAtRole, "createdAt"},
    };
}

void ChatSearchModel::setQuery(const QString& query)
{
    if (query == query_)
        return;
    query_ = query;
    emit queryChanged();
    refresh();
}

void ChatSearchModel::refresh()
{
    // Step 1: search. A failure leaves the list empty and sets the error.
    QList<SearchHit> hits;
    QString error;
    if (!query_.trimmed().isEmpty()) {
        try {
            hits = store_.search(query_, kMaxHits);
        } catch (const StorageError& e) {
            error = tr("Search failed: %1").arg(QString::fromUtf8(e.what()));
            qCWarning(lcStorage).noquote() << error;
        }
    }

    // Step 2: publish.
    const int oldCount = rowCount();
    beginResetModel();
    hits_ = std::move(hits);
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
    if (error != error_) {
        error_ = error;
        emit errorChanged();
    }
}

} // namespace quanta

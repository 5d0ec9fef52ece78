#include "chats/chat_list_model.h"

namespace quanta {

ChatListModel::ChatListModel(ChatStore& store, QObject* parent)
    : QAbstractListModel(parent), store_(store)
{
}

int ChatListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(chats_.size());
}

QVariant ChatListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatRecord& chat = chats_.at(index.row());
    switch (role) {
    case ChatIdRole:
        return chat.id;
    case Qt::DisplayRole:
    case TitleRole:
        return chat.title;
    case ModelPathRole:
        return chat.modelPath;
    case UpdatedAtRole:
        return chat.updatedAt;
    case PinnedRole:
        return chat.pinned;
    default:
        return {};
    }
}

QHash<int, QByteArray> ChatListModel::roleNames() const
{
    return {
        {ChatIdRole, "chatId"},
        {TitleRole, "title"},
        {ModelPathRole, "modelPath"},
        {UpdatedAtRole, "updatedAt"},
        {PinnedRole, "pinned"},
    };
}

void ChatListModel::reload()
{
    // Read first, so a failed read leaves the old list on screen.
    QList<ChatRecord> chats = store_.chats();
    const int oldCount = rowCount();
    beginResetModel();
    chats_ = std::move(chats);
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
}

int ChatListModel::rowOf(qint64 chatId) const
{
    for (int row = 0; row < chats_.size(); ++row) {
        if (chats_.at(row).id == chatId)
            return row;
    }
    return -1;
}

} // namespace quanta

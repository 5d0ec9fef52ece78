#include "chats/message_list_model.h"

#include "chats/markdown_blocks.h"
#include "chats/markdown_renderer.h"

#include <QVariantMap>

namespace quanta {

namespace {

// Replies longer than this are shown as plain text, cut here: laying out
// megabytes of rich text would stall the UI thread for minutes.
constexpr qsizetype kMaxRenderedChars = 100000;

// The blocks of `text` for QML. A prose block with the same text as the
// block at its place in `previous` keeps that block's HTML, so a streaming
// reply converts only its last block again at each update.
QVariantList blocksForQml(const QString& text, const QVariantList& previous)
{
    QVariantList result;
    if (text.size() > kMaxRenderedChars) {
        const QString shown = text.left(kMaxRenderedChars).toHtmlEscaped();
        const QString note = MessageListModel::tr("This message has %1 characters, so only the first %2 are shown, "
                                                  "as plain text. Copy or export the chat to read all of it.")
                                 .arg(text.size())
                                 .arg(kMaxRenderedChars);
        result.append(QVariantMap{
            {QStringLiteral("kind"), QStringLiteral("prose")},
            {QStringLiteral("text"), text.left(kMaxRenderedChars)},
            {QStringLiteral("html"), QStringLiteral("<p style=\"white-space: pre-wrap\">%1</p><p><i>%2</i></p>")
                                         .arg(shown, note.toHtmlEscaped())},
            {QStringLiteral("language"), QString()},
            {QStringLiteral("closed"), true},
        });
        return result;
    }
    for (const MarkdownBlock& block : splitMarkdownBlocks(text)) {
        QString html;
        if (block.kind == MarkdownBlock::Kind::Prose) {
            const QVariantMap old = result.size() < previous.size() ? previous.at(result.size()).toMap() : QVariantMap();
            const QString oldHtml = old.value(QStringLiteral("html")).toString();
            const bool unchanged = old.value(QStringLiteral("text")).toString() == block.text && !oldHtml.isEmpty();
            html = unchanged ? oldHtml : markdownToHtml(block.text);
        }
        result.append(QVariantMap{
            {QStringLiteral("kind"), block.kind == MarkdownBlock::Kind::Code ? QStringLiteral("code")
                                                                             : QStringLiteral("prose")},
            {QStringLiteral("text"), block.text},
            {QStringLiteral("html"), html},
            {QStringLiteral("language"), block.language},
            {QStringLiteral("closed"), block.closed},
        });
    }
    return result;
}

} // namespace

MessageListModel::MessageListModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

int MessageListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

QVariant MessageListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry& entry = entries_.at(index.row());
    switch (role) {
    case MessageIdRole:
        return entry.record.id;
    case RoleRole:
        return entry.record.role;
    case Qt::DisplayRole:
    case ContentRole:
        return entry.record.content;
    case StreamingRole:
        return entry.streaming;
    case InterruptedRole:
        return !entry.record.complete && !entry.streaming;
    case ParentIdRole:
        return entry.record.parentId;
    case TokenCountRole:
        return entry.record.tokenCount;
    case TokensPerSecondRole:
        return entry.record.tokensPerSecond;
    case SiblingIndexRole:
        return entry.record.siblingIndex;
    case SiblingCountRole:
        return entry.record.siblingCount;
    case BlocksRole:
        if (!entry.blocksCurrent) {
            entry.blocks = blocksForQml(entry.record.content, entry.blocks);
            entry.blocksCurrent = true;
        }
        return entry.blocks;
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    return {
        {MessageIdRole, "messageId"},
        {RoleRole, "role"},
        {ContentRole, "content"},
        {StreamingRole, "streaming"},
        {InterruptedRole, "interrupted"},
        {ParentIdRole, "parentId"},
        {TokenCountRole, "tokenCount"},
        {TokensPerSecondRole, "tokensPerSecond"},
        {SiblingIndexRole, "siblingIndex"},
        {SiblingCountRole, "siblingCount"},
        {BlocksRole, "blocks"},
    };
}

void MessageListModel::setMessages(const QList<MessageRecord>& messages)
{
    const int oldCount = rowCount();
    beginResetModel();
    entries_.clear();
    entries_.reserve(messages.size());
    for (const MessageRecord& message : messages)
        entries_.append(Entry{message, false, {}, false});
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
}

void MessageListModel::clear()
{
    setMessages({});
}

void MessageListModel::append(const MessageRecord& message, bool streaming)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    entries_.append(Entry{message, streaming, {}, false});
    endInsertRows();
    emit countChanged();
}

void MessageListModel::remove(qint64 messageId)
{
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    entries_.removeAt(row);
    endRemoveRows();
    emit countChanged();
}

void MessageListModel::appendContent(qint64 messageId, const QString& text)
{
    const int row = rowOf(messageId);
    if (row < 0 || text.isEmpty())
        return;
    entries_[row].record.content += text;
    entries_[row].blocksCurrent = false;
    notifyChanged(row, {ContentRole, BlocksRole});
}

void MessageListModel::setContent(qint64 messageId, const QString& text)
{
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    entries_[row].record.content = text;
    entries_[row].blocksCurrent = false;
    notifyChanged(row, {ContentRole, BlocksRole});
}

void MessageListModel::setStreaming(qint64 messageId, bool streaming)
{
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    entries_[row].streaming = streaming;
    notifyChanged(row, {StreamingRole, InterruptedRole});
}

void MessageListModel::setComplete(qint64 messageId, bool complete)
{
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    entries_[row].record.complete = complete;
    notifyChanged(row, {InterruptedRole});
}

void MessageListModel::setStats(qint64 messageId, int tokenCount, double tokensPerSecond)
{
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    entries_[row].record.tokenCount = tokenCount;
    entries_[row].record.tokensPerSecond = tokensPerSecond;
    notifyChanged(row, {TokenCountRole, TokensPerSecondRole});
}

void MessageListModel::replaceId(qint64 oldId, qint64 newId)
{
    for (int row = 0; row < entries_.size(); ++row) {
        MessageRecord& record = entries_[row].record;
        if (record.id == oldId) {
            record.id = newId;
            notifyChanged(row, {MessageIdRole});
        }
        if (record.parentId == oldId) {
            record.parentId = newId;
            notifyChanged(row, {ParentIdRole});
        }
    }
}

QList<MessageRecord> MessageListModel::messages() const
{
    QList<MessageRecord> result;
    result.reserve(entries_.size());
    for (const Entry& entry : entries_)
        result.append(entry.record);
    return result;
}

const MessageRecord* MessageListModel::find(qint64 messageId) const
{
    const int row = rowOf(messageId);
    return row < 0 ? nullptr : &entries_.at(row).record;
}

int MessageListModel::rowOf(qint64 messageId) const
{
    // The streaming reply is almost always the last row, so search backwards.
    for (int row = static_cast<int>(entries_.size()) - 1; row >= 0; --row) {
        if (entries_.at(row).record.id == messageId)
            return row;
    }
    return -1;
}

void MessageListModel::notifyChanged(int row, const QList<int>& roles)
{
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed, roles);
}

} // namespace quanta

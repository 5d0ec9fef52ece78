#include "storage/chat_store.h"

#include "logging/log_categories.h"
#include "storage/chat_file.h"
#include "storage/chat_schema.h"
#include "storage/chat_search.h"
#include "storage/sqlite_statement.h"

#include <QDir>
#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>

#include <sqlite3.h>

namespace quanta {

namespace {

using sql::exec;
using sql::Statement;
using sql::throwStorageError;

const QString kInMemoryPath = QStringLiteral(":memory:");

// The columns readChat() and readMessage() expect, in this order.
#define CHAT_COLUMNS "id, title, model_path, created_at, updated_at, pinned, system_prompt, settings, leaf_message_id"
#define MESSAGE_COLUMNS                                                                                                \
    "id, chat_id, parent_id, role, content, complete, created_at, token_count, tokens_per_second"

QString sqliteMessage(sqlite3* db)
{
    return QString::fromUtf8(db != nullptr ? sqlite3_errmsg(db) : "out of memory");
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

ChatRecord readChat(const Statement& row)
{
    ChatRecord chat;
    chat.id = row.int64(0);
    chat.title = row.text(1);
    chat.modelPath = row.text(2);
    chat.createdAt = fromMs(row.int64(3));
    chat.updatedAt = fromMs(row.int64(4));
    chat.pinned = row.int64(5) != 0;
    chat.systemPrompt = row.text(6);
    chat.settingsJson = row.text(7);
    chat.leafMessageId = row.int64(8); // NULL reads as 0
    return chat;
}

MessageRecord readMessage(const Statement& row)
{
    MessageRecord message;
    message.id = row.int64(0);
    message.chatId = row.int64(1);
    message.parentId = row.int64(2); // NULL reads as 0
    message.role = row.text(3);
    message.content = row.text(4);
    message.complete = row.int64(5) != 0;
    message.createdAt = fromMs(row.int64(6));
    message.tokenCount = static_cast<int>(row.int64(7));
    message.tokensPerSecond = row.real(8);
    return message;
}

[[noreturn]] void throwChatNotFound(const QString& path, qint64 chatId)
{
    throwStorageError(QStringLiteral("Chat database %1: chat %2 not found.").arg(QDir::toNativeSeparators(path)).arg(chatId));
}

[[noreturn]] void throwMessageNotFound(const QString& path, qint64 messageId)
{
    throwStorageError(
        QStringLiteral("Chat database %1: message %2 not found.").arg(QDir::toNativeSeparators(path)).arg(messageId));
}

bool isKnownRole(const QString& role)
{
    return role == QLatin1String("system") || role == QLatin1String("user") || role == QLatin1String("assistant");
}

void checkRole(const QString& path, const QString& role)
{
    if (!isKnownRole(role))
        throwStorageError(QStringLiteral("Chat database %1: invalid message role \"%2\"; expected system, user or "
                                         "assistant.")
                              .arg(QDir::toNativeSeparators(path), role));
}

void checkWritable(sqlite3* db, const QString& path, const char* action)
{
    if (sqlite3_db_readonly(db, "main") == 1)
        sql::throwReadOnly(path, action);
}

// Runs `sql`, an UPDATE of the chat whose id is parameter 1, after
// `bindValues` has bound the others; throws when the chat does not exist.
template <typename Bind>
void updateChat(sqlite3* db, const QString& path, qint64 chatId, const char* action, const char* sql, Bind&& bindValues)
{
    checkWritable(db, path, action);
    Statement update(db, path, sql);
    update.bind(1, chatId);
    bindValues(update);
    update.step(action);
    if (sqlite3_changes(db) == 0)
        throwChatNotFound(path, chatId);
}

void checkChatExists(sqlite3* db, const QString& path, qint64 chatId)
{
    Statement query(db, path, "SELECT 1 FROM chats WHERE id = ?");
    query.bind(1, chatId);
    if (!query.step("reading a chat"))
        throwChatNotFound(path, chatId);
}

// The newest message below `messageId`, following the newest child at each
// step; `messageId` itself when it has none. Children have larger ids than
// their parent, so the last id of the walk is the largest.
qint64 newestDescendant(sqlite3* db, const QString& path, qint64 messageId)
{
    Statement query(db, path,
                    "WITH RECURSIVE walk(id) AS ("
                    "  SELECT ?1"
                    "  UNION ALL"
                    "  SELECT (SELECT max(child.id) FROM messages AS child"
                    "          WHERE child.parent_id = walk.id AND child.id > walk.id)"
                    "  FROM walk WHERE walk.id IS NOT NULL"
                    ") SELECT max(id) FROM walk");
    query.bind(1, messageId);
    query.step("finding the newest reply");
    return query.int64(0);
}

void setLeaf(sqlite3* db, const QString& path, qint64 chatId, qint64 leafId)
{
    Statement update(db, path, "UPDATE chats SET leaf_message_id = ? WHERE id = ?");
    update.bindIdOrNull(1, leafId);
    update.bind(2, chatId);
    update.step("moving to another branch");
}

struct NewMessage {
    qint64 chatId = 0;
    qint64 parentId = 0;
    QString role;
    QString content;
    bool complete = true;
    qint64 createdAtMs = 0;
    qint64 tokenCount = 0;
    double tokensPerSecond = 0;
};

qint64 insertMessage(sqlite3* db, const QString& path, const NewMessage& message)
{
    Statement insert(db, path,
                     "INSERT INTO messages (chat_id, parent_id, role, content, complete, created_at, token_count, "
                     "tokens_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, message.chatId);
    insert.bindIdOrNull(2, message.parentId);
    insert.bind(3, message.role);
    insert.bind(4, message.content);
    insert.bind(5, qint64{message.complete ? 1 : 0});
    insert.bind(6, message.createdAtMs);
    insert.bind(7, message.tokenCount);
    insert.bind(8, message.tokensPerSecond);
    insert.step("saving a message");
    return sqlite3_last_insert_rowid(db);
}

// Deletes the messages `ids`, newest first, so that no delete cascades to
// children: a cascade down a long chat would nest one level per message and
// hit SQLite's trigger depth limit (1000).
void deleteMessageRows(sqlite3* db, const QString& path, const QList<qint64>& idsNewestFirst)
{
    Statement remove(db, path, "DELETE FROM messages WHERE id = ?");
    for (const qint64 id : idsNewestFirst) {
        remove.bind(1, id);
        remove.step("deleting a message");
        remove.reset();
    }
}

QList<qint64> readIds(Statement& query, const char* action)
{
    QList<qint64> ids;
    while (query.step(action))
        ids.append(query.int64(0));
    return ids;
}

void deleteChatRows(sqlite3* db, const QString& path, qint64 chatId)
{
    Statement messages(db, path, "SELECT id FROM messages WHERE chat_id = ? ORDER BY id DESC");
    messages.bind(1, chatId);
    deleteMessageRows(db, path, readIds(messages, "deleting a chat"));

    Statement remove(db, path, "DELETE FROM chats WHERE id = ?");
    remove.bind(1, chatId);
    remove.step("deleting a chat");
}

// Removes the text of deleted rows from the files. secure_delete zeroes the
// freed space in the tables, but FTS5 (before SQLite 3.42's secure-delete
// option) keeps a deleted message's terms in its older index segments until
// they are merged: 'optimize' merges them all. The checkpoint then copies
// the pages into the database file and truncates the WAL, which still
// contains the old page images. Both are logged and not thrown on failure, because
// the rows are gone already and the next delete tries again.
// NOTE: 'optimize' rewrites the whole search index, which takes longer as
// the chat history grows.
void eraseDeletedText(sqlite3* db, const QString& path)
{
    if (sqlite3_exec(db, "INSERT INTO messages_fts (messages_fts) VALUES ('optimize')", nullptr, nullptr, nullptr)
        != SQLITE_OK)
        qCWarning(lcStorage).noquote() << "Chat database" << QDir::toNativeSeparators(path)
                                       << ": merging the search index after a delete failed:" << sqliteMessage(db);

    int walFrames = 0;
    int checkpointed = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, &walFrames, &checkpointed);
    if (rc != SQLITE_OK)
        qCWarning(lcStorage).noquote() << "Chat database" << QDir::toNativeSeparators(path)
                                       << ": checkpointing the WAL after a delete failed:" << sqliteMessage(db);
}

} // namespace

ChatStore::ChatStore(const QString& path)
    : path_(path)
{
    open();
    try {
        migrate();
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

ChatStore::~ChatStore()
{
    // sqlite3_close_v2 defers the close until leftover statements finish;
    // there are none, because every Statement finalizes itself.
    sqlite3_close_v2(db_);
}

void ChatStore::open()
{
    // Step 1: the file, checked, or moved aside and replaced when broken.
    const chat_file::OpenedFile file = chat_file::open(path_);
    db_ = file.db;
    recoveredFrom_ = file.recoveredFrom;

    // Step 2: connection settings. WAL keeps the file consistent if the app
    // dies mid-write, and lets readers run beside the writer. secure_delete
    // overwrites deleted rows with zeros, so deleted chats cannot be read
    // back from the file.
    try {
        exec(db_, path_, "PRAGMA foreign_keys = ON", "enabling foreign keys");
        exec(db_, path_, "PRAGMA secure_delete = ON", "enabling secure delete");
        if (readOnly()) {
            qCWarning(lcStorage).noquote() << "Chat database" << QDir::toNativeSeparators(path_)
                                           << "is read-only; chats can be read but changes are not saved";
        } else if (path_ != kInMemoryPath) {
            Statement walMode(db_, path_, "PRAGMA journal_mode = WAL");
            if (walMode.step("switching to WAL") && walMode.text(0) != QLatin1String("wal"))
                qCWarning(lcStorage).noquote() << "Chat database" << QDir::toNativeSeparators(path_)
                                               << "stays in journal mode" << walMode.text(0) << "instead of WAL";
        }
        exec(db_, path_, "PRAGMA synchronous = NORMAL", "setting the sync mode");
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

void ChatStore::migrate()
{
    // The file's search table may need a tokenizer that this SQLite lacks,
    // when a newer SQLite created it.
    const chat_schema::Tokenizer available = chat_schema::availableTokenizer(db_, path_);
    if (chat_schema::tableTokenizer(db_, path_, available) == chat_schema::Tokenizer::Trigram
        && available != chat_schema::Tokenizer::Trigram)
        throwStorageError(QStringLiteral("Chat database %1 needs the FTS5 trigram tokenizer, which the SQLite library "
                                         "%2 lacks (it came with SQLite 3.34). Install a newer SQLite.")
                              .arg(QDir::toNativeSeparators(path_), QString::fromUtf8(sqlite3_libversion())));
    chat_schema::migrate(db_, path_, readOnly(), available);
}

int ChatStore::schemaVersion() const
{
    return chat_schema::schemaVersion(db_, path_);
}

bool ChatStore::readOnly() const
{
    return sqlite3_db_readonly(db_, "main") == 1;
}

QList<ChatRecord> ChatStore::chats() const
{
    Statement query(db_, path_,
                    "SELECT " CHAT_COLUMNS " FROM chats WHERE deleted_at IS NULL "
                    "ORDER BY pinned DESC, updated_at DESC, id DESC");
    QList<ChatRecord> result;
    while (query.step("reading the chat list"))
        result.append(readChat(query));
    return result;
}

ChatRecord ChatStore::chat(qint64 chatId) const
{
    Statement query(db_, path_, "SELECT " CHAT_COLUMNS " FROM chats WHERE id = ?");
    query.bind(1, chatId);
    if (!query.step("reading a chat"))
        throwChatNotFound(path_, chatId);
    return readChat(query);
}

qint64 ChatStore::createChat(const QString& title, const QString& modelPath)
{
    checkWritable(db_, path_, "creating a chat");
    const qint64 now = nowMs();
    Statement insert(db_, path_, "INSERT INTO chats (title, model_path, created_at, updated_at) VALUES (?, ?, ?, ?)");
    insert.bind(1, title);
    insert.bind(2, modelPath);
    insert.bind(3, now);
    insert.bind(4, now);
    insert.step("creating a chat");
    return sqlite3_last_insert_rowid(db_);
}

void ChatStore::renameChat(qint64 chatId, const QString& title)
{
    updateChat(db_, path_, chatId, "renaming a chat", "UPDATE chats SET title = ?2 WHERE id = ?1",
               [&](Statement& update) { update.bind(2, title); });
}

void ChatStore::setChatModel(qint64 chatId, const QString& modelPath)
{
    updateChat(db_, path_, chatId, "saving the chat's model", "UPDATE chats SET model_path = ?2 WHERE id = ?1",
               [&](Statement& update) { update.bind(2, modelPath); });
}

void ChatStore::setChatPinned(qint64 chatId, bool pinned)
{
    updateChat(db_, path_, chatId, "pinning a chat", "UPDATE chats SET pinned = ?2 WHERE id = ?1",
               [&](Statement& update) { update.bind(2, qint64{pinned ? 1 : 0}); });
}

void ChatStore::setChatSystemPrompt(qint64 chatId, const QString& systemPrompt)
{
    updateChat(db_, path_, chatId, "saving the system prompt", "UPDATE chats SET system_prompt = ?2 WHERE id = ?1",
               [&](Statement& update) { update.bind(2, systemPrompt); });
}

void ChatStore::setChatSettings(qint64 chatId, const QString& settingsJson)
{
    // Only a JSON object (or nothing) goes in, so export and the settings
    // screen can always read it back.
    if (!settingsJson.isEmpty()) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(settingsJson.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            throwStorageError(QStringLiteral("Chat database %1: the settings of chat %2 must be a JSON object, got "
                                             "\"%3\".")
                                  .arg(QDir::toNativeSeparators(path_))
                                  .arg(chatId)
                                  .arg(settingsJson.left(80)));
    }
    updateChat(db_, path_, chatId, "saving the chat's settings", "UPDATE chats SET settings = ?2 WHERE id = ?1",
               [&](Statement& update) { update.bind(2, settingsJson); });
}

void ChatStore::markChatDeleted(qint64 chatId)
{
    // A chat marked twice keeps its first time.
    updateChat(db_, path_, chatId, "deleting a chat",
               "UPDATE chats SET deleted_at = coalesce(deleted_at, ?2) WHERE id = ?1",
               [&](Statement& update) { update.bind(2, nowMs()); });
}

void ChatStore::restoreChat(qint64 chatId)
{
    updateChat(db_, path_, chatId, "restoring a chat", "UPDATE chats SET deleted_at = NULL WHERE id = ?1",
               [](Statement&) {});
}

void ChatStore::purgeDeletedChats()
{
    // Nothing marked is nothing to do, on a read-only file too: the app
    // calls this at every start.
    if (sql::queryInteger(db_, path_, "SELECT count(*) FROM chats WHERE deleted_at IS NOT NULL", "deleting chats") == 0)
        return;

    checkWritable(db_, path_, "deleting chats");
    qsizetype purged = 0;
    sql::inTransaction(db_, path_, "deleting chats", [&] {
        Statement marked(db_, path_, "SELECT id FROM chats WHERE deleted_at IS NOT NULL");
        const QList<qint64> chatIds = readIds(marked, "deleting chats");
        for (const qint64 chatId : chatIds)
            deleteChatRows(db_, path_, chatId);
        purged = chatIds.size();
    });
    eraseDeletedText(db_, path_);
    qCInfo(lcStorage) << "Deleted" << purged << "chats marked for deletion";
}

void ChatStore::deleteChat(qint64 chatId)
{
    checkWritable(db_, path_, "deleting a chat");
    sql::inTransaction(db_, path_, "deleting a chat", [&] { deleteChatRows(db_, path_, chatId); });
    eraseDeletedText(db_, path_);
}

QList<MessageRecord> ChatStore::messages(qint64 chatId) const
{
    Statement query(db_, path_, "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ? ORDER BY id");
    query.bind(1, chatId);
    QList<MessageRecord> result;
    while (query.step("reading messages"))
        result.append(readMessage(query));
    return result;
}

QList<MessageRecord> ChatStore::activeBranch(qint64 chatId) const
{
    // Walk up from the leaf. Each parent has a smaller id than its child, and
    // the walk requires it, so a damaged file cannot make it loop.
    Statement query(db_, path_,
                    "WITH RECURSIVE branch(id, depth) AS ("
                    "  SELECT leaf_message_id, 0 FROM chats WHERE id = ?1 AND leaf_message_id IS NOT NULL"
                    "  UNION ALL"
                    "  SELECT m.parent_id, branch.depth + 1 FROM messages AS m JOIN branch ON m.id = branch.id"
                    "  WHERE m.parent_id IS NOT NULL AND m.parent_id < m.id"
                    ") SELECT m.id, m.chat_id, m.parent_id, m.role, m.content, m.complete, m.created_at,"
                    "  m.token_count, m.tokens_per_second,"
                    "  (SELECT count(*) FROM messages AS s"
                    "   WHERE s.chat_id = m.chat_id AND s.parent_id IS m.parent_id AND s.id < m.id),"
                    "  (SELECT count(*) FROM messages AS s WHERE s.chat_id = m.chat_id AND s.parent_id IS m.parent_id)"
                    " FROM branch JOIN messages AS m ON m.id = branch.id AND m.chat_id = ?1"
                    " ORDER BY branch.depth DESC");
    query.bind(1, chatId);
    QList<MessageRecord> result;
    while (query.step("reading the conversation")) {
        MessageRecord message = readMessage(query);
        message.siblingIndex = static_cast<int>(query.int64(9)) + 1;
        message.siblingCount = static_cast<int>(query.int64(10));
        result.append(message);
    }
    return result;
}

MessageRecord ChatStore::message(qint64 messageId) const
{
    Statement query(db_, path_, "SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = ?");
    query.bind(1, messageId);
    if (!query.step("reading a message"))
        throwMessageNotFound(path_, messageId);
    return readMessage(query);
}

qint64 ChatStore::appendMessage(qint64 chatId, const QString& role, const QString& content, bool complete)
{
    checkRole(path_, role);
    checkWritable(db_, path_, "saving a message");
    qint64 messageId = 0;
    sql::inTransaction(db_, path_, "saving a message", [&] {
        // Step 1: the chat's leaf becomes the parent.
        Statement leaf(db_, path_, "SELECT leaf_message_id FROM chats WHERE id = ?");
        leaf.bind(1, chatId);
        if (!leaf.step("saving a message"))
            throwChatNotFound(path_, chatId);
        const qint64 parentId = leaf.int64(0);

        // Step 2: insert it as the new leaf and move the chat to the top.
        const qint64 now = nowMs();
        messageId = insertMessage(db_, path_, {chatId, parentId, role, content, complete, now, 0, 0});
        Statement touch(db_, path_, "UPDATE chats SET leaf_message_id = ?, updated_at = ? WHERE id = ?");
        touch.bind(1, messageId);
        touch.bind(2, now);
        touch.bind(3, chatId);
        touch.step("saving a message");
    });
    return messageId;
}

qint64 ChatStore::addMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& content,
                             bool complete)
{
    checkRole(path_, role);
    checkWritable(db_, path_, "saving a message");
    qint64 messageId = 0;
    sql::inTransaction(db_, path_, "saving a message", [&] {
        // Step 1: the parent must be a message of this chat.
        checkChatExists(db_, path_, chatId);
        if (parentId != 0) {
            const MessageRecord parent = message(parentId);
            if (parent.chatId != chatId)
                throwStorageError(QStringLiteral("Chat database %1: message %2 belongs to chat %3, not to chat %4.")
                                      .arg(QDir::toNativeSeparators(path_))
                                      .arg(parentId)
                                      .arg(parent.chatId)
                                      .arg(chatId));
        }

        // Step 2: insert it beside its siblings, as the new leaf.
        const qint64 now = nowMs();
        messageId = insertMessage(db_, path_, {chatId, parentId, role, content, complete, now, 0, 0});
        Statement touch(db_, path_, "UPDATE chats SET leaf_message_id = ?, updated_at = ? WHERE id = ?");
        touch.bind(1, messageId);
        touch.bind(2, now);
        touch.bind(3, chatId);
        touch.step("saving a message");
    });
    return messageId;
}

void ChatStore::updateMessage(qint64 messageId, const QString& content, bool complete)
{
    checkWritable(db_, path_, "saving a reply");
    Statement update(db_, path_, "UPDATE messages SET content = ?, complete = ? WHERE id = ?");
    update.bind(1, content);
    update.bind(2, qint64{complete ? 1 : 0});
    update.bind(3, messageId);
    update.step("saving a reply");
    if (sqlite3_changes(db_) == 0)
        throwMessageNotFound(path_, messageId);
}

void ChatStore::setMessageStats(qint64 messageId, int tokenCount, double tokensPerSecond)
{
    checkWritable(db_, path_, "saving the reply's statistics");
    Statement update(db_, path_, "UPDATE messages SET token_count = ?, tokens_per_second = ? WHERE id = ?");
    update.bind(1, qint64{tokenCount});
    update.bind(2, tokensPerSecond);
    update.bind(3, messageId);
    update.step("saving the reply's statistics");
    if (sqlite3_changes(db_) == 0)
        throwMessageNotFound(path_, messageId);
}

void ChatStore::selectBranch(qint64 messageId)
{
    checkWritable(db_, path_, "switching the branch");
    sql::inTransaction(db_, path_, "switching the branch", [&] {
        const MessageRecord target = message(messageId);
        setLeaf(db_, path_, target.chatId, newestDescendant(db_, path_, messageId));
    });
}

void ChatStore::deleteMessage(qint64 messageId)
{
    checkWritable(db_, path_, "deleting a message");
    sql::inTransaction(db_, path_, "deleting a message", [&] {
        // Step 1: the message, its chat's leaf and the ids below it.
        const MessageRecord target = message(messageId);
        const qint64 leafId = chat(target.chatId).leafMessageId;
        Statement subtree(db_, path_,
                          "WITH RECURSIVE below(id) AS ("
                          "  SELECT ?1"
                          "  UNION ALL"
                          "  SELECT child.id FROM messages AS child JOIN below ON child.parent_id = below.id"
                          "  WHERE child.id > below.id"
                          ") SELECT id FROM below ORDER BY id DESC");
        subtree.bind(1, messageId);
        const QList<qint64> ids = readIds(subtree, "deleting a message");

        // Step 2: delete them.
        deleteMessageRows(db_, path_, ids);

        // Step 3: a leaf that went with them moves to the newest remaining
        // sibling's branch, or else up to the parent.
        if (!ids.contains(leafId))
            return;
        Statement sibling(db_, path_, "SELECT max(id) FROM messages WHERE chat_id = ? AND parent_id IS ?");
        sibling.bind(1, target.chatId);
        sibling.bindIdOrNull(2, target.parentId);
        sibling.step("deleting a message");
        const qint64 siblingId = sibling.int64(0);
        setLeaf(db_, path_, target.chatId, siblingId != 0 ? newestDescendant(db_, path_, siblingId) : target.parentId);
    });
    eraseDeletedText(db_, path_);
}

qint64 ChatStore::importChat(const ChatRecord& chat, const QList<MessageRecord>& messages)
{
    checkWritable(db_, path_, "importing a chat");
    qint64 chatId = 0;
    sql::inTransaction(db_, path_, "importing a chat", [&] {
        // Step 1: the chat, at the top of the list.
        const qint64 now = nowMs();
        Statement insert(db_, path_,
                         "INSERT INTO chats (title, model_path, created_at, updated_at, pinned, system_prompt, "
                         "settings) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, chat.title);
        insert.bind(2, chat.modelPath);
        insert.bind(3, chat.createdAt.isValid() ? chat.createdAt.toMSecsSinceEpoch() : now);
        insert.bind(4, now);
        insert.bind(5, qint64{chat.pinned ? 1 : 0});
        insert.bind(6, chat.systemPrompt);
        insert.bind(7, chat.settingsJson);
        insert.step("importing a chat");
        chatId = sqlite3_last_insert_rowid(db_);

        // Step 2: the messages, parents first, each under its parent's new id.
        QHash<qint64, qint64> newIds;
        qint64 lastId = 0;
        for (const MessageRecord& message : messages) {
            checkRole(path_, message.role);
            qint64 parentId = 0;
            if (message.parentId != 0) {
                const auto parent = newIds.constFind(message.parentId);
                if (parent == newIds.constEnd())
                    throwStorageError(QStringLiteral("Chat database %1: imported message %2 comes before its parent "
                                                     "%3.")
                                          .arg(QDir::toNativeSeparators(path_))
                                          .arg(message.id)
                                          .arg(message.parentId));
                parentId = *parent;
            }
            const qint64 created = message.createdAt.isValid() ? message.createdAt.toMSecsSinceEpoch() : now;
            lastId = insertMessage(db_, path_,
                                   {chatId, parentId, message.role, message.content, message.complete, created,
                                    message.tokenCount, message.tokensPerSecond});
            newIds.insert(message.id, lastId);
        }

        // Step 3: the leaf, by its new id.
        setLeaf(db_, path_, chatId, chat.leafMessageId != 0 ? newIds.value(chat.leafMessageId, lastId) : lastId);
    });
    return chatId;
}

QList<SearchHit> ChatStore::search(const QString& query, int limit) const
{
    const auto tokenizer = chat_schema::tableTokenizer(db_, path_, chat_schema::Tokenizer::Unicode61);
    return chat_search::search(db_, path_, tokenizer, query, limit);
}

void ChatStore::setMaxPageCountForTesting(int pages)
{
    // Lifting the limit restores this SQLite's default, which a connection
    // that never set one reports.
    qint64 limit = pages;
    if (pages <= 0) {
        sqlite3* fresh = nullptr;
        sqlite3_open(":memory:", &fresh);
        limit = sql::queryInteger(fresh, kInMemoryPath, "PRAGMA max_page_count", "reading the page limit");
        sqlite3_close(fresh);
    }
    const QByteArray pragma = QByteArrayLiteral("PRAGMA max_page_count = ") + QByteArray::number(limit);
    exec(db_, path_, pragma.constData(), "limiting the database size");
}

QString normalizedChatTitle(const QString& title)
{
    QString line = title.simplified();
    if (line.size() > kMaxChatTitleLength)
        line = line.left(kMaxChatTitleLength - 1).trimmed() + QChar(0x2026); // "…"
    return line;
}

} // namespace quanta

// Chats and messages in a SQLite database (the sqlite3 C API).
//
// Schema versioned with PRAGMA user_version, WAL journal, foreign keys on.
// All access goes through one connection owned by the thread that created
// the store.
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <stdexcept>

struct sqlite3;

namespace quanta {

// Opening, migrating or writing the database failed. The message names the
// file and SQLite's error text.
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ChatRecord {
    qint64 id = 0;
    QString title;
    QString modelPath;        // the model the chat last used; empty if none
    QDateTime createdAt;      // UTC
    QDateTime updatedAt;      // UTC, last activity
    bool pinned = false;      // pinned chats come first in chats()
    QString systemPrompt;     // this chat's system prompt; empty sends none
    QString settingsJson;     // this chat's sampling settings, a JSON object; empty for the app's defaults
    qint64 leafMessageId = 0; // last message of the branch on screen; 0 when the chat is empty
};

// Messages form a tree per chat: regenerating a reply or editing a user
// message adds a sibling (same parent) instead of replacing it, so each
// alternative stays. The chat shows the branch that ends at its leaf.
struct MessageRecord {
    qint64 id = 0;
    qint64 chatId = 0;
    qint64 parentId = 0;      // the message before this one; 0 for the first
    QString role;             // "system", "user" or "assistant"
    QString content;
    bool complete = true;     // false while an assistant reply is streaming
    QDateTime createdAt;      // UTC
    int tokenCount = 0;       // tokens of a finished assistant reply, 0 otherwise
    double tokensPerSecond = 0; // its generation speed, 0 otherwise
    // This message's place among the messages with the same parent, ordered
    // by id: 1-based index and count. Filled by activeBranch() only.
    int siblingIndex = 1;
    int siblingCount = 1;
};

// One message that matches a search.
struct SearchHit {
    qint64 chatId = 0;
    qint64 messageId = 0;
    QString chatTitle;
    QString role;
    QString snippet;          // the matching part of the text; matched terms between [ and ]
    QDateTime createdAt;
};

// Maximum length of a chat title, in characters.
inline constexpr int kMaxChatTitleLength = 200;

// A chat title as the list shows it: one line with runs of white space
// collapsed, cut to kMaxChatTitleLength characters. Empty stays empty.
QString normalizedChatTitle(const QString& title);

class ChatStore {
public:
    // Opens or creates the database at `path` and migrates it to the current
    // schema. A file that is not a SQLite database (or fails the integrity
    // check) is renamed to "<path>.corrupt-<UTC timestamp>" and a fresh
    // database is created, and recoveredFrom() then names the kept file. An
    // existing file that cannot be written, or whose folder cannot be, is
    // opened read-only (see readOnly()).
    // Throws StorageError and leaves the file untouched when a new file cannot
    // be created, SQLite fails or lacks FTS5, or the schema is newer than
    // this build's. It also throws when a read-only file needs an upgrade and
    // when the file is another program's database (tables, no schema version).
    explicit ChatStore(const QString& path);
    ~ChatStore();

    ChatStore(const ChatStore&) = delete;
    ChatStore& operator=(const ChatStore&) = delete;

    static constexpr int kSchemaVersion = 2;

    QString path() const { return path_; }
    // Path the broken database was moved to on open, or empty.
    QString recoveredFrom() const { return recoveredFrom_; }
    int schemaVersion() const;
    // True when the file could only be opened for reading (a read-only file
    // or folder); every write then throws StorageError saying so.
    bool readOnly() const;
    // The connection, for CompareStore's tables in the same file: every
    // write goes through this one connection, on the thread that owns it.
    sqlite3* connection() const { return db_; }

    // Chats, pinned first, then by last activity (newest first). Chats
    // marked deleted are left out.
    QList<ChatRecord> chats() const;
    ChatRecord chat(qint64 chatId) const;         // throws StorageError if missing
    qint64 createChat(const QString& title, const QString& modelPath = {});
    void renameChat(qint64 chatId, const QString& title);
    void setChatModel(qint64 chatId, const QString& modelPath);
    void setChatPinned(qint64 chatId, bool pinned);
    void setChatSystemPrompt(qint64 chatId, const QString& systemPrompt);
    void setChatSettings(qint64 chatId, const QString& settingsJson);

    // Deleting with undo: markChatDeleted() hides the chat, restoreChat()
    // brings it back, purgeDeletedChats() deletes the marked ones for good
    // (the app calls it when the undo time ends, on quit and at start).
    void markChatDeleted(qint64 chatId);
    void restoreChat(qint64 chatId);
    void purgeDeletedChats();
    // Deletes a chat and its messages for good. With secure_delete on, the
    // search index optimized and the WAL checkpointed, their text is gone
    // from the database files when this returns.
    void deleteChat(qint64 chatId);

    // Every message of a chat, all branches, oldest first.
    QList<MessageRecord> messages(qint64 chatId) const;
    // The branch on screen: from the first message to the chat's leaf, with
    // siblingIndex and siblingCount filled.
    QList<MessageRecord> activeBranch(qint64 chatId) const;
    MessageRecord message(qint64 messageId) const; // throws StorageError if missing
    // Adds a message after the chat's leaf and makes it the leaf.
    qint64 appendMessage(qint64 chatId, const QString& role, const QString& content, bool complete = true);
    // Adds a message under `parentId` (0: a first message), beside any that
    // are there already, and makes it the leaf: regenerate and edit use this.
    qint64 addMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& content,
                      bool complete = true);
    // Replaces the text of a streaming message; `complete` marks it finished.
    void updateMessage(qint64 messageId, const QString& content, bool complete);
    // Saves a finished reply's token count and speed.
    void setMessageStats(qint64 messageId, int tokenCount, double tokensPerSecond);
    // Shows the branch through `messageId`: the leaf becomes the newest
    // message below it (following the newest child at each step).
    void selectBranch(qint64 messageId);
    // Deletes a message and everything below it. When the leaf was among
    // them, the branch moves to a remaining sibling, or else to the parent.
    void deleteMessage(qint64 messageId);

    // Creates a chat with `messages` in one transaction, for importing a
    // file, and returns its id. `messages` come parents first, with the
    // file's ids, parent ids and times, and get new ids. `chat.leafMessageId`
    // is a file id too (0 for the last message).
    qint64 importChat(const ChatRecord& chat, const QList<MessageRecord>& messages);

    // Full-text search (FTS5) over every message of every chat that is not
    // marked deleted, best match first. `query` is what the user typed:
    // words, matched as prefixes, all of them required.
    QList<SearchHit> search(const QString& query, int limit = 50) const;

    // Test hook: limits the database to `pages` pages, so that the next
    // writes fail with SQLITE_FULL as on a full disk. 0 lifts the limit.
    void setMaxPageCountForTesting(int pages);

private:
    void open();
    void migrate();

    QString path_;
    QString recoveredFrom_;
    sqlite3* db_ = nullptr;
};

} // namespace quanta

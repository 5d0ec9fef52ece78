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
};

struct MessageRecord {
    qint64 id = 0;
    qint64 chatId = 0;
    QString role;             // "system", "user" or "assistant"
    QString content;
    bool complete = true;     // false while an assistant reply is streaming
    QDateTime createdAt;      // UTC
};

class ChatStore {
public:
    // Opens or creates the database at `path` and migrates it to the current
    // schema. A file that is not a SQLite database (or fails the integrity
    // check) is renamed to "<path>.corrupt-<UTC timestamp>" and a fresh
    // database is created, and recoveredFrom() then names the kept file.
    // Throws StorageError, leaving the file untouched, when the folder is not
    // writable, SQLite fails, the schema is newer than this build's, or the
    // file is another program's database (tables but no schema version).
    explicit ChatStore(const QString& path);
    ~ChatStore();

    ChatStore(const ChatStore&) = delete;
    ChatStore& operator=(const ChatStore&) = delete;

    static constexpr int kSchemaVersion = 1;

    QString path() const { return path_; }
    // Path the broken database was moved to on open, or empty.
    QString recoveredFrom() const { return recoveredFrom_; }
    int schemaVersion() const;

    QList<ChatRecord> chats() const;              // newest activity first
    ChatRecord chat(qint64 chatId) const;         // throws StorageError if missing
    qint64 createChat(const QString& title, const QString& modelPath = {});
    void renameChat(qint64 chatId, const QString& title);
    void setChatModel(qint64 chatId, const QString& modelPath);
    void deleteChat(qint64 chatId);               // deletes its messages too

    QList<MessageRecord> messages(qint64 chatId) const; // oldest first
    qint64 appendMessage(qint64 chatId, const QString& role, const QString& content, bool complete = true);
    // Replaces the text of a streaming message; `complete` marks it finished.
    void updateMessage(qint64 messageId, const QString& content, bool complete);
    void deleteMessage(qint64 messageId);

private:
    void open();
    void migrate();

    QString path_;
    QString recoveredFrom_;
    sqlite3* db_ = nullptr;
};

} // namespace quanta

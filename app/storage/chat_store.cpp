#include "storage/chat_store.h"

#include "logging/log_categories.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <iterator>

namespace quanta {

namespace {

// How long a statement waits for a lock held by another connection (another
// Quanta instance on the same file) before it fails with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

const QString kInMemoryPath = QStringLiteral(":memory:");

// One schema upgrade step: the SQL that takes the database from version
// `toVersion - 1` to `toVersion`. Steps are append-only: a released step is
// never edited, a change to the schema is a new step.
struct Migration {
    int toVersion;
    const char* sql;
};

// Timestamps are INTEGER milliseconds since the Unix epoch, UTC.
constexpr Migration kMigrations[] = {
    {1, R"sql(
        CREATE TABLE chats (
            id          INTEGER PRIMARY KEY,
            title       TEXT    NOT NULL,
            model_path  TEXT    NOT NULL DEFAULT '',
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        );
        CREATE TABLE messages (
            id          INTEGER PRIMARY KEY,
            chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            role        TEXT    NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content     TEXT    NOT NULL,
            complete    INTEGER NOT NULL DEFAULT 1,
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX messages_by_chat ON messages(chat_id, id);
    )sql"},
};

static_assert(std::size(kMigrations) == ChatStore::kSchemaVersion,
              "every schema version needs exactly one migration step");

QString sqliteMessage(sqlite3* db)
{
    return QString::fromUtf8(db != nullptr ? sqlite3_errmsg(db) : "out of memory");
}

[[noreturn]] void throwStorageError(const QString& message)
{
    throw StorageError(message.toStdString());
}

// Throws StorageError naming the file, what was being done and SQLite's text.
[[noreturn]] void throwSqliteError(sqlite3* db, const QString& path, const char* action)
{
    throwStorageError(QStringLiteral("Chat database %1: %2 failed: %3")
                          .arg(QDir::toNativeSeparators(path), QString::fromUtf8(action), sqliteMessage(db)));
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

// A prepared statement that finalizes itself. Errors throw StorageError with
// the database's file name.
class Statement {
public:
    Statement(sqlite3* db, const QString& path, const char* sql)
        : db_(db), path_(path)
    {
        if (sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throwSqliteError(db_, path_, "preparing a statement");
    }
    ~Statement() { sqlite3_finalize(stmt_); }

    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int index, qint64 value) { check(sqlite3_bind_int64(stmt_, index, value)); }
    void bind(int index, const QString& value)
    {
        const QByteArray utf8 = value.toUtf8();
        check(sqlite3_bind_text(stmt_, index, utf8.constData(), static_cast<int>(utf8.size()), SQLITE_TRANSIENT));
    }

    // Returns true while there is a row to read, false when done.
    bool step(const char* action)
    {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        throwSqliteError(db_, path_, action);
    }

    qint64 int64(int column) const { return sqlite3_column_int64(stmt_, column); }
    QString text(int column) const
    {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
        const int size = sqlite3_column_bytes(stmt_, column);
        return QString::fromUtf8(data, size);
    }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK)
            throwSqliteError(db_, path_, "binding a value");
    }

    sqlite3* db_;
    QString path_;
    sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const QString& path, const char* sql, const char* action)
{
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        throwSqliteError(db, path, action);
}

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it throws.
template <typename Body>
void inTransaction(sqlite3* db, const QString& path, const char* action, Body&& body)
{
    exec(db, path, "BEGIN IMMEDIATE", action);
    try {
        body();
        exec(db, path, "COMMIT", action);
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

bool isCorruptionCode(int code)
{
    const int primary = code & 0xff;
    return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

// The outcome of reading a freshly opened database once.
enum class Health { Ok, NotADatabase };

// Reads the schema and runs a quick integrity check, so that a file that is
// not a database, or a damaged one, is found at open time and not on the
// first write. Other failures (I/O, locks) throw: they are not the file's
// fault and must not cause the file to be moved aside.
Health checkHealth(sqlite3* db, const QString& path, QString* problem)
{
    // Step 1: read page 1 and the schema.
    const int rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        if (isCorruptionCode(sqlite3_extended_errcode(db))) {
            *problem = sqliteMessage(db);
            return Health::NotADatabase;
        }
        throwSqliteError(db, path, "reading the schema");
    }

    // Step 2: PRAGMA quick_check returns the single row "ok" for a sound file.
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, nullptr) != SQLITE_OK) {
        if (isCorruptionCode(sqlite3_extended_errcode(db))) {
            *problem = sqliteMessage(db);
            return Health::NotADatabase;
        }
        throwSqliteError(db, path, "checking integrity");
    }
    const int stepRc = sqlite3_step(stmt);
    QString result;
    if (stepRc == SQLITE_ROW)
        result = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    const int errcode = sqlite3_extended_errcode(db);
    sqlite3_finalize(stmt);
    if (stepRc != SQLITE_ROW) {
        if (isCorruptionCode(errcode)) {
            *problem = sqliteMessage(db);
            return Health::NotADatabase;
        }
        throwSqliteError(db, path, "checking integrity");
    }
    if (result != QLatin1String("ok")) {
        *problem = QStringLiteral("integrity check failed: %1").arg(result);
        return Health::NotADatabase;
    }
    return Health::Ok;
}

// Picks "<path>.corrupt-<UTC timestamp>", adding "-2", "-3", ... when a file
// of that name exists already.
QString corruptFileName(const QString& path)
{
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString base = QStringLiteral("%1.corrupt-%2").arg(path, stamp);
    QString candidate = base;
    for (int n = 2; QFileInfo::exists(candidate); ++n)
        candidate = QStringLiteral("%1-%2").arg(base).arg(n);
    return candidate;
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
    // Step 1: make sure the folder exists, so the error below is about
    // permissions when it fails.
    const bool inMemory = (path_ == kInMemoryPath);
    if (!inMemory)
        QDir().mkpath(QFileInfo(path_).absolutePath());

    // Step 2: open (or create) the file and check that it is a database. A
    // file that is not one is moved aside once, then a new one is created.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const QByteArray nativePath = inMemory ? path_.toUtf8() : QFile::encodeName(path_);
        const int rc = sqlite3_open_v2(nativePath.constData(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
        if (rc != SQLITE_OK) {
            const QString message = sqliteMessage(db_);
            sqlite3_close(db_);
            db_ = nullptr;
            throwStorageError(QStringLiteral("Cannot open chat database %1: %2. Check that the folder exists and is "
                                             "writable.")
                                  .arg(QDir::toNativeSeparators(path_), message));
        }
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, kBusyTimeoutMs);

        QString problem;
        Health health = Health::Ok;
        try {
            health = checkHealth(db_, path_, &problem);
        } catch (...) {
            sqlite3_close(db_);
            db_ = nullptr;
            throw;
        }
        if (health == Health::Ok)
            break;

        sqlite3_close(db_);
        db_ = nullptr;
        if (attempt > 0 || inMemory)
            throwStorageError(QStringLiteral("Chat database %1 is damaged (%2) and a new one could not be created.")
                                  .arg(QDir::toNativeSeparators(path_), problem));

        // Keep the broken file, with its WAL and shared-memory files, under a
        // new name: the user may still want to recover chats from it.
        const QString keptPath = corruptFileName(path_);
        if (!QFile::rename(path_, keptPath))
            throwStorageError(QStringLiteral("Chat database %1 is not a valid SQLite database (%2), and moving it to %3 "
                                             "failed. Move or delete the file and start again.")
                                  .arg(QDir::toNativeSeparators(path_), problem, QDir::toNativeSeparators(keptPath)));
        for (const char* suffix : {"-wal", "-shm"}) {
            const QString sidecar = path_ + QLatin1String(suffix);
            if (QFileInfo::exists(sidecar))
                QFile::rename(sidecar, keptPath + QLatin1String(suffix));
        }
        qCWarning(lcStorage).noquote() << "Chat database" << QDir::toNativeSeparators(path_)
                                       << "is not a valid SQLite database (" << problem << "); moved it to"
                                       << QDir::toNativeSeparators(keptPath) << "and created a new one";
        recoveredFrom_ = keptPath;
    }

    // Step 3: connection settings. WAL keeps the file consistent if the app
    // dies mid-write and lets readers run beside the writer.
    try {
        exec(db_, path_, "PRAGMA foreign_keys = ON", "enabling foreign keys");
        if (!inMemory) {
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
    // Step 1: find the file's version. 0 is a new, empty file.
    const int current = schemaVersion();
    if (current > kSchemaVersion)
        throwStorageError(QStringLiteral("Chat database %1 has schema version %2, but this version of Quanta only "
                                         "knows versions up to %3. Update Quanta, or move the file away to start "
                                         "with an empty chat list.")
                              .arg(QDir::toNativeSeparators(path_))
                              .arg(current)
                              .arg(kSchemaVersion));

    // Step 2: version 0 must also be empty. A file with other tables is some
    // other program's database, and adding ours would change it.
    if (current == 0) {
        Statement tables(db_, path_, "SELECT count(*) FROM sqlite_schema");
        tables.step("reading the schema");
        if (tables.int64(0) > 0)
            throwStorageError(QStringLiteral("%1 is a SQLite database of another program (it has tables but no "
                                             "Quanta schema version). Choose another file with --database.")
                                  .arg(QDir::toNativeSeparators(path_)));
    }

    // Step 3: apply each missing step in its own transaction, so a failure
    // leaves the file at the last complete version.
    for (const Migration& step : kMigrations) {
        if (step.toVersion <= current)
            continue;
        inTransaction(db_, path_, "upgrading the schema", [&] {
            exec(db_, path_, step.sql, "upgrading the schema");
            const QByteArray setVersion = QByteArrayLiteral("PRAGMA user_version = ") + QByteArray::number(step.toVersion);
            exec(db_, path_, setVersion.constData(), "upgrading the schema");
        });
        qCInfo(lcStorage).noquote() << "Chat database" << QDir::toNativeSeparators(path_)
                                    << (current == 0 ? "created with schema version" : "upgraded to schema version")
                                    << step.toVersion;
    }
}

int ChatStore::schemaVersion() const
{
    Statement query(db_, path_, "PRAGMA user_version");
    query.step("reading the schema version");
    return static_cast<int>(query.int64(0));
}

QList<ChatRecord> ChatStore::chats() const
{
    Statement query(db_, path_,
                    "SELECT id, title, model_path, created_at, updated_at FROM chats "
                    "ORDER BY updated_at DESC, id DESC");
    QList<ChatRecord> result;
    while (query.step("reading the chat list")) {
        ChatRecord chat;
        chat.id = query.int64(0);
        chat.title = query.text(1);
        chat.modelPath = query.text(2);
        chat.createdAt = fromMs(query.int64(3));
        chat.updatedAt = fromMs(query.int64(4));
        result.append(chat);
    }
    return result;
}

ChatRecord ChatStore::chat(qint64 chatId) const
{
    Statement query(db_, path_, "SELECT id, title, model_path, created_at, updated_at FROM chats WHERE id = ?");
    query.bind(1, chatId);
    if (!query.step("reading a chat"))
        throwStorageError(QStringLiteral("Chat database %1: chat %2 not found.").arg(QDir::toNativeSeparators(path_)).arg(chatId));
    ChatRecord chat;
    chat.id = query.int64(0);
    chat.title = query.text(1);
    chat.modelPath = query.text(2);
    chat.createdAt = fromMs(query.int64(3));
    chat.updatedAt = fromMs(query.int64(4));
    return chat;
}

qint64 ChatStore::createChat(const QString& title, const QString& modelPath)
{
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
    Statement update(db_, path_, "UPDATE chats SET title = ? WHERE id = ?");
    update.bind(1, title);
    update.bind(2, chatId);
    update.step("renaming a chat");
    if (sqlite3_changes(db_) == 0)
        throwStorageError(QStringLiteral("Chat database %1: chat %2 not found.").arg(QDir::toNativeSeparators(path_)).arg(chatId));
}

void ChatStore::setChatModel(qint64 chatId, const QString& modelPath)
{
    Statement update(db_, path_, "UPDATE chats SET model_path = ? WHERE id = ?");
    update.bind(1, modelPath);
    update.bind(2, chatId);
    update.step("saving the chat's model");
    if (sqlite3_changes(db_) == 0)
        throwStorageError(QStringLiteral("Chat database %1: chat %2 not found.").arg(QDir::toNativeSeparators(path_)).arg(chatId));
}

void ChatStore::deleteChat(qint64 chatId)
{
    // The messages go with it through ON DELETE CASCADE.
    Statement remove(db_, path_, "DELETE FROM chats WHERE id = ?");
    remove.bind(1, chatId);
    remove.step("deleting a chat");
}

QList<MessageRecord> ChatStore::messages(qint64 chatId) const
{
    Statement query(db_, path_,
                    "SELECT id, chat_id, role, content, complete, created_at FROM messages "
                    "WHERE chat_id = ? ORDER BY id");
    query.bind(1, chatId);
    QList<MessageRecord> result;
    while (query.step("reading messages")) {
        MessageRecord message;
        message.id = query.int64(0);
        message.chatId = query.int64(1);
        message.role = query.text(2);
        message.content = query.text(3);
        message.complete = query.int64(4) != 0;
        message.createdAt = fromMs(query.int64(5));
        result.append(message);
    }
    return result;
}

qint64 ChatStore::appendMessage(qint64 chatId, const QString& role, const QString& content, bool complete)
{
    qint64 messageId = 0;
    inTransaction(db_, path_, "saving a message", [&] {
        const qint64 now = nowMs();

        // Insert the message; the foreign key rejects an unknown chat.
        Statement insert(db_, path_,
                         "INSERT INTO messages (chat_id, role, content, complete, created_at) VALUES (?, ?, ?, ?, ?)");
        insert.bind(1, chatId);
        insert.bind(2, role);
        insert.bind(3, content);
        insert.bind(4, complete ? 1 : 0);
        insert.bind(5, now);
        insert.step("saving a message");
        messageId = sqlite3_last_insert_rowid(db_);

        // Move the chat to the top of the list.
        Statement touch(db_, path_, "UPDATE chats SET updated_at = ? WHERE id = ?");
        touch.bind(1, now);
        touch.bind(2, chatId);
        touch.step("saving a message");
    });
    return messageId;
}

void ChatStore::updateMessage(qint64 messageId, const QString& content, bool complete)
{
    Statement update(db_, path_, "UPDATE messages SET content = ?, complete = ? WHERE id = ?");
    update.bind(1, content);
    update.bind(2, complete ? 1 : 0);
    update.bind(3, messageId);
    update.step("saving a reply");
    if (sqlite3_changes(db_) == 0)
        throwStorageError(QStringLiteral("Chat database %1: message %2 not found.").arg(QDir::toNativeSeparators(path_)).arg(messageId));
}

void ChatStore::deleteMessage(qint64 messageId)
{
    Statement remove(db_, path_, "DELETE FROM messages WHERE id = ?");
    remove.bind(1, messageId);
    remove.step("deleting a message");
}

} // namespace quanta

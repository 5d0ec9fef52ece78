#include "storage/chat_schema.h"

#include "logging/log_categories.h"
#include "storage/chat_store.h"
#include "storage/sqlite_statement.h"

#include <QDir>

#include <sqlite3.h>

#include <iterator>

namespace quanta::chat_schema {

namespace {

using sql::exec;
using sql::Statement;
using sql::throwStorageError;

// One schema upgrade step: the SQL that takes the database from version
// `toVersion - 1` to `toVersion`. Steps are append-only: a released step is
// never edited, a change to the schema is a new step. "{tokenizer}" in a
// step is replaced by the FTS5 tokenizer this SQLite offers.
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

    // Version 2: message trees (a parent per message, a leaf per chat),
    // per-chat settings, pinning, deletion with undo, token statistics and
    // full-text search. A parent always has a smaller id than its children,
    // and the backfill keeps that: version 1 chats become one branch, each
    // message under the one before it. settings is a JSON object as text,
    // empty for the app's defaults; deleted_at is NULL for a live chat.
    // leaf_message_id has no foreign key, because ChatStore moves it in the
    // same transaction as every message it deletes.
    {2, R"sql(
        ALTER TABLE chats ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE chats ADD COLUMN system_prompt TEXT NOT NULL DEFAULT '';
        ALTER TABLE chats ADD COLUMN settings TEXT NOT NULL DEFAULT '';
        ALTER TABLE chats ADD COLUMN leaf_message_id INTEGER;
        ALTER TABLE chats ADD COLUMN deleted_at INTEGER;
        ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE;
        ALTER TABLE messages ADD COLUMN token_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN tokens_per_second REAL NOT NULL DEFAULT 0;

        UPDATE messages SET parent_id = (
            SELECT max(previous.id) FROM messages AS previous
            WHERE previous.chat_id = messages.chat_id AND previous.id < messages.id);
        UPDATE chats SET leaf_message_id = (SELECT max(m.id) FROM messages AS m WHERE m.chat_id = chats.id);

        CREATE INDEX messages_children ON messages(chat_id, parent_id, id);
        CREATE INDEX messages_by_parent ON messages(parent_id);

        CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, content = 'messages', content_rowid = 'id', tokenize = '{tokenizer}');
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
            INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
        END;
        INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
    )sql"},
};

static_assert(std::size(kMigrations) == ChatStore::kSchemaVersion,
              "every schema version needs exactly one migration step");

const char* tokenizerName(Tokenizer tokenizer)
{
    return tokenizer == Tokenizer::Trigram ? "trigram" : "unicode61";
}

// Creates and drops a throwaway FTS5 table in the connection's temp schema,
// which works on a read-only file too.
bool canCreateFtsTable(sqlite3* db, const char* tokenizer)
{
    const QByteArray create = QByteArrayLiteral("CREATE VIRTUAL TABLE temp.quanta_fts_probe USING fts5(x, tokenize = '")
                              + tokenizer + QByteArrayLiteral("')");
    if (sqlite3_exec(db, create.constData(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return false;
    sqlite3_exec(db, "DROP TABLE temp.quanta_fts_probe", nullptr, nullptr, nullptr);
    return true;
}

} // namespace

Tokenizer availableTokenizer(sqlite3* db, const QString& path)
{
    if (!canCreateFtsTable(db, "unicode61"))
        throwStorageError(QStringLiteral("Chat database %1 cannot be opened: the SQLite library %2 has no FTS5 "
                                         "full-text search module (%3), which Quanta needs to search chats. Install "
                                         "a SQLite built with FTS5, as Debian's libsqlite3-0 is.")
                              .arg(QDir::toNativeSeparators(path), QString::fromUtf8(sqlite3_libversion()),
                                   QString::fromUtf8(sqlite3_errmsg(db))));
    return canCreateFtsTable(db, "trigram") ? Tokenizer::Trigram : Tokenizer::Unicode61;
}

Tokenizer tableTokenizer(sqlite3* db, const QString& path, Tokenizer fallback)
{
    Statement query(db, path, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'messages_fts'");
    if (!query.step("reading the search table"))
        return fallback;
    return query.text(0).contains(QLatin1String("trigram")) ? Tokenizer::Trigram : Tokenizer::Unicode61;
}

int schemaVersion(sqlite3* db, const QString& path)
{
    return static_cast<int>(sql::queryInteger(db, path, "PRAGMA user_version", "reading the schema version"));
}

void migrate(sqlite3* db, const QString& path, bool readOnly, Tokenizer tokenizer)
{
    const QString nativePath = QDir::toNativeSeparators(path);

    // Step 1: find the file's version. 0 is a new, empty file.
    const int current = schemaVersion(db, path);
    if (current > ChatStore::kSchemaVersion)
        throwStorageError(QStringLiteral("Chat database %1 has schema version %2, but this version of Quanta only "
                                         "knows versions up to %3. Update Quanta, or move the file away to start "
                                         "with an empty chat list.")
                              .arg(nativePath)
                              .arg(current)
                              .arg(ChatStore::kSchemaVersion));

    // Step 2: version 0 must also be empty. A file with other tables is some
    // other program's database, and adding ours would change it.
    if (current == 0) {
        Statement tables(db, path, "SELECT count(*) FROM sqlite_schema");
        tables.step("reading the schema");
        if (tables.int64(0) > 0)
            throwStorageError(QStringLiteral("%1 is a SQLite database of another program (it has tables but no "
                                             "Quanta schema version). Choose another file with --database.")
                                  .arg(nativePath));
    }

    // Step 3: a read-only file can be read only when it is current.
    if (current < ChatStore::kSchemaVersion && readOnly) {
        if (current == 0)
            throwStorageError(QStringLiteral("Chat database %1 is empty and read-only, so Quanta cannot create its "
                                             "tables. Make the file and its folder writable, or choose another file "
                                             "with --database.")
                                  .arg(nativePath));
        throwStorageError(QStringLiteral("Chat database %1 has schema version %2 and must be upgraded to version %3, "
                                         "but it is read-only. Make the file and its folder writable and start "
                                         "Quanta again; the upgrade keeps every chat.")
                              .arg(nativePath)
                              .arg(current)
                              .arg(ChatStore::kSchemaVersion));
    }

    // Step 4: apply each missing step in its own transaction, so a failure
    // leaves the file at the last complete version.
    for (const Migration& step : kMigrations) {
        if (step.toVersion <= current)
            continue;
        QByteArray stepSql(step.sql);
        stepSql.replace("{tokenizer}", tokenizerName(tokenizer));
        sql::inTransaction(db, path, "upgrading the schema", [&] {
            exec(db, path, stepSql.constData(), "upgrading the schema");
            const QByteArray setVersion = QByteArrayLiteral("PRAGMA user_version = ") + QByteArray::number(step.toVersion);
            exec(db, path, setVersion.constData(), "upgrading the schema");
        });
        if (current > 0)
            qCInfo(lcStorage).noquote() << "Chat database" << nativePath << "upgraded to schema version"
                                        << step.toVersion;
    }
    if (current == 0)
        qCInfo(lcStorage).noquote() << "Chat database" << nativePath << "created with schema version"
                                    << ChatStore::kSchemaVersion;
}

} // namespace quanta::chat_schema

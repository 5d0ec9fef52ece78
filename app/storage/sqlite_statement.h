// Small RAII layer over the sqlite3 C API for the chat database: prepared
// statements, transactions and errors that name the file.
#pragma once

#include "storage/chat_store.h"

#include <QString>

#include <optional>

struct sqlite3;
struct sqlite3_stmt;

namespace quanta::sql {

[[noreturn]] void throwStorageError(const QString& message);

// Throws StorageError naming the file, the action and SQLite's error text.
// For SQLITE_READONLY and SQLITE_FULL the message also names the fix.
[[noreturn]] void throwSqliteError(sqlite3* db, const QString& path, const char* action);

// Throws the read-only StorageError for `action`, without asking SQLite.
[[noreturn]] void throwReadOnly(const QString& path, const char* action);

// A prepared statement that finalizes itself. Errors throw StorageError.
class Statement {
public:
    Statement(sqlite3* db, const QString& path, const char* sql);
    ~Statement();

    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int index, qint64 value);
    void bind(int index, double value);
    void bind(int index, const QString& value);
    void bindNull(int index);
    // Binds `value`, or NULL when it is 0 (the API's "no message" id).
    void bindIdOrNull(int index, qint64 value);
    // Binds the value, or NULL when there is none.
    void bind(int index, const std::optional<qint64>& value);
    void bind(int index, const std::optional<double>& value);

    // Returns true while there is a row to read, false when done.
    bool step(const char* action);
    // Makes the statement ready to run again; bindings stay.
    void reset();

    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    // The column's value, or none when it is NULL.
    std::optional<qint64> optionalInt64(int column) const;
    std::optional<double> optionalDouble(int column) const;

private:
    sqlite3* db_;
    QString path_;
    sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const QString& path, const char* sql, const char* action);

// Runs one query that returns one integer.
qint64 queryInteger(sqlite3* db, const QString& path, const char* sql, const char* action);

// Rolls back the open transaction, if any; SQLite may have rolled it back
// already after SQLITE_FULL.
void rollback(sqlite3* db);

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it throws.
template <typename Body>
void inTransaction(sqlite3* db, const QString& path, const char* action, Body&& body)
{
    exec(db, path, "BEGIN IMMEDIATE", action);
    try {
        body();
        exec(db, path, "COMMIT", action);
    } catch (...) {
        rollback(db);
        throw;
    }
}

} // namespace quanta::sql

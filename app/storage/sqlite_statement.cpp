#include "storage/sqlite_statement.h"

#include <QDir>

#include <sqlite3.h>

namespace quanta::sql {

void throwStorageError(const QString& message)
{
    throw StorageError(message.toStdString());
}

void throwReadOnly(const QString& path, const char* action)
{
    throwStorageError(QStringLiteral("Chat database %1 is read-only, so %2 failed. Your chats can be read but "
                                     "nothing new is saved. Make the file and its folder writable, then restart "
                                     "Quanta.")
                          .arg(QDir::toNativeSeparators(path), QString::fromUtf8(action)));
}

void throwSqliteError(sqlite3* db, const QString& path, const char* action)
{
    const int primary = db != nullptr ? (sqlite3_extended_errcode(db) & 0xff) : SQLITE_NOMEM;
    if (primary == SQLITE_READONLY)
        throwReadOnly(path, action);
    if (primary == SQLITE_FULL)
        throwStorageError(QStringLiteral("Chat database %1: %2 failed because the disk is full. The chat stays "
                                         "open, but it is not saved until there is free space on the disk.")
                              .arg(QDir::toNativeSeparators(path), QString::fromUtf8(action)));
    const QString sqliteText = QString::fromUtf8(db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    throwStorageError(QStringLiteral("Chat database %1: %2 failed: %3")
                          .arg(QDir::toNativeSeparators(path), QString::fromUtf8(action), sqliteText));
}

Statement::Statement(sqlite3* db, const QString& path, const char* sql)
    : db_(db), path_(path)
{
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr) != SQLITE_OK)
        throwSqliteError(db_, path_, "preparing a statement");
}

Statement::~Statement()
{
    sqlite3_finalize(stmt_);
}

void Statement::bind(int index, qint64 value)
{
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
        throwSqliteError(db_, path_, "binding a value");
}

void Statement::bind(int index, double value)
{
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK)
        throwSqliteError(db_, path_, "binding a value");
}

void Statement::bind(int index, const QString& value)
{
    const QByteArray utf8 = value.toUtf8();
    if (sqlite3_bind_text64(stmt_, index, utf8.constData(), static_cast<sqlite3_uint64>(utf8.size()),
                            SQLITE_TRANSIENT, SQLITE_UTF8)
        != SQLITE_OK)
        throwSqliteError(db_, path_, "binding a value");
}

void Statement::bindNull(int index)
{
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
        throwSqliteError(db_, path_, "binding a value");
}

void Statement::bindIdOrNull(int index, qint64 value)
{
    if (value == 0)
        bindNull(index);
    else
        bind(index, value);
}

bool Statement::step(const char* action)
{
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    throwSqliteError(db_, path_, action);
}

void Statement::reset()
{
    // The error of a failed step was thrown already; reset repeats it.
    sqlite3_reset(stmt_);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(stmt_, column);
}

void Statement::bind(int index, const std::optional<qint64>& value)
{
    if (value)
        bind(index, *value);
    else
        bindNull(index);
}

void Statement::bind(int index, const std::optional<double>& value)
{
    if (value)
        bind(index, *value);
    else
        bindNull(index);
}

std::optional<qint64> Statement::optionalInt64(int column) const
{
    return isNull(column) ? std::nullopt : std::optional<qint64>(int64(column));
}

std::optional<double> Statement::optionalDouble(int column) const
{
    return isNull(column) ? std::nullopt : std::optional<double>(real(column));
}

double Statement::real(int column) const
{
    return sqlite3_column_double(stmt_, column);
}

QString Statement::text(int column) const
{
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(stmt_, column));
}

void exec(sqlite3* db, const QString& path, const char* sql, const char* action)
{
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        throwSqliteError(db, path, action);
}

qint64 queryInteger(sqlite3* db, const QString& path, const char* sql, const char* action)
{
    Statement query(db, path, sql);
    if (!query.step(action))
        return 0;
    return query.int64(0);
}

void rollback(sqlite3* db)
{
    if (sqlite3_get_autocommit(db) == 0)
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

} // namespace quanta::sql

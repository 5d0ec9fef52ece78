#include "storage/chat_file.h"

#include "logging/log_categories.h"
#include "storage/sqlite_statement.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

namespace quanta::chat_file {

namespace {

using sql::throwStorageError;

// How long a statement waits for a lock held by another connection (another
// Quanta instance on the same file) before it fails with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

const QString kInMemoryPath = QStringLiteral(":memory:");

QString sqliteMessage(sqlite3* db)
{
    return QString::fromUtf8(db != nullptr ? sqlite3_errmsg(db) : "out of memory");
}

// Whether this thread may write `path`, with its effective user and
// capabilities: access() would ask about the real user, and root passes it.
bool isWritable(const QString& path)
{
    return ::faccessat(AT_FDCWD, QFile::encodeName(path).constData(), W_OK, AT_EACCESS) == 0;
}

bool isCorruptionCode(int code)
{
    const int primary = code & 0xff;
    return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

// The outcome of reading a freshly opened database once.
enum class Health { Ok, NotADatabase, CannotOpenSideFiles };

// Reads the schema and runs a quick integrity check, so that a file that is
// not a database, or a damaged one, is found at open time and not on the
// first write. Other failures (I/O, locks) throw: they are not the file's
// fault and must not cause the file to be moved aside.
Health checkHealth(sqlite3* db, const QString& path, QString* problem)
{
    // Step 1: read page 1 and the schema. A read-only WAL database whose
    // folder is read-only too fails here, because its -shm file cannot be
    // created.
    const int rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        const int code = sqlite3_extended_errcode(db);
        if (isCorruptionCode(code)) {
            *problem = sqliteMessage(db);
            return Health::NotADatabase;
        }
        const int primary = code & 0xff;
        if ((primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) && sqlite3_db_readonly(db, "main") == 1) {
            *problem = sqliteMessage(db);
            return Health::CannotOpenSideFiles;
        }
        sql::throwSqliteError(db, path, "reading the schema");
    }

    // Step 2: PRAGMA quick_check returns the single row "ok" for a sound file.
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, nullptr) != SQLITE_OK) {
        if (isCorruptionCode(sqlite3_extended_errcode(db))) {
            *problem = sqliteMessage(db);
            return Health::NotADatabase;
        }
        sql::throwSqliteError(db, path, "checking integrity");
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
        sql::throwSqliteError(db, path, "checking integrity");
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

// How to open the file: for writing (created when missing), for reading, or
// as immutable, which reads a WAL database without its -shm file. Immutable
// is only safe when there is no -wal file with newer pages and no one writes.
enum class OpenMode { ReadWrite, ReadOnly, Immutable };

sqlite3* openConnection(const QString& path, bool inMemory, OpenMode mode)
{
    QByteArray name = inMemory ? path.toUtf8() : QFile::encodeName(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (mode != OpenMode::ReadWrite)
        flags = SQLITE_OPEN_READONLY;
    if (mode == OpenMode::Immutable) {
        name = QByteArrayLiteral("file:") + QUrl::toPercentEncoding(QFileInfo(path).absoluteFilePath(), "/")
               + QByteArrayLiteral("?immutable=1");
        flags |= SQLITE_OPEN_URI;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(name.constData(), &db, flags, nullptr) != SQLITE_OK) {
        const QString message = sqliteMessage(db);
        sqlite3_close(db);
        throwStorageError(QStringLiteral("Cannot open chat database %1: %2. Check that the folder exists and is "
                                         "writable.")
                              .arg(QDir::toNativeSeparators(path), message));
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    return db;
}

} // namespace

OpenedFile open(const QString& path)
{
    OpenedFile file;

    // Step 1: make sure the folder exists, so the error below is about
    // permissions when it fails.
    const bool inMemory = (path == kInMemoryPath);
    if (!inMemory)
        QDir().mkpath(QFileInfo(path).absolutePath());

    // Step 2: an existing file that this process cannot write, or whose
    // folder it cannot write (SQLite creates its journal there), is opened
    // for reading, so the user can still read the chats.
    OpenMode mode = OpenMode::ReadWrite;
    if (!inMemory && QFileInfo::exists(path)
        && (!isWritable(path) || !isWritable(QFileInfo(path).absolutePath())))
        mode = OpenMode::ReadOnly;

    // Step 3: open the file and check that it is a database. A file that is
    // not one is moved aside once, then a new one is created.
    for (int attempt = 0; attempt < 3; ++attempt) {
        file.db = openConnection(path, inMemory, mode);

        QString problem;
        Health health = Health::Ok;
        try {
            health = checkHealth(file.db, path, &problem);
        } catch (...) {
            sqlite3_close(file.db);
            file.db = nullptr;
            throw;
        }
        if (health == Health::Ok)
            break;

        sqlite3_close(file.db);
        file.db = nullptr;
        if (health == Health::CannotOpenSideFiles) {
            // A read-only WAL database in a read-only folder: without a -wal
            // file every page is in the database file, so it can be read as
            // immutable.
            if (mode == OpenMode::ReadOnly && !QFileInfo::exists(path + QLatin1String("-wal"))) {
                mode = OpenMode::Immutable;
                continue;
            }
            throwStorageError(QStringLiteral("Cannot open chat database %1: it is read-only, and SQLite cannot "
                                             "read its write-ahead log without creating %2-shm (%3). Make the "
                                             "folder writable.")
                                  .arg(QDir::toNativeSeparators(path), QFileInfo(path).fileName(), problem));
        }
        if (!file.recoveredFrom.isEmpty() || inMemory)
            throwStorageError(QStringLiteral("Chat database %1 is damaged (%2) and a new one could not be created.")
                                  .arg(QDir::toNativeSeparators(path), problem));

        // Keep the broken file, with its WAL and shared-memory files, under a
        // new name: the user may still want to recover chats from it.
        const QString keptPath = corruptFileName(path);
        if (!QFile::rename(path, keptPath))
            throwStorageError(QStringLiteral("Chat database %1 is not a valid SQLite database (%2), and moving it to %3 "
                                             "failed. Move or delete the file and start again.")
                                  .arg(QDir::toNativeSeparators(path), problem, QDir::toNativeSeparators(keptPath)));
        for (const char* suffix : {"-wal", "-shm"}) {
            const QString sidecar = path + QLatin1String(suffix);
            if (QFileInfo::exists(sidecar))
                QFile::rename(sidecar, keptPath + QLatin1String(suffix));
        }
        qCWarning(lcStorage).noquote() << "Chat database" << QDir::toNativeSeparators(path)
                                       << "is not a valid SQLite database (" << problem << "); moved it to"
                                       << QDir::toNativeSeparators(keptPath) << "and created a new one";
        file.recoveredFrom = keptPath;
        mode = OpenMode::ReadWrite;
    }

    // Every way through the loop above ends in a break or a throw within
    // three attempts; this guards the invariant.
    if (file.db == nullptr)
        throwStorageError(QStringLiteral("Cannot open chat database %1.").arg(QDir::toNativeSeparators(path)));
    return file;
}

} // namespace quanta::chat_file

// Opening the chat database file: read-only when it cannot be written,
// and a file that is not a database kept aside and replaced.
#pragma once

#include <QString>

struct sqlite3;

namespace quanta::chat_file {

struct OpenedFile {
    sqlite3* db = nullptr;  // owned by the caller
    QString recoveredFrom;  // where a broken file was moved; empty if none
};

// Opens or creates the database at `path` (":memory:" for one in memory)
// and checks that it is a sound SQLite file. An existing file that this
// process cannot write, or whose folder it cannot write, is opened read-only
// (sqlite3_db_readonly() then returns 1). A file that is not a database, or
// fails the quick integrity check, is renamed to "<path>.corrupt-<UTC
// timestamp>" with its -wal and -shm files, and a new one is created.
// Throws StorageError naming the file when opening fails.
OpenedFile open(const QString& path);

} // namespace quanta::chat_file

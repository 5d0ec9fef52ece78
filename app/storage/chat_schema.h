// The chat database's schema: its upgrade steps, keyed by PRAGMA
// user_version, and the full-text search module it needs.
#pragma once

#include <QString>

struct sqlite3;

namespace quanta::chat_schema {

// The FTS5 tokenizer of the search table. Trigram (SQLite 3.34 and newer)
// matches any substring of 3 or more characters, so it also finds words in
// Chinese and Japanese text, which has no spaces. unicode61 splits text at
// spaces and punctuation only.
enum class Tokenizer { Trigram, Unicode61 };

// Checks that this SQLite has FTS5 and returns the best tokenizer it offers.
// Throws StorageError naming the file when FTS5 is missing.
Tokenizer availableTokenizer(sqlite3* db, const QString& path);

// The tokenizer the file's search table was created with; `fallback` when
// the table does not exist yet.
Tokenizer tableTokenizer(sqlite3* db, const QString& path, Tokenizer fallback);

int schemaVersion(sqlite3* db, const QString& path);

// Takes the file to the current schema, one transaction per step. New search
// tables use `tokenizer`. A read-only file that needs an upgrade, a newer
// schema and another program's database throw StorageError.
void migrate(sqlite3* db, const QString& path, bool readOnly, Tokenizer tokenizer);

} // namespace quanta::chat_schema

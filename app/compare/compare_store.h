// Saved comparisons, in their own tables of the chat database file (the
// sqlite3 C API, through ChatStore's connection, so every write to the file
// goes through one connection on one thread).
//
// The tables carry their own schema version in compare_schema, apart from
// the chat tables' PRAGMA user_version, so that either set can change
// without the other's upgrade steps. ChatStore opens, checks and creates the
// file first; this store then adds its tables to it.
#pragma once

#include "compare/compare_types.h"
#include "storage/chat_store.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

struct sqlite3;

namespace quanta {

// One line of the list of past comparisons.
struct ComparisonSummary {
    qint64 id = 0;
    QDateTime createdAt;          // UTC
    QString textName;
    int contextLength = 0;
    QStringList variantNames;     // in the order they ran
    bool cancelled = false;
};

class CompareStore {
public:
    // Creates or upgrades the comparison tables in `chats`'s database, which
    // must outlive this store. Throws StorageError naming the file when
    // SQLite fails (a read-only file without the tables, for one) or the
    // tables are newer than this build supports.
    explicit CompareStore(ChatStore& chats);
    // Keeps comparisons in an in-memory database of its own, for when the
    // chat database cannot take them; they are lost when the app closes.
    CompareStore();
    ~CompareStore();

    CompareStore(const CompareStore&) = delete;
    CompareStore& operator=(const CompareStore&) = delete;

    static constexpr int kSchemaVersion = 1;

    QString path() const { return path_; }
    int schemaVersion() const;

    // Inserts the comparison and its variants in one transaction and returns
    // its id. `record.id` is ignored.
    qint64 save(const ComparisonRecord& record);
    QList<ComparisonSummary> comparisons() const;  // newest first
    ComparisonRecord comparison(qint64 id) const;  // throws StorageError if missing
    void remove(qint64 id);                        // its variants go with it

private:
    void migrate();

    std::unique_ptr<ChatStore> ownStore_; // the in-memory database, when there is no chat store to share
    QString path_;
    sqlite3* db_ = nullptr;                // the chat store's connection; not owned
};

} // namespace quanta

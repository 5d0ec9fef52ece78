// Saved comparisons, in their own tables of the chat database file (the
// sqlite3 C API, a connection of its own).
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
    // Opens the database at `path`, which must exist already unless it is
    // ":memory:", and creates or upgrades the comparison tables. Throws
    // StorageError naming the file when SQLite fails or the tables are newer
    // than this build supports.
    explicit CompareStore(const QString& path);
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

    QString path_;
    sqlite3* db_ = nullptr;
};

} // namespace quanta

#include "compare/compare_store.h"

#include "logging/log_categories.h"
#include "storage/sqlite_statement.h"

#include <QDir>

#include <sqlite3.h>

#include <iterator>
#include <optional>

namespace quanta {

namespace {

const QString kInMemoryPath = QStringLiteral(":memory:");

// One upgrade step of the comparison tables, from `toVersion - 1` to
// `toVersion`. Released steps are never edited; a change is a new step.
struct Migration {
    int toVersion;
    const char* sql;
};

// Timestamps are INTEGER milliseconds since the Unix epoch, UTC. A figure
// that was not measured is NULL. Sizes are bytes, speeds tokens per second,
// KL divergences nats, top_agreement a share from 0 to 1.
constexpr Migration kMigrations[] = {
    {1, R"sql(
        CREATE TABLE comparisons (
            id              INTEGER PRIMARY KEY,
            created_at      INTEGER NOT NULL,
            text_name       TEXT    NOT NULL,
            text_sha256     TEXT    NOT NULL,
            text_tokens     INTEGER NOT NULL,
            context_length  INTEGER NOT NULL,
            device          TEXT    NOT NULL,
            cancelled       INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE comparison_variants (
            id                           INTEGER PRIMARY KEY,
            comparison_id                INTEGER NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
            position                     INTEGER NOT NULL,
            path                         TEXT    NOT NULL,
            name                         TEXT    NOT NULL,
            format                       TEXT    NOT NULL,
            sha256                       TEXT    NOT NULL,
            size_bytes                   INTEGER NOT NULL,
            placement                    TEXT    NOT NULL,
            vram_bytes                   INTEGER,
            ram_bytes                    INTEGER,
            load_seconds                 REAL,
            prompt_tokens_per_second     REAL,
            generation_tokens_per_second REAL,
            perplexity                   REAL,
            perplexity_error             REAL,
            kl_mean                      REAL,
            kl_p99                       REAL,
            top_agreement                REAL,
            is_reference                 INTEGER NOT NULL DEFAULT 0,
            error                        TEXT    NOT NULL DEFAULT '',
            UNIQUE (comparison_id, position)
        );
    )sql"},
};

static_assert(std::size(kMigrations) == CompareStore::kSchemaVersion,
              "every schema version needs exactly one migration step");

using sql::exec;
using sql::inTransaction;
using sql::Statement;
using sql::throwStorageError;

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

} // namespace

CompareStore::CompareStore(ChatStore& chats)
    : path_(chats.path()), db_(chats.connection())
{
    migrate();
}

CompareStore::CompareStore()
    : ownStore_(std::make_unique<ChatStore>(kInMemoryPath)), path_(kInMemoryPath), db_(ownStore_->connection())
{
    migrate();
}

// The connection belongs to the chat store.
CompareStore::~CompareStore() = default;

int CompareStore::schemaVersion() const
{
    Statement table(db_, path_, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'compare_schema'");
    table.step("reading the schema");
    if (table.int64(0) == 0)
        return 0;
    Statement query(db_, path_, "SELECT max(version) FROM compare_schema");
    query.step("reading the comparison schema version");
    return static_cast<int>(query.int64(0));
}

void CompareStore::migrate()
{
    // Step 1: the tables' version; 0 when they do not exist yet.
    const int current = schemaVersion();
    if (current > kSchemaVersion)
        throwStorageError(QStringLiteral("The comparison tables in %1 have schema version %2, but this version of "
                                         "Quanta only knows versions up to %3. Update Quanta to see saved "
                                         "comparisons.")
                              .arg(QDir::toNativeSeparators(path_))
                              .arg(current)
                              .arg(kSchemaVersion));

    // Step 2: each missing step in its own transaction, with the version
    // written in the same transaction.
    for (const Migration& step : kMigrations) {
        if (step.toVersion <= current)
            continue;
        inTransaction(db_, path_, "upgrading the comparison tables", [&] {
            exec(db_, path_, "CREATE TABLE IF NOT EXISTS compare_schema (version INTEGER NOT NULL)",
                 "upgrading the comparison tables");
            exec(db_, path_, step.sql, "upgrading the comparison tables");
            exec(db_, path_, "DELETE FROM compare_schema", "upgrading the comparison tables");
            Statement setVersion(db_, path_, "INSERT INTO compare_schema (version) VALUES (?)");
            setVersion.bind(1, static_cast<qint64>(step.toVersion));
            setVersion.step("upgrading the comparison tables");
        });
        qCInfo(lcStorage).noquote() << "Comparison tables in" << QDir::toNativeSeparators(path_)
                                    << (current == 0 ? "created with schema version" : "upgraded to schema version")
                                    << step.toVersion;
    }
}

qint64 CompareStore::save(const ComparisonRecord& record)
{
    qint64 id = 0;
    inTransaction(db_, path_, "saving a comparison", [&] {
        // The comparison.
        Statement insert(db_, path_,
                         "INSERT INTO comparisons (created_at, text_name, text_sha256, text_tokens, context_length, "
                         "device, cancelled) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, record.createdAt.toMSecsSinceEpoch());
        insert.bind(2, record.textName);
        insert.bind(3, record.textSha256);
        insert.bind(4, record.textTokens);
        insert.bind(5, static_cast<qint64>(record.contextLength));
        insert.bind(6, record.device);
        insert.bind(7, qint64{record.cancelled ? 1 : 0});
        insert.step("saving a comparison");
        id = sqlite3_last_insert_rowid(db_);

        // Its variants, in the order they ran.
        for (qsizetype position = 0; position < record.variants.size(); ++position) {
            const VariantResult& variant = record.variants[position];
            Statement row(db_, path_,
                          "INSERT INTO comparison_variants (comparison_id, position, path, name, format, sha256, "
                          "size_bytes, placement, vram_bytes, ram_bytes, load_seconds, prompt_tokens_per_second, "
                          "generation_tokens_per_second, perplexity, perplexity_error, kl_mean, kl_p99, "
                          "top_agreement, is_reference, error) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            row.bind(1, id);
            row.bind(2, static_cast<qint64>(position));
            row.bind(3, variant.path);
            row.bind(4, variant.name);
            row.bind(5, variant.format);
            row.bind(6, variant.sha256);
            row.bind(7, variant.sizeBytes);
            row.bind(8, variant.placement);
            row.bind(9, variant.vramBytes);
            row.bind(10, variant.ramBytes);
            row.bind(11, variant.loadSeconds);
            row.bind(12, variant.promptTokensPerSecond);
            row.bind(13, variant.generationTokensPerSecond);
            row.bind(14, variant.perplexity);
            row.bind(15, variant.perplexityError);
            row.bind(16, variant.klMean);
            row.bind(17, variant.klP99);
            row.bind(18, variant.topAgreement);
            row.bind(19, qint64{variant.reference ? 1 : 0});
            row.bind(20, variant.error);
            row.step("saving a comparison");
        }
    });
    return id;
}

QList<ComparisonSummary> CompareStore::comparisons() const
{
    // One row per variant, grouped by comparison in the reading loop.
    Statement query(db_, path_,
                    "SELECT c.id, c.created_at, c.text_name, c.context_length, c.cancelled, v.name "
                    "FROM comparisons c LEFT JOIN comparison_variants v ON v.comparison_id = c.id "
                    "ORDER BY c.created_at DESC, c.id DESC, v.position");
    QList<ComparisonSummary> result;
    while (query.step("reading the comparison list")) {
        const qint64 id = query.int64(0);
        if (result.isEmpty() || result.last().id != id) {
            ComparisonSummary summary;
            summary.id = id;
            summary.createdAt = fromMs(query.int64(1));
            summary.textName = query.text(2);
            summary.contextLength = static_cast<int>(query.int64(3));
            summary.cancelled = query.int64(4) != 0;
            result.append(summary);
        }
        if (!query.isNull(5))
            result.last().variantNames.append(query.text(5));
    }
    return result;
}

ComparisonRecord CompareStore::comparison(qint64 id) const
{
    // Step 1: the comparison.
    Statement head(db_, path_,
                   "SELECT id, created_at, text_name, text_sha256, text_tokens, context_length, device, cancelled "
                   "FROM comparisons WHERE id = ?");
    head.bind(1, id);
    if (!head.step("reading a comparison"))
        throwStorageError(QStringLiteral("Comparison database %1: comparison %2 not found.")
                              .arg(QDir::toNativeSeparators(path_))
                              .arg(id));
    ComparisonRecord record;
    record.id = head.int64(0);
    record.createdAt = fromMs(head.int64(1));
    record.textName = head.text(2);
    record.textSha256 = head.text(3);
    record.textTokens = head.int64(4);
    record.contextLength = static_cast<int>(head.int64(5));
    record.device = head.text(6);
    record.cancelled = head.int64(7) != 0;

    // Step 2: its variants.
    Statement rows(db_, path_,
                   "SELECT path, name, format, sha256, size_bytes, placement, vram_bytes, ram_bytes, load_seconds, "
                   "prompt_tokens_per_second, generation_tokens_per_second, perplexity, perplexity_error, kl_mean, "
                   "kl_p99, top_agreement, is_reference, error "
                   "FROM comparison_variants WHERE comparison_id = ? ORDER BY position");
    rows.bind(1, id);
    while (rows.step("reading a comparison")) {
        VariantResult variant;
        variant.path = rows.text(0);
        variant.name = rows.text(1);
        variant.format = rows.text(2);
        variant.sha256 = rows.text(3);
        variant.sizeBytes = rows.int64(4);
        variant.placement = rows.text(5);
        variant.vramBytes = rows.optionalInt64(6);
        variant.ramBytes = rows.optionalInt64(7);
        variant.loadSeconds = rows.optionalDouble(8);
        variant.promptTokensPerSecond = rows.optionalDouble(9);
        variant.generationTokensPerSecond = rows.optionalDouble(10);
        variant.perplexity = rows.optionalDouble(11);
        variant.perplexityError = rows.optionalDouble(12);
        variant.klMean = rows.optionalDouble(13);
        variant.klP99 = rows.optionalDouble(14);
        variant.topAgreement = rows.optionalDouble(15);
        variant.reference = rows.int64(16) != 0;
        variant.error = rows.text(17);
        record.variants.append(variant);
    }
    return record;
}

void CompareStore::remove(qint64 id)
{
    Statement remove(db_, path_, "DELETE FROM comparisons WHERE id = ?");
    remove.bind(1, id);
    remove.step("deleting a comparison");
}

} // namespace quanta

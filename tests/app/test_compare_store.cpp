// CompareStore against real SQLite files: a comparison saved and read back
// field by field, the list of saved comparisons, deletion with its variants,
// and sharing the file with ChatStore.

#include "compare/compare_store.h"
#include "storage/chat_store.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace quanta;

namespace {

// Runs one query that returns one integer on a connection of its own, so the
// test reads the file and not what the store reports.
qint64 queryInteger(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("failed to open " + path.toStdString());
    }
    sqlite3_stmt* stmt = nullptr;
    qint64 value = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

void execute(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READWRITE, nullptr);
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    if (rc != SQLITE_OK)
        throw std::runtime_error(std::string("failed to run ") + sql);
}

// A comparison with every kind of row: the reference, a measured variant on
// a GPU, and one that failed after its load.
ComparisonRecord sampleRecord()
{
    ComparisonRecord record;
    record.createdAt = QDateTime(QDate(2025, 3, 14), QTime(9, 26, 53, 589), Qt::UTC);
    record.textName = QStringLiteral("sample-en.txt");
    record.textSha256 = QStringLiteral("ab").repeated(32);
    record.textTokens = 2917;
    record.contextLength = 128;
    record.device = QStringLiteral("auto");

    VariantResult f32;
    f32.path = QStringLiteral("/models/m-F32.gguf");
    f32.name = QStringLiteral("m-F32");
    f32.format = QStringLiteral("F32");
    f32.sha256 = QStringLiteral("01").repeated(32);
    f32.sizeBytes = 8938336;
    f32.placement = QStringLiteral("CPU");
    f32.ramBytes = 12345678;
    f32.loadSeconds = 0.0123;
    f32.promptTokensPerSecond = 4567.25;
    f32.generationTokensPerSecond = 890.5;
    f32.perplexity = 7.123456789;
    f32.perplexityError = 0.0625;
    f32.klMean = 0.0;
    f32.klP99 = 0.0;
    f32.topAgreement = 1.0;
    f32.reference = true;

    VariantResult q8 = f32;
    q8.path = QStringLiteral("/models/m-Q8_0.gguf");
    q8.name = QStringLiteral("m-Q8_0");
    q8.format = QStringLiteral("Q8_0");
    q8.sha256 = QStringLiteral("02").repeated(32);
    q8.sizeBytes = 2392960;
    q8.placement = QStringLiteral("llvmpipe, 5 of 5 layers");
    q8.vramBytes = 3 * 1024 * 1024;
    q8.perplexity = 7.2;
    q8.klMean = 0.00123;
    q8.klP99 = 0.0101;
    q8.topAgreement = 0.987;
    q8.reference = false;

    VariantResult broken;
    broken.path = QStringLiteral("/models/m-broken.gguf");
    broken.name = QStringLiteral("m-broken");
    broken.format = QStringLiteral("Q4_0");
    broken.sha256 = QStringLiteral("03").repeated(32);
    broken.sizeBytes = 1000;
    broken.placement = QStringLiteral("CPU");
    broken.loadSeconds = 0.5;
    broken.error = QStringLiteral("m-broken.gguf: tensor 'output.weight' extends past the end of the file");

    record.variants = {f32, q8, broken};
    return record;
}

} // namespace

class TestCompareStore : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void savedComparisonReadsBackEqual();
    void listIsNewestFirst();
    void deleteRemovesVariants();
    void reopenedFileKeepsComparisons();
    void sharesFileWithChatStore();
    void writesThroughChatStoreConnection();
    void newerSchemaRejected();
    void missingComparisonThrows();
    void ownInMemoryDatabaseWorks();

private:
    QString databasePath() const { return dir_->filePath(QStringLiteral("chats.sqlite")); }

    std::unique_ptr<QTemporaryDir> dir_;
};

void TestCompareStore::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY2(dir_->isValid(), qPrintable(dir_->errorString()));
    // As in the app: ChatStore creates and checks the file first.
    ChatStore chats(databasePath());
    QCOMPARE(chats.schemaVersion(), ChatStore::kSchemaVersion);
}

void TestCompareStore::cleanup()
{
    dir_.reset();
}

void TestCompareStore::savedComparisonReadsBackEqual()
{
    ChatStore chats(databasePath());
    CompareStore store(chats);
    QCOMPARE(store.schemaVersion(), CompareStore::kSchemaVersion);
    const ComparisonRecord record = sampleRecord();
    const qint64 id = store.save(record);
    QVERIFY(id > 0);

    const ComparisonRecord read = store.comparison(id);
    QCOMPARE(read.id, id);
    QCOMPARE(read.createdAt, record.createdAt);
    QCOMPARE(read.textName, record.textName);
    QCOMPARE(read.textSha256, record.textSha256);
    QCOMPARE(read.textTokens, record.textTokens);
    QCOMPARE(read.contextLength, record.contextLength);
    QCOMPARE(read.device, record.device);
    QCOMPARE(read.cancelled, false);
    QCOMPARE(read.variants.size(), 3);
    // Field by field first, so a failure names the field.
    const VariantResult& q8 = read.variants[1];
    QCOMPARE(q8.name, QStringLiteral("m-Q8_0"));
    QCOMPARE(q8.placement, QStringLiteral("llvmpipe, 5 of 5 layers"));
    QCOMPARE(q8.vramBytes, std::optional<qint64>(3 * 1024 * 1024));
    QCOMPARE(q8.klMean, std::optional<double>(0.00123));
    QVERIFY(!q8.reference);
    QVERIFY(read.variants[0].reference);
    QVERIFY(!read.variants[0].vramBytes.has_value());
    const VariantResult& broken = read.variants[2];
    QVERIFY(!broken.perplexity.has_value());
    QVERIFY(!broken.ramBytes.has_value());
    QCOMPARE(broken.loadSeconds, std::optional<double>(0.5));
    QCOMPARE(broken.error, record.variants[2].error);
    // Then the whole record, ids aside.
    ComparisonRecord expected = record;
    expected.id = id;
    QVERIFY(read == expected);
}

void TestCompareStore::listIsNewestFirst()
{
    ChatStore chats(databasePath());
    CompareStore store(chats);
    ComparisonRecord older = sampleRecord();
    ComparisonRecord newer = sampleRecord();
    newer.createdAt = older.createdAt.addSecs(3600);
    newer.textName = QStringLiteral("my-notes.txt");
    newer.cancelled = true;
    newer.variants.removeLast();
    const qint64 olderId = store.save(older);
    const qint64 newerId = store.save(newer);

    const QList<ComparisonSummary> list = store.comparisons();
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].id, newerId);
    QCOMPARE(list[0].textName, QStringLiteral("my-notes.txt"));
    QVERIFY(list[0].cancelled);
    QCOMPARE(list[0].variantNames, QStringList({QStringLiteral("m-F32"), QStringLiteral("m-Q8_0")}));
    QCOMPARE(list[1].id, olderId);
    QCOMPARE(list[1].contextLength, 128);
    QCOMPARE(list[1].createdAt, older.createdAt);
    QCOMPARE(list[1].variantNames.size(), 3);
}

void TestCompareStore::deleteRemovesVariants()
{
    ChatStore chats(databasePath());
    CompareStore store(chats);
    const qint64 remaining = store.save(sampleRecord());
    const qint64 removed = store.save(sampleRecord());
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM comparison_variants"), 6);

    store.remove(removed);
    QCOMPARE(store.comparisons().size(), 1);
    QCOMPARE(store.comparisons().first().id, remaining);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM comparison_variants"), 3);
    QVERIFY_THROWS_EXCEPTION(StorageError, store.comparison(removed));
}

void TestCompareStore::reopenedFileKeepsComparisons()
{
    qint64 id = 0;
    {
        ChatStore chats(databasePath());
    CompareStore store(chats);
        id = store.save(sampleRecord());
    }
    ChatStore chats(databasePath());
    CompareStore reopened(chats);
    QCOMPARE(reopened.comparisons().size(), 1);
    QCOMPARE(reopened.comparison(id).variants.size(), 3);
    QCOMPARE(queryInteger(databasePath(), "SELECT version FROM compare_schema"), CompareStore::kSchemaVersion);
}

void TestCompareStore::sharesFileWithChatStore()
{
    // Both stores use the file at once, as in the app, and each keeps its
    // own schema version.
    ChatStore chats(databasePath());
    CompareStore comparisons(chats);
    const qint64 chat = chats.createChat(QStringLiteral("Hello"));
    const qint64 comparison = comparisons.save(sampleRecord());
    chats.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Hi"));
    QCOMPARE(chats.messages(chat).size(), 1);
    QCOMPARE(comparisons.comparison(comparison).variants.size(), 3);
    QCOMPARE(queryInteger(databasePath(), "PRAGMA user_version"), ChatStore::kSchemaVersion);

    // ChatStore opens the file with the comparison tables in it again.
    ChatStore again(databasePath());
    QCOMPARE(again.chats().size(), 1);
}

void TestCompareStore::writesThroughChatStoreConnection()
{
    // Every write to the file goes through the chat store's one connection.
    ChatStore chats(databasePath());
    CompareStore comparisons(chats);
    const int changesBefore = sqlite3_total_changes(chats.connection());
    comparisons.save(sampleRecord());
    QCOMPARE(sqlite3_total_changes(chats.connection()), changesBefore + 4);
    QCOMPARE(comparisons.path(), chats.path());
}

void TestCompareStore::newerSchemaRejected()
{
    {
        ChatStore chats(databasePath());
    CompareStore store(chats);
    }
    execute(databasePath(), "UPDATE compare_schema SET version = 99");
    try {
        ChatStore chats(databasePath());
    CompareStore store(chats);
        QFAIL("a newer schema was accepted");
    } catch (const StorageError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("version 99")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("chats.sqlite")), qPrintable(message));
    }
    // Nothing was changed.
    QCOMPARE(queryInteger(databasePath(), "SELECT version FROM compare_schema"), 99);
}

void TestCompareStore::missingComparisonThrows()
{
    ChatStore chats(databasePath());
    CompareStore store(chats);
    try {
        store.comparison(42);
        QFAIL("a missing comparison was returned");
    } catch (const StorageError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("comparison 42 not found")), error.what());
    }
}

void TestCompareStore::ownInMemoryDatabaseWorks()
{
    CompareStore store;
    const qint64 id = store.save(sampleRecord());
    QCOMPARE(store.comparison(id).variants.size(), 3);
    store.remove(id);
    QVERIFY(store.comparisons().isEmpty());
}

QTEST_GUILESS_MAIN(TestCompareStore)
#include "test_compare_store.moc"

// ChatStore against real SQLite files in a temporary folder: chats and
// messages, reopening, migration of an empty file, cascading deletes, and
// the files it must refuse or recover from.

#include "storage/chat_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <unistd.h>

using quanta::ChatRecord;
using quanta::ChatStore;
using quanta::MessageRecord;
using quanta::StorageError;

namespace {

// Runs one query that returns one integer, on a connection of its own, so the
// test reads what is in the file and not what ChatStore reports.
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

QByteArray readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeAll(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// Bytes that cannot be a SQLite file: the header must start with
// "SQLite format 3\0".
QByteArray garbageBytes()
{
    QByteArray bytes;
    for (int i = 0; i < 8192; ++i)
        bytes.append(static_cast<char>((i * 7919 + 13) % 251));
    bytes.replace(0, 24, "this is not a database!!");
    return bytes;
}

} // namespace

class TestChatStore : public QObject {
    Q_OBJECT

private slots:
    void init();

    void chatsCreateRenameDelete();
    void chatsOrderedByActivity();
    void missingChatThrows();
    void messagesAppendAndUpdate();
    void messagesKeepUnicode();
    void reopenFindsEverything();
    void emptyFileMigrates();
    void newFileGetsCurrentSchema();
    void deleteChatCascadesToMessages();
    void messageForUnknownChatRejected();
    void notADatabaseIsKeptAside();
    void notADatabaseTwiceGetsDistinctNames();
    void newerSchemaRejectedAndKept();
    void otherProgramsDatabaseRejected();
    void unwritableFolderRaisesStorageError();
    void inMemoryStoreWorks();

private:
    QString databasePath() const { return dir_->filePath(QStringLiteral("chats.sqlite")); }

    std::unique_ptr<QTemporaryDir> dir_;
};

void TestChatStore::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY2(dir_->isValid(), qPrintable(dir_->errorString()));
}

void TestChatStore::chatsCreateRenameDelete()
{
    ChatStore store(databasePath());
    QVERIFY(store.chats().isEmpty());

    const qint64 first = store.createChat(QStringLiteral("First"), QStringLiteral("/models/a.gguf"));
    const qint64 second = store.createChat(QStringLiteral("Second"));
    QVERIFY(first > 0);
    QVERIFY(second > 0);
    QVERIFY(first != second);
    QCOMPARE(store.chats().size(), 2);

    store.renameChat(first, QStringLiteral("Renamed"));
    QCOMPARE(store.chat(first).title, QStringLiteral("Renamed"));
    QCOMPARE(store.chat(first).modelPath, QStringLiteral("/models/a.gguf"));
    QCOMPARE(store.chat(second).modelPath, QString());

    store.setChatModel(second, QStringLiteral("/models/b.gguf"));
    QCOMPARE(store.chat(second).modelPath, QStringLiteral("/models/b.gguf"));

    store.deleteChat(first);
    const QList<ChatRecord> left = store.chats();
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.first().id, second);
    QCOMPARE(left.first().title, QStringLiteral("Second"));
    QVERIFY(left.first().createdAt.isValid());
    QCOMPARE(left.first().createdAt.timeSpec(), Qt::UTC);
}

void TestChatStore::chatsOrderedByActivity()
{
    ChatStore store(databasePath());
    const qint64 older = store.createChat(QStringLiteral("Older"));
    const qint64 newer = store.createChat(QStringLiteral("Newer"));
    QCOMPARE(store.chats().first().id, newer);

    // A message moves its chat to the top. The clock may not have moved
    // between the inserts, so wait until it has.
    const qint64 created = store.chat(newer).updatedAt.toMSecsSinceEpoch();
    QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > created);
    store.appendMessage(older, QStringLiteral("user"), QStringLiteral("hello"));
    QCOMPARE(store.chats().first().id, older);
    QVERIFY(store.chat(older).updatedAt > store.chat(older).createdAt);
}

void TestChatStore::missingChatThrows()
{
    ChatStore store(databasePath());
    QVERIFY_THROWS_EXCEPTION(StorageError, store.chat(12345));
    QVERIFY_THROWS_EXCEPTION(StorageError, store.renameChat(12345, QStringLiteral("x")));
    QVERIFY_THROWS_EXCEPTION(StorageError, store.updateMessage(12345, QStringLiteral("x"), true));
}

void TestChatStore::messagesAppendAndUpdate()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Chat"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Once upon a time"));
    const qint64 reply = store.appendMessage(chat, QStringLiteral("assistant"), QString(), false);

    QList<MessageRecord> messages = store.messages(chat);
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0].id, question);
    QCOMPARE(messages[0].chatId, chat);
    QCOMPARE(messages[0].role, QStringLiteral("user"));
    QCOMPARE(messages[0].content, QStringLiteral("Once upon a time"));
    QVERIFY(messages[0].complete);
    QCOMPARE(messages[1].id, reply);
    QCOMPARE(messages[1].content, QString());
    QVERIFY(!messages[1].complete);

    // A streaming reply is saved part by part, then marked complete.
    store.updateMessage(reply, QStringLiteral(" there was"), false);
    QCOMPARE(store.messages(chat)[1].content, QStringLiteral(" there was"));
    QVERIFY(!store.messages(chat)[1].complete);
    store.updateMessage(reply, QStringLiteral(" there was a cat."), true);
    messages = store.messages(chat);
    QCOMPARE(messages[1].content, QStringLiteral(" there was a cat."));
    QVERIFY(messages[1].complete);

    store.deleteMessage(question);
    QCOMPARE(store.messages(chat).size(), 1);
    QCOMPARE(store.messages(chat).first().id, reply);
}

void TestChatStore::messagesKeepUnicode()
{
    ChatStore store(databasePath());
    const QString title = QStringLiteral("讲个故事 📖");
    const QString text = QStringLiteral("从前有一只猫。\nIt said \"miau\" — and left. 🐈\u0000end");
    const qint64 chat = store.createChat(title);
    store.appendMessage(chat, QStringLiteral("user"), text);
    QCOMPARE(store.chat(chat).title, title);
    QCOMPARE(store.messages(chat).first().content, text);
}

void TestChatStore::reopenFindsEverything()
{
    qint64 chat = 0;
    qint64 reply = 0;
    {
        ChatStore store(databasePath());
        chat = store.createChat(QStringLiteral("Kept"), QStringLiteral("/m.gguf"));
        store.appendMessage(chat, QStringLiteral("system"), QStringLiteral("Be brief."));
        store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Hi"));
        reply = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("Hel"), false);
    }

    ChatStore store(databasePath());
    QCOMPARE(store.schemaVersion(), ChatStore::kSchemaVersion);
    QVERIFY(store.recoveredFrom().isEmpty());
    const QList<ChatRecord> chats = store.chats();
    QCOMPARE(chats.size(), 1);
    QCOMPARE(chats.first().id, chat);
    QCOMPARE(chats.first().title, QStringLiteral("Kept"));
    QCOMPARE(chats.first().modelPath, QStringLiteral("/m.gguf"));

    const QList<MessageRecord> messages = store.messages(chat);
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages[0].role, QStringLiteral("system"));
    QCOMPARE(messages[1].content, QStringLiteral("Hi"));
    // A reply cut off by a crash is found as it was saved, incomplete.
    QCOMPARE(messages[2].id, reply);
    QCOMPARE(messages[2].content, QStringLiteral("Hel"));
    QVERIFY(!messages[2].complete);
}

void TestChatStore::emptyFileMigrates()
{
    QVERIFY(writeAll(databasePath(), {}));
    QCOMPARE(QFileInfo(databasePath()).size(), 0);

    ChatStore store(databasePath());
    QCOMPARE(store.schemaVersion(), 1);
    QVERIFY(store.recoveredFrom().isEmpty());
    QCOMPARE(queryInteger(databasePath(), "PRAGMA user_version"), 1);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM sqlite_schema WHERE name IN ('chats', 'messages')"), 2);

    const qint64 chat = store.createChat(QStringLiteral("Works"));
    QCOMPARE(store.chat(chat).title, QStringLiteral("Works"));
}

void TestChatStore::newFileGetsCurrentSchema()
{
    {
        ChatStore store(databasePath());
        QCOMPARE(store.schemaVersion(), ChatStore::kSchemaVersion);
    }
    QCOMPARE(queryInteger(databasePath(), "PRAGMA user_version"), ChatStore::kSchemaVersion);
    // WAL is a property of the file, so a second connection reads it too.
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open_v2(QFile::encodeName(databasePath()).constData(), &db, SQLITE_OPEN_READONLY, nullptr),
             SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
    const QString mode = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    QCOMPARE(mode, QStringLiteral("wal"));
}

void TestChatStore::deleteChatCascadesToMessages()
{
    ChatStore store(databasePath());
    const qint64 doomed = store.createChat(QStringLiteral("Doomed"));
    const qint64 kept = store.createChat(QStringLiteral("Kept"));
    store.appendMessage(doomed, QStringLiteral("user"), QStringLiteral("a"));
    store.appendMessage(doomed, QStringLiteral("assistant"), QStringLiteral("b"));
    store.appendMessage(kept, QStringLiteral("user"), QStringLiteral("c"));
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 3);

    store.deleteChat(doomed);
    QVERIFY(store.messages(doomed).isEmpty());
    QCOMPARE(store.messages(kept).size(), 1);
    // Checked in the file itself: the rows are gone, not just hidden.
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 1);
}

void TestChatStore::messageForUnknownChatRejected()
{
    ChatStore store(databasePath());
    try {
        store.appendMessage(999, QStringLiteral("user"), QStringLiteral("orphan"));
        QFAIL("appending to a chat that does not exist must throw");
    } catch (const StorageError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(databasePath()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("FOREIGN KEY"), Qt::CaseInsensitive), qPrintable(message));
    }
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 0);
}

void TestChatStore::notADatabaseIsKeptAside()
{
    const QByteArray garbage = garbageBytes();
    QVERIFY(writeAll(databasePath(), garbage));

    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("Chat database .*chats\\.sqlite is not a valid SQLite "
                                                           "database .*moved it to .*chats\\.sqlite\\.corrupt-")));
    ChatStore store(databasePath());

    // The broken file is kept, byte for byte, under a new name.
    const QString kept = store.recoveredFrom();
    QVERIFY2(kept.startsWith(databasePath() + QStringLiteral(".corrupt-")), qPrintable(kept));
    QVERIFY(QFileInfo::exists(kept));
    QCOMPARE(readAll(kept), garbage);

    // The store at the old name is new, empty and works.
    QCOMPARE(store.schemaVersion(), ChatStore::kSchemaVersion);
    QVERIFY(store.chats().isEmpty());
    const qint64 chat = store.createChat(QStringLiteral("Fresh"));
    store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("hi"));
    QCOMPARE(store.messages(chat).size(), 1);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM chats"), 1);
}

void TestChatStore::notADatabaseTwiceGetsDistinctNames()
{
    QVERIFY(writeAll(databasePath(), garbageBytes()));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("is not a valid SQLite database")));
    QString firstKept;
    {
        ChatStore store(databasePath());
        firstKept = store.recoveredFrom();
    }
    QFile::remove(databasePath() + QStringLiteral("-wal"));
    QFile::remove(databasePath() + QStringLiteral("-shm"));
    QVERIFY(writeAll(databasePath(), QByteArray("also garbage, and longer than a header would be........")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("is not a valid SQLite database")));
    ChatStore store(databasePath());
    QVERIFY(!store.recoveredFrom().isEmpty());
    QVERIFY(store.recoveredFrom() != firstKept);
    QVERIFY(QFileInfo::exists(firstKept));
    QVERIFY(QFileInfo::exists(store.recoveredFrom()));
}

void TestChatStore::newerSchemaRejectedAndKept()
{
    {
        ChatStore store(databasePath());
        store.createChat(QStringLiteral("From the future"));
    }
    execute(databasePath(), "PRAGMA user_version = 99");

    try {
        ChatStore store(databasePath());
        QFAIL("a database from a newer version must be rejected");
    } catch (const StorageError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(databasePath()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("99")), qPrintable(message));
    }
    // Not a corrupt file: it stays where it is, untouched.
    QCOMPARE(queryInteger(databasePath(), "PRAGMA user_version"), 99);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM chats"), 1);
    QCOMPARE(QDir(dir_->path()).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files).size(), 0);
}

void TestChatStore::otherProgramsDatabaseRejected()
{
    // A valid SQLite file with someone else's tables and user_version 0.
    {
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(databasePath()).constData(), &db), SQLITE_OK);
        sqlite3_close(db);
    }
    execute(databasePath(), "CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (42)");

    try {
        ChatStore store(databasePath());
        QFAIL("another program's database must be rejected");
    } catch (const StorageError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(databasePath()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("another program")), qPrintable(message));
    }
    // The file is left as it was: no Quanta tables, no renamed copy.
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM sqlite_schema"), 1);
    QCOMPARE(queryInteger(databasePath(), "SELECT x FROM foo"), 42);
    QCOMPARE(QDir(dir_->path()).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files).size(), 0);
}

void TestChatStore::unwritableFolderRaisesStorageError()
{
    // A folder without write permission stops everyone but root. Root (as in
    // CI containers) ignores permission bits, so it gets a folder under /proc,
    // where no one can create files.
    const QString folder = dir_->filePath(QStringLiteral("readonly"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    QString path = folder + QStringLiteral("/chats.sqlite");
    if (::geteuid() == 0)
        path = QStringLiteral("/proc/self/quanta-test/chats.sqlite");

    try {
        ChatStore store(path);
        QFAIL("opening a database in a folder that cannot be written must throw");
    } catch (const StorageError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("unable to open database file")), qPrintable(message));
    }
    QVERIFY(!QFileInfo::exists(path));
    QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void TestChatStore::inMemoryStoreWorks()
{
    ChatStore store(QStringLiteral(":memory:"));
    QCOMPARE(store.schemaVersion(), ChatStore::kSchemaVersion);
    const qint64 chat = store.createChat(QStringLiteral("Scratch"));
    store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("hi"));
    QCOMPARE(store.messages(chat).size(), 1);
    store.deleteChat(chat);
    QVERIFY(store.chats().isEmpty());
}

QTEST_GUILESS_MAIN(TestChatStore)
#include "test_chat_store.moc"

// ChatStore against real SQLite files in a temporary folder. The suites
// cover chats and messages, message trees and branches, pinning, settings,
// deletion with undo, search, and deleted text really gone from the files.
// They also cover a full disk, read-only files and folders, migration from a
// saved schema-1 file, export and import, and the files it must refuse or
// recover from.

#include "storage/chat_archive.h"
#include "storage/chat_search.h"
#include "storage/chat_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <functional>
#include <vector>

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

using quanta::ChatRecord;
using quanta::ChatStore;
using quanta::MessageRecord;
using quanta::SearchHit;
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


QString queryText(sqlite3* db, const char* sql)
{
    sqlite3_stmt* stmt = nullptr;
    QString value;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        value = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    else
        value = QStringLiteral("error: ") + QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return value;
}

QStringList contents(const QList<MessageRecord>& messages)
{
    QStringList texts;
    for (const MessageRecord& message : messages)
        texts.append(message.content);
    return texts;
}

QList<qint64> ids(const QList<MessageRecord>& messages)
{
    QList<qint64> result;
    for (const MessageRecord& message : messages)
        result.append(message.id);
    return result;
}

QList<qint64> hitIds(const QList<SearchHit>& hits)
{
    QList<qint64> result;
    for (const SearchHit& hit : hits)
        result.append(hit.messageId);
    return result;
}

// The message text after ChatStore has written it: the database file, its
// WAL and its shared-memory index, as raw bytes.
QByteArray databaseFileBytes(const QString& path)
{
    return readAll(path) + readAll(path + QStringLiteral("-wal")) + readAll(path + QStringLiteral("-shm"));
}

// Words that appear only in the text a test deletes. The trigram index
// stores 3-character pieces of the text, prefix-compressed, so a whole word
// is never in it. No other text in these tests uses Greek letters, though,
// so the first piece of the Greek word (in the index's byte order) is stored
// whole. Any piece of it left in the files comes from a deleted message.
const QString kAsciiMarker = QStringLiteral("zorblaxquintessa");
const QString kGreekMarker = QStringLiteral("ψχωξ");

QStringList markerTraces(const QString& path)
{
    QList<QByteArray> needles = {kAsciiMarker.toUtf8(), kGreekMarker.toUtf8()};
    for (qsizetype i = 0; i + 3 <= kGreekMarker.size(); ++i)
        needles.append(kGreekMarker.mid(i, 3).toUtf8());
    QStringList traces;
    for (const QString& file : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
        const QByteArray bytes = readAll(file);
        for (const QByteArray& needle : needles) {
            if (bytes.contains(needle))
                traces.append(QStringLiteral("%1 contains \"%2\"").arg(QFileInfo(file).fileName(), QString::fromUtf8(needle)));
        }
    }
    return traces;
}

// Whether this thread may write `path`, by its effective user and
// capabilities, as the kernel decides on open().
bool canWrite(const QString& path)
{
    return ::faccessat(AT_FDCWD, QFile::encodeName(path).constData(), W_OK, AT_EACCESS) == 0;
}

// Holds root to file permission bits for its lifetime, as any other user is:
// drops CAP_DAC_OVERRIDE from this thread's effective capabilities and
// restores it at the end. CI runs the tests as root, where a read-only file
// would otherwise still be writable. For other users it changes nothing.
class PermissionBitsApply {
public:
    PermissionBitsApply()
    {
        header_.version = _LINUX_CAPABILITY_VERSION_3;
        header_.pid = 0;
        if (::syscall(SYS_capget, &header_, saved_) != 0)
            return;
        __user_cap_data_struct lowered[2] = {saved_[0], saved_[1]};
        lowered[0].effective &= ~(1u << CAP_DAC_OVERRIDE);
        dropped_ = ::syscall(SYS_capset, &header_, lowered) == 0;
    }
    ~PermissionBitsApply()
    {
        if (dropped_)
            ::syscall(SYS_capset, &header_, saved_);
    }

    PermissionBitsApply(const PermissionBitsApply&) = delete;
    PermissionBitsApply& operator=(const PermissionBitsApply&) = delete;

private:
    __user_cap_header_struct header_{};
    __user_cap_data_struct saved_[2]{};
    bool dropped_ = false;
};

constexpr QFileDevice::Permissions kReadOnlyFile =
    QFileDevice::ReadOwner | QFileDevice::ReadUser | QFileDevice::ReadGroup | QFileDevice::ReadOther;
constexpr QFileDevice::Permissions kReadOnlyFolder = kReadOnlyFile | QFileDevice::ExeOwner | QFileDevice::ExeUser
                                                     | QFileDevice::ExeGroup | QFileDevice::ExeOther;
constexpr QFileDevice::Permissions kWritableFolder = kReadOnlyFolder | QFileDevice::WriteOwner | QFileDevice::WriteUser;

// The schema-1 database saved with the sources (made by the SQL in
// tests/data/README.md).
const QString kVersion1Fixture = QStringLiteral(QUANTA_SOURCE_DIR "/tests/data/chat-db-v1.sqlite");

// Checks that every write of `store` throws the read-only StorageError.
void verifyEveryWriteIsRejected(ChatStore& store, qint64 chatId, qint64 messageId)
{
    const std::vector<std::pair<const char*, std::function<void()>>> writes = {
        {"createChat", [&] { store.createChat(QStringLiteral("new")); }},
        {"renameChat", [&] { store.renameChat(chatId, QStringLiteral("renamed")); }},
        {"setChatModel", [&] { store.setChatModel(chatId, QStringLiteral("/m.gguf")); }},
        {"setChatPinned", [&] { store.setChatPinned(chatId, true); }},
        {"setChatSystemPrompt", [&] { store.setChatSystemPrompt(chatId, QStringLiteral("x")); }},
        {"setChatSettings", [&] { store.setChatSettings(chatId, QStringLiteral("{}")); }},
        {"markChatDeleted", [&] { store.markChatDeleted(chatId); }},
        {"restoreChat", [&] { store.restoreChat(chatId); }},
        {"deleteChat", [&] { store.deleteChat(chatId); }},
        {"appendMessage", [&] { store.appendMessage(chatId, QStringLiteral("user"), QStringLiteral("x")); }},
        {"addMessage", [&] { store.addMessage(chatId, messageId, QStringLiteral("user"), QStringLiteral("x")); }},
        {"updateMessage", [&] { store.updateMessage(messageId, QStringLiteral("x"), true); }},
        {"setMessageStats", [&] { store.setMessageStats(messageId, 1, 1.0); }},
        {"selectBranch", [&] { store.selectBranch(messageId); }},
        {"deleteMessage", [&] { store.deleteMessage(messageId); }},
        {"importChat", [&] { store.importChat(ChatRecord{}, {}); }},
    };
    for (const auto& [name, write] : writes) {
        try {
            write();
            QFAIL(qPrintable(QStringLiteral("%1 wrote to a read-only database").arg(QLatin1String(name))));
        } catch (const StorageError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(QDir::toNativeSeparators(store.path())), qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("is read-only")), qPrintable(QLatin1String(name) + message));
        }
    }
}

// A chat file as exportChatJson() writes it, with two messages, for the
// import tests to break one field at a time.
QJsonObject validChatFile()
{
    QJsonObject question{{QStringLiteral("id"), 1},
                         {QStringLiteral("parentId"), QJsonValue::Null},
                         {QStringLiteral("role"), QStringLiteral("user")},
                         {QStringLiteral("content"), QStringLiteral("Hi")},
                         {QStringLiteral("complete"), true},
                         {QStringLiteral("createdAt"), QStringLiteral("2024-05-01T12:00:00.000Z")},
                         {QStringLiteral("tokenCount"), 0},
                         {QStringLiteral("tokensPerSecond"), 0}};
    QJsonObject answer = question;
    answer[QStringLiteral("id")] = 2;
    answer[QStringLiteral("parentId")] = 1;
    answer[QStringLiteral("role")] = QStringLiteral("assistant");
    answer[QStringLiteral("content")] = QStringLiteral("Hello!");
    answer[QStringLiteral("tokenCount")] = 3;
    answer[QStringLiteral("tokensPerSecond")] = 12.5;
    return QJsonObject{{QStringLiteral("format"), QStringLiteral("quanta-chat")},
                       {QStringLiteral("version"), 1},
                       {QStringLiteral("title"), QStringLiteral("Imported")},
                       {QStringLiteral("modelPath"), QString()},
                       {QStringLiteral("systemPrompt"), QString()},
                       {QStringLiteral("settings"), QJsonObject()},
                       {QStringLiteral("pinned"), false},
                       {QStringLiteral("createdAt"), QStringLiteral("2024-05-01T12:00:00.000Z")},
                       {QStringLiteral("updatedAt"), QStringLiteral("2024-05-01T12:00:01.000Z")},
                       {QStringLiteral("leafMessageId"), 2},
                       {QStringLiteral("messages"), QJsonArray{question, answer}}};
}

QByteArray toJson(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// `file` with messages[index][key] set to `value`; an undefined value
// removes the key.
QJsonObject withMessageField(QJsonObject file, int index, const QString& key, const QJsonValue& value)
{
    QJsonArray messages = file[QStringLiteral("messages")].toArray();
    QJsonObject message = messages[index].toObject();
    if (value.isUndefined())
        message.remove(key);
    else
        message[key] = value;
    messages[index] = message;
    file[QStringLiteral("messages")] = messages;
    return file;
}

QJsonObject withField(QJsonObject file, const QString& key, const QJsonValue& value)
{
    if (value.isUndefined())
        file.remove(key);
    else
        file[key] = value;
    return file;
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

    void treeAppendBuildsChain();
    void treeAddMessageCreatesSibling();
    void treeSelectBranchFollowsNewestChild();
    void treeDeleteMovesLeafToSibling();
    void treeDeleteLastSiblingMovesLeafToParent();
    void treeDeleteOutsideBranchKeepsLeaf();
    void treeParentFromOtherChatRejected();
    void treeLongChatDeletes();
    void messageStatsSaved();
    void unknownRoleRejected();

    void pinnedChatsComeFirst();
    void chatSettingsSaved();
    void invalidSettingsRejected();
    void markDeletedHidesUntilRestored();
    void purgeDeletesOnlyMarkedChats();

    void searchFindsAllWordsAsPrefixes();
    void searchRanksBetterMatchFirst();
    void searchHostileInput_data();
    void searchHostileInput();
    void searchQueryValidForUnicode61();
    void searchFindsChineseText();
    void searchSkipsDeletedChats();

    void deletedChatLeavesNoTrace();
    void deletedMessageLeavesNoTrace();
    void purgedChatLeavesNoTrace();
    void fullDiskRaisesStorageError();
    void fullDiskImportLeavesNothing();
    void readOnlyFileCanBeRead();
    void readOnlyFolderCanBeRead();
    void readOnlyVersion1FileNotMigrated();
    void version1FileMigrates();

    void exportImportRoundTrip();
    void exportJsonHasFormatAndTree();
    void exportMarkdownShowsActiveBranch();
    void importRejectsBadFile_data();
    void importRejectsBadFile();
    void importAcceptsValidFile();
    void importRejectsOversizeFile();

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

    // The reply is below the question, so it goes with it.
    store.deleteMessage(question);
    QVERIFY(store.messages(chat).isEmpty());
    QCOMPARE(store.chat(chat).leafMessageId, 0);
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
    QCOMPARE(store.schemaVersion(), ChatStore::kSchemaVersion);
    QVERIFY(store.recoveredFrom().isEmpty());
    QCOMPARE(queryInteger(databasePath(), "PRAGMA user_version"), ChatStore::kSchemaVersion);
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
        QVERIFY2(message.contains(QStringLiteral("chat 999 not found")), qPrintable(message));
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

// Tree: a, b under a, c under b; then d beside b (a regenerated reply).
void TestChatStore::treeAppendBuildsChain()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Chain"));
    QCOMPARE(store.chat(chat).leafMessageId, 0);
    QVERIFY(store.activeBranch(chat).isEmpty());

    const qint64 a = store.appendMessage(chat, QStringLiteral("system"), QStringLiteral("a"));
    const qint64 b = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("b"));
    const qint64 c = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("c"), false);

    QCOMPARE(store.message(a).parentId, 0);
    QCOMPARE(store.message(b).parentId, a);
    QCOMPARE(store.message(c).parentId, b);
    QVERIFY(!store.message(c).complete);
    QCOMPARE(store.chat(chat).leafMessageId, c);

    const QList<MessageRecord> branch = store.activeBranch(chat);
    QCOMPARE(ids(branch), (QList<qint64>{a, b, c}));
    for (const MessageRecord& message : branch) {
        QCOMPARE(message.siblingIndex, 1);
        QCOMPARE(message.siblingCount, 1);
        QCOMPARE(message.chatId, chat);
    }
    QCOMPARE(branch[2].role, QStringLiteral("assistant"));
    QVERIFY(!branch[2].complete);
}

void TestChatStore::treeAddMessageCreatesSibling()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Regenerate"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Tell a joke"));
    const qint64 first = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("Joke one"));

    // Regenerate: a second reply under the same question.
    const qint64 second = store.addMessage(chat, question, QStringLiteral("assistant"), QStringLiteral("Joke two"), false);
    QCOMPARE(store.message(second).parentId, question);
    QCOMPARE(store.chat(chat).leafMessageId, second);
    QList<MessageRecord> branch = store.activeBranch(chat);
    QCOMPARE(ids(branch), (QList<qint64>{question, second}));
    QCOMPARE(branch[1].siblingIndex, 2);
    QCOMPARE(branch[1].siblingCount, 2);
    QCOMPARE(branch[0].siblingCount, 1);

    // Both replies are kept.
    QCOMPARE(ids(store.messages(chat)), (QList<qint64>{question, first, second}));

    // Edit the question: a new first message, beside the old one.
    const qint64 edited = store.addMessage(chat, 0, QStringLiteral("user"), QStringLiteral("Tell a pun"));
    branch = store.activeBranch(chat);
    QCOMPARE(ids(branch), (QList<qint64>{edited}));
    QCOMPARE(branch[0].parentId, 0);
    QCOMPARE(branch[0].siblingIndex, 2);
    QCOMPARE(branch[0].siblingCount, 2);

    // Flipping back to the first reply shows the old question again.
    store.selectBranch(first);
    branch = store.activeBranch(chat);
    QCOMPARE(ids(branch), (QList<qint64>{question, first}));
    QCOMPARE(branch[0].siblingIndex, 1);
    QCOMPARE(branch[1].siblingIndex, 1);
    QCOMPARE(branch[1].siblingCount, 2);
}

void TestChatStore::treeSelectBranchFollowsNewestChild()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Branches"));
    const qint64 root = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("q"));
    const qint64 replyA = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("a"));
    const qint64 followA1 = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("a1"));
    const qint64 followA2 = store.addMessage(chat, replyA, QStringLiteral("user"), QStringLiteral("a2"));
    const qint64 answerA2 = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("a2 answer"));
    const qint64 replyB = store.addMessage(chat, root, QStringLiteral("assistant"), QStringLiteral("b"));
    QCOMPARE(store.chat(chat).leafMessageId, replyB);

    // Selecting reply A goes down its newest child (a2) to the end.
    store.selectBranch(replyA);
    QCOMPARE(store.chat(chat).leafMessageId, answerA2);
    QCOMPARE(ids(store.activeBranch(chat)), (QList<qint64>{root, replyA, followA2, answerA2}));

    // Selecting an older child ends there when it has no children.
    store.selectBranch(followA1);
    QCOMPARE(ids(store.activeBranch(chat)), (QList<qint64>{root, replyA, followA1}));
    QCOMPARE(store.activeBranch(chat)[2].siblingIndex, 1);
    QCOMPARE(store.activeBranch(chat)[2].siblingCount, 2);

    // The root goes down the newest reply.
    store.selectBranch(root);
    QCOMPARE(store.chat(chat).leafMessageId, replyB);

    QVERIFY_THROWS_EXCEPTION(StorageError, store.selectBranch(99999));
}

void TestChatStore::treeDeleteMovesLeafToSibling()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Delete"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("q"));
    const qint64 first = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("first"));
    const qint64 firstFollow = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("first follow-up"));
    const qint64 second = store.addMessage(chat, question, QStringLiteral("assistant"), QStringLiteral("second"));
    const qint64 secondFollow = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("second follow-up"));
    const qint64 secondAnswer = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("answer"));
    QCOMPARE(store.chat(chat).leafMessageId, secondAnswer);

    // Deleting the second reply takes its subtree; the leaf moves to the
    // remaining sibling's newest descendant.
    store.deleteMessage(second);
    QCOMPARE(ids(store.messages(chat)), (QList<qint64>{question, first, firstFollow}));
    QCOMPARE(store.chat(chat).leafMessageId, firstFollow);
    QCOMPARE(ids(store.activeBranch(chat)), (QList<qint64>{question, first, firstFollow}));
    QCOMPARE(store.activeBranch(chat)[1].siblingCount, 1);
    QVERIFY_THROWS_EXCEPTION(StorageError, store.message(secondFollow));
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 3);
}

void TestChatStore::treeDeleteLastSiblingMovesLeafToParent()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Delete"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("q"));
    const qint64 reply = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("r"));

    store.deleteMessage(reply);
    QCOMPARE(store.chat(chat).leafMessageId, question);
    QCOMPARE(ids(store.activeBranch(chat)), (QList<qint64>{question}));

    // The first message has no parent: the chat becomes empty.
    store.deleteMessage(question);
    QCOMPARE(store.chat(chat).leafMessageId, 0);
    QVERIFY(store.activeBranch(chat).isEmpty());

    // An empty chat takes new messages as a new first message.
    const qint64 again = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("again"));
    QCOMPARE(store.message(again).parentId, 0);
    QVERIFY_THROWS_EXCEPTION(StorageError, store.deleteMessage(99999));
}

void TestChatStore::treeDeleteOutsideBranchKeepsLeaf()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Delete"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("q"));
    const qint64 old = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("old"));
    const qint64 current = store.addMessage(chat, question, QStringLiteral("assistant"), QStringLiteral("new"));

    store.deleteMessage(old);
    QCOMPARE(store.chat(chat).leafMessageId, current);
    const QList<MessageRecord> branch = store.activeBranch(chat);
    QCOMPARE(ids(branch), (QList<qint64>{question, current}));
    QCOMPARE(branch[1].siblingIndex, 1);
    QCOMPARE(branch[1].siblingCount, 1);
}

void TestChatStore::treeParentFromOtherChatRejected()
{
    ChatStore store(databasePath());
    const qint64 one = store.createChat(QStringLiteral("One"));
    const qint64 two = store.createChat(QStringLiteral("Two"));
    const qint64 inOne = store.appendMessage(one, QStringLiteral("user"), QStringLiteral("q"));
    try {
        store.addMessage(two, inOne, QStringLiteral("assistant"), QStringLiteral("misplaced"));
        QFAIL("a parent from another chat was accepted");
    } catch (const StorageError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("belongs to chat")), qPrintable(message));
    }
    QVERIFY_THROWS_EXCEPTION(StorageError, store.addMessage(two, 424242, QStringLiteral("user"), QStringLiteral("x")));
    QVERIFY(store.messages(two).isEmpty());
    QCOMPARE(store.chat(two).leafMessageId, 0);
}

void TestChatStore::treeLongChatDeletes()
{
    // Longer than SQLite's trigger depth limit (1000), which a cascade from
    // the first message down the chain would run into.
    constexpr int kLength = 1500;
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Long"));
    const qint64 other = store.createChat(QStringLiteral("Long too"));
    qint64 first = 0;
    for (int i = 0; i < kLength; ++i) {
        const qint64 id = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("line %1").arg(i));
        store.appendMessage(other, QStringLiteral("user"), QStringLiteral("line %1").arg(i));
        if (i == 0)
            first = id;
    }
    QCOMPARE(store.activeBranch(chat).size(), kLength);
    QCOMPARE(store.activeBranch(chat).last().content, QStringLiteral("line %1").arg(kLength - 1));

    store.deleteMessage(first);
    QVERIFY(store.messages(chat).isEmpty());
    QCOMPARE(store.chat(chat).leafMessageId, 0);

    store.deleteChat(other);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 0);
}

void TestChatStore::messageStatsSaved()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Stats"));
    const qint64 reply = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("done"));
    QCOMPARE(store.message(reply).tokenCount, 0);
    QCOMPARE(store.message(reply).tokensPerSecond, 0.0);

    store.setMessageStats(reply, 128, 23.75);
    QCOMPARE(store.message(reply).tokenCount, 128);
    QCOMPARE(store.message(reply).tokensPerSecond, 23.75);
    QCOMPARE(store.activeBranch(chat).first().tokenCount, 128);
    QCOMPARE(store.messages(chat).first().tokensPerSecond, 23.75);
    QVERIFY_THROWS_EXCEPTION(StorageError, store.setMessageStats(99999, 1, 1.0));
}

void TestChatStore::unknownRoleRejected()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Roles"));
    try {
        store.appendMessage(chat, QStringLiteral("wizard"), QStringLiteral("x"));
        QFAIL("an unknown role was accepted");
    } catch (const StorageError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("\"wizard\"")), error.what());
    }
    QVERIFY_THROWS_EXCEPTION(StorageError, store.addMessage(chat, 0, QStringLiteral(""), QStringLiteral("x")));
    QVERIFY(store.messages(chat).isEmpty());
}

void TestChatStore::pinnedChatsComeFirst()
{
    ChatStore store(databasePath());
    const qint64 oldest = store.createChat(QStringLiteral("Oldest"));
    const qint64 middle = store.createChat(QStringLiteral("Middle"));
    const qint64 newest = store.createChat(QStringLiteral("Newest"));
    // Distinct activity times, oldest to newest, set in the file.
    execute(databasePath(), "UPDATE chats SET updated_at = 1000 * id");
    QCOMPARE(store.chats()[0].id, newest);

    store.setChatPinned(oldest, true);
    QList<ChatRecord> chats = store.chats();
    QCOMPARE(chats.size(), 3);
    QCOMPARE(chats[0].id, oldest);
    QVERIFY(chats[0].pinned);
    QCOMPARE(chats[1].id, newest);
    QCOMPARE(chats[2].id, middle);
    QVERIFY(!chats[2].pinned);

    // Pinned chats among themselves are ordered by activity too.
    store.setChatPinned(middle, true);
    chats = store.chats();
    QCOMPARE(chats[0].id, middle);
    QCOMPARE(chats[1].id, oldest);
    QCOMPARE(chats[2].id, newest);

    store.setChatPinned(oldest, false);
    store.setChatPinned(middle, false);
    QCOMPARE(store.chats()[0].id, newest);
    QVERIFY_THROWS_EXCEPTION(StorageError, store.setChatPinned(99999, true));
}

void TestChatStore::chatSettingsSaved()
{
    qint64 chat = 0;
    const QString settings = QStringLiteral("{\"temperature\":0.7,\"topP\":0.9}");
    {
        ChatStore store(databasePath());
        chat = store.createChat(QStringLiteral("Settings"));
        QCOMPARE(store.chat(chat).systemPrompt, QString());
        QCOMPARE(store.chat(chat).settingsJson, QString());
        store.setChatSystemPrompt(chat, QStringLiteral("Answer in French.\nBe brief."));
        store.setChatSettings(chat, settings);
    }
    ChatStore store(databasePath());
    QCOMPARE(store.chat(chat).systemPrompt, QStringLiteral("Answer in French.\nBe brief."));
    QCOMPARE(store.chat(chat).settingsJson, settings);
    QCOMPARE(store.chats().first().settingsJson, settings);

    // Empty goes back to the app's defaults.
    store.setChatSettings(chat, QString());
    QCOMPARE(store.chat(chat).settingsJson, QString());
    QVERIFY_THROWS_EXCEPTION(StorageError, store.setChatSystemPrompt(99999, QStringLiteral("x")));
}

void TestChatStore::invalidSettingsRejected()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Settings"));
    store.setChatSettings(chat, QStringLiteral("{\"temperature\":1}"));
    for (const QString& bad : {QStringLiteral("not json"), QStringLiteral("[1, 2]"), QStringLiteral("42"),
                               QStringLiteral("{\"a\":")}) {
        try {
            store.setChatSettings(chat, bad);
            QFAIL(qPrintable(QStringLiteral("settings \"%1\" were accepted").arg(bad)));
        } catch (const StorageError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("must be a JSON object")), error.what());
        }
    }
    QCOMPARE(store.chat(chat).settingsJson, QStringLiteral("{\"temperature\":1}"));
}

void TestChatStore::markDeletedHidesUntilRestored()
{
    ChatStore store(databasePath());
    const qint64 kept = store.createChat(QStringLiteral("Kept"));
    const qint64 marked = store.createChat(QStringLiteral("Marked"));
    store.appendMessage(marked, QStringLiteral("user"), QStringLiteral("still here"));

    store.markChatDeleted(marked);
    QCOMPARE(store.chats().size(), 1);
    QCOMPARE(store.chats().first().id, kept);
    // The undo bar still needs the title, and the messages stay.
    QCOMPARE(store.chat(marked).title, QStringLiteral("Marked"));
    QCOMPARE(store.messages(marked).size(), 1);

    store.restoreChat(marked);
    QCOMPARE(store.chats().size(), 2);
    QCOMPARE(store.activeBranch(marked).size(), 1);
    QVERIFY_THROWS_EXCEPTION(StorageError, store.markChatDeleted(99999));
    QVERIFY_THROWS_EXCEPTION(StorageError, store.restoreChat(99999));
}

void TestChatStore::purgeDeletesOnlyMarkedChats()
{
    ChatStore store(databasePath());
    const qint64 kept = store.createChat(QStringLiteral("Kept"));
    const qint64 first = store.createChat(QStringLiteral("First"));
    const qint64 second = store.createChat(QStringLiteral("Second"));
    store.appendMessage(kept, QStringLiteral("user"), QStringLiteral("keep me"));
    store.appendMessage(first, QStringLiteral("user"), QStringLiteral("a"));
    store.appendMessage(second, QStringLiteral("user"), QStringLiteral("b"));
    store.markChatDeleted(first);
    store.markChatDeleted(second);

    store.purgeDeletedChats();
    QCOMPARE(store.chats().size(), 1);
    QVERIFY_THROWS_EXCEPTION(StorageError, store.chat(first));
    QVERIFY_THROWS_EXCEPTION(StorageError, store.chat(second));
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM chats"), 1);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 1);

    // Nothing marked: nothing happens.
    store.purgeDeletedChats();
    QCOMPARE(store.messages(kept).size(), 1);
}

void TestChatStore::searchFindsAllWordsAsPrefixes()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Animals"));
    const qint64 fox = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("The quick brown fox jumps."));
    const qint64 dog = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("A lazy brown dog sleeps."));

    QCOMPARE(hitIds(store.search(QStringLiteral("brown"))).size(), 2);
    // Every word is required.
    QCOMPARE(hitIds(store.search(QStringLiteral("brown fox"))), (QList<qint64>{fox}));
    QCOMPARE(hitIds(store.search(QStringLiteral("lazy   dog"))), (QList<qint64>{dog}));
    QVERIFY(store.search(QStringLiteral("brown cat")).isEmpty());
    // Words match as prefixes, and case does not matter.
    QCOMPARE(hitIds(store.search(QStringLiteral("QUIC"))), (QList<qint64>{fox}));
    QCOMPARE(hitIds(store.search(QStringLiteral("slee"))), (QList<qint64>{dog}));

    // A hit names the chat and the message and marks the match.
    const QList<SearchHit> hits = store.search(QStringLiteral("quick"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits[0].chatId, chat);
    QCOMPARE(hits[0].messageId, fox);
    QCOMPARE(hits[0].chatTitle, QStringLiteral("Animals"));
    QCOMPARE(hits[0].role, QStringLiteral("user"));
    QCOMPARE(hits[0].createdAt, store.message(fox).createdAt);
    QVERIFY2(hits[0].snippet.contains(QStringLiteral("[quick]")), qPrintable(hits[0].snippet));

    // An edited message is found by its new text only.
    store.updateMessage(fox, QStringLiteral("The slow grey fox rests."), true);
    QVERIFY(store.search(QStringLiteral("quick")).isEmpty());
    QCOMPARE(hitIds(store.search(QStringLiteral("grey"))), (QList<qint64>{fox}));

    // The limit caps the hits.
    QCOMPARE(store.search(QStringLiteral("fox"), 1).size(), 1);
    QVERIFY(store.search(QStringLiteral("fox"), 0).isEmpty());
}

void TestChatStore::searchRanksBetterMatchFirst()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Rank"));
    store.appendMessage(chat, QStringLiteral("user"),
                        QStringLiteral("Some long text about many things, one of which is an apple, among pears, "
                                       "plums, cherries, grapes, melons and other fruit of the season."));
    const qint64 best = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("apple apple apple"));
    const QList<SearchHit> hits = store.search(QStringLiteral("apple"));
    QCOMPARE(hits.size(), 2);
    QCOMPARE(hits[0].messageId, best);
}

void TestChatStore::searchHostileInput_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("expectedHits");

    // The messages: "hello world, the quick brown fox", "Use NEAR( carefully;
    // 100% \"quoted\" text_with_underscores and C:\path" and "你好世界".
    QTest::newRow("empty") << QString() << 0;
    QTest::newRow("spaces") << QStringLiteral("   \t\n ") << 0;
    QTest::newRow("one quote") << QStringLiteral("\"") << 1;
    QTest::newRow("two quotes") << QStringLiteral("\"\"") << 0;
    QTest::newRow("open quote") << QStringLiteral("\"hello") << 0;
    QTest::newRow("quoted word") << QStringLiteral("\"quoted\"") << 1;
    QTest::newRow("NEAR(") << QStringLiteral("NEAR(") << 1;
    QTest::newRow("NEAR group") << QStringLiteral("NEAR(hello world)") << 0;
    QTest::newRow("NEAR between words") << QStringLiteral("hello NEAR world") << 0;
    QTest::newRow("star") << QStringLiteral("*") << 0;
    QTest::newRow("stars") << QStringLiteral("** ***") << 0;
    QTest::newRow("prefix star") << QStringLiteral("hel*") << 0;
    QTest::newRow("minus") << QStringLiteral("-") << 0;
    QTest::newRow("minus word") << QStringLiteral("-hello") << 0;
    QTest::newRow("AND") << QStringLiteral("AND") << 1;
    QTest::newRow("OR") << QStringLiteral("OR") << 2;
    QTest::newRow("NOT") << QStringLiteral("NOT") << 0;
    QTest::newRow("trailing AND") << QStringLiteral("hello AND") << 0;
    QTest::newRow("open bracket") << QStringLiteral("(") << 1;
    QTest::newRow("close bracket") << QStringLiteral(")") << 0;
    QTest::newRow("caret") << QStringLiteral("^hello") << 0;
    QTest::newRow("column filter") << QStringLiteral("content:hello") << 0;
    QTest::newRow("column set") << QStringLiteral("{content}: hello") << 0;
    QTest::newRow("colon") << QStringLiteral(":") << 1;
    QTest::newRow("plus") << QStringLiteral("+") << 0;
    QTest::newRow("apostrophe") << QStringLiteral("'") << 0;
    QTest::newRow("SQL injection") << QStringLiteral("' OR 1=1; DROP TABLE messages; --") << 0;
    QTest::newRow("percent") << QStringLiteral("%") << 1;
    QTest::newRow("underscore") << QStringLiteral("_") << 1;
    QTest::newRow("backslash") << QStringLiteral("\\") << 1;
    QTest::newRow("punctuation") << QStringLiteral("!!! ... ???") << 0;
    QTest::newRow("emoji") << QStringLiteral("🙂") << 0;
    QTest::newRow("NUL") << QStringLiteral("hel\u0000lo") << 1;
    QTest::newRow("control characters") << QStringLiteral("quick\u0001\u001bbrown") << 1;
    QTest::newRow("many words") << QStringLiteral("hello ").repeated(5000) << 1;
    QTest::newRow("long word") << QString(100000, QLatin1Char('x')) << 0;
    QTest::newRow("one CJK character") << QStringLiteral("你") << 1;
    QTest::newRow("percent word") << QStringLiteral("100%") << 1;
    QTest::newRow("underscore word") << QStringLiteral("text_with") << 1;
}

void TestChatStore::searchHostileInput()
{
    QFETCH(QString, query);
    QFETCH(int, expectedHits);

    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Hostile"));
    store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("hello world, the quick brown fox"));
    store.appendMessage(chat, QStringLiteral("assistant"),
                        QStringLiteral("Use NEAR( carefully; 100% \"quoted\" text_with_underscores and C:\\path"));
    store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("你好世界"));

    QList<SearchHit> hits;
    try {
        hits = store.search(query);
    } catch (const StorageError& error) {
        QFAIL(error.what());
    }
    QCOMPARE(hits.size(), expectedHits);
}

void TestChatStore::searchQueryValidForUnicode61()
{
    // The query this SQLite's unicode61 tokenizer gets (on an SQLite without
    // trigram) must parse too, for any input.
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(":memory:", &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db,
                          "CREATE VIRTUAL TABLE t USING fts5(content, tokenize = 'unicode61');"
                          "INSERT INTO t VALUES ('hello world, the quick brown fox'), ('你好世界 again'),"
                          " ('Use NEAR( carefully')",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);
    const QStringList inputs = {QStringLiteral("\""),        QStringLiteral("\"hello"),   QStringLiteral("NEAR("),
                                QStringLiteral("NEAR(a b)"), QStringLiteral("*"),         QStringLiteral("-"),
                                QStringLiteral("-hello"),    QStringLiteral("AND"),       QStringLiteral("hello OR"),
                                QStringLiteral("("),         QStringLiteral("^x"),        QStringLiteral("content:x"),
                                QStringLiteral("!!!"),       QStringLiteral("你好"),       QStringLiteral("'"),
                                QStringLiteral("a\"b\"c"),   QStringLiteral("quick bro"), QStringLiteral("🙂 hello")};
    const auto countMatches = [&](const QString& input) -> int {
        const quanta::chat_search::SearchQuery query =
            quanta::chat_search::buildQuery(input, quanta::chat_schema::Tokenizer::Unicode61);
        if (query.match.isEmpty())
            return 0;
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &stmt, nullptr) != SQLITE_OK)
            return -1;
        const QByteArray match = query.match.toUtf8();
        sqlite3_bind_text(stmt, 1, match.constData(), static_cast<int>(match.size()), SQLITE_TRANSIENT);
        const int rc = sqlite3_step(stmt);
        const int count = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        return count;
    };
    for (const QString& input : inputs)
        QVERIFY2(countMatches(input) >= 0, qPrintable(QStringLiteral("\"%1\": %2").arg(input, QString::fromUtf8(sqlite3_errmsg(db)))));
    QCOMPARE(countMatches(QStringLiteral("quick bro")), 1);
    QCOMPARE(countMatches(QStringLiteral("NEAR(")), 1);
    // unicode61 keeps a run of CJK characters as one word, matched by prefix.
    QCOMPARE(countMatches(QStringLiteral("你好")), 1);
    QCOMPARE(countMatches(QStringLiteral("!!!")), 0);
    sqlite3_close(db);
}

void TestChatStore::searchFindsChineseText()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("中文"));
    const qint64 hello = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("你好世界，今天天气很好。"));
    const qint64 wall = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("长城是中国古代的防御工程。"));

    // Two characters: shorter than a trigram, found by the table scan.
    QList<SearchHit> hits = store.search(QStringLiteral("你好"));
    QCOMPARE(hitIds(hits), (QList<qint64>{hello}));
    QVERIFY2(hits[0].snippet.contains(QStringLiteral("[你好]世界")), qPrintable(hits[0].snippet));
    QCOMPARE(hitIds(store.search(QStringLiteral("世界"))), (QList<qint64>{hello}));
    QCOMPARE(hitIds(store.search(QStringLiteral("长城"))), (QList<qint64>{wall}));

    // Three or more: through the index, also in the middle of a sentence.
    hits = store.search(QStringLiteral("防御工程"));
    QCOMPARE(hitIds(hits), (QList<qint64>{wall}));
    QVERIFY2(hits[0].snippet.contains(QLatin1Char('[')), qPrintable(hits[0].snippet));
    QCOMPARE(hitIds(store.search(QStringLiteral("今天天气"))), (QList<qint64>{hello}));

    // Mixed lengths: both kinds of words are required.
    QCOMPARE(hitIds(store.search(QStringLiteral("你好 今天天气"))), (QList<qint64>{hello}));
    QVERIFY(store.search(QStringLiteral("长城 今天天气")).isEmpty());
    QVERIFY(store.search(QStringLiteral("北京")).isEmpty());
}

void TestChatStore::searchSkipsDeletedChats()
{
    ChatStore store(databasePath());
    const qint64 live = store.createChat(QStringLiteral("Live"));
    const qint64 marked = store.createChat(QStringLiteral("Marked"));
    const qint64 liveMessage = store.appendMessage(live, QStringLiteral("user"), QStringLiteral("shared topic"));
    const qint64 markedMessage = store.appendMessage(marked, QStringLiteral("user"), QStringLiteral("shared topic"));
    QCOMPARE(store.search(QStringLiteral("topic")).size(), 2);

    store.markChatDeleted(marked);
    QCOMPARE(hitIds(store.search(QStringLiteral("topic"))), (QList<qint64>{liveMessage}));
    QCOMPARE(hitIds(store.search(QStringLiteral("to"))), (QList<qint64>{liveMessage}));

    store.restoreChat(marked);
    QCOMPARE(store.search(QStringLiteral("topic")).size(), 2);
    store.deleteChat(marked);
    QCOMPARE(hitIds(store.search(QStringLiteral("topic"))), (QList<qint64>{liveMessage}));
    Q_UNUSED(markedMessage);
}

void TestChatStore::deletedChatLeavesNoTrace()
{
    ChatStore store(databasePath());
    const qint64 kept = store.createChat(QStringLiteral("Kept"));
    store.appendMessage(kept, QStringLiteral("user"), QStringLiteral("keepsake text"));
    const qint64 doomed = store.createChat(QStringLiteral("Title with %1").arg(kAsciiMarker));
    store.appendMessage(doomed, QStringLiteral("user"), QStringLiteral("Tell me about %1.").arg(kGreekMarker));
    // A streamed reply leaves each version of its text in the WAL.
    const qint64 reply = store.appendMessage(doomed, QStringLiteral("assistant"), QString(), false);
    QString text;
    for (int i = 0; i < 20; ++i) {
        text += QStringLiteral("%1 %2 part %3. ").arg(kAsciiMarker, kGreekMarker).arg(i);
        store.updateMessage(reply, text, i == 19);
    }
    QCOMPARE(store.search(kGreekMarker).size(), 2);
    // The check finds the words while they are there.
    QVERIFY(!markerTraces(databasePath()).isEmpty());

    store.deleteChat(doomed);
    const QStringList traces = markerTraces(databasePath());
    QVERIFY2(traces.isEmpty(), qPrintable(traces.join(QLatin1String("; "))));
    // The kept chat is still in the file.
    QVERIFY(databaseFileBytes(databasePath()).contains("keepsake text"));
    QVERIFY(store.search(kGreekMarker).isEmpty());
    QCOMPARE(store.search(QStringLiteral("keepsake")).size(), 1);
}

void TestChatStore::deletedMessageLeavesNoTrace()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Chat"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("keepsake question"));
    const qint64 reply = store.appendMessage(chat, QStringLiteral("assistant"), QString(), false);
    for (int i = 1; i <= 10; ++i)
        store.updateMessage(reply, QStringLiteral("%1 %2 ").arg(kAsciiMarker, kGreekMarker).repeated(i), i == 10);
    store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("follow-up about %1").arg(kAsciiMarker));
    QVERIFY(!markerTraces(databasePath()).isEmpty());

    store.deleteMessage(reply);
    const QStringList traces = markerTraces(databasePath());
    QVERIFY2(traces.isEmpty(), qPrintable(traces.join(QLatin1String("; "))));
    QCOMPARE(ids(store.messages(chat)), (QList<qint64>{question}));
    QVERIFY(databaseFileBytes(databasePath()).contains("keepsake question"));
}

void TestChatStore::purgedChatLeavesNoTrace()
{
    ChatStore store(databasePath());
    const qint64 doomed = store.createChat(kAsciiMarker);
    store.appendMessage(doomed, QStringLiteral("user"), kGreekMarker);
    store.markChatDeleted(doomed);
    // Marked is not deleted yet: the text stays until the purge.
    QVERIFY(!markerTraces(databasePath()).isEmpty());

    store.purgeDeletedChats();
    const QStringList traces = markerTraces(databasePath());
    QVERIFY2(traces.isEmpty(), qPrintable(traces.join(QLatin1String("; "))));
}

void TestChatStore::fullDiskRaisesStorageError()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Full"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("q"));
    const qint64 reply = store.appendMessage(chat, QStringLiteral("assistant"), QString(), false);

    // No page beyond the ones there are: the next growth fails as on a full disk.
    store.setMaxPageCountForTesting(1);
    const QString large(200000, QLatin1Char('x'));
    const auto verifyFull = [&](const std::function<void()>& write) {
        try {
            write();
            QFAIL("a write beyond the page limit succeeded");
        } catch (const StorageError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(databasePath()), qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("disk is full")), qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("not saved")), qPrintable(message));
        }
    };
    verifyFull([&] { store.appendMessage(chat, QStringLiteral("user"), large); });
    verifyFull([&] { store.updateMessage(reply, large, true); });
    verifyFull([&] { store.addMessage(chat, question, QStringLiteral("assistant"), large); });

    // Nothing half-written, and the store keeps working once there is room.
    QCOMPARE(ids(store.messages(chat)), (QList<qint64>{question, reply}));
    QCOMPARE(store.message(reply).content, QString());
    QCOMPARE(store.chat(chat).leafMessageId, reply);
    store.setMaxPageCountForTesting(0);
    store.updateMessage(reply, large, true);
    QCOMPARE(store.message(reply).content.size(), large.size());

    ChatStore reopened(databasePath());
    QCOMPARE(reopened.message(reply).content, large);
    sqlite3* db = reopened.connection();
    QCOMPARE(queryText(db, "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestChatStore::fullDiskImportLeavesNothing()
{
    ChatStore store(databasePath());
    const qint64 existing = store.createChat(QStringLiteral("Existing"));
    QJsonObject file = validChatFile();
    file = withMessageField(file, 1, QStringLiteral("content"), QString(300000, QLatin1Char('y')));

    store.setMaxPageCountForTesting(1);
    try {
        quanta::importChatJson(store, toJson(file), QStringLiteral("big.json"));
        QFAIL("an import beyond the page limit succeeded");
    } catch (const StorageError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("disk is full")), error.what());
    }
    // The chat row went in before the large message failed; the transaction
    // takes it back out.
    QCOMPARE(store.chats().size(), 1);
    QCOMPARE(store.chats().first().id, existing);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 0);

    store.setMaxPageCountForTesting(0);
    const qint64 imported = quanta::importChatJson(store, toJson(file), QStringLiteral("big.json"));
    QCOMPARE(store.messages(imported).size(), 2);
}

void TestChatStore::readOnlyFileCanBeRead()
{
    qint64 chat = 0;
    qint64 reply = 0;
    {
        ChatStore store(databasePath());
        chat = store.createChat(QStringLiteral("Read me"));
        store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("What is in the archive?"));
        reply = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("Old letters."));
    }
    QVERIFY(QFile::setPermissions(databasePath(), kReadOnlyFile));
    const QByteArray before = readAll(databasePath());

    {
        PermissionBitsApply permissions;
        if (canWrite(databasePath()))
            QSKIP("This process can write read-only files (it keeps CAP_DAC_OVERRIDE)");

        ChatStore store(databasePath());
        QVERIFY(store.readOnly());
        QCOMPARE(store.chats().size(), 1);
        QCOMPARE(contents(store.activeBranch(chat)),
                 (QStringList{QStringLiteral("What is in the archive?"), QStringLiteral("Old letters.")}));
        QCOMPARE(hitIds(store.search(QStringLiteral("letters"))), (QList<qint64>{reply}));
        QCOMPARE(quanta::exportChatMarkdown(store, chat).count(QStringLiteral("###")), 2);
        // Nothing marked, so the purge at start has nothing to write.
        store.purgeDeletedChats();
        verifyEveryWriteIsRejected(store, chat, reply);
    }
    QCOMPARE(readAll(databasePath()), before);
}

void TestChatStore::readOnlyFolderCanBeRead()
{
    const QString folder = dir_->filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + QStringLiteral("/chats.sqlite");
    qint64 chat = 0;
    qint64 reply = 0;
    {
        ChatStore store(path);
        chat = store.createChat(QStringLiteral("Locked"));
        store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Is the folder locked?"));
        reply = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("It is."));
    }
    QVERIFY(QFile::setPermissions(folder, kReadOnlyFolder));
    const QStringList filesBefore = QDir(folder).entryList(QDir::Files);

    {
        PermissionBitsApply permissions;
        if (canWrite(folder))
            QSKIP("This process can write read-only folders (it keeps CAP_DAC_OVERRIDE)");
        // The file itself stays writable; SQLite's journal files could not be
        // created next to it.
        QVERIFY(canWrite(path));

        ChatStore store(path);
        QVERIFY(store.readOnly());
        QCOMPARE(store.chat(chat).title, QStringLiteral("Locked"));
        QCOMPARE(store.activeBranch(chat).size(), 2);
        QCOMPARE(hitIds(store.search(QStringLiteral("locked"))).size(), 1);
        verifyEveryWriteIsRejected(store, chat, reply);
    }
    QVERIFY(QFile::setPermissions(folder, kWritableFolder));
    QCOMPARE(QDir(folder).entryList(QDir::Files), filesBefore);
}

void TestChatStore::readOnlyVersion1FileNotMigrated()
{
    QVERIFY(QFile::copy(kVersion1Fixture, databasePath()));
    QVERIFY(QFile::setPermissions(databasePath(), kReadOnlyFile));
    const QByteArray before = readAll(databasePath());

    {
        PermissionBitsApply permissions;
        if (canWrite(databasePath()))
            QSKIP("This process can write read-only files (it keeps CAP_DAC_OVERRIDE)");
        try {
            ChatStore store(databasePath());
            QFAIL("a read-only schema-1 file was opened");
        } catch (const StorageError& error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(databasePath()), qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("schema version 1")), qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("read-only")), qPrintable(message));
        }
    }
    QCOMPARE(readAll(databasePath()), before);
    QCOMPARE(QDir(dir_->path()).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files).size(), 0);
}

void TestChatStore::version1FileMigrates()
{
    // The saved file: chat 1 "Autumn trip" (messages 1, 2, 4), chat 2
    // "中文聊天" (3, 5, 6, and 7, an incomplete reply), chat 3 empty.
    QVERIFY(QFile::copy(kVersion1Fixture, databasePath()));
    QVERIFY(QFile::setPermissions(databasePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QCOMPARE(queryInteger(databasePath(), "PRAGMA user_version"), 1);

    ChatStore store(databasePath());
    QCOMPARE(store.schemaVersion(), 2);
    QCOMPARE(queryInteger(databasePath(), "PRAGMA user_version"), 2);
    QVERIFY(!store.readOnly());

    // Chats, with their old fields and the new ones at their defaults.
    const QList<ChatRecord> chats = store.chats();
    QCOMPARE(chats.size(), 3);
    const ChatRecord trip = store.chat(1);
    QCOMPARE(trip.title, QStringLiteral("Autumn trip"));
    QCOMPARE(trip.modelPath, QStringLiteral("/models/qwen2-0_5b-instruct-q4_k_m.gguf"));
    QCOMPARE(trip.createdAt.toMSecsSinceEpoch(), Q_INT64_C(1714560000000));
    QCOMPARE(trip.updatedAt.toMSecsSinceEpoch(), Q_INT64_C(1714560300000));
    QVERIFY(!trip.pinned);
    QCOMPARE(trip.systemPrompt, QString());
    QCOMPARE(trip.settingsJson, QString());
    QCOMPARE(store.chat(2).title, QStringLiteral("中文聊天"));

    // Every message, in order, each under the one before it in its chat.
    const QList<MessageRecord> tripMessages = store.messages(1);
    QCOMPARE(ids(tripMessages), (QList<qint64>{1, 2, 4}));
    QCOMPARE(tripMessages[0].parentId, 0);
    QCOMPARE(tripMessages[1].parentId, 1);
    QCOMPARE(tripMessages[2].parentId, 2);
    QCOMPARE(tripMessages[0].role, QStringLiteral("system"));
    QVERIFY(tripMessages[2].content.contains(QStringLiteral("```python\nprint(\"紅葉\")\n```")));
    QCOMPARE(tripMessages[1].createdAt.toMSecsSinceEpoch(), Q_INT64_C(1714560000200));
    const QList<MessageRecord> chinese = store.messages(2);
    QCOMPARE(ids(chinese), (QList<qint64>{3, 5, 6, 7}));
    QCOMPARE(chinese[0].parentId, 0);
    QCOMPARE(chinese[1].parentId, 3);
    QCOMPARE(chinese[2].parentId, 5);
    QCOMPARE(chinese[3].parentId, 6);
    QCOMPARE(chinese[0].content, QStringLiteral("你好世界，请介绍一下长城。"));
    QCOMPARE(chinese[3].content, QStringLiteral("不客气！如果你还想了解"));
    QVERIFY(!chinese[3].complete);
    QVERIFY(chinese[2].complete);
    QCOMPARE(chinese[3].tokenCount, 0);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 7);

    // The leaf is each chat's last message; the branch is the whole chat.
    QCOMPARE(trip.leafMessageId, 4);
    QCOMPARE(store.chat(2).leafMessageId, 7);
    QCOMPARE(store.chat(3).leafMessageId, 0);
    QCOMPARE(ids(store.activeBranch(2)), (QList<qint64>{3, 5, 6, 7}));
    QVERIFY(store.activeBranch(3).isEmpty());

    // Old text is in the search index.
    QCOMPARE(hitIds(store.search(QStringLiteral("Zephyrine"))), (QList<qint64>{2}));
    QCOMPARE(hitIds(store.search(QStringLiteral("长城"))).size(), 2);
    QCOMPARE(hitIds(store.search(QStringLiteral("你好"))), (QList<qint64>{3}));
    QCOMPARE(hitIds(store.search(QStringLiteral("maple leaves"))), (QList<qint64>{4}));

    // The upgraded file is sound, and new messages continue the branch.
    sqlite3* db = store.connection();
    QCOMPARE(queryText(db, "PRAGMA integrity_check"), QStringLiteral("ok"));
    QCOMPARE(sqlite3_exec(db, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')", nullptr, nullptr,
                          nullptr),
             SQLITE_OK);
    const qint64 next = store.appendMessage(2, QStringLiteral("user"), QStringLiteral("继续"));
    QCOMPARE(store.message(next).parentId, 7);
}

void TestChatStore::exportImportRoundTrip()
{
    // Step 1: a chat with two branches, settings and statistics.
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Round trip 往返"), QStringLiteral("/models/m.gguf"));
    store.setChatPinned(chat, true);
    store.setChatSystemPrompt(chat, QStringLiteral("Answer in rhyme."));
    store.setChatSettings(chat, QStringLiteral("{\"temperature\":0.7,\"topP\":0.9}"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Write code"));
    const qint64 code =
        store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("```cpp\nint main() { return 0; }\n```"));
    store.setMessageStats(code, 42, 12.5);
    store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Thanks 谢谢"));
    store.addMessage(chat, question, QStringLiteral("assistant"), QStringLiteral("Second try"), false);
    store.selectBranch(code);

    // Step 2: export and import.
    const QByteArray json = quanta::exportChatJson(store, chat);
    const qint64 copy = quanta::importChatJson(store, json, QStringLiteral("round-trip.json"));
    QVERIFY(copy != chat);

    // Step 3: the chat's fields.
    const ChatRecord original = store.chat(chat);
    const ChatRecord imported = store.chat(copy);
    QCOMPARE(imported.title, original.title);
    QCOMPARE(imported.modelPath, original.modelPath);
    QCOMPARE(imported.systemPrompt, original.systemPrompt);
    QCOMPARE(imported.settingsJson, original.settingsJson);
    QCOMPARE(imported.pinned, true);
    QCOMPARE(imported.createdAt, original.createdAt);

    // Step 4: every message, with its parent found by its text (unique here).
    const QList<MessageRecord> before = store.messages(chat);
    const QList<MessageRecord> after = store.messages(copy);
    QCOMPARE(after.size(), before.size());
    QHash<qint64, QString> beforeText;
    QHash<qint64, QString> afterText;
    for (const MessageRecord& message : before)
        beforeText.insert(message.id, message.content);
    for (const MessageRecord& message : after)
        afterText.insert(message.id, message.content);
    for (qsizetype i = 0; i < before.size(); ++i) {
        QVERIFY(!beforeText.contains(after[i].id));
        QCOMPARE(after[i].chatId, copy);
        QCOMPARE(after[i].content, before[i].content);
        QCOMPARE(after[i].role, before[i].role);
        QCOMPARE(after[i].complete, before[i].complete);
        QCOMPARE(after[i].createdAt, before[i].createdAt);
        QCOMPARE(after[i].tokenCount, before[i].tokenCount);
        QCOMPARE(after[i].tokensPerSecond, before[i].tokensPerSecond);
        QCOMPARE(afterText.value(after[i].parentId), beforeText.value(before[i].parentId));
    }

    // Step 5: the same branch on screen, with the same siblings.
    const QList<MessageRecord> branchBefore = store.activeBranch(chat);
    const QList<MessageRecord> branchAfter = store.activeBranch(copy);
    QCOMPARE(contents(branchAfter), contents(branchBefore));
    QCOMPARE(branchAfter[1].siblingIndex, 1);
    QCOMPARE(branchAfter[1].siblingCount, 2);

    // Step 6: a second export of the copy matches the first but for ids and times.
    QJsonObject first = QJsonDocument::fromJson(json).object();
    QJsonObject second = QJsonDocument::fromJson(quanta::exportChatJson(store, copy)).object();
    QCOMPARE(second[QStringLiteral("messages")].toArray().size(), first[QStringLiteral("messages")].toArray().size());
    QCOMPARE(second[QStringLiteral("settings")], first[QStringLiteral("settings")]);
}

void TestChatStore::exportJsonHasFormatAndTree()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Export"));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("q"));
    const qint64 reply = store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("a"), false);

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(quanta::exportChatJson(store, chat), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject root = document.object();
    QCOMPARE(root[QStringLiteral("format")].toString(), QStringLiteral("quanta-chat"));
    QCOMPARE(root[QStringLiteral("version")].toInt(), 1);
    QCOMPARE(root[QStringLiteral("title")].toString(), QStringLiteral("Export"));
    QVERIFY(root[QStringLiteral("settings")].isObject());
    QCOMPARE(root[QStringLiteral("pinned")].toBool(true), false);
    QCOMPARE(root[QStringLiteral("leafMessageId")].toInteger(), reply);
    const QJsonArray messages = root[QStringLiteral("messages")].toArray();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0][QStringLiteral("id")].toInteger(), question);
    QVERIFY(messages[0][QStringLiteral("parentId")].isNull());
    QCOMPARE(messages[1][QStringLiteral("parentId")].toInteger(), question);
    QCOMPARE(messages[1][QStringLiteral("complete")].toBool(true), false);
    QVERIFY(QDateTime::fromString(messages[1][QStringLiteral("createdAt")].toString(), Qt::ISODateWithMs).isValid());
    QVERIFY_THROWS_EXCEPTION(StorageError, quanta::exportChatJson(store, 99999));
}

void TestChatStore::exportMarkdownShowsActiveBranch()
{
    ChatStore store(databasePath());
    const qint64 chat = store.createChat(QStringLiteral("Markdown"));
    store.setChatSystemPrompt(chat, QStringLiteral("Be precise."));
    const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Show a loop"));
    const QString code = QStringLiteral("Here:\n\n```python\nfor i in range(3):\n    print(i)  # *not* a heading\n```");
    store.appendMessage(chat, QStringLiteral("assistant"), QStringLiteral("An older reply"));
    store.addMessage(chat, question, QStringLiteral("assistant"), code);

    const QString markdown = quanta::exportChatMarkdown(store, chat);
    QVERIFY2(markdown.startsWith(QStringLiteral("# Markdown\n")), qPrintable(markdown));
    QVERIFY2(markdown.contains(QStringLiteral("Be precise.")), qPrintable(markdown));
    const qsizetype user = markdown.indexOf(QStringLiteral("### User\n\nShow a loop\n"));
    const qsizetype assistant = markdown.indexOf(QStringLiteral("### Assistant\n\n") + code + QLatin1Char('\n'));
    QVERIFY2(user > 0, qPrintable(markdown));
    QVERIFY2(assistant > user, qPrintable(markdown));
    QVERIFY2(!markdown.contains(QStringLiteral("An older reply")), qPrintable(markdown));
}

void TestChatStore::importRejectsBadFile_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("problem");

    const QJsonObject valid = validChatFile();
    const QJsonValue missing(QJsonValue::Undefined);
    QJsonObject cycle = withMessageField(valid, 0, QStringLiteral("parentId"), 2);

    QTest::newRow("invalid JSON") << QByteArray("{\"format\": \"quanta-chat\", ") << QStringLiteral("invalid JSON at byte 26");
    QTest::newRow("empty file") << QByteArray() << QStringLiteral("invalid JSON at byte 0");
    QTest::newRow("array") << QByteArray("[1, 2]") << QStringLiteral("must contain one JSON object, found an array");
    QTest::newRow("other format") << toJson(withField(valid, QStringLiteral("format"), QStringLiteral("other-app")))
                                  << QStringLiteral("\"format\" is \"other-app\"");
    QTest::newRow("no format") << toJson(withField(valid, QStringLiteral("format"), missing))
                               << QStringLiteral("the field \"format\" is missing");
    QTest::newRow("newer version") << toJson(withField(valid, QStringLiteral("version"), 2))
                                   << QStringLiteral("version 2, but this version of Quanta reads version 1");
    QTest::newRow("version as text") << toJson(withField(valid, QStringLiteral("version"), QStringLiteral("1")))
                                     << QStringLiteral("\"version\" must be an integer");
    QTest::newRow("no title") << toJson(withField(valid, QStringLiteral("title"), missing))
                              << QStringLiteral("the field \"title\" is missing");
    QTest::newRow("title as number") << toJson(withField(valid, QStringLiteral("title"), 42))
                                     << QStringLiteral("\"title\" must be a string, found a number");
    QTest::newRow("pinned as text") << toJson(withField(valid, QStringLiteral("pinned"), QStringLiteral("yes")))
                                    << QStringLiteral("\"pinned\" must be true or false");
    QTest::newRow("settings as text") << toJson(withField(valid, QStringLiteral("settings"), QStringLiteral("fast")))
                                      << QStringLiteral("\"settings\" must be an object, found a string");
    QTest::newRow("bad chat time") << toJson(withField(valid, QStringLiteral("createdAt"), QStringLiteral("yesterday")))
                                   << QStringLiteral("\"createdAt\" must be an ISO 8601 time");
    QTest::newRow("no messages") << toJson(withField(valid, QStringLiteral("messages"), missing))
                                 << QStringLiteral("the field \"messages\" is missing");
    QTest::newRow("messages as object") << toJson(withField(valid, QStringLiteral("messages"), QJsonObject()))
                                        << QStringLiteral("\"messages\" must be an array, found an object");
    QTest::newRow("message as number") << toJson(withField(valid, QStringLiteral("messages"), QJsonArray{1}))
                                       << QStringLiteral("message 1 of the list: it must be an object, found a number");
    QTest::newRow("no id") << toJson(withMessageField(valid, 1, QStringLiteral("id"), missing))
                           << QStringLiteral("message 2 of the list: the field \"id\" is missing");
    QTest::newRow("fractional id") << toJson(withMessageField(valid, 1, QStringLiteral("id"), 2.5))
                                   << QStringLiteral("\"id\" must be an integer from 1 to");
    QTest::newRow("negative id") << toJson(withMessageField(valid, 1, QStringLiteral("id"), -2))
                                 << QStringLiteral("found -2");
    QTest::newRow("huge id") << toJson(withMessageField(valid, 1, QStringLiteral("id"), 1e300))
                             << QStringLiteral("\"id\" must be an integer");
    QTest::newRow("duplicate id") << toJson(withMessageField(valid, 1, QStringLiteral("id"), 1))
                                  << QStringLiteral("message id 1 appears twice");
    QTest::newRow("no parent id") << toJson(withMessageField(valid, 1, QStringLiteral("parentId"), missing))
                                  << QStringLiteral("the field \"parentId\" is missing");
    QTest::newRow("unknown parent") << toJson(withMessageField(valid, 1, QStringLiteral("parentId"), 77))
                                    << QStringLiteral("message 2 has the parent id 77, but no message has that id");
    QTest::newRow("own parent") << toJson(withMessageField(valid, 1, QStringLiteral("parentId"), 2))
                                << QStringLiteral("cycle through the messages 2");
    QTest::newRow("two-message cycle") << toJson(cycle) << QStringLiteral("cycle through the messages");
    QTest::newRow("unknown role") << toJson(withMessageField(valid, 1, QStringLiteral("role"), QStringLiteral("wizard")))
                                  << QStringLiteral("unknown role \"wizard\"");
    QTest::newRow("no content") << toJson(withMessageField(valid, 0, QStringLiteral("content"), missing))
                                << QStringLiteral("message 1 of the list: the field \"content\" is missing");
    QTest::newRow("content as array") << toJson(withMessageField(valid, 0, QStringLiteral("content"), QJsonArray()))
                                      << QStringLiteral("\"content\" must be a string, found an array");
    QTest::newRow("complete as text") << toJson(withMessageField(valid, 1, QStringLiteral("complete"), QStringLiteral("no")))
                                      << QStringLiteral("\"complete\" must be true or false");
    QTest::newRow("negative tokens") << toJson(withMessageField(valid, 1, QStringLiteral("tokenCount"), -1))
                                     << QStringLiteral("\"tokenCount\" must be an integer from 0");
    QTest::newRow("negative speed") << toJson(withMessageField(valid, 1, QStringLiteral("tokensPerSecond"), -2.5))
                                    << QStringLiteral("\"tokensPerSecond\" must be a number of 0 or more");
    QTest::newRow("bad message time")
        << toJson(withMessageField(valid, 1, QStringLiteral("createdAt"), QStringLiteral("2024-13-45")))
        << QStringLiteral("\"createdAt\" must be an ISO 8601 time");
    QTest::newRow("unknown leaf") << toJson(withField(valid, QStringLiteral("leafMessageId"), 99))
                                  << QStringLiteral("\"leafMessageId\" is 99, but no message has that id");
}

void TestChatStore::importRejectsBadFile()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, problem);

    ChatStore store(databasePath());
    store.createChat(QStringLiteral("Existing"));
    const QString fileName = dir_->filePath(QStringLiteral("hostile.json"));
    try {
        quanta::importChatJson(store, json, fileName);
        QFAIL("a bad chat file was imported");
    } catch (const StorageError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(fileName), qPrintable(message));
        QVERIFY2(message.contains(problem), qPrintable(message));
    }
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM chats"), 1);
    QCOMPARE(queryInteger(databasePath(), "SELECT count(*) FROM messages"), 0);
}

void TestChatStore::importAcceptsValidFile()
{
    ChatStore store(databasePath());
    // Ids need not start at 1 or be dense, and optional fields may be left out.
    QJsonObject file = validChatFile();
    file.remove(QStringLiteral("settings"));
    file.remove(QStringLiteral("leafMessageId"));
    file = withMessageField(file, 0, QStringLiteral("id"), 1000);
    file = withMessageField(file, 1, QStringLiteral("id"), 5000);
    file = withMessageField(file, 1, QStringLiteral("parentId"), 1000);
    file = withMessageField(file, 1, QStringLiteral("tokensPerSecond"), QJsonValue::Undefined);
    const qint64 chat = quanta::importChatJson(store, toJson(file), QStringLiteral("ok.json"));
    const QList<MessageRecord> branch = store.activeBranch(chat);
    QCOMPARE(contents(branch), (QStringList{QStringLiteral("Hi"), QStringLiteral("Hello!")}));
    QCOMPARE(branch[1].tokenCount, 3);
    QCOMPARE(branch[1].createdAt, QDateTime(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC));
    QCOMPARE(store.chat(chat).title, QStringLiteral("Imported"));
    // An imported chat comes first in the list.
    QCOMPARE(store.chats().first().id, chat);
}

void TestChatStore::importRejectsOversizeFile()
{
    ChatStore store(databasePath());
    const QString fileName = QStringLiteral("large.json");

    // Step 1: more bytes than the limit, rejected before parsing.
    {
        QByteArray large(quanta::kMaxChatImportBytes + 1, ' ');
        try {
            quanta::importChatJson(store, large, fileName);
            QFAIL("a file over the size limit was imported");
        } catch (const StorageError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("more than the limit of 67108864 bytes")),
                     error.what());
        }
    }

    // Step 2: more messages than the limit.
    QByteArray json = R"({"format":"quanta-chat","version":1,"title":"Many","messages":[)";
    for (int i = 1; i <= quanta::kMaxChatImportMessages + 1; ++i) {
        if (i > 1)
            json += ',';
        json += R"({"id":)" + QByteArray::number(i) + R"(,"parentId":null,"role":"user","content":""})";
    }
    json += "]}";
    try {
        quanta::importChatJson(store, json, fileName);
        QFAIL("a file over the message limit was imported");
    } catch (const StorageError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("100001 messages, more than the limit of 100000")),
                 error.what());
    }
    QVERIFY(store.chats().isEmpty());
}

QTEST_GUILESS_MAIN(TestChatStore)
#include "test_chat_store.moc"

// The chat database survives kill -9 in the middle of streamed replies.
//
// The test runs its own binary again as a writer (QUANTA_CRASH_TEST_DATABASE
// names the file): the writer streams assistant replies into chats, as the
// app does, and prints "done <message id> <sha256 of the text>" once a reply
// is saved complete. The test kills it with SIGKILL at seeded random points,
// reopens the file with ChatStore, runs PRAGMA integrity_check and checks
// that every reply reported done is there, complete, with the same text.

#include "storage/chat_store.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

#include <cstdio>

using quanta::ChatStore;
using quanta::MessageRecord;
using quanta::StorageError;

namespace {

const char* const kDatabaseVariable = "QUANTA_CRASH_TEST_DATABASE";
const char* const kSeedVariable = "QUANTA_CRASH_TEST_SEED";

// Kill runs, each with its own seed.
constexpr int kRuns = 24;
constexpr quint32 kBaseSeed = 20240501;

// A writer that is never killed stops after this many replies.
constexpr int kMaxRepliesPerWriter = 200;

QByteArray sha256Hex(const QString& text)
{
    return QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex();
}

// Pieces of reply text, with multi-byte characters and code, as a model
// would stream them.
const QStringList kPieces = {
    QStringLiteral("The "),     QStringLiteral("answer "), QStringLiteral("is "),  QStringLiteral("42. "),
    QStringLiteral("你好，"),    QStringLiteral("世界！"),   QStringLiteral("\n```cpp\nint x = 1;\n```\n"),
    QStringLiteral("Ünïcödé "), QStringLiteral("🙂 "),      QStringLiteral("and so on, "),
};

// The writer: streams replies into chats until it is killed.
int runWriter(const QString& path, quint32 seed)
{
    QRandomGenerator random(seed);
    try {
        ChatStore store(path);
        qint64 chat = 0;
        for (int reply = 0; reply < kMaxRepliesPerWriter; ++reply) {
            // Step 1: a new chat now and then, a question, an empty reply.
            if (chat == 0 || random.bounded(4) == 0)
                chat = store.createChat(QStringLiteral("Crash %1-%2").arg(seed).arg(reply));
            const qint64 question = store.appendMessage(chat, QStringLiteral("user"), QStringLiteral("Question %1").arg(reply));
            const qint64 id = store.appendMessage(chat, QStringLiteral("assistant"), QString(), false);

            // Step 2: stream it, saving the whole text so far each time.
            QString text;
            const int pieces = 5 + static_cast<int>(random.bounded(40));
            for (int i = 0; i < pieces; ++i) {
                text += kPieces[static_cast<qsizetype>(random.bounded(static_cast<quint32>(kPieces.size())))];
                store.updateMessage(id, text, false);
                QThread::usleep(random.bounded(3000));
            }

            // Step 3: finish it and report it.
            store.updateMessage(id, text, true);
            store.setMessageStats(id, pieces, 10.0 + reply);
            std::printf("done %lld %s\n", static_cast<long long>(id), sha256Hex(text).constData());
            std::fflush(stdout);

            // Step 4: sometimes regenerate, or delete a scratch chat, so that
            // kills also land in those writes.
            if (random.bounded(3) == 0)
                store.addMessage(chat, question, QStringLiteral("assistant"), QStringLiteral("Another take"));
            if (random.bounded(5) == 0) {
                const qint64 scratch = store.createChat(QStringLiteral("Scratch"));
                store.appendMessage(scratch, QStringLiteral("user"), QStringLiteral("To be deleted"));
                store.deleteChat(scratch);
            }
        }
    } catch (const StorageError& error) {
        std::fprintf(stderr, "writer failed: %s\n", error.what());
        return 1;
    }
    return 0;
}

} // namespace

class TestChatCrash : public QObject {
    Q_OBJECT

private slots:
    void killedWriterLosesNoCompletedReply();
};

void TestChatCrash::killedWriterLosesNoCompletedReply()
{
    QTemporaryDir dir;
    QVERIFY2(dir.isValid(), qPrintable(dir.errorString()));
    const QString path = dir.filePath(QStringLiteral("chats.sqlite"));
    QHash<qint64, QByteArray> reported; // message id -> sha256 of its final text
    int linesWaitedFor = 0;

    for (int run = 0; run < kRuns; ++run) {
        const quint32 seed = kBaseSeed + static_cast<quint32>(run);
        QRandomGenerator random(seed);
        const QString where = QStringLiteral("run %1, seed %2").arg(run).arg(seed);

        // Step 1: start the writer on the same file as the runs before.
        QProcess writer;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QString::fromLatin1(kDatabaseVariable), path);
        environment.insert(QString::fromLatin1(kSeedVariable), QString::number(seed));
        writer.setProcessEnvironment(environment);
        writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        writer.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY2(writer.waitForStarted(), qPrintable(where + QLatin1String(": ") + writer.errorString()));

        // Step 2: let it finish 0 to 4 replies, then kill it 0 to 20 ms later,
        // which lands anywhere in a reply, a regeneration or a delete.
        const int waitForLines = static_cast<int>(random.bounded(5));
        QByteArray output;
        while (output.count('\n') < waitForLines && writer.state() == QProcess::Running) {
            writer.waitForReadyRead(1000);
            output += writer.readAllStandardOutput();
        }
        linesWaitedFor += waitForLines;
        QThread::usleep(random.bounded(20000));
        writer.kill(); // SIGKILL
        QVERIFY(writer.waitForFinished());
        output += writer.readAllStandardOutput();

        // Step 3: collect what it reported as saved.
        for (const QByteArray& line : output.split('\n')) {
            const QList<QByteArray> fields = line.trimmed().split(' ');
            if (fields.size() != 3 || fields[0] != "done")
                continue;
            reported.insert(fields[1].toLongLong(), fields[2]);
        }

        // Step 4: the file opens, is sound, and contains every reported reply.
        ChatStore store(path);
        sqlite3_stmt* stmt = nullptr;
        QCOMPARE(sqlite3_prepare_v2(store.connection(), "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
        QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
        const QString integrity = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
        sqlite3_finalize(stmt);
        QVERIFY2(integrity == QLatin1String("ok"), qPrintable(where + QLatin1String(": ") + integrity));
        QCOMPARE(sqlite3_exec(store.connection(), "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        for (auto it = reported.constBegin(); it != reported.constEnd(); ++it) {
            MessageRecord message;
            try {
                message = store.message(it.key());
            } catch (const StorageError& error) {
                QFAIL(qPrintable(where + QLatin1String(": ") + QString::fromUtf8(error.what())));
            }
            QVERIFY2(message.complete, qPrintable(where + QStringLiteral(": message %1 is incomplete").arg(it.key())));
            QVERIFY2(sha256Hex(message.content) == it.value(),
                     qPrintable(where + QStringLiteral(": message %1 has other text").arg(it.key())));
            QCOMPARE(message.role, QStringLiteral("assistant"));
        }
        // Each chat's branch still reads from its first message to its leaf.
        for (const quanta::ChatRecord& chat : store.chats()) {
            const QList<MessageRecord> branch = store.activeBranch(chat.id);
            QCOMPARE(branch.isEmpty() ? 0 : branch.last().id, chat.leafMessageId);
        }
    }
    // The writer got as far as each run waited for, so kills also came
    // after completed replies.
    QVERIFY(reported.size() >= linesWaitedFor);

    // Replies cut off by a kill are kept as they were, incomplete.
    ChatStore store(path);
    int cutOff = 0;
    for (const quanta::ChatRecord& chat : store.chats()) {
        for (const MessageRecord& message : store.messages(chat.id))
            cutOff += message.complete ? 0 : 1;
    }
    qInfo("%d runs: %lld replies reported complete, %d messages left incomplete by a kill", kRuns,
          static_cast<long long>(reported.size()), cutOff);
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);

    // The writer mode, when the test starts this binary again.
    const QByteArray database = qgetenv(kDatabaseVariable);
    if (!database.isEmpty())
        return runWriter(QString::fromLocal8Bit(database), qEnvironmentVariableIntValue(kSeedVariable));

    TestChatCrash test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_chat_crash.moc"

// quanta-cli download against a real nginx on 127.0.0.1: the path on
// stdout, the exit codes for errors, bad arguments and Ctrl+C, and the resume
// of an interrupted run with the new run's --sha256. A failed run leaves no
// partial files that a rerun cannot continue, and the progress is printed as
// plain lines when stderr is not a terminal.
#include "nginx_server.h"
#include "test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <memory>
#include <random>

using quanta::test::NginxServer;

namespace {

constexpr int kTimeoutMs = 120000;
constexpr qint64 kFileSize = (qint64{2} << 20) + 777;

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result finish(QProcess& process)
{
    Result result;
    if (!process.waitForFinished(kTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("timed out");
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

Result runCli(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), arguments);
    return finish(process);
}

QByteArray readBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The job folders a run left in `folder`/.partial.
QStringList partialJobs(const QString& folder)
{
    return QDir(folder + QStringLiteral("/.partial")).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
}

// The size of the first *.part file under `folder`/.partial, or -1.
qint64 partFileSize(const QString& folder)
{
    QDirIterator it(folder + QStringLiteral("/.partial"), {QStringLiteral("*.part")}, QDir::Files | QDir::Hidden,
                    QDirIterator::Subdirectories);
    return it.hasNext() ? it.nextFileInfo().size() : -1;
}

} // namespace

class TestDownloadCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void successPrintsPath();
    void notFoundExitsWithUrl();
    void checksumMismatchExits();
    void badArgumentsExitWithUsage_data();
    void badArgumentsExitWithUsage();
    void interruptKeepsPartialForResume();
    void rerunTakesNewChecksum();
    void percentSignsSurviveInMessage();
    void helpExplainsPartialFiles();

private:
    std::unique_ptr<NginxServer> server_;
    QByteArray bytes_;
    QByteArray sha_;
};

void TestDownloadCli::initTestCase()
{
    if (!NginxServer::available())
        QSKIP("nginx is not installed at /usr/sbin/nginx (Debian package nginx; scripts/setup.sh installs it)");
    server_ = std::make_unique<NginxServer>();
    // The throttled first request of a file takes about 16 s, long enough
    // to interrupt it.
    server_->setThrottleBytesPerSecond(128 * 1024);
    std::mt19937_64 generator(42);
    bytes_.resize(kFileSize);
    for (qint64 i = 0; i < kFileSize; ++i)
        bytes_[i] = static_cast<char>(generator() & 0xFF);
    sha_ = QCryptographicHash::hash(bytes_, QCryptographicHash::Sha256).toHex();
    QFile file(QDir(server_->documentRoot()).filePath(QStringLiteral("model.gguf")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes_), kFileSize);
    file.close();
    QString error;
    QVERIFY2(server_->start(&error), qPrintable(error));
}

void TestDownloadCli::successPrintsPath()
{
    QTemporaryDir models;
    const Result result = runCli({QStringLiteral("download"), server_->url(QStringLiteral("/files/model.gguf")).toString(),
                                  QStringLiteral("--sha256"), QString::fromLatin1(sha_), QStringLiteral("-o"),
                                  models.path()});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QString path = QDir(models.path()).filePath(QStringLiteral("model.gguf"));
    QCOMPARE(result.out.trimmed(), path);
    QCOMPARE(readBytes(path), bytes_);
    QVERIFY2(result.err.contains(QStringLiteral("100%")), qPrintable(result.err));
    // stderr is a pipe here: plain lines, no carriage returns, at most one
    // per 10 % step plus the first and the last.
    QVERIFY2(!result.err.contains(QLatin1Char('\r')), qPrintable(result.err));
    QVERIFY2(result.err.count(QStringLiteral("model.gguf  ")) <= 12, qPrintable(result.err));

    // --name chooses the file name; the first file is left as it is.
    const Result named = runCli({QStringLiteral("download"), server_->url(QStringLiteral("/files/model.gguf")).toString(),
                                 QStringLiteral("-o"), models.path(), QStringLiteral("--name"),
                                 QStringLiteral("copy.gguf")});
    QVERIFY2(named.exitCode == 0, qPrintable(named.err));
    QCOMPARE(named.out.trimmed(), QDir(models.path()).filePath(QStringLiteral("copy.gguf")));
    QCOMPARE(readBytes(path), bytes_);
}

void TestDownloadCli::notFoundExitsWithUrl()
{
    QTemporaryDir models;
    const QString url = server_->url(QStringLiteral("/files/missing.gguf")).toString();
    const Result result = runCli({QStringLiteral("download"), url, QStringLiteral("-o"), models.path()});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(url), qPrintable(result.err));
    QVERIFY2(result.err.contains(QStringLiteral("404")), qPrintable(result.err));
    QVERIFY(result.out.isEmpty());
    QVERIFY(QDir(models.path()).entryList(QDir::Files).isEmpty());
    // A 404 is final: no partial files are kept for a rerun.
    QVERIFY2(!QFileInfo::exists(QDir(models.path()).filePath(QStringLiteral(".partial"))),
             qPrintable(partialJobs(models.path()).join(QLatin1Char(' '))));
}

void TestDownloadCli::checksumMismatchExits()
{
    QTemporaryDir models;
    const QString wrong(64, QLatin1Char('0'));
    const Result result = runCli({QStringLiteral("download"), server_->url(QStringLiteral("/files/model.gguf")).toString(),
                                  QStringLiteral("--sha256"), wrong, QStringLiteral("-o"), models.path()});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(wrong), qPrintable(result.err));
    QVERIFY2(result.err.contains(QString::fromLatin1(sha_)), qPrintable(result.err));
    QVERIFY(result.out.isEmpty());
    QVERIFY(!QFileInfo::exists(QDir(models.path()).filePath(QStringLiteral("model.gguf"))));
    QVERIFY2(partialJobs(models.path()).isEmpty(), qPrintable(partialJobs(models.path()).join(QLatin1Char(' '))));

    // A rerun with the right checksum, or with none, downloads the file.
    const Result fixed = runCli({QStringLiteral("download"), server_->url(QStringLiteral("/files/model.gguf")).toString(),
                                 QStringLiteral("--sha256"), QString::fromLatin1(sha_), QStringLiteral("-o"),
                                 models.path()});
    QVERIFY2(fixed.exitCode == 0, qPrintable(fixed.err));
    QCOMPARE(readBytes(QDir(models.path()).filePath(QStringLiteral("model.gguf"))), bytes_);
}

void TestDownloadCli::badArgumentsExitWithUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString url = QStringLiteral("http://127.0.0.1:9/model.gguf");
    QTest::newRow("no URL") << QStringList{} << QStringLiteral("missing URL");
    QTest::newRow("not http") << QStringList{QStringLiteral("ftp://example.org/x.gguf")}
                              << QStringLiteral("invalid URL");
    QTest::newRow("short sha256") << QStringList{url, QStringLiteral("--sha256"), QStringLiteral("abc")}
                                  << QStringLiteral("64 hexadecimal digits");
    QTest::newRow("sha256 for two URLs")
        << QStringList{url, QStringLiteral("http://127.0.0.1:9/other/b.gguf"), QStringLiteral("--sha256"),
                       QString(64, QLatin1Char('a'))}
        << QStringLiteral("single URL");
    QTest::newRow("unknown option") << QStringList{url, QStringLiteral("--fast")} << QStringLiteral("unknown option");
    QTest::newRow("missing value") << QStringList{url, QStringLiteral("-o")} << QStringLiteral("needs a value");
    QTest::newRow("name with a folder") << QStringList{url, QStringLiteral("--name"), QStringLiteral("a/b.gguf")}
                                        << QStringLiteral("invalid --name");
    QTest::newRow("hidden name") << QStringList{url, QStringLiteral("--name"), QStringLiteral(".model.gguf")}
                                 << QStringLiteral("invalid --name");
    QTest::newRow("name ..") << QStringList{url, QStringLiteral("--name"), QStringLiteral("..")}
                             << QStringLiteral("invalid --name");
    QTest::newRow("empty name") << QStringList{url, QStringLiteral("--name"), QString()}
                                << QStringLiteral("invalid --name");
}

void TestDownloadCli::badArgumentsExitWithUsage()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Result result = runCli(QStringList{QStringLiteral("download")} + arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
    QVERIFY2(result.err.contains(QStringLiteral("usage: quanta-cli download")), qPrintable(result.err));
}

void TestDownloadCli::interruptKeepsPartialForResume()
{
    // Step 1: Ctrl+C during a throttled download exits 130 and keeps the part.
    QTemporaryDir models;
    const QStringList arguments{QStringLiteral("download"), server_->url(QStringLiteral("/slow/model.gguf")).toString(),
                                QStringLiteral("--sha256"), QString::fromLatin1(sha_), QStringLiteral("-o"),
                                models.path()};
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), arguments);
    QVERIFY(process.waitForStarted());
    QVERIFY(QTest::qWaitFor([&] { return partFileSize(models.path()) > 0; }, kTimeoutMs));
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    const Result stopped = finish(process);
    QVERIFY2(stopped.exitCode == 130, qPrintable(stopped.err));
    QVERIFY(stopped.out.isEmpty());
    QVERIFY2(!stopped.err.contains(QLatin1Char('\r')), qPrintable(stopped.err));
    const qint64 kept = partFileSize(models.path());
    QVERIFY(kept > 0);
    QVERIFY(kept < kFileSize);
    QVERIFY(!QFileInfo::exists(QDir(models.path()).filePath(QStringLiteral("model.gguf"))));

    // Step 2: the same command resumes with a Range request and finishes.
    const Result resumed = runCli(arguments);
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY2(resumed.err.contains(QStringLiteral("Resuming")), qPrintable(resumed.err));
    const QString path = QDir(models.path()).filePath(QStringLiteral("model.gguf"));
    QCOMPARE(resumed.out.trimmed(), path);
    QCOMPARE(readBytes(path), bytes_);
    bool ranged = false;
    for (const QString& line : server_->accessLog())
        ranged = ranged || (line.contains(QStringLiteral("GET /slow/model.gguf 206")) &&
                            line.contains(QStringLiteral("range=\"bytes=%1-\"").arg(kept)));
    QVERIFY2(ranged, qPrintable(server_->accessLog().join(QLatin1Char('\n'))));
}

void TestDownloadCli::rerunTakesNewChecksum()
{
    // Step 1: a run with a wrong --sha256 is interrupted; its bytes are kept.
    QTemporaryDir models;
    const QString url = server_->url(QStringLiteral("/slow/model.gguf?case=rechecksum")).toString();
    QStringList arguments{QStringLiteral("download"), url, QStringLiteral("--sha256"), QString(64, QLatin1Char('0')),
                          QStringLiteral("-o"), models.path()};
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), arguments);
    QVERIFY(process.waitForStarted());
    QVERIFY(QTest::qWaitFor([&] { return partFileSize(models.path()) > 0; }, kTimeoutMs));
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    const Result stopped = finish(process);
    QVERIFY2(stopped.exitCode == 130, qPrintable(stopped.err));
    const qint64 kept = partFileSize(models.path());
    QVERIFY(kept > 0);

    // Step 2: the rerun with the right --sha256 continues those bytes and is
    // checked against the new value, not the saved one.
    arguments[3] = QString::fromLatin1(sha_);
    const Result resumed = runCli(arguments);
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY2(resumed.err.contains(QStringLiteral("Resuming")), qPrintable(resumed.err));
    QCOMPARE(readBytes(QDir(models.path()).filePath(QStringLiteral("model.gguf"))), bytes_);
    bool ranged = false;
    for (const QString& line : server_->accessLog())
        ranged = ranged || (line.contains(QStringLiteral("GET /slow/model.gguf?case=rechecksum 206")) &&
                            line.contains(QStringLiteral("range=\"bytes=%1-\"").arg(kept)));
    QVERIFY2(ranged, qPrintable(server_->accessLog().join(QLatin1Char('\n'))));
    QVERIFY(partialJobs(models.path()).isEmpty());
}

void TestDownloadCli::percentSignsSurviveInMessage()
{
    QTemporaryDir models;
    const QString url = server_->url(QStringLiteral("/files/missing%2F50%25.gguf")).toString();
    QVERIFY(url.contains(QStringLiteral("%2F50%25")));
    const Result result = runCli({QStringLiteral("download"), url, QStringLiteral("-o"), models.path()});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(url), qPrintable(result.err));
    QVERIFY2(result.err.contains(QStringLiteral("HTTP 404")), qPrintable(result.err));
}

void TestDownloadCli::helpExplainsPartialFiles()
{
    const Result result = runCli({QStringLiteral("download"), QStringLiteral("--help")});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(QStringLiteral("deleted")), qPrintable(result.out));
    QVERIFY2(result.out.contains(QStringLiteral("--sha256")), qPrintable(result.out));
}

QTEST_GUILESS_MAIN(TestDownloadCli)
#include "test_download.moc"

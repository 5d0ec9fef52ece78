// The download manager against a real nginx on 127.0.0.1. Covered: complete,
// interrupted and resumed downloads (byte-exact, with the Range request in
// nginx's access log), pause, cancel, checksum mismatches, HTTP errors,
// redirects, retries, a full disk and a restart of the manager. A folder of
// several files must appear in the models folder as one model. Also: a
// second request for an unfinished download applies its own checksum, and a
// failure reports whether its bytes are worth keeping. URLs with percent
// signs survive into messages. The server's file name (Content-Disposition,
// or a redirect from a URL without an extension) names a file the caller did
// not name.

#include "downloads/content_disposition.h"
#include "downloads/download_manager.h"
#include "downloads/library_install.h"
#include "model_library/model_list_model.h"
#include "nginx_server.h"
#include "test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <random>

using namespace quanta;
using quanta::test::NginxServer;

namespace {

constexpr int kTimeoutMs = 60000;
constexpr int kRetryDelayMs = 10;
// Not a multiple of any buffer size, so no chunk boundary lines up by luck.
constexpr qint64 kRandomSize = (qint64{3} << 20) + 12345;
// A throttled first request takes about 12 s for the random file, which is
// long enough to interrupt it. The resume (with a Range header) runs at full speed.
constexpr qint64 kThrottleBytesPerSecond = 256 * 1024;
const QString kFolderModel = QStringLiteral("stories260K-wide-fp16");

QByteArray pseudoRandomBytes(qint64 size, quint64 seed)
{
    std::mt19937_64 generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(generator() & 0xFF);
    return bytes;
}

QByteArray sha256Hex(const QByteArray& data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray readBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// Entries a user sees in a folder: hidden ones (.partial) left out.
QStringList visibleEntries(const QString& folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot, QDir::Name);
}

DownloadRequest oneFile(const QUrl& url, const QByteArray& sha256 = {}, qint64 size = -1)
{
    DownloadRequest request;
    request.files.append({url, {}, size, sha256});
    return request;
}

bool waitFor(const std::function<bool()>& condition)
{
    return QTest::qWaitFor(condition, kTimeoutMs);
}

bool waitForState(const DownloadManager& manager, const QString& id, DownloadJob::State state)
{
    return waitFor([&] {
        const DownloadJob* job = manager.job(id);
        return job && job->state() == state;
    });
}

// The job's state and error, for failure messages.
QString describe(const DownloadManager& manager, const QString& id)
{
    const DownloadJob* job = manager.job(id);
    if (!job)
        return QStringLiteral("job %1 is gone").arg(id);
    return QStringLiteral("state %1, %2 of %3 bytes, error: %4")
        .arg(static_cast<int>(job->state()))
        .arg(job->receivedBytes())
        .arg(job->totalBytes())
        .arg(job->error());
}

// Access log lines that contain every one of `parts`.
QStringList requestsWith(const NginxServer& server, const QStringList& parts)
{
    QStringList lines;
    for (const QString& line : server.accessLog()) {
        bool all = true;
        for (const QString& part : parts)
            all = all && line.contains(part);
        if (all)
            lines.append(line);
    }
    return lines;
}

// Mounts a tmpfs of `size` (as mount(8) reads it, "16m") on a new folder,
// and unmounts it when destroyed.
class TmpfsMount {
public:
    explicit TmpfsMount(const QString& size)
    {
        QProcess mount;
        mount.start(QStringLiteral("mount"),
                    {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                     QStringLiteral("size=") + size, QStringLiteral("tmpfs"), folder_.path()});
        const bool ran = mount.waitForFinished(10000) && mount.exitStatus() == QProcess::NormalExit;
        mounted_ = ran && mount.exitCode() == 0;
        if (!mounted_)
            error_ = ran ? QString::fromLocal8Bit(mount.readAllStandardError()).trimmed() : mount.errorString();
    }
    ~TmpfsMount()
    {
        if (mounted_)
            QProcess::execute(QStringLiteral("umount"), {folder_.path()});
    }
    bool mounted() const { return mounted_; }
    QString error() const { return error_; }
    QString path() const { return folder_.path(); }

private:
    QTemporaryDir folder_;
    bool mounted_ = false;
    QString error_;
};

// A minimal HTTP server on 127.0.0.1 for responses the nginx configuration
// does not send: a Content-Disposition header, and a redirect from a path
// without a file extension. Each request target maps to a whole raw
// response, after which the connection closes.
class RawHttpServer {
public:
    RawHttpServer()
    {
        listening_ = server_.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server_, &QTcpServer::newConnection, &server_, [this] {
            while (QTcpSocket* socket = server_.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { respond(socket); });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    bool listening() const { return listening_; }
    void setResponse(const QByteArray& target, const QByteArray& response) { responses_[target] = response; }
    QUrl url(const QString& target) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(QString::number(server_.serverPort()), target));
    }

    static QByteArray ok(const QByteArray& headers, const QByteArray& body)
    {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\n" + headers + "Connection: close\r\n\r\n" + body;
    }
    static QByteArray redirect(const QUrl& target)
    {
        return "HTTP/1.1 302 Found\r\nLocation: " + target.toEncoded() +
               "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }

private:
    void respond(QTcpSocket* socket)
    {
        if (!socket->peek(64 * 1024).contains("\r\n\r\n"))
            return;
        const QByteArray target = socket->readAll().split(' ').value(1);
        socket->write(responses_.value(target, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        socket->disconnectFromHost();
    }

    QTcpServer server_;
    bool listening_ = false;
    QMap<QByteArray, QByteArray> responses_;
};

// A port on 127.0.0.1 where nothing listens, found by listening and closing.
quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// Writes zeros to `path` until the disk is full.
void fillDisk(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return;
    const QByteArray chunk(64 * 1024, '\0');
    while (file.write(chunk) == chunk.size()) {
    }
}

} // namespace

class TestDownloads : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void recordRejectsHostileFields();
    void alternativeNamesKeepExtension();

    void completeDownloadIsInstalled();
    void redirectIsFollowed();
    void interruptedDownloadResumesByteExact();
    void closedConnectionIsRetried();
    void pauseAndResume();
    void cancelDeletesPartialFiles();
    void requestedChecksumMismatchIsRejected();
    void linkedEtagIsVerified();
    void linkedEtagMismatchIsRejected();
    void linkedEtagOnRedirectIsVerified();
    void notFoundFailsWithoutRetry();
    void serverErrorIsRetriedThenFails();
    void unavailableServerIsRetried();
    void noSpaceBeforeStart();
    void noSpaceWhileWriting();
    void fullTmpfsBeforeStart();
    void tmpfsFillingWhileWriting();
    void resumeAfterManagerRestart();
    void unreadableStateIsListedAsFailed();
    void folderAppearsAsOneModel();
    void existingModelIsNeverOverwritten();
    void partialFilesAreNotListedAsModels();

    void newChecksumAppliesToFailedJob();
    void newChecksumAppliesToPausedJob();
    void failuresTellWhetherToKeepBytes();
    void percentSignsSurviveInMessages();
    void contentDispositionIsParsed_data();
    void contentDispositionIsParsed();
    void serverFileNameNamesUnnamedFile();

private:
    QString modelsPath() const { return models_->path(); }
    std::unique_ptr<DownloadManager> makeManager() const;
    QString partialPath(const QString& id, const QString& name) const;

    std::unique_ptr<NginxServer> server_;
    std::unique_ptr<QTemporaryDir> models_;
    QByteArray random_;
    QByteArray randomSha_;
    QByteArray tampered_;
};

void TestDownloads::initTestCase()
{
    if (!NginxServer::available())
        QSKIP("nginx is not installed at /usr/sbin/nginx (Debian package nginx; scripts/setup.sh installs it)");
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");

    // Step 1: the served files: pseudo-random bytes, a file whose
    // X-Linked-Etag is wrong, a real GGUF and a real sharded Hugging Face
    // folder, copied into the server's temporary folder.
    server_ = std::make_unique<NginxServer>();
    server_->setThrottleBytesPerSecond(kThrottleBytesPerSecond);
    const QDir www(server_->documentRoot());
    random_ = pseudoRandomBytes(kRandomSize, 20240501);
    randomSha_ = sha256Hex(random_);
    tampered_ = pseudoRandomBytes(200 * 1024 + 7, 7);
    QVERIFY(writeBytes(www.filePath(QStringLiteral("random.bin")), random_));
    QVERIFY(writeBytes(www.filePath(QStringLiteral("tampered.bin")), tampered_));
    const QString gguf = QString::fromStdString(test::shared_path("models/stories260K.gguf"));
    QVERIFY(QFile::copy(gguf, www.filePath(QStringLiteral("stories260K.gguf"))));
    const QDir hf(QString::fromStdString(test::shared_path("models/hf/" + kFolderModel.toStdString())));
    QVERIFY(www.mkpath(QStringLiteral("hf/") + kFolderModel));
    for (const QString& name : hf.entryList(QDir::Files))
        QVERIFY(QFile::copy(hf.filePath(name), www.filePath(QStringLiteral("hf/%1/%2").arg(kFolderModel, name))));

    // Step 2: the checksums nginx sends in X-Linked-Etag, one of them wrong.
    server_->setLinkedEtag(QStringLiteral("random.bin"), randomSha_);
    server_->setLinkedEtag(QStringLiteral("stories260K.gguf"), sha256Hex(readBytes(gguf)));
    server_->setLinkedEtag(QStringLiteral("tampered.bin"), sha256Hex("something else"));

    QString error;
    QVERIFY2(server_->start(&error), qPrintable(error));
}

void TestDownloads::init()
{
    if (server_ && !server_->running()) {
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
    }
    models_ = std::make_unique<QTemporaryDir>();
    QVERIFY(models_->isValid());
}

void TestDownloads::cleanup()
{
    models_.reset();
}

std::unique_ptr<DownloadManager> TestDownloads::makeManager() const
{
    auto manager = std::make_unique<DownloadManager>(modelsPath());
    manager->setRetryBaseDelayForTesting(kRetryDelayMs);
    return manager;
}

QString TestDownloads::partialPath(const QString& id, const QString& name) const
{
    return QStringLiteral("%1/.partial/%2/%3.part").arg(modelsPath(), id, name);
}

void TestDownloads::recordRejectsHostileFields()
{
    // A valid record survives the round trip.
    DownloadRecord record;
    record.id = QStringLiteral("0123-abcd");
    record.destinationName = QStringLiteral("model.gguf");
    record.createdAt = QDateTime::currentDateTimeUtc();
    DownloadFileState file;
    file.url = QUrl(QStringLiteral("https://example.org/model.gguf"));
    file.name = QStringLiteral("model.gguf");
    file.expectedSize = 1234;
    file.expectedSha256 = QByteArray(64, 'a');
    file.etag = "\"abc\"";
    file.bytesDone = 99;
    record.files.append(file);
    QString error;
    const auto parsed = DownloadRecord::fromJson(record.toJson(), &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(parsed->files.first().url, file.url);
    QCOMPARE(parsed->files.first().expectedSize, qint64{1234});
    QCOMPARE(parsed->files.first().bytesDone, qint64{99});
    QCOMPARE(parsed->files.first().etag, QByteArray("\"abc\""));

    // Each damaged field is rejected with its name.
    const QList<std::pair<QByteArray, QByteArray>> damages = {
        {"\"name\": \"model.gguf\"", "\"name\": \"../../evil\""},
        {"\"url\": \"https://example.org/model.gguf\"", "\"url\": \"file:///etc/passwd\""},
        {"\"bytesDone\": 99", "\"bytesDone\": -5"},
        {"\"expectedSize\": 1234", "\"expectedSize\": 1.5"},
        {"\"expectedSha256\": \"" + QByteArray(64, 'a') + "\"", "\"expectedSha256\": \"xyz\""},
        {"\"id\": \"0123-abcd\"", "\"id\": \"../other\""},
        {"\"destinationName\": \"model.gguf\"", "\"destinationName\": \"a/b\""},
    };
    const QByteArray json = record.toJson();
    for (const auto& [from, to] : damages) {
        QVERIFY2(json.contains(from), from.constData());
        QByteArray damaged = json;
        damaged.replace(from, to);
        QVERIFY2(!DownloadRecord::fromJson(damaged, &error).has_value(), to.constData());
        QVERIFY(!error.isEmpty());
    }
    QVERIFY(!DownloadRecord::fromJson("not json", &error).has_value());
}

void TestDownloads::alternativeNamesKeepExtension()
{
    QCOMPARE(alternativeModelName(QStringLiteral("model.Q4_K_M.gguf"), 2, false),
             QStringLiteral("model.Q4_K_M (2).gguf"));
    QCOMPARE(alternativeModelName(QStringLiteral("Qwen2.5-0.5B"), 3, true), QStringLiteral("Qwen2.5-0.5B (3)"));
    QCOMPARE(alternativeModelName(QStringLiteral("noextension"), 2, false), QStringLiteral("noextension (2)"));
}

void TestDownloads::completeDownloadIsInstalled()
{
    auto manager = makeManager();
    QSignalSpy completed(manager.get(), &DownloadManager::completed);
    QString error;
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/files/random.bin?case=complete")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));

    // The file is in the models folder, byte for byte; nothing else is left.
    const QString path = QDir(modelsPath()).filePath(QStringLiteral("random.bin"));
    QCOMPARE(completed.count(), 1);
    QCOMPARE(completed.first().at(1).toString(), path);
    QCOMPARE(readBytes(path), random_);
    QVERIFY(!QFileInfo::exists(QStringLiteral("%1/.partial/%2").arg(modelsPath(), id)));
    QCOMPARE(visibleEntries(modelsPath()), QStringList{QStringLiteral("random.bin")});

    // The list model shows the finished job.
    const DownloadListModel* jobs = manager->jobs();
    QCOMPARE(jobs->rowCount(), 1);
    const QModelIndex row = jobs->index(0);
    QCOMPARE(jobs->data(row, DownloadListModel::NameRole).toString(), QStringLiteral("random.bin"));
    QCOMPARE(jobs->data(row, DownloadListModel::StateRole).toInt(), static_cast<int>(DownloadJob::State::Completed));
    QCOMPARE(jobs->data(row, DownloadListModel::ReceivedBytesRole).toLongLong(), kRandomSize);
    QCOMPARE(jobs->data(row, DownloadListModel::TotalBytesRole).toLongLong(), kRandomSize);
    QCOMPARE(jobs->data(row, DownloadListModel::ProgressRole).toDouble(), 1.0);
    QCOMPARE(jobs->data(row, DownloadListModel::PathRole).toString(), path);
    QVERIFY(jobs->data(row, DownloadListModel::ErrorRole).toString().isEmpty());
    QVERIFY(jobs->roleNames().values().contains("secondsLeft"));

    manager->dismiss(id);
    QCOMPARE(jobs->rowCount(), 0);
}

void TestDownloads::redirectIsFollowed()
{
    auto manager = makeManager();
    QString error;
    const QString id = manager->start(
        oneFile(server_->url(QStringLiteral("/redirect/files/random.bin?case=redirect")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /redirect/files/random.bin?case=redirect 302")}).size(), 1);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /files/random.bin?case=redirect 200")}).size(), 1);
}

void TestDownloads::interruptedDownloadResumesByteExact()
{
    // Step 1: stop the server in the middle of a throttled transfer; the
    // retries find no server and the job fails.
    auto manager = makeManager();
    QString error;
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=interrupt")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    server_->stop();
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));
    QVERIFY2(job->error().contains(QStringLiteral("/slow/random.bin")), qPrintable(job->error()));
    QVERIFY(job->canResumeFromDisk());

    // Step 2: the bytes so far are on disk, and nothing is in the library.
    const qint64 onDisk = QFileInfo(partialPath(id, QStringLiteral("random.bin"))).size();
    QVERIFY(onDisk > 0);
    QVERIFY(onDisk < kRandomSize);
    QCOMPARE(job->receivedBytes(), onDisk);
    QCOMPARE(readBytes(partialPath(id, QStringLiteral("random.bin"))), random_.left(onDisk));
    QVERIFY(visibleEntries(modelsPath()).isEmpty());

    // Step 3: with the server back, resume requests the rest with a Range
    // header and the result is identical.
    QVERIFY2(server_->start(&error), qPrintable(error));
    manager->resume(id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    const QStringList ranged = requestsWith(
        *server_, {QStringLiteral("GET /slow/random.bin?case=interrupt 206"), QStringLiteral("range=\"bytes=%1-\"").arg(onDisk)});
    QVERIFY2(ranged.size() == 1, qPrintable(server_->accessLog().join(QLatin1Char('\n'))));
    QVERIFY2(!ranged.first().contains(QStringLiteral("if_range=\"-\"")), qPrintable(ranged.first()));
}

void TestDownloads::closedConnectionIsRetried()
{
    // The server goes away mid-file and is back when the first retry
    // fires; the job continues on its own with a Range request.
    auto manager = makeManager();
    QSignalSpy retrying(manager.get(), &DownloadManager::retrying);
    QString error;
    connect(manager.get(), &DownloadManager::retrying, this, [this] {
        QString startError;
        if (!server_->running() && !server_->start(&startError))
            qWarning("nginx did not restart: %s", qPrintable(startError));
    });
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=closed")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    server_->stop();
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QVERIFY(retrying.count() >= 1);
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /slow/random.bin?case=closed 206"), QStringLiteral("range=\"bytes=")})
                 .size(),
             1);
}

void TestDownloads::pauseAndResume()
{
    auto manager = makeManager();
    QString error;
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=pause")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);

    // Step 1: while it runs, the speed and the time left become known.
    QVERIFY(waitFor([&] { return job->bytesPerSecond() > 0; }));
    QVERIFY(job->secondsLeft() >= 0);
    QCOMPARE(job->totalBytes(), kRandomSize);

    // Step 2: paused, the part file stops growing.
    manager->pause(id);
    QCOMPARE(job->state(), DownloadJob::State::Paused);
    const QString part = partialPath(id, QStringLiteral("random.bin"));
    const qint64 pausedAt = QFileInfo(part).size();
    QVERIFY(pausedAt > 0);
    QVERIFY(pausedAt < kRandomSize);
    QCOMPARE(job->receivedBytes(), pausedAt);
    QTest::qWait(300);
    QCOMPARE(QFileInfo(part).size(), pausedAt);
    QCOMPARE(job->bytesPerSecond(), 0.0);

    // Step 3: resumed, it continues from there.
    manager->resume(id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /slow/random.bin?case=pause 206"),
                                     QStringLiteral("range=\"bytes=%1-\"").arg(pausedAt)})
                 .size(),
             1);
}

void TestDownloads::cancelDeletesPartialFiles()
{
    auto manager = makeManager();
    QString error;
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=cancel")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    QVERIFY(QFileInfo::exists(partialPath(id, QStringLiteral("random.bin"))));

    manager->cancel(id);
    QVERIFY(!QFileInfo::exists(QStringLiteral("%1/.partial/%2").arg(modelsPath(), id)));
    QVERIFY(manager->job(id) == nullptr);
    QCOMPARE(manager->jobs()->rowCount(), 0);
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
}

void TestDownloads::requestedChecksumMismatchIsRejected()
{
    auto manager = makeManager();
    const QByteArray wrongSha = sha256Hex("not the file");
    QString error;
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/files/random.bin?case=badsha")), wrongSha), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));

    // The message shows both checksums; the file is gone and the library empty.
    const QString message = manager->job(id)->error();
    QVERIFY2(message.contains(QString::fromLatin1(randomSha_)), qPrintable(message));
    QVERIFY2(message.contains(QString::fromLatin1(wrongSha)), qPrintable(message));
    QVERIFY(!QFileInfo::exists(partialPath(id, QStringLiteral("random.bin"))));
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
}

void TestDownloads::linkedEtagIsVerified()
{
    // The real GGUF, checked against the server's X-Linked-Etag only.
    auto manager = makeManager();
    QString error;
    const QString id = manager->start(oneFile(server_->url(QStringLiteral("/linked/stories260K.gguf"))), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    const QString path = QDir(modelsPath()).filePath(QStringLiteral("stories260K.gguf"));
    QCOMPARE(readBytes(path), readBytes(QString::fromStdString(test::shared_path("models/stories260K.gguf"))));
    QVERIFY(!manager->job(id)->record().files.first().serverSha256.isEmpty());
}

void TestDownloads::linkedEtagMismatchIsRejected()
{
    auto manager = makeManager();
    QString error;
    const QString id = manager->start(oneFile(server_->url(QStringLiteral("/linked/tampered.bin"))), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));
    const QString message = manager->job(id)->error();
    QVERIFY2(message.contains(QStringLiteral("X-Linked-Etag")), qPrintable(message));
    QVERIFY2(message.contains(QString::fromLatin1(sha256Hex(tampered_))), qPrintable(message));
    QVERIFY2(message.contains(QString::fromLatin1(sha256Hex("something else"))), qPrintable(message));
    QVERIFY(!QFileInfo::exists(partialPath(id, QStringLiteral("tampered.bin"))));
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
}

void TestDownloads::linkedEtagOnRedirectIsVerified()
{
    // As on Hugging Face: the checksum comes with the redirect, and the
    // final response (the CDN's) has none.
    auto manager = makeManager();
    QString error;
    const QString id = manager->start(oneFile(server_->url(QStringLiteral("/linked-redirect/tampered.bin"))), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));
    QVERIFY2(manager->job(id)->error().contains(QString::fromLatin1(sha256Hex("something else"))),
             qPrintable(manager->job(id)->error()));
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
}

void TestDownloads::notFoundFailsWithoutRetry()
{
    auto manager = makeManager();
    QSignalSpy retrying(manager.get(), &DownloadManager::retrying);
    QString error;
    const QUrl url = server_->url(QStringLiteral("/files/missing.gguf"));
    const QString id = manager->start(oneFile(url), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));
    const QString message = manager->job(id)->error();
    QVERIFY2(message.contains(url.toString()), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("404")), qPrintable(message));
    QCOMPARE(retrying.count(), 0);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /files/missing.gguf 404")}).size(), 1);
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
}

void TestDownloads::serverErrorIsRetriedThenFails()
{
    auto manager = makeManager();
    QSignalSpy retrying(manager.get(), &DownloadManager::retrying);
    QString error;
    const QUrl url = server_->url(QStringLiteral("/server-error/model.gguf"));
    const QString id = manager->start(oneFile(url), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));
    const QString message = manager->job(id)->error();
    QVERIFY2(message.contains(url.toString()), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("500")), qPrintable(message));

    // Five tries with doubling delays between them.
    QCOMPARE(retrying.count(), DownloadJob::kMaxAttempts - 1);
    for (int i = 0; i < retrying.count(); ++i) {
        QCOMPARE(retrying.at(i).at(1).toInt(), i + 1);
        QCOMPARE(retrying.at(i).at(2).toInt(), kRetryDelayMs << i);
    }
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /server-error/model.gguf 500")}).size(),
             DownloadJob::kMaxAttempts);
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
}

void TestDownloads::unavailableServerIsRetried()
{
    // /flaky/ responds 503 until the file is there, and the file appears on the first retry.
    QFile::remove(QDir(server_->flakyFolder()).filePath(QStringLiteral("random.bin")));
    auto manager = makeManager();
    QSignalSpy retrying(manager.get(), &DownloadManager::retrying);
    connect(manager.get(), &DownloadManager::retrying, this, [this] {
        writeBytes(QDir(server_->flakyFolder()).filePath(QStringLiteral("random.bin")), random_);
    });
    QString error;
    const QString id = manager->start(oneFile(server_->url(QStringLiteral("/flaky/random.bin")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(retrying.count(), 1);
    QVERIFY(retrying.first().at(3).toString().contains(QStringLiteral("503")));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /flaky/random.bin 503")}).size(), 1);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /flaky/random.bin 200")}).size(), 1);
}

void TestDownloads::noSpaceBeforeStart()
{
    // Step 1: with the size known from the request, nothing is sent.
    auto manager = makeManager();
    manager->setDiskSpaceForTesting(qint64{1} << 20);
    QString error;
    const QString id = manager->start(
        oneFile(server_->url(QStringLiteral("/files/random.bin?case=nospace-known")), randomSha_, kRandomSize), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QCOMPARE(manager->job(id)->state(), DownloadJob::State::Failed);
    QVERIFY2(manager->job(id)->error().contains(QStringLiteral("Not enough free space")),
             qPrintable(manager->job(id)->error()));
    QCOMPARE(requestsWith(*server_, {QStringLiteral("case=nospace-known")}).size(), 0);

    // Step 2: with the size from the server, it fails before writing a byte.
    QString errorUnknown;
    const QString second = manager->start(
        oneFile(server_->url(QStringLiteral("/files/tampered.bin?case=nospace-unknown")), {}, -1), &errorUnknown);
    QVERIFY2(!second.isEmpty(), qPrintable(errorUnknown));
    QVERIFY2(waitForState(*manager, second, DownloadJob::State::Failed), qPrintable(describe(*manager, second)));
    QVERIFY2(manager->job(second)->error().contains(QStringLiteral("Not enough free space")),
             qPrintable(manager->job(second)->error()));
    QCOMPARE(QFileInfo(partialPath(second, QStringLiteral("tampered.bin"))).size(), qint64{0});
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
}

void TestDownloads::noSpaceWhileWriting()
{
    // Step 1: the disk fills up (the storage hook) after the first bytes.
    auto manager = makeManager();
    QString error;
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=diskfull")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    manager->setDiskSpaceForTesting(64 * 1024);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));
    const QString message = job->error();
    QVERIFY2(message.contains(QStringLiteral("No space left on device")), qPrintable(message));
    QVERIFY2(message.contains(partialPath(id, QStringLiteral("random.bin"))), qPrintable(message));
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
    QVERIFY(job->canResumeFromDisk());

    // Step 2: with space again, resume hashes what is on disk and finishes.
    manager->setDiskSpaceForTesting(-1);
    manager->resume(id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
}

void TestDownloads::fullTmpfsBeforeStart()
{
    TmpfsMount disk(QStringLiteral("16m"));
    if (!disk.mounted())
        QSKIP(qPrintable(QStringLiteral("Cannot mount a tmpfs here: %1").arg(disk.error())));

    // 16 MiB cannot hold the file plus the free-space margin.
    DownloadManager manager(disk.path());
    manager.setRetryBaseDelayForTesting(kRetryDelayMs);
    QString error;
    const QString id =
        manager.start(oneFile(server_->url(QStringLiteral("/files/random.bin?case=tmpfs-small")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(manager, id, DownloadJob::State::Failed), qPrintable(describe(manager, id)));
    QVERIFY2(manager.job(id)->error().contains(QStringLiteral("Not enough free space")),
             qPrintable(manager.job(id)->error()));
    QVERIFY(visibleEntries(disk.path()).isEmpty());
}

void TestDownloads::tmpfsFillingWhileWriting()
{
    TmpfsMount disk(QStringLiteral("48m"));
    if (!disk.mounted())
        QSKIP(qPrintable(QStringLiteral("Cannot mount a tmpfs here: %1").arg(disk.error())));

    // Step 1: another program fills the disk during the download.
    DownloadManager manager(disk.path());
    manager.setRetryBaseDelayForTesting(kRetryDelayMs);
    QString error;
    const QString id =
        manager.start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=tmpfs-fill")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager.job(id);
    QVERIFY2(waitFor([&] { return job->receivedBytes() > 0; }), qPrintable(describe(manager, id)));
    const QString filler = QDir(disk.path()).filePath(QStringLiteral(".filler"));
    fillDisk(filler);
    QVERIFY2(waitForState(manager, id, DownloadJob::State::Failed), qPrintable(describe(manager, id)));
    QVERIFY2(job->error().contains(QStringLiteral("No space left on device")), qPrintable(job->error()));
    QVERIFY(visibleEntries(disk.path()).isEmpty());

    // Step 2: with the space back, resume finishes the file byte-exact.
    QVERIFY(QFile::remove(filler));
    manager.resume(id);
    QVERIFY2(waitForState(manager, id, DownloadJob::State::Completed), qPrintable(describe(manager, id)));
    QCOMPARE(readBytes(QDir(disk.path()).filePath(QStringLiteral("random.bin"))), random_);
}

void TestDownloads::resumeAfterManagerRestart()
{
    // Step 1: the app quits in the middle of a download.
    auto manager = makeManager();
    QString error;
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=restart")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    manager.reset();
    const qint64 onDisk = QFileInfo(partialPath(id, QStringLiteral("random.bin"))).size();
    QVERIFY(onDisk > 0);
    QVERIFY(onDisk < kRandomSize);

    // Step 2: a new manager on the same folder lists it, paused where it was.
    manager = makeManager();
    QCOMPARE(manager->jobList().size(), 1);
    job = manager->job(id);
    QVERIFY(job != nullptr);
    QCOMPARE(job->state(), DownloadJob::State::Paused);
    QCOMPARE(job->name(), QStringLiteral("random.bin"));
    QCOMPARE(job->receivedBytes(), onDisk);
    QCOMPARE(manager->findUnfinished({server_->url(QStringLiteral("/slow/random.bin?case=restart"))}), job);

    // Step 3: resumed, it hashes the part on disk, requests the rest and
    // passes the checksum.
    manager->resume(id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /slow/random.bin?case=restart 206"),
                                     QStringLiteral("range=\"bytes=%1-\"").arg(onDisk)})
                 .size(),
             1);
}

void TestDownloads::unreadableStateIsListedAsFailed()
{
    const QString folder = QStringLiteral("%1/.partial/broken-job").arg(modelsPath());
    QVERIFY(writeBytes(folder + QStringLiteral("/state.json"), "{ not json"));
    QVERIFY(writeBytes(folder + QStringLiteral("/model.gguf.part"), "partial bytes"));

    auto manager = makeManager();
    QCOMPARE(manager->jobList().size(), 1);
    DownloadJob* job = manager->jobList().first();
    QCOMPARE(job->state(), DownloadJob::State::Failed);
    QVERIFY2(job->error().contains(folder), qPrintable(job->error()));

    // Resume cannot help; cancel deletes the folder.
    manager->resume(job->id());
    QCOMPARE(job->state(), DownloadJob::State::Failed);
    manager->cancel(job->id());
    QVERIFY(!QFileInfo::exists(folder));
    QCOMPARE(manager->jobList().size(), 0);
}

void TestDownloads::folderAppearsAsOneModel()
{
    // Step 1: every file of the Hugging Face folder, the last shard throttled.
    const QDir served(server_->documentRoot() + QStringLiteral("/hf/") + kFolderModel);
    const QString slowShard = QStringLiteral("model-00002-of-00002.safetensors");
    DownloadRequest request;
    request.destinationName = kFolderModel;
    for (const QString& name : served.entryList(QDir::Files, QDir::Name)) {
        if (name == slowShard)
            continue;
        const QByteArray bytes = readBytes(served.filePath(name));
        request.files.append({server_->url(QStringLiteral("/files/hf/%1/%2").arg(kFolderModel, name)), name,
                              bytes.size(), sha256Hex(bytes)});
    }
    const QByteArray slowBytes = readBytes(served.filePath(slowShard));
    request.files.append({server_->url(QStringLiteral("/slow/hf/%1/%2").arg(kFolderModel, slowShard)), slowShard,
                          slowBytes.size(), sha256Hex(slowBytes)});

    auto manager = makeManager();
    QString error;
    const QString id = manager->start(request, &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);

    // Step 2: while the last file arrives, the library shows nothing.
    QVERIFY(waitFor([&] { return job->record().files.last().bytesDone > 0; }));
    QVERIFY(visibleEntries(modelsPath()).isEmpty());
    ModelListModel duringDownload(modelsPath());
    QCOMPARE(duringDownload.rowCount(), 0);

    // Step 3: then the folder appears whole, with every file intact. A pause
    // and resume gets the rest of the shard without the throttle.
    manager->pause(id);
    manager->resume(id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(visibleEntries(modelsPath()), QStringList{kFolderModel});
    const QDir installed(QDir(modelsPath()).filePath(kFolderModel));
    QCOMPARE(installed.entryList(QDir::Files, QDir::Name), served.entryList(QDir::Files, QDir::Name));
    for (const QString& name : served.entryList(QDir::Files))
        QCOMPARE(readBytes(installed.filePath(name)), readBytes(served.filePath(name)));
    QVERIFY(!QFileInfo::exists(QStringLiteral("%1/.partial/%2").arg(modelsPath(), id)));

    // Step 4: the model list shows it as one readable Hugging Face model.
    ModelListModel models(modelsPath());
    QCOMPARE(models.rowCount(), 1);
    QVERIFY(models.data(models.index(0), ModelListModel::FolderRole).toBool());
    QVERIFY(waitFor([&] { return !models.scanning(); }));
    QVERIFY2(models.data(models.index(0), ModelListModel::ProblemRole).toString().isEmpty(),
             qPrintable(models.data(models.index(0), ModelListModel::ProblemRole).toString()));
}

void TestDownloads::existingModelIsNeverOverwritten()
{
    // Step 1: a model of the same name is there before the start: rejected.
    const QString existing = QDir(modelsPath()).filePath(QStringLiteral("random.bin"));
    QVERIFY(writeBytes(existing, "the user's own file"));
    auto manager = makeManager();
    QString error;
    QVERIFY(manager->start(oneFile(server_->url(QStringLiteral("/files/random.bin"))), &error).isEmpty());
    QVERIFY2(error.contains(existing), qPrintable(error));

    // Step 2: one that appears during the download is kept, and the
    // download takes the next free name.
    QVERIFY(QFile::remove(existing));
    const QString id =
        manager->start(oneFile(server_->url(QStringLiteral("/slow/random.bin?case=race")), randomSha_), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    QVERIFY(writeBytes(existing, "the user's own file"));
    manager->pause(id);
    manager->resume(id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(readBytes(existing), QByteArray("the user's own file"));
    QCOMPARE(job->installedPath(), QDir(modelsPath()).filePath(QStringLiteral("random (2).bin")));
    QCOMPARE(readBytes(job->installedPath()), random_);
}

void TestDownloads::partialFilesAreNotListedAsModels()
{
    // A paused GGUF download, and even a stray .gguf inside .partial, stay
    // out of the model list.
    auto manager = makeManager();
    QString error;
    const QString id = manager->start(oneFile(server_->url(QStringLiteral("/slow/stories260K.gguf"))), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    manager->pause(id);
    QVERIFY(QFileInfo(partialPath(id, QStringLiteral("stories260K.gguf"))).size() > 0);
    QVERIFY(QFile::copy(QString::fromStdString(test::shared_path("models/stories260K.gguf")),
                        QStringLiteral("%1/.partial/%2/stray.gguf").arg(modelsPath(), id)));

    ModelListModel models(modelsPath());
    QCOMPARE(models.rowCount(), 0);
}

void TestDownloads::newChecksumAppliesToFailedJob()
{
    // Step 1: a wrong SHA-256 fails the download and deletes the file.
    auto manager = makeManager();
    const QUrl url = server_->url(QStringLiteral("/files/random.bin?case=rechecksum"));
    const QString wrong = QString::fromLatin1(sha256Hex("not the file"));
    const QString id = manager->download(url, wrong);
    QVERIFY2(!id.isEmpty(), qPrintable(manager->lastError()));
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Failed), qPrintable(describe(*manager, id)));
    QVERIFY(!manager->job(id)->canResumeFromDisk());

    // Step 2: the same URL with the right SHA-256 continues that job, checked
    // against the new value.
    QCOMPARE(manager->download(url, QString::fromLatin1(randomSha_)), id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(manager->jobList().size(), 1);
    QCOMPARE(manager->job(id)->record().files.first().expectedSha256, randomSha_);
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);

    // Step 3: without a SHA-256, the old one is dropped too.
    const QUrl other = server_->url(QStringLiteral("/files/tampered.bin?case=nochecksum"));
    const QString second = manager->download(other, wrong);
    QVERIFY2(waitForState(*manager, second, DownloadJob::State::Failed), qPrintable(describe(*manager, second)));
    QCOMPARE(manager->download(other), second);
    QVERIFY2(waitForState(*manager, second, DownloadJob::State::Completed), qPrintable(describe(*manager, second)));
    QVERIFY(manager->job(second)->record().files.first().expectedSha256.isEmpty());
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("tampered.bin"))), tampered_);

    // Step 4: under another name it is another model.
    const QUrl third = server_->url(QStringLiteral("/files/tampered.bin?case=renamed"));
    const QString failed = manager->download(third, wrong, QStringLiteral("first.bin"));
    QVERIFY2(waitForState(*manager, failed, DownloadJob::State::Failed), qPrintable(describe(*manager, failed)));
    const QString renamed = manager->download(third, {}, QStringLiteral("second.bin"));
    QVERIFY(!renamed.isEmpty());
    QVERIFY(renamed != failed);
    QVERIFY2(waitForState(*manager, renamed, DownloadJob::State::Completed), qPrintable(describe(*manager, renamed)));
}

void TestDownloads::newChecksumAppliesToPausedJob()
{
    // A paused download keeps its bytes when a new request changes the
    // checksum, and continues with a Range request.
    auto manager = makeManager();
    const QUrl url = server_->url(QStringLiteral("/slow/random.bin?case=pausedchecksum"));
    const QString id = manager->download(url, QString::fromLatin1(sha256Hex("not the file")));
    QVERIFY2(!id.isEmpty(), qPrintable(manager->lastError()));
    DownloadJob* job = manager->job(id);
    QVERIFY(waitFor([&] { return job->receivedBytes() > 0; }));
    manager->pause(id);
    const qint64 pausedAt = job->receivedBytes();

    QCOMPARE(manager->download(url, QString::fromLatin1(randomSha_)), id);
    QVERIFY2(waitForState(*manager, id, DownloadJob::State::Completed), qPrintable(describe(*manager, id)));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    QCOMPARE(requestsWith(*server_, {QStringLiteral("GET /slow/random.bin?case=pausedchecksum 206"),
                                     QStringLiteral("range=\"bytes=%1-\"").arg(pausedAt)})
                 .size(),
             1);
}

void TestDownloads::failuresTellWhetherToKeepBytes()
{
    auto manager = makeManager();

    // Step 1: a 404 leaves nothing a resume could use.
    const QString notFound = manager->download(server_->url(QStringLiteral("/files/missing.gguf?case=keep")));
    QVERIFY2(waitForState(*manager, notFound, DownloadJob::State::Failed), qPrintable(describe(*manager, notFound)));
    QVERIFY(!manager->job(notFound)->canResumeFromDisk());

    // Step 2: nor does a server that refuses every connection before a byte arrived.
    const QUrl refused(QStringLiteral("http://127.0.0.1:%1/model.gguf").arg(closedPort()));
    const QString noServer = manager->download(refused);
    QVERIFY2(waitForState(*manager, noServer, DownloadJob::State::Failed), qPrintable(describe(*manager, noServer)));
    QVERIFY2(manager->job(noServer)->error().contains(QStringLiteral("5 tries")),
             qPrintable(manager->job(noServer)->error()));
    QVERIFY(!manager->job(noServer)->canResumeFromDisk());

    // Step 3: a size other than the requested one cannot be fixed by a resume.
    DownloadRequest sized = oneFile(server_->url(QStringLiteral("/files/random.bin?case=size")), {}, kRandomSize - 1);
    QString error;
    const QString wrongSize = manager->start(sized, &error);
    QVERIFY2(waitForState(*manager, wrongSize, DownloadJob::State::Failed), qPrintable(describe(*manager, wrongSize)));
    QVERIFY(!manager->job(wrongSize)->canResumeFromDisk());
}

void TestDownloads::percentSignsSurviveInMessages()
{
    // Percent-encoded bytes in a URL look like placeholders ("%2F", "%25")
    // to QString::arg(); the messages must show the URL as it is.
    auto manager = makeManager();
    const QUrl notFound = server_->url(QStringLiteral("/files/missing%2F50%25.gguf"));
    QVERIFY(notFound.toString().contains(QStringLiteral("%2F50%25")));
    QString error;
    const QString first = manager->start(oneFile(notFound, {}, -1), &error);
    QVERIFY2(!first.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, first, DownloadJob::State::Failed), qPrintable(describe(*manager, first)));
    const QString message = manager->job(first)->error();
    QVERIFY2(message.contains(notFound.toString()), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("HTTP 404")), qPrintable(message));

    // The message after the last retry has the URL, the count and the reason.
    const QUrl serverError = server_->url(QStringLiteral("/server-error/a%2Fb%251.gguf"));
    const QString second = manager->start(oneFile(serverError, {}, -1), &error);
    QVERIFY2(!second.isEmpty(), qPrintable(error));
    QVERIFY2(waitForState(*manager, second, DownloadJob::State::Failed), qPrintable(describe(*manager, second)));
    const QString retried = manager->job(second)->error();
    QVERIFY2(retried.contains(serverError.toString()), qPrintable(retried));
    QVERIFY2(retried.contains(QStringLiteral("after %1 tries").arg(DownloadJob::kMaxAttempts)), qPrintable(retried));
    QVERIFY2(retried.contains(QStringLiteral("HTTP 500")), qPrintable(retried));
}

void TestDownloads::contentDispositionIsParsed_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("name");
    QTest::newRow("quoted") << QByteArray("attachment; filename=\"model.gguf\"") << QStringLiteral("model.gguf");
    QTest::newRow("token, any case") << QByteArray("attachment; FILENAME=plain.gguf") << QStringLiteral("plain.gguf");
    QTest::newRow("filename* wins") << QByteArray("attachment; filename*=UTF-8''%E6%A8%A1%E5%9E%8B.gguf; filename=\"x.gguf\"")
                                    << QString::fromUtf8("\xE6\xA8\xA1\xE5\x9E\x8B.gguf");
    QTest::newRow("ISO-8859-1") << QByteArray("inline; filename*=iso-8859-1'en'na%EFve.bin") << QString::fromUtf8("na\xC3\xAFve.bin");
    QTest::newRow("unknown charset falls back") << QByteArray("attachment; filename*=KOI8-R''abc; filename=\"b.bin\"")
                                                << QStringLiteral("b.bin");
    QTest::newRow("semicolon in quotes") << QByteArray("attachment; filename=\"a;b.gguf\"; size=3") << QStringLiteral("a;b.gguf");
    QTest::newRow("escaped quote") << QByteArray("attachment; filename=\"a\\\"b.gguf\"") << QStringLiteral("a\"b.gguf");
    QTest::newRow("folders dropped") << QByteArray("attachment; filename=\"../../x/evil.gguf\"") << QStringLiteral("evil.gguf");
    QTest::newRow("backslashes dropped") << QByteArray("attachment; filename=\"..\\..\\evil.gguf\"")
                                         << QStringLiteral("evil.gguf");
    QTest::newRow("leading dots dropped") << QByteArray("attachment; filename=\".bashrc\"") << QStringLiteral("bashrc");
    QTest::newRow("control characters dropped") << QByteArray("attachment; filename=\"a\x01" "b\x7F.gguf\"")
                                                << QStringLiteral("ab.gguf");
    QTest::newRow("only dots") << QByteArray("attachment; filename=\"...\"") << QString();
    QTest::newRow("no filename") << QByteArray("attachment") << QString();
    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("too long") << QByteArray("attachment; filename=\"" + QByteArray(300, 'a') + ".gguf\"") << QString();
}

void TestDownloads::contentDispositionIsParsed()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, name);
    QCOMPARE(fileNameFromContentDisposition(header), name);
}

void TestDownloads::serverFileNameNamesUnnamedFile()
{
    // Step 1: the responses. "blob" has no extension, like a CDN's hash path.
    RawHttpServer raw;
    QVERIFY(raw.listening());
    QVERIFY(writeBytes(QDir(server_->documentRoot()).filePath(QStringLiteral("blob")), tampered_));
    raw.setResponse("/get?id=7", RawHttpServer::ok("Content-Disposition: attachment; filename=\"fallback.bin\"; "
                                                   "filename*=UTF-8''na%C3%AFve%20model.bin\r\n",
                                                   tampered_));
    raw.setResponse("/get?id=8", RawHttpServer::ok("Content-Disposition: attachment; filename=\"other.bin\"\r\n",
                                                   tampered_));
    raw.setResponse("/evil", RawHttpServer::ok("Content-Disposition: attachment; filename=\"../../.hidden/evil.bin\"\r\n",
                                               tampered_));
    raw.setResponse("/go", RawHttpServer::redirect(server_->url(QStringLiteral("/files/random.bin?case=shortlink"))));
    raw.setResponse("/model.gguf", RawHttpServer::redirect(server_->url(QStringLiteral("/files/blob"))));

    // Step 2: each download, and the name it is installed under.
    auto manager = makeManager();
    const auto installedName = [&](const QUrl& url, const QString& name) {
        const QString id = manager->download(url, {}, name);
        if (id.isEmpty())
            return QStringLiteral("not started: ") + manager->lastError();
        if (!waitForState(*manager, id, DownloadJob::State::Completed))
            return describe(*manager, id);
        return QFileInfo(manager->job(id)->installedPath()).fileName();
    };
    QCOMPARE(installedName(raw.url(QStringLiteral("/get?id=7")), {}), QString::fromUtf8("na\xC3\xAFve model.bin"));
    QCOMPARE(installedName(raw.url(QStringLiteral("/evil")), {}), QStringLiteral("evil.bin"));
    QCOMPARE(installedName(raw.url(QStringLiteral("/go")), {}), QStringLiteral("random.bin"));
    QCOMPARE(installedName(raw.url(QStringLiteral("/model.gguf")), {}), QStringLiteral("model.gguf"));
    QCOMPARE(installedName(raw.url(QStringLiteral("/get?id=8")), QStringLiteral("mine.bin")), QStringLiteral("mine.bin"));
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("random.bin"))), random_);
    QCOMPARE(readBytes(QDir(modelsPath()).filePath(QStringLiteral("evil.bin"))), tampered_);
    QVERIFY(!QFileInfo::exists(QDir(modelsPath()).filePath(QStringLiteral(".hidden"))));
}

QTEST_GUILESS_MAIN(TestDownloads)
#include "test_downloads.moc"

#include "downloads/download_job.h"

#include "downloads/content_disposition.h"
#include "downloads/library_install.h"
#include "logging/log_categories.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace quanta {

namespace {

// A connection that delivers nothing for this long is dropped and retried.
constexpr int kStallTimeoutMs = 60000;
// Bytes Qt keeps in memory for a reply before it stops reading the socket.
constexpr qint64 kReadBufferBytes = qint64{4} << 20;
constexpr qint64 kProgressIntervalMs = 100;
constexpr qint64 kHashChunkBytes = qint64{4} << 20;
// A folder download is put together here, inside the job's folder, then
// renamed into the models folder as a whole.
const QString kAssemblyFolder = QStringLiteral(".assembled");

// The URL for messages; user names and passwords left out.
QString urlForMessage(const QUrl& url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo);
}

// The URL for the log; the query is left out too, because CDN links carry
// signatures there.
QString urlForLog(const QUrl& url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
}

// Parses a Content-Range header, "bytes START-END/TOTAL" (RFC 9110, 14.4).
// TOTAL may be "*": `total` is then -1.
bool parseContentRange(const QByteArray& header, qint64* start, qint64* total)
{
    const QByteArray value = header.trimmed();
    if (!value.startsWith("bytes "))
        return false;
    const int dash = static_cast<int>(value.indexOf('-'));
    const int slash = static_cast<int>(value.indexOf('/'));
    if (dash < 0 || slash < dash)
        return false;
    bool ok = false;
    *start = value.mid(6, dash - 6).trimmed().toLongLong(&ok);
    if (!ok || *start < 0)
        return false;
    const QByteArray totalText = value.mid(slash + 1).trimmed();
    if (totalText == "*") {
        *total = -1;
        return true;
    }
    *total = totalText.toLongLong(&ok);
    return ok && *total >= 0;
}

// Hugging Face puts the SHA-256 of an LFS file in X-Linked-Etag, quoted
// and sometimes marked weak ("W/"). Returns the lowercase hex digits, or
// nothing when the header is missing or contains something else (a git hash).
QByteArray sha256FromLinkedEtag(const QByteArray& header)
{
    QByteArray value = header.trimmed();
    if (value.startsWith("W/"))
        value = value.mid(2);
    if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = value.mid(1, value.size() - 2);
    return normalizedSha256(value).value_or(QByteArray());
}

// True for "model.gguf", false for "download" or "resolve".
bool hasFileExtension(const QString& name)
{
    const qsizetype dot = name.lastIndexOf(QLatin1Char('.'));
    return dot > 0 && dot < name.size() - 1;
}

// SHA-256 of the first `bytes` bytes of `path`, or null when they cannot be
// read. Runs on a worker thread.
std::shared_ptr<QCryptographicHash> hashFilePrefix(const QString& path, qint64 bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    auto hash = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
    for (qint64 left = bytes; left > 0;) {
        const QByteArray chunk = file.read(std::min(left, kHashChunkBytes));
        if (chunk.isEmpty())
            return nullptr;
        hash->addData(chunk);
        left -= chunk.size();
    }
    return hash;
}

} // namespace

DownloadJob::DownloadJob(DownloadRecord record, DownloadEnvironment* environment, QObject* parent)
    : QObject(parent), record_(std::move(record)), environment_(environment)
{
    retryTimer_.setSingleShot(true);
    connect(&retryTimer_, &QTimer::timeout, this, &DownloadJob::startNextFile);
    connect(&rehash_, &QFutureWatcherBase::finished, this, &DownloadJob::continueAfterRehash);

    // The part files decide how far a file got, not the record, because the
    // app may have stopped after writing more than it recorded.
    for (DownloadFileState& file : record_.files) {
        if (!file.complete)
            file.bytesDone = QFileInfo(partPath(file)).size();
    }
    if (!record_.error.isEmpty())
        state_ = State::Failed;
}

DownloadJob::~DownloadJob()
{
    // The bytes are on disk already; the record keeps the validators for
    // the next start.
    const bool running = state_ == State::Checking || state_ == State::Downloading || state_ == State::Retrying;
    stopTransfer();
    if (running)
        saveRecord();
}

QString DownloadJob::folderPath() const
{
    return environment_->partialFolder + QLatin1Char('/') + record_.id;
}

QString DownloadJob::partPath(const DownloadFileState& file) const
{
    return folderPath() + QLatin1Char('/') + file.name + QStringLiteral(".part");
}

qint64 DownloadJob::receivedBytes() const
{
    qint64 sum = 0;
    for (const DownloadFileState& file : record_.files)
        sum += file.bytesDone;
    return sum;
}

qint64 DownloadJob::totalBytes() const
{
    qint64 sum = 0;
    for (const DownloadFileState& file : record_.files) {
        const qint64 size = file.knownSize();
        if (size < 0)
            return -1;
        sum += size;
    }
    return sum;
}

double DownloadJob::bytesPerSecond() const
{
    return state_ == State::Downloading ? rate_.bytesPerSecond() : 0;
}

qint64 DownloadJob::secondsLeft() const
{
    const qint64 total = totalBytes();
    if (state_ != State::Downloading || total < 0)
        return -1;
    return rate_.secondsLeft(std::max<qint64>(0, total - receivedBytes()));
}

void DownloadJob::setState(State state)
{
    if (state_ == state)
        return;
    state_ = state;
    emit stateChanged();
}

void DownloadJob::saveRecord()
{
    QString error;
    if (!saveDownloadRecord(folderPath() + QLatin1Char('/') + QLatin1String(DownloadRecord::kFileName), record_,
                            &error))
        qCWarning(lcDownload).noquote() << "Cannot save the state of download" << record_.id << "in" << folderPath()
                                        << ":" << error;
}

void DownloadJob::resume()
{
    if ((state_ != State::Paused && state_ != State::Failed) || unusable_)
        return;
    qCInfo(lcDownload).noquote() << "Starting download" << record_.id << "of" << record_.destinationName << "at"
                                 << receivedBytes() << "bytes";
    record_.error.clear();
    attempts_ = 0;
    progressSinceFailure_ = false;
    restartedAfter416_ = false;
    rate_.reset();

    // Sizes from the request are known before anything is sent.
    if (!checkFreeSpace())
        return;
    startNextFile();
}

void DownloadJob::pause()
{
    if (state_ != State::Checking && state_ != State::Downloading && state_ != State::Retrying)
        return;
    stopTransfer();
    saveRecord();
    rate_.reset();
    qCInfo(lcDownload).noquote() << "Paused download" << record_.id << "at" << receivedBytes() << "bytes";
    setState(State::Paused);
}

void DownloadJob::cancel()
{
    if (state_ == State::Completed || state_ == State::Cancelled)
        return;
    stopTransfer();
    if (!QDir(folderPath()).removeRecursively())
        qCWarning(lcDownload).noquote() << "Cannot delete all partial files in" << folderPath();
    qCInfo(lcDownload).noquote() << "Cancelled download" << record_.id << "of" << record_.destinationName;
    setState(State::Cancelled);
}

void DownloadJob::markFailed(const QString& message)
{
    unusable_ = true;
    record_.error = message;
    setState(State::Failed);
}

void DownloadJob::updateExpectations(const QList<DownloadFileState>& requested)
{
    bool changed = false;
    for (qsizetype i = 0; i < record_.files.size() && i < requested.size(); ++i) {
        DownloadFileState& file = record_.files[i];
        const DownloadFileState& requestedFile = requested[i];
        if (file.expectedSha256 == requestedFile.expectedSha256 && file.expectedSize == requestedFile.expectedSize)
            continue;
        qCInfo(lcDownload).noquote() << "Download" << record_.id << "now expects" << file.name << "to have SHA-256"
                                     << (requestedFile.expectedSha256.isEmpty() ? QByteArray("(none)") : requestedFile.expectedSha256)
                                     << "and" << requestedFile.expectedSize << "bytes instead of"
                                     << (file.expectedSha256.isEmpty() ? QByteArray("(none)") : file.expectedSha256)
                                     << "and" << file.expectedSize;
        file.expectedSha256 = requestedFile.expectedSha256;
        file.expectedSize = requestedFile.expectedSize;
        changed = true;

        // startNextFile() hashes the .part file of a file that is no longer
        // complete, and completeFile() compares it with the new values.
        // NOTE: a file that an interrupted install of a folder already moved
        // out of its .part file stays complete, unchecked against the new values.
        if (file.complete && QFileInfo::exists(partPath(file)))
            file.complete = false;
        else if (file.complete)
            qCWarning(lcDownload).noquote() << "Download" << record_.id << "cannot check" << file.name
                                            << "again: its .part file was moved for the install";
    }
    if (changed)
        saveRecord();
}

bool DownloadJob::canResumeFromDisk() const
{
    return state_ == State::Failed && !unusable_ && resumableFailure_ && receivedBytes() > 0;
}

void DownloadJob::fail(const QString& message, Failure kind)
{
    stopTransfer();
    resumableFailure_ = kind == Failure::Resumable;
    record_.error = message;
    saveRecord();
    rate_.reset();
    qCWarning(lcDownload).noquote() << "Download" << record_.id << "failed:" << message;
    setState(State::Failed);
    emit failed(message);
}

void DownloadJob::stopTransfer()
{
    retryTimer_.stop();
    ++generation_;
    if (reply_) {
        QNetworkReply* reply = reply_;
        reply_ = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    if (part_.isOpen())
        part_.close();
}

bool DownloadJob::checkFreeSpace()
{
    // Step 1: the bytes still to come, as far as the sizes are known.
    qint64 remaining = 0;
    for (const DownloadFileState& file : record_.files) {
        const qint64 size = file.knownSize();
        if (!file.complete && size >= 0)
            remaining += std::max<qint64>(0, size - file.bytesDone);
    }
    if (remaining == 0)
        return true;

    // Step 2: compare with the free space; unknown space is left to the writes.
    QDir().mkpath(folderPath());
    const qint64 available = environment_->disk->bytesAvailable(folderPath());
    if (available < 0 || available >= remaining + kFreeSpaceMarginBytes)
        return true;
    const QLocale locale;
    fail(tr("Not enough free space to download %1: it needs %2 more and %3 to spare, but %4 has %5 free. "
            "Free some space, then resume the download.")
             .arg(record_.destinationName, locale.formattedDataSize(remaining),
                  locale.formattedDataSize(kFreeSpaceMarginBytes), QDir::toNativeSeparators(environment_->modelsFolder),
                  locale.formattedDataSize(available)),
         Failure::Resumable);
    return false;
}

void DownloadJob::startNextFile()
{
    // Step 1: the first file that is not complete; when none is left, install.
    index_ = 0;
    while (index_ < record_.files.size() && record_.files[index_].complete)
        ++index_;
    if (index_ == record_.files.size()) {
        install();
        return;
    }
    DownloadFileState& file = currentFile();
    const QString path = partPath(file);
    QDir().mkpath(QFileInfo(path).absolutePath());

    // Step 2: a part longer than the file cannot be continued.
    qint64 onDisk = QFileInfo(path).size();
    if (file.knownSize() >= 0 && onDisk > file.knownSize()) {
        qCWarning(lcDownload).noquote() << path << "has" << onDisk << "bytes, more than the" << file.knownSize()
                                        << "expected; starting it again";
        QFile::remove(path);
        onDisk = 0;
    }

    // Step 3: the checksum of the bytes on disk, known already when this
    // job wrote them, else computed on a worker thread.
    if (hash_ && hashedIndex_ == index_ && offset_ == onDisk) {
        openPartFile();
        return;
    }
    if (onDisk == 0) {
        hash_ = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
        hashedIndex_ = index_;
        offset_ = 0;
        openPartFile();
        return;
    }
    qCInfo(lcDownload).noquote() << "Hashing the" << onDisk << "bytes of" << path << "before continuing";
    setState(State::Checking);
    rehashGeneration_ = generation_;
    rehashBytes_ = onDisk;
    rehash_.setFuture(QtConcurrent::run(hashFilePrefix, path, onDisk));
}

void DownloadJob::continueAfterRehash()
{
    // A pause or a cancel since the start makes the result stale.
    if (rehashGeneration_ != generation_ || state_ != State::Checking)
        return;
    const std::shared_ptr<QCryptographicHash> hash = rehash_.result();
    if (!hash) {
        fail(tr("Cannot read %1 to continue the download. Cancel the download and start it again.")
                 .arg(QDir::toNativeSeparators(partPath(currentFile()))));
        return;
    }
    hash_ = hash;
    hashedIndex_ = index_;
    offset_ = rehashBytes_;
    openPartFile();
}

void DownloadJob::openPartFile()
{
    // Step 1: open for appending, unbuffered so a full disk fails the write
    // that hits it.
    DownloadFileState& file = currentFile();
    part_.setFileName(partPath(file));
    if (!part_.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        fail(tr("Cannot open %1 for writing: %2.").arg(QDir::toNativeSeparators(part_.fileName()), part_.errorString()));
        return;
    }
    file.bytesDone = offset_;

    // Step 2: a part as long as the file needs no request.
    if (file.knownSize() >= 0 && offset_ == file.knownSize()) {
        completeFile();
        return;
    }
    if (!checkFreeSpace())
        return;
    sendRequest();
}

void DownloadJob::sendRequest()
{
    // Step 1: the request. Compression is refused because Range offsets
    // count the bytes of the file itself.
    DownloadFileState& file = currentFile();
    QNetworkRequest request(file.url);
    request.setRawHeader("Accept-Encoding", "identity");
    request.setTransferTimeout(kStallTimeoutMs);
    if (offset_ > 0) {
        request.setRawHeader("Range", "bytes=" + QByteArray::number(offset_) + '-');
        // If-Range (RFC 9110, 13.1.5) takes a strong ETag or a date: the
        // server sends the whole file when it changed since.
        if (!file.etag.isEmpty() && !file.etag.startsWith("W/"))
            request.setRawHeader("If-Range", file.etag);
        else if (!file.lastModified.isEmpty())
            request.setRawHeader("If-Range", file.lastModified);
    }

    // Step 2: send it and follow the reply.
    headersHandled_ = false;
    acceptingBody_ = false;
    QNetworkReply* reply = environment_->network->get(request);
    reply_ = reply;
    reply->setReadBufferSize(kReadBufferBytes);
    connect(reply, &QNetworkReply::metaDataChanged, this, &DownloadJob::handleHeaders);
    connect(reply, &QNetworkReply::readyRead, this, &DownloadJob::handleBody);
    connect(reply, &QNetworkReply::finished, this, &DownloadJob::handleFinished);
    connect(reply, &QNetworkReply::redirected, this, [this](const QUrl& target) {
        qCInfo(lcDownload).noquote() << "Download" << record_.id << "redirected to" << urlForLog(target);
    });
    rate_.reset();
    progressClock_.start();
    qCInfo(lcDownload).noquote() << "Requesting" << urlForLog(file.url) << "from byte" << offset_ << "for"
                                 << record_.id;
    setState(State::Downloading);
}

void DownloadJob::restartFileFromZero(const QString& reason)
{
    qCInfo(lcDownload).noquote() << "Download" << record_.id << "starts" << currentFile().name << "again:" << reason;
    if (reply_) {
        QNetworkReply* reply = reply_;
        reply_ = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    DownloadFileState& file = currentFile();
    if (!part_.resize(0)) {
        fail(tr("Cannot truncate %1: %2.").arg(QDir::toNativeSeparators(part_.fileName()), part_.errorString()));
        return;
    }
    offset_ = 0;
    file.bytesDone = 0;
    file.etag.clear();
    file.lastModified.clear();
    file.serverSha256.clear();
    hash_ = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
    hashedIndex_ = index_;
    sendRequest();
}

void DownloadJob::handleHeaders()
{
    // Step 1: wait for the final response (Qt reports the headers of each
    // redirect on the way); errors are reported when it ends.
    if (headersHandled_ || !reply_)
        return;
    const QVariant statusValue = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusValue.isValid())
        return;
    const int status = statusValue.toInt();
    if (status >= 300 && status < 400) {
        // Hugging Face sends the checksum with its redirect, not with the
        // CDN's response that follows.
        const QByteArray linked = sha256FromLinkedEtag(reply_->rawHeader("X-Linked-Etag"));
        if (!linked.isEmpty())
            currentFile().serverSha256 = linked;
        return;
    }
    if (status < 200)
        return;
    headersHandled_ = true;
    if (status != 200 && status != 206)
        return;
    DownloadFileState& file = currentFile();
    const QByteArray etag = reply_->rawHeader("ETag");

    // Step 2: a 206 must continue the same version of the file exactly where
    // the part ends. A 200 is the whole file, sent because the server ignored
    // the range or because the file changed.
    qint64 total = -1;
    if (status == 206) {
        qint64 start = -1;
        if (!parseContentRange(reply_->rawHeader("Content-Range"), &start, &total) || start != offset_) {
            restartFileFromZero(QStringLiteral("the server sent Content-Range '%1' for a request from byte %2")
                                    .arg(QString::fromLatin1(reply_->rawHeader("Content-Range")),
                                         QString::number(offset_)));
            return;
        }
        if (!file.etag.isEmpty() && !etag.isEmpty() && etag != file.etag) {
            restartFileFromZero(QStringLiteral("its ETag changed from %1 to %2")
                                    .arg(QString::fromLatin1(file.etag), QString::fromLatin1(etag)));
            return;
        }
    } else {
        if (offset_ > 0) {
            qCInfo(lcDownload).noquote() << "The server sent all of" << file.name << "instead of the bytes from"
                                         << offset_ << "; starting it again";
            if (!part_.resize(0)) {
                fail(tr("Cannot truncate %1: %2.").arg(QDir::toNativeSeparators(part_.fileName()), part_.errorString()));
                return;
            }
            offset_ = 0;
            file.bytesDone = 0;
            hash_ = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
            hashedIndex_ = index_;
        }
        const QVariant length = reply_->header(QNetworkRequest::ContentLengthHeader);
        total = length.isValid() ? length.toLongLong() : -1;
    }

    // Step 3: the validators for a later If-Range, the server's checksum,
    // and the server's name for the file.
    file.etag = etag;
    file.lastModified = reply_->rawHeader("Last-Modified");
    const QByteArray linked = sha256FromLinkedEtag(reply_->rawHeader("X-Linked-Etag"));
    if (!linked.isEmpty())
        file.serverSha256 = linked;
    adoptServerFileName();

    // Step 4: the size must be the one requested.
    if (file.expectedSize >= 0 && total >= 0 && total != file.expectedSize) {
        fail(tr("%1 has %2 bytes on the server, but %3 were expected. The file on the server may have changed.")
                 .arg(urlForMessage(file.url), QString::number(total), QString::number(file.expectedSize)));
        return;
    }
    file.totalBytes = total;
    acceptingBody_ = true;

    // Step 5: enough space for the rest, now that the size is known.
    if (!checkFreeSpace())
        return;
    saveRecord();
    emit progressChanged();
}

void DownloadJob::adoptServerFileName()
{
    // Only a single file that was named after its URL takes the server's
    // name, because a name the user chose or a file inside a folder stays.
    if (!record_.nameFromUrl || record_.folder || index_ != 0 || !reply_)
        return;

    // The server's Content-Disposition name wins. Without one, a link with
    // no file extension (a short link, a download script) that redirected
    // to a named file takes the last segment of the final URL. A CDN path
    // without an extension (a hash) leaves the URL's name as it is.
    QString name = fileNameFromContentDisposition(reply_->rawHeader("Content-Disposition"));
    const QString current = record_.destinationName;
    if (name.isEmpty() && !hasFileExtension(current)) {
        const QString target = sanitizedFileName(reply_->url().fileName(QUrl::FullyDecoded));
        if (hasFileExtension(target))
            name = target;
    }
    if (name.isEmpty() || name == current)
        return;
    qCInfo(lcDownload).noquote() << "Download" << record_.id << "takes the server's file name" << name << "instead of"
                                 << current;
    record_.destinationName = name;
}

void DownloadJob::handleBody()
{
    if (!reply_)
        return;
    if (!headersHandled_)
        handleHeaders();
    if (!reply_)
        return;
    // The body of an error response is not part of the file.
    if (!acceptingBody_) {
        reply_->readAll();
        return;
    }
    const QByteArray data = reply_->readAll();
    if (data.isEmpty())
        return;

    // Step 1: append to the part. After a failed write the bytes on disk
    // no longer match the hash, so a resume hashes them again.
    QString writeError;
    if (!environment_->disk->write(part_, data, &writeError)) {
        hash_.reset();
        hashedIndex_ = -1;
        currentFile().bytesDone = QFileInfo(part_.fileName()).size();
        fail(tr("Cannot write %1: %2. Free some space on the disk, then resume the download.")
                 .arg(QDir::toNativeSeparators(part_.fileName()), writeError),
             Failure::Resumable);
        return;
    }

    // Step 2: hash and count.
    hash_->addData(data);
    offset_ += data.size();
    currentFile().bytesDone = offset_;
    progressSinceFailure_ = true;
    rate_.add(data.size());
    if (progressClock_.elapsed() >= kProgressIntervalMs) {
        progressClock_.restart();
        emit progressChanged();
    }
}

void DownloadJob::handleFinished()
{
    // Step 1: take the last bytes, then let go of the reply.
    if (!reply_)
        return;
    handleBody();
    if (!reply_)
        return;
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->deleteLater();
    const DownloadFileState& file = currentFile();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    const QNetworkReply::NetworkError error = reply->error();

    // Step 2: a whole response finishes the file; a short one is continued.
    if (error == QNetworkReply::NoError && acceptingBody_) {
        const qint64 size = file.knownSize();
        if (size >= 0 && offset_ < size) {
            retryOrFail(tr("the connection ended after %1 of %2 bytes")
                            .arg(QString::number(offset_), QString::number(size)));
            return;
        }
        completeFile();
        return;
    }

    // Step 3: a part longer than the file on the server is started again, once.
    if (status == 416 && offset_ > 0 && !restartedAfter416_) {
        restartedAfter416_ = true;
        restartFileFromZero(QStringLiteral("the server answered 416 to a request from byte %1").arg(offset_));
        return;
    }

    // Step 4: other client errors, and redirects that are not allowed, are final.
    if ((status >= 400 && status < 500) || error == QNetworkReply::NoError) {
        fail(tr("Download of %1 failed: the server answered HTTP %2 %3.")
                 .arg(urlForMessage(file.url), QString::number(status), reason));
        return;
    }
    if (error == QNetworkReply::TooManyRedirectsError || error == QNetworkReply::InsecureRedirectError) {
        fail(tr("Download of %1 failed: %2.").arg(urlForMessage(file.url), reply->errorString()));
        return;
    }

    // Step 5: server and network errors are retried.
    if (status >= 500)
        retryOrFail(tr("the server answered HTTP %1 %2").arg(QString::number(status), reason));
    else if (error == QNetworkReply::OperationCanceledError)
        retryOrFail(tr("no data arrived for %1 seconds").arg(kStallTimeoutMs / 1000));
    else
        retryOrFail(reply->errorString());
}

void DownloadJob::retryOrFail(const QString& reason)
{
    // Step 1: count the try; a try that brought bytes starts a new count.
    if (part_.isOpen())
        part_.close();
    if (progressSinceFailure_)
        attempts_ = 0;
    progressSinceFailure_ = false;
    ++attempts_;
    const QString url = urlForMessage(currentFile().url);
    if (attempts_ >= kMaxAttempts) {
        fail(tr("Download of %1 failed after %2 tries: %3.").arg(url, QString::number(attempts_), reason),
             Failure::Resumable);
        return;
    }

    // Step 2: wait longer after each failure, then continue from the bytes on disk.
    const int delayMs = environment_->retryBaseDelayMs << (attempts_ - 1);
    qCWarning(lcDownload).noquote() << "Download" << record_.id << "of" << urlForLog(currentFile().url)
                                    << "failed at byte" << offset_ << ":" << reason << "; try" << attempts_ + 1
                                    << "of" << kMaxAttempts << "in" << delayMs << "ms";
    saveRecord();
    rate_.reset();
    setState(State::Retrying);
    retryTimer_.start(delayMs);
    emit retrying(attempts_, delayMs, reason);
}

void DownloadJob::completeFile()
{
    // Step 1: compare the checksum with the request's, else the server's.
    DownloadFileState& file = currentFile();
    part_.close();
    const QByteArray actual = hash_->result().toHex();
    const bool fromRequest = !file.expectedSha256.isEmpty();
    const QByteArray expected = fromRequest ? file.expectedSha256 : file.serverSha256;
    if (!expected.isEmpty() && actual != expected) {
        QFile::remove(partPath(file));
        file.bytesDone = 0;
        file.etag.clear();
        file.lastModified.clear();
        file.serverSha256.clear();
        hash_.reset();
        hashedIndex_ = -1;
        const QString source = fromRequest ? tr("the download request") : tr("the server's X-Linked-Etag header");
        fail(tr("%1 is corrupt: its SHA-256 is %2, but %3 expects %4. The file was deleted; resume the download "
                "to fetch it again.")
                 .arg(urlForMessage(file.url), QString::fromLatin1(actual), source, QString::fromLatin1(expected)));
        return;
    }
    if (expected.isEmpty())
        qCWarning(lcDownload).noquote() << "No SHA-256 to check" << file.name << "of download" << record_.id
                                        << "against; keeping it unverified";

    // Step 2: mark it done and go on with the next file.
    file.complete = true;
    file.bytesDone = offset_;
    if (file.totalBytes < 0)
        file.totalBytes = offset_;
    hash_.reset();
    hashedIndex_ = -1;
    attempts_ = 0;
    restartedAfter416_ = false;
    saveRecord();
    qCInfo(lcDownload).noquote() << "Downloaded" << file.name << "of" << record_.id << ":" << offset_ << "bytes, SHA-256"
                                 << actual << (expected.isEmpty() ? "(unverified)" : "(verified)");
    emit progressChanged();
    startNextFile();
}

void DownloadJob::install()
{
    setState(State::Installing);
    const QDir jobFolder(folderPath());

    // Step 1: a folder is put together inside the job's folder first, so it
    // appears in the models folder complete, with one rename.
    QString source = partPath(record_.files.first());
    if (record_.folder) {
        source = jobFolder.filePath(kAssemblyFolder);
        for (const DownloadFileState& file : record_.files) {
            const QString part = partPath(file);
            const QString target = source + QLatin1Char('/') + file.name;
            // Moved already by an install that was interrupted.
            if (!QFileInfo::exists(part) && QFileInfo::exists(target))
                continue;
            QDir().mkpath(QFileInfo(target).absolutePath());
            if (!QFile::rename(part, target)) {
                fail(tr("Cannot move %1 to %2 to finish the download.")
                         .arg(QDir::toNativeSeparators(part), QDir::toNativeSeparators(target)),
                     Failure::Resumable);
                return;
            }
        }
    }

    // Step 2: one rename into the models folder, never over an existing model.
    QDir().mkpath(environment_->modelsFolder);
    const InstallResult result =
        moveIntoLibrary(source, environment_->modelsFolder, record_.destinationName, record_.folder);
    if (!result.error.isEmpty()) {
        fail(result.error, Failure::Resumable);
        return;
    }

    // Step 3: the job's folder holds only its record now.
    if (!QDir(folderPath()).removeRecursively())
        qCWarning(lcDownload).noquote() << "Cannot delete" << folderPath();
    installedPath_ = result.path;
    record_.error.clear();
    qCInfo(lcDownload).noquote() << "Download" << record_.id << "installed as" << installedPath_;
    setState(State::Completed);
    emit completed(installedPath_);
}

} // namespace quanta

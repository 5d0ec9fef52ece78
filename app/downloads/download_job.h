// One download job: the files of one model, fetched one after the other
// into <models>/.partial/<id>/<name>.part, each continued with an HTTP Range
// request from the bytes on disk, checked against its SHA-256, and moved
// into the models folder when all are complete. Lives on the thread of its
// QNetworkAccessManager (the UI thread); only re-hashing a partial file
// after a restart runs on a worker thread.
#pragma once

#include "downloads/disk_space.h"
#include "downloads/download_state.h"
#include "downloads/transfer_rate.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace quanta {

// State shared by the jobs of one DownloadManager.
struct DownloadEnvironment {
    QNetworkAccessManager* network = nullptr;
    DiskSpace* disk = nullptr;
    QString modelsFolder;        // absolute path
    QString partialFolder;       // modelsFolder + "/.partial"
    int retryBaseDelayMs = 1000; // first retry delay; doubles with each failed try
};

class DownloadJob : public QObject {
    Q_OBJECT

public:
    enum class State {
        Paused,      // not running; resume() continues from the bytes on disk
        Checking,    // hashing the bytes already on disk before continuing
        Downloading,
        Retrying,    // waiting to try again after a network error or a 5xx
        Installing,  // moving the finished files into the models folder
        Completed,
        Failed,      // error() returns why; resume() tries again
        Cancelled,   // the partial files are deleted
    };
    Q_ENUM(State)

    // Tries per file before a job fails (the first one and 4 retries, after
    // 1, 2, 4 and 8 times the base delay). Bytes received reset the count.
    static constexpr int kMaxAttempts = 5;
    // Free space kept on the disk beyond the download itself, so a finished
    // download does not leave the disk full for the chat database.
    static constexpr qint64 kFreeSpaceMarginBytes = qint64{32} << 20;

    // Takes over `record`; its folder <partialFolder>/<id> must exist.
    DownloadJob(DownloadRecord record, DownloadEnvironment* environment, QObject* parent = nullptr);
    ~DownloadJob() override;

    QString id() const { return record_.id; }
    QString name() const { return record_.destinationName; }
    const DownloadRecord& record() const { return record_; }
    State state() const { return state_; }
    QString error() const { return record_.error; }
    // The model's path in the models folder once Completed.
    QString installedPath() const { return installedPath_; }
    // Bytes of all files on disk, and their total (-1 while a size is unknown).
    qint64 receivedBytes() const;
    qint64 totalBytes() const;
    double bytesPerSecond() const;
    qint64 secondsLeft() const;
    QString folderPath() const;

    // Starts or continues the download; does nothing while it runs.
    void resume();
    // Stops the transfer and keeps the partial files.
    void pause();
    // Stops and deletes the partial files; the job is over.
    void cancel();
    // Marks a job that cannot run (its record is unreadable) as failed.
    void markFailed(const QString& message);
    // Replaces the expected SHA-256 and size of each file with those of
    // `requested` (the same URLs, in the same order), so that a new request
    // for an unfinished download is checked against its own values. A file
    // that was complete under the old values is checked again at the next
    // resume, from the bytes on disk.
    void updateExpectations(const QList<DownloadFileState>& requested);
    // True when the job failed with some bytes on disk and a resume can
    // continue from them. That is the case after a network or server error
    // that outlasted the retries, a full disk or a failed move into the
    // models folder. It is false after a failure that a resume would only
    // repeat (an HTTP 4xx, a wrong size or checksum), or with nothing on disk.
    bool canResumeFromDisk() const;

signals:
    void stateChanged();
    // Bytes arrived; emitted at most every 100 ms.
    void progressChanged();
    void retrying(int attempt, int delayMs, const QString& reason);
    void completed(const QString& path);
    void failed(const QString& error);

private:
    DownloadFileState& currentFile() { return record_.files[index_]; }
    QString partPath(const DownloadFileState& file) const;
    // Whether a failure leaves bytes that a resume can continue from.
    enum class Failure { Final, Resumable };

    void setState(State state);
    void fail(const QString& message, Failure kind = Failure::Final);
    void saveRecord();

    // Steps of a file: find the next incomplete one, hash what is on disk,
    // request the rest, take the headers and the body, finish it.
    void startNextFile();
    void continueAfterRehash();
    void openPartFile();
    void sendRequest();
    void stopTransfer();
    void restartFileFromZero(const QString& reason);
    void handleHeaders();
    void adoptServerFileName();
    void handleBody();
    void handleFinished();
    void retryOrFail(const QString& reason);
    void completeFile();
    void install();
    bool checkFreeSpace();

    DownloadRecord record_;
    DownloadEnvironment* environment_;
    State state_ = State::Paused;
    QString installedPath_;

    int index_ = 0;                             // the file being downloaded
    QFile part_;                                // its .part file, open for appending while running
    qint64 offset_ = 0;                         // bytes of it on disk
    std::shared_ptr<QCryptographicHash> hash_;  // SHA-256 of those bytes, when hashedIndex_ == index_
    int hashedIndex_ = -1;
    QPointer<QNetworkReply> reply_;
    bool headersHandled_ = false;
    bool acceptingBody_ = false;                // the response is the file (200 or 206)
    int attempts_ = 0;                          // failed tries of the current file
    bool progressSinceFailure_ = false;
    bool restartedAfter416_ = false;
    QTimer retryTimer_;
    QFutureWatcher<std::shared_ptr<QCryptographicHash>> rehash_;
    quint64 generation_ = 0;                    // bumped when a transfer stops, to drop a running re-hash
    quint64 rehashGeneration_ = 0;
    qint64 rehashBytes_ = 0;
    bool unusable_ = false;                     // the record could not be read; only cancel() helps
    bool resumableFailure_ = false;             // the last failure was Failure::Resumable

    TransferRate rate_;
    QElapsedTimer progressClock_;
};

} // namespace quanta

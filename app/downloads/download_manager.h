// Downloads models into the models folder: GGUF files and Hugging Face
// folders, with pause and resume (also after a restart), retries, a
// free-space check, SHA-256 verification and an atomic move into the
// library. Used by the UI (QML through the Q_PROPERTYs and Q_INVOKABLEs)
// and by `quanta-cli download`. Lives on the thread that creates it.
//
// On disk, each unfinished job is a folder <models>/.partial/<job id>/ with
// a state.json (see DownloadRecord) and one <name>.part per file. The model
// list ignores the hidden .partial folder, so an unfinished or corrupt
// download never shows up as a model.
#pragma once

#include "downloads/disk_space.h"
#include "downloads/download_job.h"
#include "downloads/download_list_model.h"
#include "downloads/download_state.h"

#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QVariantList>

namespace quanta {

class DownloadManager : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString modelsFolder READ modelsFolder CONSTANT)
    Q_PROPERTY(quanta::DownloadListModel* jobs READ jobs CONSTANT)
    // Jobs that are transferring, checking, waiting to retry or installing.
    Q_PROPERTY(int activeCount READ activeCount NOTIFY activeCountChanged)
    // Why the last download()/downloadFolder() call started nothing.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    // Lists the unfinished jobs found under <modelsFolder>/.partial, paused
    // (or failed, with the reason they failed), so they can be resumed.
    explicit DownloadManager(const QString& modelsFolder, QObject* parent = nullptr);
    ~DownloadManager() override;

    QString modelsFolder() const { return environment_.modelsFolder; }
    DownloadListModel* jobs() const { return model_; }
    int activeCount() const;
    QString lastError() const { return lastError_; }

    // Jobs in list order (oldest first), and one by id (nullptr if none).
    QList<DownloadJob*> jobList() const { return jobs_; }
    DownloadJob* job(const QString& id) const;
    // The paused or failed job that fetches exactly `urls` (in this order),
    // or nullptr.
    DownloadJob* findUnfinished(const QList<QUrl>& urls) const;

    // Checks `request` and starts a job. A request for the URLs of an
    // unfinished job continues that job instead, when the file names match
    // and so does the model name if the request gives one. The request's
    // SHA-256 and sizes then replace the job's, also when the request has
    // none, and the job resumes. Returns the job's id, or an empty string
    // and sets `error` when the request is invalid, the model is in the
    // models folder already, or another job downloads it.
    QString start(const DownloadRequest& request, QString* error);

    // QML: one file, with its SHA-256 (64 hex digits) when known. An empty
    // `name` takes the URL's file name, which the server's name
    // (Content-Disposition) replaces once the response arrives. Returns the
    // job id, or an empty string with lastError set. Like start(), it
    // continues an unfinished download of the same URL with the new SHA-256.
    Q_INVOKABLE QString download(const QUrl& url, const QString& sha256 = {}, const QString& name = {});
    // QML: several files as one model folder. Each entry is a map with
    // "url", and optionally "name", "size" (bytes) and "sha256".
    Q_INVOKABLE QString downloadFolder(const QVariantList& files, const QString& folderName);
    Q_INVOKABLE void pause(const QString& id);
    Q_INVOKABLE void resume(const QString& id);
    // Stops the job, deletes its partial files and removes it from the list.
    Q_INVOKABLE void cancel(const QString& id);
    // Removes a completed job from the list.
    Q_INVOKABLE void dismiss(const QString& id);

    // Test hooks: the first retry waits `ms` instead of a second; the disk
    // has `bytes` free from now on (see DiskSpace::setLimitForTesting).
    void setRetryBaseDelayForTesting(int ms);
    void setDiskSpaceForTesting(qint64 bytes);

signals:
    void activeCountChanged();
    void lastErrorChanged();
    void jobAdded(const QString& id);
    void jobStateChanged(const QString& id, quanta::DownloadJob::State state);
    // Emitted at most every 100 ms per job while bytes arrive.
    void jobProgress(const QString& id, qint64 receivedBytes, qint64 totalBytes);
    void retrying(const QString& id, int attempt, int delayMs, const QString& reason);
    void completed(const QString& id, const QString& path);
    void failed(const QString& id, const QString& error);

private:
    QString partialFolder() const { return environment_.partialFolder; }
    void loadUnfinishedJobs();
    void addJob(DownloadJob* job);
    // The request's files, validated and with default names; sets `error`.
    std::optional<QList<DownloadFileState>> checkFiles(const DownloadRequest& request, QString* error) const;
    // The unfinished job that `request` (with its checked `files`) continues,
    // or nullptr.
    DownloadJob* jobToContinue(const DownloadRequest& request, const QList<DownloadFileState>& files) const;
    QString startOrReport(const DownloadRequest& request);

    QNetworkAccessManager network_;
    DiskSpace disk_;
    DownloadEnvironment environment_;
    DownloadListModel* model_;       // child of this
    QList<DownloadJob*> jobs_;       // children of this
    QString lastError_;
    int activeCount_ = 0;
};

} // namespace quanta

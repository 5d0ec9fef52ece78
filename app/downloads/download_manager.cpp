#include "downloads/download_manager.h"

#include "logging/log_categories.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QUuid>

#include <algorithm>
#include <optional>
#include <utility>

namespace quanta {

namespace {

bool isRunning(DownloadJob::State state)
{
    return state == DownloadJob::State::Checking || state == DownloadJob::State::Downloading ||
           state == DownloadJob::State::Retrying || state == DownloadJob::State::Installing;
}

bool isUnfinished(DownloadJob::State state)
{
    return state != DownloadJob::State::Completed && state != DownloadJob::State::Cancelled;
}

} // namespace

DownloadManager::DownloadManager(const QString& modelsFolder, QObject* parent)
    : QObject(parent), model_(new DownloadListModel(this))
{
    environment_.network = &network_;
    environment_.disk = &disk_;
    environment_.modelsFolder = QDir::cleanPath(QFileInfo(modelsFolder).absoluteFilePath());
    environment_.partialFolder = environment_.modelsFolder + QStringLiteral("/.partial");
    // Hugging Face responds with a redirect to its CDN. A redirect from
    // HTTPS to HTTP is rejected.
    network_.setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    loadUnfinishedJobs();
}

DownloadManager::~DownloadManager()
{
    // The jobs use the network manager and the environment, which are
    // destroyed before the QObject children.
    model_->clear();
    const QList<DownloadJob*> jobs = std::exchange(jobs_, {});
    for (DownloadJob* job : jobs) {
        job->disconnect(this);
        delete job;
    }
}

int DownloadManager::activeCount() const
{
    return static_cast<int>(
        std::count_if(jobs_.begin(), jobs_.end(), [](const DownloadJob* job) { return isRunning(job->state()); }));
}

DownloadJob* DownloadManager::job(const QString& id) const
{
    for (DownloadJob* job : jobs_) {
        if (job->id() == id)
            return job;
    }
    return nullptr;
}

DownloadJob* DownloadManager::findUnfinished(const QList<QUrl>& urls) const
{
    for (DownloadJob* job : jobs_) {
        const QList<DownloadFileState>& files = job->record().files;
        if (!isUnfinished(job->state()) || files.size() != urls.size())
            continue;
        bool same = true;
        for (qsizetype i = 0; i < files.size() && same; ++i)
            same = files[i].url == urls[i];
        if (same)
            return job;
    }
    return nullptr;
}

void DownloadManager::loadUnfinishedJobs()
{
    // Step 1: read each job folder's record. A folder whose record cannot be
    // read is listed as failed, so the user sees it and can delete it.
    const QDir partial(partialFolder());
    QList<DownloadJob*> found;
    const QStringList folders = partial.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
    for (const QString& folder : folders) {
        const QString statePath = partial.filePath(folder + QLatin1Char('/') + QLatin1String(DownloadRecord::kFileName));
        QFile file(statePath);
        QString error;
        std::optional<DownloadRecord> record;
        if (!file.open(QIODevice::ReadOnly))
            error = file.errorString();
        else
            record = DownloadRecord::fromJson(file.read(qint64{1} << 20), &error);
        if (record && record->id != folder) {
            error = tr("its id %1 differs from its folder's name").arg(record->id);
            record.reset();
        }
        if (record) {
            found.append(new DownloadJob(*record, &environment_, this));
            continue;
        }
        qCWarning(lcDownload).noquote() << "Unreadable download state" << statePath << ":" << error;
        DownloadRecord placeholder;
        placeholder.id = folder;
        placeholder.destinationName = folder;
        auto* job = new DownloadJob(placeholder, &environment_, this);
        job->markFailed(tr("The download state %1 is unreadable: %2. Cancel this download to delete its files.")
                            .arg(QDir::toNativeSeparators(statePath), error));
        found.append(job);
    }

    // Step 2: list them oldest first.
    std::stable_sort(found.begin(), found.end(), [](const DownloadJob* a, const DownloadJob* b) {
        return a->record().createdAt < b->record().createdAt;
    });
    for (DownloadJob* job : found)
        addJob(job);
    if (!found.isEmpty())
        qCInfo(lcDownload).noquote() << "Found" << found.size() << "unfinished downloads in" << partialFolder();
}

void DownloadManager::addJob(DownloadJob* job)
{
    jobs_.append(job);
    model_->append(job);
    const QString id = job->id();
    connect(job, &DownloadJob::stateChanged, this, [this, job, id] {
        const DownloadJob::State state = job->state();
        model_->update(job);
        if (activeCount() != activeCount_) {
            activeCount_ = activeCount();
            emit activeCountChanged();
        }
        emit jobStateChanged(id, state);
        // A cancelled job has nothing left on disk or to show.
        if (state == DownloadJob::State::Cancelled) {
            jobs_.removeOne(job);
            model_->remove(job);
            job->deleteLater();
        }
    });
    connect(job, &DownloadJob::progressChanged, this, [this, job, id] {
        model_->update(job);
        emit jobProgress(id, job->receivedBytes(), job->totalBytes());
    });
    connect(job, &DownloadJob::retrying, this,
            [this, id](int attempt, int delayMs, const QString& reason) { emit retrying(id, attempt, delayMs, reason); });
    connect(job, &DownloadJob::completed, this, [this, id](const QString& path) { emit completed(id, path); });
    connect(job, &DownloadJob::failed, this, [this, id](const QString& error) { emit failed(id, error); });
    emit jobAdded(id);
}

std::optional<QList<DownloadFileState>> DownloadManager::checkFiles(const DownloadRequest& request,
                                                                    QString* error) const
{
    QList<DownloadFileState> files;
    QSet<QString> names;
    for (const DownloadFileRequest& wanted : request.files) {
        // Step 1: an absolute http or https URL.
        const QString url = wanted.url.toDisplayString(QUrl::RemoveUserInfo);
        const QString scheme = wanted.url.scheme();
        if (!wanted.url.isValid() || wanted.url.host().isEmpty() ||
            (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
            *error = tr("Invalid download URL %1: expected an http:// or https:// address.").arg(url);
            return std::nullopt;
        }

        // Step 2: a name inside the model folder, unique within the job.
        DownloadFileState file;
        file.url = wanted.url;
        file.name = wanted.name.isEmpty() ? wanted.url.fileName() : wanted.name;
        if (wanted.name.isEmpty() && file.name.isEmpty()) {
            *error = tr("Cannot tell a file name from the URL %1; give the file a name.").arg(url);
            return std::nullopt;
        }
        const QString nameProblem = invalidRelativePathReason(file.name);
        if (!nameProblem.isEmpty() || file.name.section(QLatin1Char('/'), 0, 0) == QLatin1String(".assembled")) {
            *error = tr("Invalid file name \"%1\" for %2: %3.")
                         .arg(file.name, url, nameProblem.isEmpty() ? tr("the name is reserved") : nameProblem);
            return std::nullopt;
        }
        if (names.contains(file.name)) {
            *error = tr("Two files of the download are named \"%1\".").arg(file.name);
            return std::nullopt;
        }
        names.insert(file.name);

        // Step 3: the checksum and size, when given, must be well-formed.
        if (!wanted.expectedSha256.isEmpty()) {
            const auto sha = normalizedSha256(wanted.expectedSha256);
            if (!sha) {
                *error = tr("Invalid SHA-256 \"%1\" for %2: expected 64 hexadecimal digits.")
                             .arg(QString::fromLatin1(wanted.expectedSha256), url);
                return std::nullopt;
            }
            file.expectedSha256 = *sha;
        }
        file.expectedSize = wanted.expectedSize >= 0 ? wanted.expectedSize : -1;
        files.append(file);
    }
    if (files.isEmpty()) {
        *error = tr("The download has no files.");
        return std::nullopt;
    }
    return files;
}

DownloadJob* DownloadManager::jobToContinue(const DownloadRequest& request,
                                           const QList<DownloadFileState>& files) const
{
    QList<QUrl> urls;
    for (const DownloadFileState& file : files)
        urls.append(file.url);
    DownloadJob* job = findUnfinished(urls);
    if (!job)
        return nullptr;
    // A request under another name is another model, even from the same URLs.
    if (!request.destinationName.isEmpty() && request.destinationName != job->name())
        return nullptr;
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (job->record().files[i].name != files[i].name)
            return nullptr;
    }
    return job;
}

QString DownloadManager::start(const DownloadRequest& request, QString* error)
{
    // Step 1: the files. An unfinished job of the same files continues with
    // this request's checksums, so that a corrected SHA-256 (or none)
    // replaces the one that made it fail.
    const auto files = checkFiles(request, error);
    if (!files)
        return {};
    if (DownloadJob* unfinished = jobToContinue(request, *files)) {
        if (unfinished->state() == DownloadJob::State::Installing) {
            *error = tr("%1 is being downloaded already; resume or cancel that download.").arg(unfinished->name());
            return {};
        }
        qCInfo(lcDownload).noquote() << "Continuing download" << unfinished->id() << "of" << unfinished->name()
                                     << "for a new request of the same files";
        unfinished->updateExpectations(*files);
        unfinished->resume();
        return unfinished->id();
    }

    // Step 2: the name in the models folder. A single file in a subfolder
    // of the job is a folder job.
    const bool folder = request.folder || files->size() > 1 || files->first().name.contains(QLatin1Char('/'));
    QString destination = request.destinationName;
    if (destination.isEmpty() && !folder)
        destination = files->first().name;
    if (destination.isEmpty()) {
        *error = tr("A download of several files needs a folder name.");
        return {};
    }
    const QString destinationProblem = invalidModelNameReason(destination);
    if (!destinationProblem.isEmpty()) {
        *error = tr("Invalid model name \"%1\": %2.").arg(destination, destinationProblem);
        return {};
    }

    // Step 3: never download over a model, or twice at once.
    const QString target = QDir(modelsFolder()).filePath(destination);
    if (QFileInfo::exists(target)) {
        *error = tr("%1 is in the models folder already. Delete or rename it, or download under another name.")
                     .arg(QDir::toNativeSeparators(target));
        return {};
    }
    for (const DownloadJob* job : jobs_) {
        if (isUnfinished(job->state()) && job->name() == destination) {
            *error = tr("%1 is being downloaded already; resume or cancel that download.").arg(destination);
            return {};
        }
    }

    // Step 4: the job's folder and record.
    DownloadRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.destinationName = destination;
    record.folder = folder;
    record.nameFromUrl = !folder && request.destinationName.isEmpty() && request.files.first().name.isEmpty();
    record.createdAt = QDateTime::currentDateTimeUtc();
    record.files = *files;
    const QString jobFolder = partialFolder() + QLatin1Char('/') + record.id;
    QString saveError;
    if (!QDir().mkpath(jobFolder) ||
        !saveDownloadRecord(jobFolder + QLatin1Char('/') + QLatin1String(DownloadRecord::kFileName), record,
                            &saveError)) {
        *error = tr("Cannot create the download folder %1: %2")
                     .arg(QDir::toNativeSeparators(jobFolder), saveError.isEmpty() ? tr("permission denied or the "
                                                                                        "disk is full")
                                                                                   : saveError);
        return {};
    }

    // Step 5: list it and start it.
    qCInfo(lcDownload).noquote() << "New download" << record.id << "of" << destination << "with" << files->size()
                                 << "files into" << modelsFolder();
    auto* job = new DownloadJob(record, &environment_, this);
    addJob(job);
    job->resume();
    return record.id;
}

QString DownloadManager::startOrReport(const DownloadRequest& request)
{
    QString error;
    const QString id = start(request, &error);
    if (error != lastError_) {
        lastError_ = error;
        emit lastErrorChanged();
    }
    return id;
}

QString DownloadManager::download(const QUrl& url, const QString& sha256, const QString& name)
{
    DownloadRequest request;
    request.files.append({url, {}, -1, sha256.toLatin1()});
    request.destinationName = name;
    return startOrReport(request);
}

QString DownloadManager::downloadFolder(const QVariantList& files, const QString& folderName)
{
    DownloadRequest request;
    request.folder = true;
    request.destinationName = folderName;
    for (const QVariant& entry : files) {
        const QVariantMap map = entry.toMap();
        DownloadFileRequest file;
        file.url = map.value(QStringLiteral("url")).toUrl();
        file.name = map.value(QStringLiteral("name")).toString();
        file.expectedSize = map.value(QStringLiteral("size"), -1).toLongLong();
        file.expectedSha256 = map.value(QStringLiteral("sha256")).toString().toLatin1();
        request.files.append(file);
    }
    return startOrReport(request);
}

void DownloadManager::pause(const QString& id)
{
    if (DownloadJob* found = job(id))
        found->pause();
}

void DownloadManager::resume(const QString& id)
{
    if (DownloadJob* found = job(id))
        found->resume();
}

void DownloadManager::cancel(const QString& id)
{
    if (DownloadJob* found = job(id))
        found->cancel();
}

void DownloadManager::dismiss(const QString& id)
{
    DownloadJob* found = job(id);
    if (!found || found->state() != DownloadJob::State::Completed)
        return;
    jobs_.removeOne(found);
    model_->remove(found);
    found->deleteLater();
}

void DownloadManager::setRetryBaseDelayForTesting(int ms)
{
    environment_.retryBaseDelayMs = std::max(1, ms);
}

void DownloadManager::setDiskSpaceForTesting(qint64 bytes)
{
    disk_.setLimitForTesting(bytes);
}

} // namespace quanta

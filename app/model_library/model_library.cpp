#include "model_library/model_library.h"

#include "chats/chat_controller.h"
#include "chats/chat_list_model.h"
#include "generation/inference_service.h"
#include "logging/log_categories.h"
#include "model_library/device_budget.h"
#include "model_library/model_file_info.h"
#include "model_library/model_list_model.h"
#include "settings/backend_settings.h"
#include "settings/library_settings.h"
#include "storage/chat_store.h"

#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QSet>

#include <algorithm>
#include <utility>

namespace quanta {

namespace {

bool isUnfinished(DownloadJob::State state)
{
    return state != DownloadJob::State::Completed && state != DownloadJob::State::Cancelled;
}

// True when `path` is inside `folder` (not the folder itself), compared on
// cleaned absolute paths without following links, so that a link in the
// models folder counts as inside even when its target is elsewhere.
bool isInside(const QString& path, const QString& folder)
{
    const QString cleanedFolder = QDir::cleanPath(folder);
    const QString cleanedPath = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    return cleanedPath.startsWith(cleanedFolder + QLatin1Char('/'));
}

} // namespace

ModelLibrary::ModelLibrary(LibrarySettings& settings, ModelListModel& models, InferenceService& inference,
                           BackendSettings* backend, Chats chats, QObject* parent)
    : QObject(parent),
      settings_(settings),
      models_(models),
      inference_(inference),
      backend_(backend),
      chats_(chats),
      catalog_(new CatalogModel(this)),
      hub_(new HuggingFaceSearch([this] { return settings_.hubUrl(); }, this))
{
    // Step 1: the catalog, and which of its models are in the folder.
    catalog_->setEntries(builtInCatalog());
    catalog_->setModelsFolder(settings_.modelsFolder());

    // Step 2: the downloads of the models folder, and a new manager for
    // another folder.
    if (models_.folder() != settings_.modelsFolder())
        models_.setFolder(settings_.modelsFolder());
    createDownloadManager();
    connect(&settings_, &LibrarySettings::modelsFolderChanged, this, &ModelLibrary::onModelsFolderChanged);

    // Step 3: the memory budget of the chosen device, kept current.
    if (backend_) {
        connect(backend_, &BackendSettings::devicesChanged, this, &ModelLibrary::updateBudget);
        connect(backend_, &BackendSettings::deviceChanged, this, &ModelLibrary::updateBudget);
        connect(backend_, &BackendSettings::gpuLayersChanged, this, &ModelLibrary::updateBudget);
    }
    updateBudget();
}

ModelLibrary::~ModelLibrary()
{
    // The manager's jobs may still report; nothing here should hear them.
    if (downloads_)
        downloads_->disconnect(this);
}

void ModelLibrary::createDownloadManager()
{
    // Step 1: replace the manager. Running jobs of the old folder are
    // paused first, so their records store how far they got.
    if (downloads_) {
        downloads_->disconnect(this);
        for (DownloadJob* job : downloads_->jobList()) {
            if (isUnfinished(job->state()) && job->state() != DownloadJob::State::Failed)
                job->pause();
        }
    }
    auto manager = std::make_unique<DownloadManager>(settings_.modelsFolder());

    // Step 2: a finished download shows up in the lists at once; the
    // folder watcher would notice too, but later.
    connect(manager.get(), &DownloadManager::completed, this, [this](const QString&, const QString& path) {
        qCInfo(lcLibrary).noquote() << "Downloaded" << QDir::toNativeSeparators(path);
        models_.refresh();
        catalog_->refreshInstalled();
        updateDownloading();
        emit modelDownloaded(path);
    });
    connect(manager.get(), &DownloadManager::jobAdded, this, &ModelLibrary::updateDownloading);
    connect(manager.get(), &DownloadManager::jobStateChanged, this, &ModelLibrary::updateDownloading);
    std::unique_ptr<DownloadManager> old = std::exchange(downloads_, std::move(manager));
    updateDownloading();
    emit downloadsChanged();
    // QML may still hold the old manager until the change above reaches
    // its bindings, so it goes later.
    if (old)
        old.release()->deleteLater();
}

void ModelLibrary::onModelsFolderChanged()
{
    const QString folder = settings_.modelsFolder();
    models_.setFolder(folder);
    catalog_->setModelsFolder(folder);
    createDownloadManager();
}

void ModelLibrary::updateDownloading()
{
    QSet<QString> names;
    if (downloads_) {
        for (const DownloadJob* job : downloads_->jobList()) {
            if (isUnfinished(job->state()))
                names.insert(job->name());
        }
    }
    catalog_->setDownloading(names);
}

void ModelLibrary::updateBudget()
{
    if (budgetOverridden_)
        return;
    const qint64 ram = systemMemoryBytes();
    budget_ = backend_ ? budgetForChoice(backend_->choice(), backend_->scan(), ram) : DeviceBudget{QString(), 0, ram};
    applyBudget();
}

void ModelLibrary::setBudgetForTesting(const DeviceBudget& budget)
{
    budgetOverridden_ = true;
    budget_ = budget;
    applyBudget();
}

void ModelLibrary::applyBudget()
{
    models_.setBudget(budget_);
    catalog_->setBudget(budget_);
    hub_->setBudget(budget_);
    emit budgetChanged();
}

void ModelLibrary::retranslate()
{
    catalog_->retranslate();
    emit budgetChanged();
}

QString ModelLibrary::budgetText() const
{
    if (budget_.isGpu()) {
        return tr("Estimates are for %1 with %2 of memory for models, and %3 of system memory.")
            .arg(budget_.deviceName, formatBytes(budget_.gpuBytes), formatBytes(budget_.ramBytes));
    }
    if (budget_.ramBytes > 0)
        return tr("Estimates are for the CPU with %1 of system memory.").arg(formatBytes(budget_.ramBytes));
    return tr("The memory of this computer is unknown, so no estimate says whether a model fits.");
}

QString ModelLibrary::formatSize(double bytes) const
{
    return QLocale().formattedDataSize(static_cast<qint64>(std::max(bytes, 0.0)), 1);
}

QString ModelLibrary::formatTimeLeft(double seconds) const
{
    const qint64 whole = static_cast<qint64>(std::max(seconds, 0.0));
    if (whole < 60)
        return tr("%n second(s) left", "", static_cast<int>(whole));
    if (whole < 3600)
        return tr("%n minute(s) left", "", static_cast<int>((whole + 30) / 60));
    return tr("%1 h %2 min left").arg(whole / 3600).arg((whole % 3600) / 60);
}

void ModelLibrary::loadModel(const QString& path)
{
    if (path.isEmpty())
        return;
    setLastError({});

    // Step 1: the open chat remembers the model now, not only with its next
    // reply, so switching chats and back returns to it.
    const qint64 chatId = chats_.controller ? chats_.controller->currentChatId() : 0;
    if (chatId != 0 && chats_.store && !chats_.controller->unsaved()) {
        try {
            chats_.store->setChatModel(chatId, QDir::cleanPath(QFileInfo(path).absoluteFilePath()));
            if (chats_.list)
                chats_.list->reload();
        } catch (const StorageError& error) {
            qCWarning(lcStorage).noquote() << "Saving the model of chat" << chatId << "failed:" << error.what();
        }
    }

    // Step 2: the worker unloads the current model and loads this one; the
    // top bar shows the progress.
    qCInfo(lcLibrary).noquote() << "Switching to" << QDir::toNativeSeparators(path) << "for chat" << chatId;
    inference_.loadModel(path);
}

void ModelLibrary::loadModelUrl(const QUrl& url)
{
    if (url.isLocalFile())
        loadModel(url.toLocalFile());
}

bool ModelLibrary::deleteModel(const QString& path)
{
    // Step 1: only a model the library lists, inside the models folder.
    const QString cleaned = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const QString displayPath = QDir::toNativeSeparators(cleaned);
    if (!isInside(cleaned, models_.folder()) || models_.indexOfPath(cleaned) < 0) {
        setLastError(tr("%1 is not a model in the models folder, so it was not deleted.").arg(displayPath));
        return false;
    }

    // Step 2: never the model in use.
    const QString loaded = QDir::cleanPath(inference_.modelPath());
    if (cleaned == loaded || (inference_.loading() && inference_.loadingName() == modelDisplayName(cleaned))) {
        setLastError(tr("%1 is in use. Choose another model first, then delete this one.").arg(displayPath));
        return false;
    }

    // Step 3: remove it: a link or a file with one call, a folder with its
    // contents.
    const QFileInfo info(cleaned);
    bool removed = false;
    QString reason;
    if (info.isSymLink() || !info.isDir()) {
        QFile file(cleaned);
        removed = file.remove();
        reason = file.errorString();
    } else {
        removed = QDir(cleaned).removeRecursively();
        reason = tr("some files could not be removed");
    }
    if (!removed) {
        setLastError(tr("Deleting %1 failed: %2.").arg(displayPath, reason));
        models_.refresh();
        return false;
    }

    // Step 4: the lists follow.
    qCInfo(lcLibrary).noquote() << "Deleted the model" << displayPath;
    setLastError({});
    models_.refresh();
    catalog_->refreshInstalled();
    return true;
}

bool ModelLibrary::showInFileManager(const QString& path)
{
    const QFileInfo info(path);
    const QString folder = info.isDir() && !info.isSymLink() ? info.absoluteFilePath() : info.absolutePath();
    if (QDesktopServices::openUrl(QUrl::fromLocalFile(folder)))
        return true;
    setLastError(tr("No file manager could open %1.").arg(QDir::toNativeSeparators(folder)));
    return false;
}

QString ModelLibrary::downloadCatalogModel(const QString& catalogId)
{
    const auto entry = catalog_->entry(catalogId);
    if (!entry) {
        setLastError(tr("The catalog has no model \"%1\".").arg(catalogId));
        return {};
    }
    return startDownload(entry->downloadRequest(settings_.hubUrl()));
}

QString ModelLibrary::downloadHubFile(const QString& path)
{
    // Step 1: a downloadable GGUF file of the listed repository.
    const HubFileListModel* files = hub_->files();
    const auto file = files->file(path);
    if (!file || !path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive) || isSplitGgufPart(path)) {
        setLastError(tr("%1 is not a GGUF file that Quanta can download from %2.").arg(path, files->repository()));
        return {};
    }

    // Step 2: one file, saved under its own name, with the listing's size
    // and SHA-256.
    DownloadRequest request;
    request.destinationName = path.section(QLatin1Char('/'), -1);
    DownloadFileRequest fileRequest;
    fileRequest.url = hubFileUrl(settings_.hubUrl(), files->repository(), QStringLiteral("main"), path);
    fileRequest.name = request.destinationName;
    fileRequest.expectedSize = file->size;
    fileRequest.expectedSha256 = file->sha256;
    request.files.append(fileRequest);
    return startDownload(request);
}

QString ModelLibrary::downloadHubRepository()
{
    const HubFileListModel* files = hub_->files();
    if (!files->isFolderModel()) {
        setLastError(tr("%1 is not a GPTQ, AWQ or safetensors model folder.").arg(files->repository()));
        return {};
    }
    DownloadRequest request;
    request.folder = true;
    request.destinationName = files->repository().section(QLatin1Char('/'), 1);
    for (const HubFile& file : files->folderFiles()) {
        DownloadFileRequest fileRequest;
        fileRequest.url = hubFileUrl(settings_.hubUrl(), files->repository(), QStringLiteral("main"), file.path);
        fileRequest.name = file.path;
        fileRequest.expectedSize = file.size;
        fileRequest.expectedSha256 = file.sha256;
        request.files.append(fileRequest);
    }
    return startDownload(request);
}

QString ModelLibrary::startDownload(const DownloadRequest& request)
{
    QString error;
    const QString id = downloads_->start(request, &error);
    setLastError(error);
    return id;
}

void ModelLibrary::setLastError(const QString& error)
{
    if (!error.isEmpty())
        qCWarning(lcLibrary).noquote() << error;
    if (error == lastError_)
        return;
    lastError_ = error;
    emit lastErrorChanged();
}

} // namespace quanta

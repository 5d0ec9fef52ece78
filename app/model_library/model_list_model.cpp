#include "model_library/model_list_model.h"

#include "logging/log_categories.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLocale>
#include <QPromise>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace quanta {

namespace {

// Subfolders deeper than this are not scanned; model downloads nest one or
// two levels (publisher/model/file.gguf, publisher/model/config.json).
constexpr int kMaxFolderDepth = 3;

} // namespace

ModelListModel::ModelListModel(const QString& folder, QObject* parent)
    : QAbstractListModel(parent), folder_(QDir::cleanPath(QFileInfo(folder).absoluteFilePath()))
{
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, this, &ModelListModel::refresh);
    refresh();
}

ModelListModel::~ModelListModel()
{
    if (reader_) {
        reader_->cancel();
        reader_->waitForFinished();
    }
}

int ModelListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

QVariant ModelListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry& entry = entries_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return entry.name;
    case PathRole:
        return entry.path;
    case SizeBytesRole:
        return entry.sizeBytes;
    case SizeTextRole:
        return QLocale().formattedDataSize(entry.sizeBytes, 1);
    case ArchitectureRole:
        return entry.info.architecture;
    case ParametersRole:
        return entry.info.parameters;
    case QuantizationRole:
        return localizedWeightFormat(entry.info.quantization);
    case ContextLengthRole:
        return entry.info.contextLength;
    case DetailsRole:
        return details(entry);
    case ProblemRole:
        return entry.info.problem;
    case FolderRole:
        return entry.folder;
    case KindRole:
        return entry.folder ? tr("Hugging Face folder") : tr("GGUF file");
    case FormatRole:
        return entry.infoRead && entry.info.problem.isEmpty() ? entry.info.format() : QString();
    case MemoryBytesRole:
        return entry.infoRead && entry.info.problem.isEmpty() ? estimate(entry).totalBytes() : qint64{0};
    case FitRole:
    case FitTextRole:
    case FitDetailsRole: {
        if (!entry.infoRead || !entry.info.problem.isEmpty())
            return role == FitRole ? QVariant(static_cast<int>(Fit::Unknown)) : QVariant(QString());
        const MemoryEstimate needed = estimate(entry);
        const Fit fit = assessFit(needed.totalBytes(), budget_);
        if (role == FitRole)
            return static_cast<int>(fit);
        return role == FitTextRole ? fitText(fit, budget_) : fitDetails(needed, budget_);
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> ModelListModel::roleNames() const
{
    return {
        {NameRole, "name"},
        {PathRole, "path"},
        {SizeBytesRole, "sizeBytes"},
        {SizeTextRole, "sizeText"},
        {ArchitectureRole, "architecture"},
        {ParametersRole, "parameters"},
        {QuantizationRole, "quantization"},
        {ContextLengthRole, "contextLength"},
        {DetailsRole, "details"},
        {ProblemRole, "problem"},
        {FolderRole, "folder"},
        {KindRole, "kind"},
        {FormatRole, "format"},
        {MemoryBytesRole, "memoryBytes"},
        {FitRole, "fit"},
        {FitTextRole, "fitText"},
        {FitDetailsRole, "fitDetails"},
    };
}

QString ModelListModel::folderUrl() const
{
    return QUrl::fromLocalFile(folder_).toString();
}

void ModelListModel::setFolder(const QString& folder)
{
    const QString cleaned = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    if (cleaned == folder_)
        return;
    folder_ = cleaned;
    qCInfo(lcUi).noquote() << "Models folder is now" << QDir::toNativeSeparators(folder_);
    emit folderChanged();
    refresh();
}

void ModelListModel::setBudget(const DeviceBudget& budget)
{
    budget_ = budget;
    if (!entries_.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {FitRole, FitTextRole, FitDetailsRole});
}

int ModelListModel::indexOfPath(const QString& path) const
{
    const QString cleaned = QDir::cleanPath(path);
    for (int row = 0; row < entries_.size(); ++row) {
        if (entries_.at(row).path == cleaned)
            return row;
    }
    return -1;
}

std::optional<ModelFileInfo> ModelListModel::info(const QString& path) const
{
    const int row = indexOfPath(path);
    if (row < 0 || !entries_.at(row).infoRead)
        return std::nullopt;
    return entries_.at(row).info;
}

MemoryEstimate ModelListModel::estimate(const Entry& entry) const
{
    const ModelFileInfo& info = entry.info;
    if (info.plannedWeightBytes > 0) {
        MemoryEstimate planned;
        planned.weightBytes = info.plannedWeightBytes;
        planned.kvCacheBytes = info.plannedKvCacheBytes;
        planned.scratchBytes = info.plannedScratchBytes;
        planned.contextTokens = info.plannedContext;
        planned.kvCacheKnown = true;
        planned.planned = true;
        return planned;
    }
    ModelShape shape;
    shape.weightBytes = info.weightBytes > 0 ? info.weightBytes : entry.sizeBytes;
    shape.layerCount = info.layerCount;
    shape.kvHeadCount = info.kvHeadCount;
    shape.keyLength = info.keyLength;
    shape.valueLength = info.valueLength;
    shape.contextLength = info.contextLength;
    return estimateModelMemory(shape);
}

void ModelListModel::refresh()
{
    // Step 1: collect the .gguf files and Hugging Face folders, and the
    // folders to watch for changes. Symbolic links to folders are listed but
    // not followed into, so a link cannot make the scan loop.
    QList<Entry> found;
    QStringList folders;
    if (QFileInfo(folder_).isDir())
        folders.append(folder_);
    QDirIterator it(folder_, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Readable,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info(it.nextFileInfo());
        const int depth = static_cast<int>(QDir(folder_).relativeFilePath(info.absoluteFilePath()).count(QLatin1Char('/')));
        if (depth >= kMaxFolderDepth)
            continue;
        const bool folder = info.isDir();
        if (folder)
            folders.append(info.absoluteFilePath());
        if (folder ? !isHuggingFaceModelFolder(info)
                   : info.suffix().compare(QLatin1String("gguf"), Qt::CaseInsensitive) != 0)
            continue;
        Entry entry;
        entry.path = info.absoluteFilePath();
        entry.name = modelDisplayName(entry.path);
        entry.folder = folder;
        const ModelStamp stamp = readModelStamp(info);
        entry.sizeBytes = stamp.sizeBytes;
        entry.modified = stamp.modified;
        found.append(entry);
    }

    // Step 2: sort by name, the way people look for a model.
    std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) {
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });

    // Step 3: take the headers read before from the cache, while the model
    // has not changed; read the others in the background.
    QStringList unread;
    for (Entry& entry : found) {
        const auto cached = cache_.constFind(entry.path);
        if (cached != cache_.constEnd() && cached->sizeBytes == entry.sizeBytes && cached->modified == entry.modified) {
            entry.info = *cached;
            entry.infoRead = true;
        } else {
            unread.append(entry.path);
        }
    }

    // Step 4: publish.
    const int oldCount = rowCount();
    beginResetModel();
    entries_ = std::move(found);
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
    watchFolders(folders);
    qCDebug(lcUi) << "Models folder" << folder_ << "has" << entries_.size() << "models," << unread.size()
                  << "to read";
    readHeaders(unread);
}

void ModelListModel::readHeaders(const QStringList& paths)
{
    // A scan still running reads models that may be gone; stop it first.
    if (reader_) {
        reader_->disconnect(this);
        reader_->cancel();
        reader_->waitForFinished();
        reader_.reset();
    }
    const bool wasScanning = scanning_;
    scanning_ = !paths.isEmpty();
    if (scanning_) {
        reader_ = std::make_unique<QFutureWatcher<ModelFileInfo>>();
        QFutureWatcher<ModelFileInfo>* reader = reader_.get();
        connect(reader, &QFutureWatcherBase::resultReadyAt, this,
                [this, reader](int index) { applyInfo(reader->resultAt(index)); });
        connect(reader, &QFutureWatcherBase::finished, this, [this] {
            scanning_ = false;
            emit scanningChanged();
        });
        reader->setFuture(QtConcurrent::run(
            [](QPromise<ModelFileInfo>& promise, const QStringList& files) {
                for (const QString& file : files) {
                    if (promise.isCanceled())
                        return;
                    promise.addResult(readModelFileInfo(file));
                }
            },
            paths));
    }
    if (scanning_ != wasScanning)
        emit scanningChanged();
}

void ModelListModel::applyInfo(const ModelFileInfo& info)
{
    cache_.insert(info.path, info);
    if (!info.problem.isEmpty())
        qCWarning(lcUi).noquote() << "Cannot read the model" << info.path << "-" << info.problem;
    for (int row = 0; row < entries_.size(); ++row) {
        Entry& entry = entries_[row];
        if (entry.path != info.path)
            continue;
        entry.info = info;
        entry.infoRead = true;
        const QModelIndex changed = index(row);
        emit dataChanged(changed, changed);
    }
}

QString ModelListModel::details(const Entry& entry) const
{
    if (!entry.infoRead)
        return tr("Reading…");
    const ModelFileInfo& info = entry.info;
    if (!info.problem.isEmpty())
        return tr("Cannot be read: %1").arg(info.problem);
    QStringList parts;
    if (!info.architecture.isEmpty())
        parts.append(info.architecture);
    if (info.parameters > 0)
        parts.append(tr("%1 parameters").arg(formatParameterCount(info.parameters)));
    if (!info.quantization.isEmpty())
        parts.append(localizedWeightFormat(info.quantization));
    if (info.contextLength > 0)
        parts.append(tr("%1 context").arg(QLocale().toString(info.contextLength)));
    return parts.join(QStringLiteral(" · "));
}

void ModelListModel::watchFolders(const QStringList& folders)
{
    const QStringList watched = watcher_.directories();
    if (!watched.isEmpty())
        watcher_.removePaths(watched);
    if (!folders.isEmpty())
        watcher_.addPaths(folders);
}

} // namespace quanta

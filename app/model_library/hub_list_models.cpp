#include "model_library/hub_list_models.h"

#include <QLocale>

#include <algorithm>

namespace quanta {

namespace {

bool isGguf(const QString& path)
{
    return path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive);
}

} // namespace

HubRepositoryListModel::HubRepositoryListModel(QObject* parent) : QAbstractListModel(parent) {}

int HubRepositoryListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(repositories_.size());
}

QVariant HubRepositoryListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HubRepository& repository = repositories_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case RepositoryRole:
        return repository.id;
    case DownloadsRole:
        return repository.downloads;
    case DownloadsTextRole:
        return tr("%1 downloads").arg(QLocale().toString(repository.downloads));
    case LikesRole:
        return repository.likes;
    case FormatRole:
        return repository.format;
    default:
        return {};
    }
}

QHash<int, QByteArray> HubRepositoryListModel::roleNames() const
{
    return {
        {RepositoryRole, "repository"}, {DownloadsRole, "downloads"}, {DownloadsTextRole, "downloadsText"},
        {LikesRole, "likes"},           {FormatRole, "format"},
    };
}

void HubRepositoryListModel::setRepositories(const QList<HubRepository>& repositories)
{
    const int oldCount = rowCount();
    beginResetModel();
    repositories_ = repositories;
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
}

HubFileListModel::HubFileListModel(QObject* parent) : QAbstractListModel(parent) {}

int HubFileListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(files_.size());
}

QVariant HubFileListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HubFile& file = files_.at(index.row());
    const bool model = isGguf(file.path);
    switch (role) {
    case Qt::DisplayRole:
    case PathRole:
        return file.path;
    case SizeBytesRole:
        return file.size;
    case SizeTextRole:
        return file.size >= 0 ? QLocale().formattedDataSize(file.size, 1) : tr("size unknown");
    case Sha256Role:
        return QString::fromLatin1(file.sha256);
    case QuantizationRole:
        return model ? guessQuantization(file.path) : QString();
    case IsModelFileRole:
        return model;
    case DownloadableRole:
        return model && note(file).isEmpty();
    case NoteRole:
        return note(file);
    case MemoryBytesRole:
        return model ? estimate(file.size).totalBytes() : qint64{0};
    case FitRole:
    case FitTextRole:
    case FitDetailsRole: {
        if (!model || file.size <= 0)
            return role == FitRole ? QVariant(static_cast<int>(Fit::Unknown)) : QVariant(QString());
        const MemoryEstimate needed = estimate(file.size);
        const Fit fit = assessFit(needed.totalBytes(), budget_);
        if (role == FitRole)
            return static_cast<int>(fit);
        return role == FitTextRole ? fitText(fit, budget_) : fitDetails(needed, budget_);
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> HubFileListModel::roleNames() const
{
    return {
        {PathRole, "path"},
        {SizeBytesRole, "sizeBytes"},
        {SizeTextRole, "sizeText"},
        {Sha256Role, "sha256"},
        {QuantizationRole, "quantization"},
        {IsModelFileRole, "isModelFile"},
        {DownloadableRole, "downloadable"},
        {NoteRole, "note"},
        {MemoryBytesRole, "memoryBytes"},
        {FitRole, "fit"},
        {FitTextRole, "fitText"},
        {FitDetailsRole, "fitDetails"},
    };
}

void HubFileListModel::setFiles(const QString& repository, const QString& format, const QList<HubFile>& files)
{
    const int oldCount = rowCount();
    beginResetModel();
    repository_ = repository;
    files_ = files;

    // The search's guess, else what the files show.
    format_ = format;
    if (format_.isEmpty()) {
        bool gguf = false;
        bool config = false;
        bool safetensors = false;
        for (const HubFile& file : files_) {
            gguf = gguf || isGguf(file.path);
            config = config || file.path == QLatin1String("config.json");
            safetensors = safetensors || file.path.endsWith(QLatin1String(".safetensors"));
        }
        if (gguf)
            format_ = QStringLiteral("GGUF");
        else if (config && safetensors)
            format_ = QStringLiteral("Safetensors");
    }
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
    emit filesChanged();
    emit fitChanged();
}

void HubFileListModel::clear()
{
    setFiles({}, {}, {});
}

void HubFileListModel::setBudget(const DeviceBudget& budget)
{
    budget_ = budget;
    if (!files_.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {FitRole, FitTextRole, FitDetailsRole});
    emit fitChanged();
}

std::optional<HubFile> HubFileListModel::file(const QString& path) const
{
    for (const HubFile& file : files_) {
        if (file.path == path)
            return file;
    }
    return std::nullopt;
}

bool HubFileListModel::isFolderModel() const
{
    if (format_ == QLatin1String("GGUF") || format_.isEmpty())
        return false;
    bool config = false;
    bool safetensors = false;
    for (const HubFile& file : files_) {
        config = config || file.path == QLatin1String("config.json");
        safetensors = safetensors || (file.path.endsWith(QLatin1String(".safetensors")) && isFolderModelFile(file.path));
    }
    return config && safetensors;
}

QList<HubFile> HubFileListModel::folderFiles() const
{
    QList<HubFile> files;
    if (!isFolderModel())
        return files;
    for (const HubFile& file : files_) {
        if (isFolderModelFile(file.path))
            files.append(file);
    }
    return files;
}

qint64 HubFileListModel::folderBytes() const
{
    qint64 total = 0;
    for (const HubFile& file : folderFiles())
        total += std::max<qint64>(file.size, 0);
    return total;
}

QString HubFileListModel::folderSizeText() const
{
    return formatBytes(folderBytes());
}

int HubFileListModel::folderFit() const
{
    if (!isFolderModel())
        return static_cast<int>(Fit::Unknown);
    return static_cast<int>(assessFit(estimate(folderBytes()).totalBytes(), budget_));
}

QString HubFileListModel::folderFitText() const
{
    if (!isFolderModel())
        return {};
    return fitText(static_cast<Fit>(folderFit()), budget_);
}

QString HubFileListModel::folderFitDetails() const
{
    if (!isFolderModel())
        return {};
    return fitDetails(estimate(folderBytes()), budget_);
}

MemoryEstimate HubFileListModel::estimate(qint64 bytes) const
{
    // Before a download only the size is known, so the KV cache is an
    // allowance (see estimateModelMemory).
    ModelShape shape;
    shape.weightBytes = std::max<qint64>(bytes, 0);
    return estimateModelMemory(shape);
}

QString HubFileListModel::note(const HubFile& file) const
{
    if (!isGguf(file.path))
        return {};
    if (isSplitGgufPart(file.path))
        return tr("Split into several files, which Quanta cannot load yet.");
    return {};
}

} // namespace quanta

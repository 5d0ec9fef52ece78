#include "model_library/catalog_model.h"

#include "model_library/model_file_info.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>

namespace quanta {

CatalogModel::CatalogModel(QObject* parent) : QAbstractListModel(parent) {}

int CatalogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

QVariant CatalogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CatalogEntry& entry = entries_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return entry.name;
    case IdRole:
        return entry.id;
    case RepositoryRole:
        return entry.repository;
    case FormatRole:
        return entry.format;
    case QuantizationRole:
        return entry.isFolder() ? localizedWeightFormat(entry.format + QLatin1Char(' ') + entry.quantization)
                                : entry.quantization;
    case ArchitectureRole:
        return entry.architecture;
    case ParametersRole:
        return entry.parameters;
    case ContextLengthRole:
        return entry.contextLength;
    case LicenseRole:
        return entry.license;
    case SizeBytesRole:
        return entry.sizeBytes;
    case SizeTextRole:
        return entry.sizeIsEstimate ? tr("about %1").arg(formatBytes(entry.sizeBytes)) : formatBytes(entry.sizeBytes);
    case DetailsRole:
        return details(entry);
    case MemoryBytesRole:
        return entry.memoryBytes;
    case FitRole:
        return static_cast<int>(assessFit(entry.memoryBytes, budget_));
    case FitTextRole:
        return fitText(assessFit(entry.memoryBytes, budget_), budget_);
    case FitDetailsRole:
        return fitDetails(estimateModelMemory(entry.shape()), budget_);
    case InstalledRole:
        return !installedPath(entry).isEmpty();
    case InstalledPathRole:
        return installedPath(entry);
    case DownloadingRole:
        return downloading_.contains(entry.destinationName());
    case FileCountRole:
        return static_cast<int>(entry.files.size());
    default:
        return {};
    }
}

QHash<int, QByteArray> CatalogModel::roleNames() const
{
    return {
        {IdRole, "catalogId"},
        {NameRole, "name"},
        {RepositoryRole, "repository"},
        {FormatRole, "format"},
        {QuantizationRole, "quantization"},
        {ArchitectureRole, "architecture"},
        {ParametersRole, "parameters"},
        {ContextLengthRole, "contextLength"},
        {LicenseRole, "license"},
        {SizeBytesRole, "sizeBytes"},
        {SizeTextRole, "sizeText"},
        {DetailsRole, "details"},
        {MemoryBytesRole, "memoryBytes"},
        {FitRole, "fit"},
        {FitTextRole, "fitText"},
        {FitDetailsRole, "fitDetails"},
        {InstalledRole, "installed"},
        {InstalledPathRole, "installedPath"},
        {DownloadingRole, "downloading"},
        {FileCountRole, "fileCount"},
    };
}

void CatalogModel::setEntries(const QList<CatalogEntry>& entries)
{
    const int oldCount = rowCount();
    beginResetModel();
    entries_ = entries;
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
}

std::optional<CatalogEntry> CatalogModel::entry(const QString& id) const
{
    for (const CatalogEntry& entry : entries_) {
        if (entry.id == id)
            return entry;
    }
    return std::nullopt;
}

void CatalogModel::setModelsFolder(const QString& folder)
{
    modelsFolder_ = folder;
    refreshInstalled();
}

void CatalogModel::setDownloading(const QSet<QString>& destinationNames)
{
    if (destinationNames == downloading_)
        return;
    downloading_ = destinationNames;
    if (!entries_.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {DownloadingRole});
}

void CatalogModel::setBudget(const DeviceBudget& budget)
{
    budget_ = budget;
    if (!entries_.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {FitRole, FitTextRole, FitDetailsRole});
}

void CatalogModel::refreshInstalled()
{
    if (!entries_.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {InstalledRole, InstalledPathRole});
}

void CatalogModel::retranslate()
{
    if (!entries_.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1));
}

QString CatalogModel::installedPath(const CatalogEntry& entry) const
{
    if (modelsFolder_.isEmpty())
        return {};
    const QString path = QDir(modelsFolder_).filePath(entry.destinationName());
    const QFileInfo info(path);
    const bool present = entry.isFolder() ? info.isDir() : info.isFile();
    return present ? QDir::cleanPath(info.absoluteFilePath()) : QString();
}

QString CatalogModel::details(const CatalogEntry& entry) const
{
    return tr("%1 parameters · %2 · %3 context · licence %4")
        .arg(formatParameterCount(entry.parameters), entry.architecture, QLocale().toString(entry.contextLength),
             entry.license);
}

} // namespace quanta

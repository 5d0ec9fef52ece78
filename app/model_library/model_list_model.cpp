#include "model_library/model_list_model.h"

#include "logging/log_categories.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLocale>
#include <QUrl>

#include <algorithm>

namespace quanta {

namespace {

// Subfolders deeper than this are not scanned; model downloads nest one or
// two levels (publisher/model/file.gguf).
constexpr int kMaxFolderDepth = 3;

} // namespace

ModelListModel::ModelListModel(const QString& folder, QObject* parent)
    : QAbstractListModel(parent), folder_(QDir::cleanPath(QFileInfo(folder).absoluteFilePath()))
{
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, this, &ModelListModel::refresh);
    refresh();
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
    };
}

QString ModelListModel::folderUrl() const
{
    return QUrl::fromLocalFile(folder_).toString();
}

void ModelListModel::refresh()
{
    // Step 1: collect the .gguf files, and the folders to watch for changes.
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
        if (info.isDir()) {
            folders.append(info.absoluteFilePath());
            continue;
        }
        if (info.suffix().compare(QLatin1String("gguf"), Qt::CaseInsensitive) != 0)
            continue;
        found.append(Entry{info.completeBaseName(), info.absoluteFilePath(), info.size()});
    }

    // Step 2: sort by name, the way people look for a model.
    std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) {
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });

    // Step 3: publish.
    const int oldCount = rowCount();
    beginResetModel();
    entries_ = std::move(found);
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
    watchFolders(folders);
    qCDebug(lcUi) << "Models folder" << folder_ << "has" << entries_.size() << "GGUF files";
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

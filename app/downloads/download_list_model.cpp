#include "downloads/download_list_model.h"

#include "downloads/download_job.h"

namespace quanta {

namespace {

QString stateText(DownloadJob::State state)
{
    switch (state) {
    case DownloadJob::State::Paused:
        return DownloadListModel::tr("Paused");
    case DownloadJob::State::Checking:
        return DownloadListModel::tr("Checking the downloaded part");
    case DownloadJob::State::Downloading:
        return DownloadListModel::tr("Downloading");
    case DownloadJob::State::Retrying:
        return DownloadListModel::tr("Waiting to retry");
    case DownloadJob::State::Installing:
        return DownloadListModel::tr("Moving into the models folder");
    case DownloadJob::State::Completed:
        return DownloadListModel::tr("Completed");
    case DownloadJob::State::Failed:
        return DownloadListModel::tr("Failed");
    case DownloadJob::State::Cancelled:
        return DownloadListModel::tr("Cancelled");
    }
    return {};
}

} // namespace

DownloadListModel::DownloadListModel(QObject* parent) : QAbstractListModel(parent) {}

int DownloadListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(jobs_.size());
}

QVariant DownloadListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DownloadJob* job = jobs_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return job->name();
    case IdRole:
        return job->id();
    case StateRole:
        return static_cast<int>(job->state());
    case StateTextRole:
        return stateText(job->state());
    case ReceivedBytesRole:
        return job->receivedBytes();
    case TotalBytesRole:
        return job->totalBytes();
    case ProgressRole: {
        const qint64 total = job->totalBytes();
        if (total < 0)
            return -1.0;
        return total == 0 ? 1.0 : static_cast<double>(job->receivedBytes()) / static_cast<double>(total);
    }
    case BytesPerSecondRole:
        return job->bytesPerSecond();
    case SecondsLeftRole:
        return job->secondsLeft();
    case ErrorRole:
        return job->error();
    case PathRole:
        return job->installedPath();
    case FileCountRole:
        return static_cast<int>(job->record().files.size());
    default:
        return {};
    }
}

QHash<int, QByteArray> DownloadListModel::roleNames() const
{
    return {
        {IdRole, "id"},
        {NameRole, "name"},
        {StateRole, "state"},
        {StateTextRole, "stateText"},
        {ReceivedBytesRole, "receivedBytes"},
        {TotalBytesRole, "totalBytes"},
        {ProgressRole, "progress"},
        {BytesPerSecondRole, "bytesPerSecond"},
        {SecondsLeftRole, "secondsLeft"},
        {ErrorRole, "error"},
        {PathRole, "path"},
        {FileCountRole, "fileCount"},
    };
}

void DownloadListModel::append(DownloadJob* job)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    jobs_.append(job);
    endInsertRows();
    emit countChanged();
}

void DownloadListModel::remove(DownloadJob* job)
{
    const int row = static_cast<int>(jobs_.indexOf(job));
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    jobs_.removeAt(row);
    endRemoveRows();
    emit countChanged();
}

void DownloadListModel::update(DownloadJob* job)
{
    const int row = static_cast<int>(jobs_.indexOf(job));
    if (row >= 0)
        emit dataChanged(index(row), index(row));
}

void DownloadListModel::clear()
{
    beginResetModel();
    jobs_.clear();
    endResetModel();
    emit countChanged();
}

} // namespace quanta

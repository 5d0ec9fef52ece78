// The download jobs of a DownloadManager as a list for QML: one row per job,
// oldest first, updated as bytes arrive.
#pragma once

#include <QAbstractListModel>
#include <QList>

namespace quanta {

class DownloadJob;

class DownloadListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        IdRole = Qt::UserRole + 1, // the job's id
        NameRole,                  // file or folder name in the models folder
        StateRole,                 // DownloadJob::State as an int
        StateTextRole,             // the state for display, translated
        ReceivedBytesRole,         // bytes on disk, all files together
        TotalBytesRole,            // bytes of all files; -1 while a size is unknown
        ProgressRole,              // received / total from 0 to 1; -1 while the total is unknown
        BytesPerSecondRole,        // smoothed speed; 0 when not downloading
        SecondsLeftRole,           // at that speed; -1 when unknown
        ErrorRole,                 // why the job failed; empty otherwise
        PathRole,                  // the model in the models folder once completed
        FileCountRole,             // files in the job
    };
    Q_ENUM(Role)

    explicit DownloadListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Called by the DownloadManager, which owns the jobs.
    void append(DownloadJob* job);
    void remove(DownloadJob* job);
    void update(DownloadJob* job);
    void clear();

signals:
    void countChanged();

private:
    QList<DownloadJob*> jobs_;
};

} // namespace quanta

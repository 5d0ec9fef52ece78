// The .gguf files in the models folder (and its subfolders), for the model
// picker. Rescans when the folder changes.
#pragma once

#include <QAbstractListModel>
#include <QFileSystemWatcher>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ModelListModel is created by the application.")
    Q_PROPERTY(QString folder READ folder NOTIFY folderChanged)
    Q_PROPERTY(QString folderUrl READ folderUrl NOTIFY folderChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, // file name without ".gguf"
        PathRole,                    // absolute path
        SizeBytesRole,
        SizeTextRole,                // size for display, in the current locale
    };
    Q_ENUM(Role)

    explicit ModelListModel(const QString& folder, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString folder() const { return folder_; }
    QString folderUrl() const;

    // Scans the folder again.
    Q_INVOKABLE void refresh();

signals:
    void folderChanged();
    void countChanged();

private:
    struct Entry {
        QString name;
        QString path;
        qint64 sizeBytes = 0;
    };

    void watchFolders(const QStringList& folders);

    QString folder_;
    QList<Entry> entries_;
    QFileSystemWatcher watcher_;
};

} // namespace quanta

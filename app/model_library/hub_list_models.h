// The results of a Hugging Face search and the files of one repository, as
// lists for QML, with the memory fit of each file shown before anything is
// downloaded.
#pragma once

#include "model_library/hf_api.h"
#include "model_library/memory_fit.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class HubRepositoryListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("HubRepositoryListModel is created by the application.")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        RepositoryRole = Qt::UserRole + 1, // "owner/name"
        DownloadsRole,                     // downloads in the last 30 days
        DownloadsTextRole,                 // the same for display
        LikesRole,
        FormatRole,                        // "GGUF", "GPTQ", "AWQ" or empty
    };
    Q_ENUM(Role)

    explicit HubRepositoryListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setRepositories(const QList<HubRepository>& repositories);
    const QList<HubRepository>& repositories() const { return repositories_; }

signals:
    void countChanged();

private:
    QList<HubRepository> repositories_;
};

class HubFileListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("HubFileListModel is created by the application.")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // The repository listed, and its format ("GGUF", "GPTQ", "AWQ",
    // "Safetensors" for an unquantized folder, or empty).
    Q_PROPERTY(QString repository READ repository NOTIFY filesChanged)
    Q_PROPERTY(QString format READ format NOTIFY filesChanged)
    // A GPTQ, AWQ or safetensors repository downloads as one folder: its
    // model files, their size and fit.
    Q_PROPERTY(bool isFolderModel READ isFolderModel NOTIFY filesChanged)
    Q_PROPERTY(int folderFileCount READ folderFileCount NOTIFY filesChanged)
    Q_PROPERTY(QString folderSizeText READ folderSizeText NOTIFY filesChanged)
    Q_PROPERTY(int folderFit READ folderFit NOTIFY fitChanged)
    Q_PROPERTY(QString folderFitText READ folderFitText NOTIFY fitChanged)
    Q_PROPERTY(QString folderFitDetails READ folderFitDetails NOTIFY fitChanged)

public:
    enum Role {
        PathRole = Qt::UserRole + 1, // path in the repository
        SizeBytesRole,               // -1 when unknown
        SizeTextRole,
        Sha256Role,                  // LFS SHA-256, or empty
        QuantizationRole,            // guessed from the name ("Q4_K_M"), or empty
        IsModelFileRole,             // a .gguf file (shown with a Download button)
        DownloadableRole,            // the file can be downloaded and loaded on its own
        NoteRole,                    // why it cannot, translated; empty when it can
        MemoryBytesRole,             // estimated memory to run it; 0 for other files
        FitRole,                     // quanta::Fit as an int
        FitTextRole,
        FitDetailsRole,
    };
    Q_ENUM(Role)

    explicit HubFileListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Lists `files` of `repository`, whose search result showed `format`.
    void setFiles(const QString& repository, const QString& format, const QList<HubFile>& files);
    void clear();
    void setBudget(const DeviceBudget& budget);

    QString repository() const { return repository_; }
    QString format() const { return format_; }
    const QList<HubFile>& files() const { return files_; }
    std::optional<HubFile> file(const QString& path) const;
    bool isFolderModel() const;
    // The files a folder download takes.
    QList<HubFile> folderFiles() const;
    int folderFileCount() const { return static_cast<int>(folderFiles().size()); }
    qint64 folderBytes() const;
    QString folderSizeText() const;
    int folderFit() const;
    QString folderFitText() const;
    QString folderFitDetails() const;

signals:
    void countChanged();
    void filesChanged();
    void fitChanged();

private:
    MemoryEstimate estimate(qint64 bytes) const;
    QString note(const HubFile& file) const;

    QString repository_;
    QString format_;
    QList<HubFile> files_;
    DeviceBudget budget_;
};

} // namespace quanta

// The models in the models folder (and its subfolders) for the model picker
// and the library screen: .gguf files and Hugging Face model folders.
// Rescans when the folder changes. Each model's header is read on a worker
// thread, so the list appears at once and the details follow. Unfinished
// downloads live in the hidden .partial folder, which the scan skips.
#pragma once

#include "model_library/memory_fit.h"
#include "model_library/model_file_info.h"

#include <QAbstractListModel>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QHash>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <optional>

namespace quanta {

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ModelListModel is created by the application.")
    Q_PROPERTY(QString folder READ folder NOTIFY folderChanged)
    Q_PROPERTY(QString folderUrl READ folderUrl NOTIFY folderChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // True while model headers are still being read.
    Q_PROPERTY(bool scanning READ scanning NOTIFY scanningChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, // file name without ".gguf", or the folder's name
        PathRole,                    // absolute path
        SizeBytesRole,               // a file's size, or a folder's *.safetensors bytes
        SizeTextRole,                // size for display, in the current locale
        ArchitectureRole,            // "llama"; empty until the header is read
        ParametersRole,              // parameter count
        QuantizationRole,            // "Q4_K_M", or a folder's "GPTQ 4-bit, group 128"
        ContextLengthRole,           // trained context length in tokens, 0 when unknown
        DetailsRole,                 // one translated line with the four above
        ProblemRole,                 // why the model is unreadable; empty when fine
        FolderRole,                  // true for a Hugging Face folder
        KindRole,                    // "GGUF file" or "Hugging Face folder", translated
        FormatRole,                  // "GGUF", "GPTQ", "AWQ" or "Safetensors"; empty until read
        MemoryBytesRole,             // estimated memory to run it (see memory_fit.h); 0 until read
        FitRole,                     // quanta::Fit as an int, against budget()
        FitTextRole,                 // the fit in words, translated
        FitDetailsRole,              // the estimate and the budget, translated
    };
    Q_ENUM(Role)

    explicit ModelListModel(const QString& folder, QObject* parent = nullptr);
    ~ModelListModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString folder() const { return folder_; }
    QString folderUrl() const;
    bool scanning() const { return scanning_; }
    // Lists another folder; takes effect at once.
    void setFolder(const QString& folder);

    // The device budget the fit roles compare with.
    const DeviceBudget& budget() const { return budget_; }
    void setBudget(const DeviceBudget& budget);

    // The row of the model at `path`, or -1.
    Q_INVOKABLE int indexOfPath(const QString& path) const;
    // The header of the model at `path` once read; nothing before.
    std::optional<ModelFileInfo> info(const QString& path) const;

    // Scans the folder again.
    Q_INVOKABLE void refresh();

signals:
    void folderChanged();
    void countChanged();
    void scanningChanged();

private:
    struct Entry {
        QString name;
        QString path;
        bool folder = false;
        qint64 sizeBytes = 0;
        QDateTime modified;
        bool infoRead = false;
        ModelFileInfo info;
    };

    void watchFolders(const QStringList& folders);
    void readHeaders(const QStringList& paths);
    void applyInfo(const ModelFileInfo& info);
    QString details(const Entry& entry) const;
    MemoryEstimate estimate(const Entry& entry) const;

    QString folder_;
    QList<Entry> entries_;
    QFileSystemWatcher watcher_;
    // Headers already read, by path; reused while the ModelStamp matches.
    QHash<QString, ModelFileInfo> cache_;
    // Reads the headers of the current scan; replaced by each refresh().
    std::unique_ptr<QFutureWatcher<ModelFileInfo>> reader_;
    bool scanning_ = false;
    DeviceBudget budget_;
};

} // namespace quanta

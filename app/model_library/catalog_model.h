// The catalog's recommended models as a list for QML: format, size,
// licence and the memory fit for the chosen device, shown before anything
// is downloaded, and whether each model is in the library or downloading.
#pragma once

#include "model_library/catalog.h"

#include <QAbstractListModel>
#include <QSet>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class CatalogModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CatalogModel is created by the application.")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        NameRole,             // "Qwen2.5 1.5B Instruct"
        RepositoryRole,       // "owner/name"
        FormatRole,           // "GGUF", "GPTQ" or "AWQ"
        QuantizationRole,     // "Q4_K_M", "4-bit, group 128"
        ArchitectureRole,
        ParametersRole,
        ContextLengthRole,
        LicenseRole,
        SizeBytesRole,
        SizeTextRole,         // "1.0 GB", or "about 1.1 GB" for an estimate
        DetailsRole,          // one translated line with parameters, architecture, context and licence
        MemoryBytesRole,      // from the catalog
        FitRole,              // quanta::Fit as an int, against budget()
        FitTextRole,
        FitDetailsRole,
        InstalledRole,        // the model is in the models folder
        InstalledPathRole,    // its path there
        DownloadingRole,      // an unfinished download of it exists
        FileCountRole,
    };
    Q_ENUM(Role)

    explicit CatalogModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setEntries(const QList<CatalogEntry>& entries);
    const QList<CatalogEntry>& entries() const { return entries_; }
    std::optional<CatalogEntry> entry(const QString& id) const;

    // Where installed models are looked for.
    void setModelsFolder(const QString& folder);
    // Names (file or folder in the models folder) of unfinished downloads.
    void setDownloading(const QSet<QString>& destinationNames);
    void setBudget(const DeviceBudget& budget);
    // Checks the models folder again for installed models.
    Q_INVOKABLE void refreshInstalled();
    // Translated texts follow the UI language.
    void retranslate();

signals:
    void countChanged();

private:
    QString installedPath(const CatalogEntry& entry) const;
    QString details(const CatalogEntry& entry) const;

    QList<CatalogEntry> entries_;
    QString modelsFolder_;
    QSet<QString> downloading_;
    DeviceBudget budget_;
};

} // namespace quanta

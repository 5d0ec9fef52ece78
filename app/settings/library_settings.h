// Library settings: the models folder (persisted in QSettings, changeable in
// Settings) and the Hugging Face address downloads come from. `quanta-cli
// download` reads the same folder setting.
#pragma once

#include <QObject>
#include <QSettings>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class LibrarySettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("LibrarySettings is created by the application.")
    // The models folder in use: absolute path and file:// URL.
    Q_PROPERTY(QString modelsFolder READ modelsFolder NOTIFY modelsFolderChanged)
    Q_PROPERTY(QUrl modelsFolderUrl READ modelsFolderUrl NOTIFY modelsFolderChanged)
    // The per-user default, <AppDataLocation>/models.
    Q_PROPERTY(QString defaultFolder READ defaultFolder CONSTANT)
    // The Hugging Face server: the models API and the file downloads.
    Q_PROPERTY(QUrl hubUrl READ hubUrl NOTIFY hubUrlChanged)
    // Why the last setModelsFolder() failed; empty after a success.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    static inline const QString kModelsFolderKey = QStringLiteral("library/modelsFolder");
    static inline const QString kHubUrlKey = QStringLiteral("library/huggingFaceUrl");
    static inline const QString kDefaultHubUrl = QStringLiteral("https://huggingface.co");

    // `folder` is the folder to start with (the saved one, or the command
    // line's --models-dir); `defaultFolder` is where "Reset" goes back to.
    LibrarySettings(QSettings& settings, const QString& folder, const QString& defaultFolder,
                    QObject* parent = nullptr);

    QString modelsFolder() const { return folder_; }
    QUrl modelsFolderUrl() const { return QUrl::fromLocalFile(folder_); }
    QString defaultFolder() const { return defaultFolder_; }
    QUrl hubUrl() const { return hubUrl_; }
    QString lastError() const { return lastError_; }

    // Creates the folder when needed, checks that it is writable, saves it
    // and switches the library to it. Returns false and sets lastError when
    // it cannot be used.
    Q_INVOKABLE bool setModelsFolder(const QString& folder);
    // Same for a file:// URL, as FolderDialog returns.
    Q_INVOKABLE bool setModelsFolderUrl(const QUrl& url);
    // Back to the per-user default.
    Q_INVOKABLE bool resetModelsFolder();

    // Takes an http or https URL; anything else is logged and ignored.
    void setHubUrl(const QUrl& url);

    // The folder saved in `settings`, or `fallback` when none is saved.
    static QString savedModelsFolder(const QSettings& settings, const QString& fallback);

signals:
    void modelsFolderChanged();
    void hubUrlChanged();
    void lastErrorChanged();

private:
    void setLastError(const QString& error);

    QSettings& settings_;
    QString folder_;
    QString defaultFolder_;
    QUrl hubUrl_;
    QString lastError_;
};

} // namespace quanta

#include "settings/library_settings.h"

#include "logging/log_categories.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>

namespace quanta {

namespace {

QString cleanAbsolute(const QString& path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

bool isHttpUrl(const QUrl& url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

} // namespace

LibrarySettings::LibrarySettings(QSettings& settings, const QString& folder, const QString& defaultFolder,
                                 QObject* parent)
    : QObject(parent),
      settings_(settings),
      folder_(cleanAbsolute(folder)),
      defaultFolder_(cleanAbsolute(defaultFolder)),
      hubUrl_(kDefaultHubUrl)
{
    const QUrl saved(settings_.value(kHubUrlKey).toString());
    if (isHttpUrl(saved))
        hubUrl_ = saved;
    else if (settings_.contains(kHubUrlKey))
        qCWarning(lcLibrary).noquote() << "Ignoring the invalid Hugging Face address" << saved.toString()
                                       << "in the settings; using" << hubUrl_.toString();
}

QString LibrarySettings::savedModelsFolder(const QSettings& settings, const QString& fallback)
{
    const QString saved = settings.value(kModelsFolderKey).toString();
    return saved.isEmpty() ? fallback : cleanAbsolute(saved);
}

bool LibrarySettings::setModelsFolder(const QString& folder)
{
    // Step 1: an absolute path that is, or can become, a folder.
    if (folder.trimmed().isEmpty()) {
        setLastError(tr("Choose a folder for the models."));
        return false;
    }
    const QString path = cleanAbsolute(folder);
    const QFileInfo info(path);
    if (info.exists() && !info.isDir()) {
        setLastError(tr("%1 is a file, not a folder. Choose a folder for the models.")
                         .arg(QDir::toNativeSeparators(path)));
        return false;
    }
    if (!QDir().mkpath(path)) {
        setLastError(tr("Cannot create the folder %1. Check the permissions of the folder above it.")
                         .arg(QDir::toNativeSeparators(path)));
        return false;
    }

    // Step 2: downloads write into it, so it must be writable, which only
    // creating a file proves (permissions alone miss read-only mounts).
    QTemporaryFile probe(path + QStringLiteral("/.quanta-write-test-XXXXXX"));
    if (!probe.open()) {
        setLastError(tr("The folder %1 is not writable: %2. Choose a folder you can write to.")
                         .arg(QDir::toNativeSeparators(path), probe.errorString()));
        return false;
    }
    probe.close();

    // Step 3: save and switch.
    settings_.setValue(kModelsFolderKey, path);
    settings_.sync();
    setLastError({});
    if (path == folder_)
        return true;
    folder_ = path;
    qCInfo(lcLibrary).noquote() << "Models folder set to" << QDir::toNativeSeparators(folder_);
    emit modelsFolderChanged();
    return true;
}

bool LibrarySettings::setModelsFolderUrl(const QUrl& url)
{
    if (!url.isLocalFile()) {
        setLastError(tr("%1 is not a folder on this computer.").arg(url.toDisplayString()));
        return false;
    }
    return setModelsFolder(url.toLocalFile());
}

bool LibrarySettings::resetModelsFolder()
{
    if (!setModelsFolder(defaultFolder_))
        return false;
    settings_.remove(kModelsFolderKey);
    return true;
}

void LibrarySettings::setHubUrl(const QUrl& url)
{
    if (!isHttpUrl(url)) {
        qCWarning(lcLibrary).noquote() << "Ignoring the invalid Hugging Face address" << url.toString();
        return;
    }
    if (url == hubUrl_)
        return;
    hubUrl_ = url;
    settings_.setValue(kHubUrlKey, url.toString());
    emit hubUrlChanged();
}

void LibrarySettings::setLastError(const QString& error)
{
    if (error == lastError_)
        return;
    lastError_ = error;
    if (!error.isEmpty())
        qCWarning(lcLibrary).noquote() << error;
    emit lastErrorChanged();
}

} // namespace quanta

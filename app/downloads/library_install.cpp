#include "downloads/library_install.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace quanta {

namespace {

// "name (99)" is plenty; past it something else is wrong with the folder.
constexpr int kMaxAlternatives = 99;

enum class RenameOutcome { Renamed, TargetExists, Failed };

// Renames `from` to `to` unless `to` exists, atomically where the kernel and
// the filesystem offer RENAME_NOREPLACE (Linux 3.15+, most local filesystems).
RenameOutcome renameWithoutReplacing(const QString& from, const QString& to, bool folder, int* errorNumber)
{
    const QByteArray source = QFile::encodeName(from);
    const QByteArray target = QFile::encodeName(to);
#if defined(RENAME_NOREPLACE)
    if (::renameat2(AT_FDCWD, source.constData(), AT_FDCWD, target.constData(), RENAME_NOREPLACE) == 0)
        return RenameOutcome::Renamed;
    if (errno == EEXIST)
        return RenameOutcome::TargetExists;
    if (errno != EINVAL && errno != ENOSYS) {
        *errorNumber = errno;
        return RenameOutcome::Failed;
    }
#endif
    // A file can still be moved without a race: link() fails when the
    // target exists. A folder cannot be hard-linked, so it is checked first.
    if (!folder) {
        if (::link(source.constData(), target.constData()) == 0) {
            ::unlink(source.constData());
            return RenameOutcome::Renamed;
        }
        if (errno == EEXIST)
            return RenameOutcome::TargetExists;
        *errorNumber = errno;
        return RenameOutcome::Failed;
    }
    // NOTE: without RENAME_NOREPLACE, a folder created between this check
    // and the rename would be replaced if it is empty.
    struct stat info;
    if (::lstat(target.constData(), &info) == 0)
        return RenameOutcome::TargetExists;
    if (::rename(source.constData(), target.constData()) == 0)
        return RenameOutcome::Renamed;
    if (errno == EEXIST || errno == ENOTEMPTY)
        return RenameOutcome::TargetExists;
    *errorNumber = errno;
    return RenameOutcome::Failed;
}

} // namespace

QString alternativeModelName(const QString& name, int n, bool folder)
{
    const QString number = QStringLiteral(" (%1)").arg(n);
    const int dot = folder ? -1 : static_cast<int>(name.lastIndexOf(QLatin1Char('.')));
    if (dot <= 0)
        return name + number;
    return name.left(dot) + number + name.mid(dot);
}

InstallResult moveIntoLibrary(const QString& source, const QString& modelsFolder, const QString& name, bool folder)
{
    const QDir library(modelsFolder);
    for (int n = 1; n <= kMaxAlternatives; ++n) {
        const QString candidate = n == 1 ? name : alternativeModelName(name, n, folder);
        const QString target = library.absoluteFilePath(candidate);
        int errorNumber = 0;
        switch (renameWithoutReplacing(source, target, folder, &errorNumber)) {
        case RenameOutcome::Renamed:
            return {target, {}};
        case RenameOutcome::TargetExists:
            continue;
        case RenameOutcome::Failed:
            return {{},
                    QCoreApplication::translate("DownloadJob", "Cannot move %1 to %2: %3.")
                        .arg(QDir::toNativeSeparators(source), QDir::toNativeSeparators(target),
                             QString::fromLocal8Bit(std::strerror(errorNumber)))};
        }
    }
    return {{},
            QCoreApplication::translate("DownloadJob",
                                        "Cannot move %1 into %2: %3 and %4 other names for it are taken. "
                                        "Rename or delete some of them and resume the download.")
                .arg(QDir::toNativeSeparators(source), QDir::toNativeSeparators(modelsFolder), name,
                     QString::number(kMaxAlternatives - 1))};
}

} // namespace quanta

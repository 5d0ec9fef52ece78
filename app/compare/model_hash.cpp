#include "compare/model_hash.h"

#include "core/error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace quanta {

namespace {

// Large enough that the per-call overhead does not matter, small enough
// that a cancel is noticed within a few milliseconds.
constexpr qint64 kChunkBytes = qint64{4} << 20;

QStringList modelFiles(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isDir())
        return {info.absoluteFilePath()};

    // QDir::Name sorts by the names' code points, so the order does not
    // depend on the locale.
    const QDir folder(info.absoluteFilePath());
    const QStringList names =
        folder.entryList({QStringLiteral("*.safetensors")}, QDir::Files, QDir::Name);
    if (names.isEmpty())
        throw FormatError("Model folder " + QDir::toNativeSeparators(path).toStdString() +
                          " contains no .safetensors files to hash");
    QStringList files;
    for (const QString& name : names)
        files.append(folder.absoluteFilePath(name));
    return files;
}

} // namespace

QString hashModel(const QString& path, const std::function<void(double)>& onProgress, const std::atomic<bool>* cancel)
{
    // Step 1: the files, and their total size for the progress.
    const QStringList files = modelFiles(path);
    qint64 totalBytes = 0;
    for (const QString& file : files)
        totalBytes += QFileInfo(file).size();

    // Step 2: stream every file through one hash.
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray chunk(kChunkBytes, Qt::Uninitialized);
    qint64 doneBytes = 0;
    for (const QString& name : files) {
        QFile file(name);
        if (!file.open(QIODevice::ReadOnly))
            throw IoError("Cannot read " + QDir::toNativeSeparators(name).toStdString() + " to hash it: " +
                          file.errorString().toStdString());
        while (true) {
            if (cancel != nullptr && cancel->load(std::memory_order_acquire))
                throw CancelledError("Hashing " + QDir::toNativeSeparators(name).toStdString() + " was cancelled");
            const qint64 read = file.read(chunk.data(), kChunkBytes);
            if (read < 0)
                throw IoError("Reading " + QDir::toNativeSeparators(name).toStdString() + " failed: " +
                              file.errorString().toStdString());
            if (read == 0)
                break;
            hash.addData(QByteArrayView(chunk.constData(), read));
            doneBytes += read;
            if (onProgress && totalBytes > 0)
                onProgress(std::min(1.0, static_cast<double>(doneBytes) / static_cast<double>(totalBytes)));
        }
    }
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace quanta

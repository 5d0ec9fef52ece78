#include "downloads/disk_space.h"

#include <QFile>
#include <QStorageInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace quanta {

qint64 DiskSpace::bytesAvailable(const QString& path) const
{
    if (limit_ >= 0)
        return std::max<qint64>(0, limit_ - written_);
    const QStorageInfo storage(path);
    return storage.isValid() ? storage.bytesAvailable() : -1;
}

bool DiskSpace::write(QFile& file, const QByteArray& data, QString* error)
{
    // Step 1: under the test limit, write what fits and fail like a full disk.
    qint64 allowed = data.size();
    if (limit_ >= 0)
        allowed = std::min(allowed, std::max<qint64>(0, limit_ - written_));

    // Step 2: write; a short count is a failure too (ENOSPC after some bytes).
    const qint64 written = allowed > 0 ? file.write(data.constData(), allowed) : 0;
    if (written > 0)
        written_ += written;
    if (written < 0 || written < allowed) {
        *error = file.errorString();
        return false;
    }
    if (allowed < data.size()) {
        *error = QString::fromLocal8Bit(std::strerror(ENOSPC));
        return false;
    }
    return true;
}

void DiskSpace::setLimitForTesting(qint64 bytes)
{
    limit_ = bytes < 0 ? -1 : bytes;
    written_ = 0;
}

} // namespace quanta

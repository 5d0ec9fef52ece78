// Free space on the disk of the models folder, and the writes that use it
// up. Tests replace the disk's figure with a limit of their own, so a full
// disk can be simulated on any machine.
#pragma once

#include <QString>

class QFile;

namespace quanta {

class DiskSpace {
public:
    // Bytes free for this user on the volume of `path` (an existing file or
    // folder), or what is left of the test limit. -1 when unknown.
    qint64 bytesAvailable(const QString& path) const;

    // Writes all of `data` to `file`, which is opened unbuffered so that a
    // failed write shows here and not later in a flush. Returns false and
    // sets `error` when the disk or the test limit is full. Part of `data`
    // may be on disk then, as with a real full disk.
    bool write(QFile& file, const QByteArray& data, QString* error);

    // Test hook: from now on the volume has `bytes` free, each write uses
    // some up and writes past it fail with "No space left on device".
    // A negative value goes back to the real disk.
    void setLimitForTesting(qint64 bytes);

private:
    qint64 limit_ = -1;      // bytes the test allows; -1: the real disk
    qint64 written_ = 0;     // bytes written since the limit was set
};

} // namespace quanta

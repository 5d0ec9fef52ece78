#include "core/temporary_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace quanta {

TemporaryFile::TemporaryFile(std::string final_path)
    : path_(final_path + ".tmp"), final_path_(std::move(final_path))
{
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0)
        fail("cannot create the temporary file " + path_, errno);
}

TemporaryFile::~TemporaryFile()
{
    if (fd_ >= 0)
        ::close(fd_);
    if (!committed_)
        ::unlink(path_.c_str());
}

void TemporaryFile::write_all(const void* bytes, size_t n_bytes)
{
    const auto* next = static_cast<const uint8_t*>(bytes);
    while (n_bytes > 0) {
        const ssize_t written = ::write(fd_, next, n_bytes);
        if (written < 0) {
            const int error = errno;
            if (error == EINTR)
                continue;
            fail("cannot write " + std::to_string(n_bytes) + " bytes at byte " + std::to_string(position_), error);
        }
        next += written;
        n_bytes -= static_cast<size_t>(written);
        position_ += static_cast<uint64_t>(written);
    }
}

void TemporaryFile::commit()
{
    if (::fsync(fd_) != 0)
        fail("cannot flush to disk", errno);
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0)
        fail("cannot close", errno);
    if (::rename(path_.c_str(), final_path_.c_str()) != 0)
        fail("cannot rename " + path_ + " to " + final_path_, errno);
    committed_ = true;
}

void TemporaryFile::fail(const std::string& action, int error) const
{
    throw IoError(final_path_ + ": " + action + ": " + std::strerror(error));
}

} // namespace quanta

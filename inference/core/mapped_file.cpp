#include "core/mapped_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace quanta {

MappedFile::MappedFile(const std::string& path)
    : path_(path)
{
    // O_NONBLOCK keeps open() from waiting for a writer when the path is a
    // FIFO; the regular-file check below then rejects it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw IoError(path + ": cannot open: " + std::strerror(errno));

    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int error = errno;
        ::close(fd);
        throw IoError(path + ": cannot stat: " + std::strerror(error));
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd);
        throw IoError(path + ": not a regular file");
    }

    size_ = static_cast<size_t>(info.st_size);
    if (size_ > 0) {
        void* address = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (address == MAP_FAILED) {
            const int error = errno;
            ::close(fd);
            throw IoError(path + ": cannot map " + std::to_string(size_) + " bytes: " + std::strerror(error));
        }
        data_ = static_cast<const uint8_t*>(address);
    }
    ::close(fd);
}

MappedFile::~MappedFile()
{
    if (data_)
        ::munmap(const_cast<uint8_t*>(data_), size_);
}

bool MappedFile::contains(const void* data, size_t bytes) const
{
    const auto begin = reinterpret_cast<uintptr_t>(data);
    const auto base = reinterpret_cast<uintptr_t>(data_);
    return data_ && data && begin >= base && bytes <= size_ && begin - base <= size_ - bytes;
}

void MappedFile::release(const void* data, size_t bytes) const
{
    const auto* begin = static_cast<const uint8_t*>(data);
    if (!contains(data, bytes))
        return;
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t first = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
    const uintptr_t last = (reinterpret_cast<uintptr_t>(begin) + bytes) / page * page;
    if (first < last)
        ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void MappedFile::prefetch() const
{
    if (data_)
        ::madvise(const_cast<uint8_t*>(data_), size_, MADV_WILLNEED);
}

} // namespace quanta

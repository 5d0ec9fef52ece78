// A read-only memory mapping of a whole file.
//
// NOTE: if another program truncates the file while it is mapped, the next
// read of a page past the new end raises SIGBUS, which nothing catches. The
// weights the CPU copies at load are safe; the token embedding, and every
// weight when the copies are off, are read from the mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace quanta {

class MappedFile {
public:
    // Maps `path` read-only. Throws IoError naming the file and the OS error.
    explicit MappedFile(const std::string& path);
    ~MappedFile();

    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::string& path() const { return path_; }

    // Asks the kernel to read the mapping ahead (madvise WILLNEED).
    void prefetch() const;

    // Lets the kernel drop the whole pages of [data, data + bytes) from
    // this process's memory (madvise DONTNEED), for data the process has
    // copied and will not read again. A later read maps the file again, so
    // the range stays valid. Ranges outside the mapping are ignored.
    void release(const void* data, size_t bytes) const;

    // Whether [data, data + bytes) lies inside the mapping.
    bool contains(const void* data, size_t bytes) const;

private:
    std::string path_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

} // namespace quanta

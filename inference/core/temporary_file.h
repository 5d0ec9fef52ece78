// An output file written under a temporary name beside its final path and
// renamed over it only when complete, so that a failed or cancelled write
// leaves an existing file untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace quanta {

class TemporaryFile {
public:
    // Creates `final_path` + ".tmp". Throws IoError naming `final_path` when
    // it cannot be created.
    explicit TemporaryFile(std::string final_path);
    // Closes and deletes the temporary file unless commit() succeeded.
    ~TemporaryFile();

    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    // Writes all `n_bytes`, retrying after partial writes and signals.
    // Throws IoError naming the final path (a full disk, for example).
    void write_all(const void* bytes, size_t n_bytes);

    // Flushes to disk, closes, and renames over the final path, so that a
    // crash leaves the old file or the complete new one.
    void commit();

    // Bytes written so far.
    uint64_t position() const { return position_; }

private:
    [[noreturn]] void fail(const std::string& action, int error) const;

    std::string path_;
    std::string final_path_;
    int fd_ = -1;
    uint64_t position_ = 0;
    bool committed_ = false;
};

} // namespace quanta

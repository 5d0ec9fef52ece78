// The logits file of compute_perplexity (format in eval/perplexity.h):
// written and read one row at a time, so that neither side keeps more than a
// window's logits in memory.
#pragma once

#include "tokenizer/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace quanta {

struct LogitsFileHeader {
    uint32_t n_vocab = 0;
    uint32_t n_ctx = 0;        // window length in tokens
    uint32_t n_windows = 0;
    uint64_t token_hash = 0;   // TokenHash of the evaluated windows' token ids
};

// Bytes of the header: magic, four uint32 and the uint64 hash.
inline constexpr size_t kLogitsHeaderBytes = 8 + 4 * 4 + 8;

// Scored positions per window: n_ctx / 2 .. n_ctx - 2.
inline int scored_positions_per_window(int n_ctx)
{
    return n_ctx - 1 - n_ctx / 2;
}

// 64-bit FNV-1a over the little-endian int32 bytes of token ids, fed in
// order in any number of parts.
class TokenHash {
public:
    void add(std::span<const TokenId> tokens);
    uint64_t value() const { return state_; }

private:
    uint64_t state_ = 0xcbf29ce484222325ull;  // FNV-1a 64-bit offset basis
};

// Writes `path` + ".tmp" and renames it over `path` in commit(). The
// destructor deletes the temporary file when commit() has not run, so an
// error or a cancel leaves no partial file behind.
class LogitsFileWriter {
public:
    // Throws IoError when `path` exists and is not a regular file, or when
    // the temporary file cannot be created or written.
    LogitsFileWriter(const std::string& path, const LogitsFileHeader& header);
    ~LogitsFileWriter();

    LogitsFileWriter(const LogitsFileWriter&) = delete;
    LogitsFileWriter& operator=(const LogitsFileWriter&) = delete;

    // Appends `rows`: whole rows of n_vocab floats.
    void write_rows(std::span<const float> rows);
    // Checks that every row of the header's windows was written, flushes to
    // disk and renames the file over `path`.
    void commit();

private:
    void write_all(const void* bytes, size_t n_bytes);
    [[noreturn]] void fail(const std::string& action, int error) const;

    std::string path_;
    std::string temporary_path_;
    LogitsFileHeader header_;
    uint64_t rows_expected_ = 0;
    uint64_t rows_written_ = 0;
    uint64_t position_ = 0;    // bytes written so far
    int fd_ = -1;
    bool committed_ = false;
};

// Reads a logits file row by row. The constructor validates the magic, the
// reserved field, the counts and the file size against them, so a truncated
// or padded file fails before any row is read.
class LogitsFileReader {
public:
    // Throws IoError when `path` cannot be opened or is not a regular file,
    // and FormatError naming the file and the bad field otherwise.
    explicit LogitsFileReader(const std::string& path);
    ~LogitsFileReader();

    LogitsFileReader(const LogitsFileReader&) = delete;
    LogitsFileReader& operator=(const LogitsFileReader&) = delete;

    const std::string& path() const { return path_; }
    const LogitsFileHeader& header() const { return header_; }

    // Reads the next row into `row` (n_vocab floats). Throws IoError on a
    // read failure, FormatError when the file ends early (it shrank since it
    // was opened) or a value is not finite.
    void read_row(std::span<float> row);

private:
    std::string path_;
    LogitsFileHeader header_;
    uint64_t position_ = 0;    // byte offset of the next row
    uint64_t rows_read_ = 0;
    int fd_ = -1;
};

} // namespace quanta

#include "eval/logits_file.h"

#include "core/checked.h"
#include "core/error.h"

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace quanta {

namespace {

// The rows are stored as the host's float bytes, which the format defines as
// little-endian IEEE 754.
static_assert(std::endian::native == std::endian::little, "the logits file stores little-endian floats");

constexpr char kMagic[8] = {'Q', 'N', 'T', 'L', 'G', 'T', '0', '1'};
constexpr uint32_t kMinContext = 16;

void put_u32(uint8_t* out, uint32_t value)
{
    for (int i = 0; i < 4; ++i)
        out[i] = static_cast<uint8_t>(value >> (8 * i));
}

void put_u64(uint8_t* out, uint64_t value)
{
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint32_t get_u32(const uint8_t* in)
{
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i)
        value |= static_cast<uint32_t>(in[i]) << (8 * i);
    return value;
}

uint64_t get_u64(const uint8_t* in)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
        value |= static_cast<uint64_t>(in[i]) << (8 * i);
    return value;
}

// The magic as C-style escaped text, for error messages about foreign files.
std::string escape_magic(const uint8_t* bytes)
{
    std::string text;
    for (int i = 0; i < 8; ++i) {
        const uint8_t byte = bytes[i];
        if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
            text += static_cast<char>(byte);
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof(escaped), "\\x%02X", byte);
            text += escaped;
        }
    }
    return text;
}

// Bytes of the rows of `header`, or nullopt when they overflow 64 bits.
std::optional<uint64_t> payload_bytes(const LogitsFileHeader& header)
{
    const uint64_t per_window = static_cast<uint64_t>(scored_positions_per_window(static_cast<int>(header.n_ctx)));
    std::optional<uint64_t> bytes = checked_mul(header.n_windows, per_window);
    if (bytes)
        bytes = checked_mul(*bytes, header.n_vocab);
    if (bytes)
        bytes = checked_mul(*bytes, sizeof(float));
    return bytes;
}

} // namespace

void TokenHash::add(std::span<const TokenId> tokens)
{
    constexpr uint64_t kPrime = 0x100000001b3ull;  // FNV-1a 64-bit prime
    for (const TokenId token : tokens) {
        const uint32_t bits = static_cast<uint32_t>(token);
        for (int i = 0; i < 4; ++i) {
            state_ ^= (bits >> (8 * i)) & 0xFF;
            state_ *= kPrime;
        }
    }
}

LogitsFileWriter::LogitsFileWriter(const std::string& path, const LogitsFileHeader& header)
    : path_(path)
    , temporary_path_(path + ".tmp")
    , header_(header)
{
    // The temporary file is renamed over `path`, which would replace a
    // device, a FIFO or a symlink with a regular file.
    struct stat status {};
    if (::lstat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode))
        throw IoError(path + ": exists and is not a regular file; choose another path for the logits");
    if (header.n_vocab == 0)
        throw Error(path + ": n_vocab is 0, expected at least 1");
    rows_expected_ = static_cast<uint64_t>(header.n_windows) *
                     static_cast<uint64_t>(scored_positions_per_window(static_cast<int>(header.n_ctx)));

    fd_ = ::open(temporary_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0)
        fail("cannot create the temporary file " + temporary_path_, errno);

    uint8_t bytes[kLogitsHeaderBytes] = {};
    std::memcpy(bytes, kMagic, sizeof(kMagic));
    put_u32(bytes + 8, header.n_vocab);
    put_u32(bytes + 12, header.n_ctx);
    put_u32(bytes + 16, header.n_windows);
    put_u32(bytes + 20, 0);
    put_u64(bytes + 24, header.token_hash);
    write_all(bytes, sizeof(bytes));
}

LogitsFileWriter::~LogitsFileWriter()
{
    if (fd_ >= 0)
        ::close(fd_);
    if (!committed_)
        ::unlink(temporary_path_.c_str());
}

void LogitsFileWriter::write_rows(std::span<const float> rows)
{
    if (rows.size() % header_.n_vocab != 0) {
        throw Error(path_ + ": a logits write of " + std::to_string(rows.size()) +
                    " floats is not a whole number of rows of " + std::to_string(header_.n_vocab));
    }
    const uint64_t n_rows = rows.size() / header_.n_vocab;
    if (rows_written_ + n_rows > rows_expected_) {
        throw Error(path_ + ": " + std::to_string(rows_written_ + n_rows) + " logits rows written, but the header "
                    "declares " + std::to_string(rows_expected_));
    }
    write_all(rows.data(), rows.size_bytes());
    rows_written_ += n_rows;
}

void LogitsFileWriter::commit()
{
    // A short file would be rejected by the reader, so it is never renamed
    // into place.
    if (rows_written_ != rows_expected_) {
        throw Error(path_ + ": " + std::to_string(rows_written_) + " logits rows written, but the header declares " +
                    std::to_string(rows_expected_));
    }
    if (::fsync(fd_) != 0)
        fail("cannot flush to disk", errno);
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0)
        fail("cannot close", errno);
    if (::rename(temporary_path_.c_str(), path_.c_str()) != 0)
        fail("cannot rename " + temporary_path_ + " to " + path_, errno);
    committed_ = true;
}

void LogitsFileWriter::write_all(const void* data, size_t n_bytes)
{
    const auto* bytes = static_cast<const uint8_t*>(data);
    while (n_bytes > 0) {
        const ssize_t written = ::write(fd_, bytes, n_bytes);
        if (written < 0) {
            const int error = errno;
            if (error == EINTR)
                continue;
            fail("cannot write " + std::to_string(n_bytes) + " bytes at byte " + std::to_string(position_), error);
        }
        bytes += written;
        n_bytes -= static_cast<size_t>(written);
        position_ += static_cast<uint64_t>(written);
    }
}

void LogitsFileWriter::fail(const std::string& action, int error) const
{
    throw IoError(path_ + ": " + action + ": " + std::strerror(error));
}

LogitsFileReader::LogitsFileReader(const std::string& path)
    : path_(path)
{
    // O_NONBLOCK keeps open() from waiting for a writer when the path is a
    // FIFO, which the regular-file check then rejects.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0)
        throw IoError(path + ": cannot open the logits file: " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
        const int error = errno;
        ::close(fd_);
        throw IoError(path + ": cannot stat: " + std::strerror(error));
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd_);
        throw IoError(path + ": not a regular file");
    }
    const uint64_t file_size = static_cast<uint64_t>(info.st_size);

    // Header: magic, counts, reserved field and token hash.
    uint8_t bytes[kLogitsHeaderBytes];
    const ssize_t n_read = file_size >= kLogitsHeaderBytes ? ::pread(fd_, bytes, sizeof(bytes), 0) : 0;
    if (n_read != static_cast<ssize_t>(sizeof(bytes))) {
        const int error = errno;
        ::close(fd_);
        if (n_read < 0)
            throw IoError(path + ": cannot read the header: " + std::strerror(error));
        throw FormatError(path + ": the file has " + std::to_string(file_size) + " bytes, fewer than the " +
                          std::to_string(kLogitsHeaderBytes) + "-byte header of a logits file");
    }
    if (std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0) {
        ::close(fd_);
        throw FormatError(path + ": not a logits file: the magic is \"" + escape_magic(bytes) +
                          "\", expected \"QNTLGT01\"; pass a file written with --save-logits");
    }
    header_.n_vocab = get_u32(bytes + 8);
    header_.n_ctx = get_u32(bytes + 12);
    header_.n_windows = get_u32(bytes + 16);
    const uint32_t reserved = get_u32(bytes + 20);
    header_.token_hash = get_u64(bytes + 24);

    // Counts, and the file size they imply.
    std::string problem;
    if (reserved != 0)
        problem = "the reserved field is " + std::to_string(reserved) + ", expected 0";
    else if (header_.n_vocab == 0)
        problem = "n_vocab is 0";
    else if (header_.n_ctx < kMinContext)
        problem = "n_ctx is " + std::to_string(header_.n_ctx) + ", expected at least " + std::to_string(kMinContext);
    else if (header_.n_ctx > static_cast<uint32_t>(std::numeric_limits<int32_t>::max()))
        problem = "n_ctx is " + std::to_string(header_.n_ctx) + ", expected at most " + std::to_string(std::numeric_limits<int32_t>::max());
    else if (header_.n_windows == 0)
        problem = "n_windows is 0";
    if (problem.empty()) {
        const std::optional<uint64_t> payload = payload_bytes(header_);
        const std::optional<uint64_t> expected = payload ? checked_add(*payload, kLogitsHeaderBytes) : std::nullopt;
        if (!expected) {
            problem = "the logits of n_windows " + std::to_string(header_.n_windows) + " x n_ctx " +
                      std::to_string(header_.n_ctx) + " x n_vocab " + std::to_string(header_.n_vocab) +
                      " overflow 64 bits";
        } else if (*expected != file_size) {
            problem = "the header (n_vocab " + std::to_string(header_.n_vocab) + ", n_ctx " +
                      std::to_string(header_.n_ctx) + ", n_windows " + std::to_string(header_.n_windows) +
                      ") needs " + std::to_string(*expected) + " bytes, but the file has " +
                      std::to_string(file_size) + (file_size < *expected ? "; it is truncated" : "");
        }
    }
    if (!problem.empty()) {
        ::close(fd_);
        throw FormatError(path + ": invalid logits file: " + problem);
    }
    position_ = kLogitsHeaderBytes;
}

LogitsFileReader::~LogitsFileReader()
{
    ::close(fd_);
}

void LogitsFileReader::read_row(std::span<float> row)
{
    if (row.size() != header_.n_vocab) {
        throw Error(path_ + ": the row buffer has " + std::to_string(row.size()) + " floats, expected n_vocab " +
                    std::to_string(header_.n_vocab));
    }

    // Read the whole row, retrying after partial reads and signals.
    auto* bytes = reinterpret_cast<uint8_t*>(row.data());
    size_t remaining = row.size_bytes();
    while (remaining > 0) {
        const ssize_t n_read = ::pread(fd_, bytes, remaining, static_cast<off_t>(position_));
        if (n_read < 0) {
            const int error = errno;
            if (error == EINTR)
                continue;
            throw IoError(path_ + ": cannot read logits row " + std::to_string(rows_read_) + " at byte " +
                          std::to_string(position_) + ": " + std::strerror(error));
        }
        if (n_read == 0) {
            throw FormatError(path_ + ": the file ends at byte " + std::to_string(position_) + " inside logits row " +
                              std::to_string(rows_read_) + "; it was truncated while being read");
        }
        bytes += n_read;
        remaining -= static_cast<size_t>(n_read);
        position_ += static_cast<uint64_t>(n_read);
    }

    // A NaN or infinity would turn every figure derived from it into NaN.
    for (size_t i = 0; i < row.size(); ++i) {
        if (!std::isfinite(row[i])) {
            throw FormatError(path_ + ": logits row " + std::to_string(rows_read_) + ", token " + std::to_string(i) +
                              " is not finite");
        }
    }
    ++rows_read_;
}

} // namespace quanta

#include "hf/safetensors_writer.h"

#include "core/checked.h"
#include "core/error.h"
#include "core/temporary_file.h"
#include "core/log.h"
#include "gguf/utf8_check.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace quanta {

namespace {

constexpr uint64_t kLengthFieldBytes = 8;
// The data section starts at a multiple of this, so that tensors whose
// offsets are multiples of their element size are aligned in a mapping.
constexpr uint64_t kHeaderAlignment = 8;
constexpr std::string_view kMetadataKey = "__metadata__";

void require_utf8(std::string_view text, const char* description)
{
    const size_t invalid = gguf_detail::utf8_first_invalid(text);
    if (invalid != text.size())
        throw std::invalid_argument("safetensors writer: " + std::string(description) + " is not valid UTF-8 (byte " +
                                    std::to_string(invalid) + ")");
}

} // namespace

SafetensorsWriter::SafetensorsWriter()
{
    metadata_.emplace("format", "pt");
}

void SafetensorsWriter::add_metadata(std::string key, std::string value)
{
    require_utf8(key, "a metadata key");
    require_utf8(value, "the value of a metadata key");
    metadata_.insert_or_assign(std::move(key), std::move(value));
}

uint64_t SafetensorsWriter::check_tensor(const std::string& name, SafetensorsDtype dtype,
                                         const std::vector<uint64_t>& shape) const
{
    // The name must be usable as a header key.
    if (name.empty())
        throw std::invalid_argument("safetensors writer: a tensor name is empty");
    if (name == kMetadataKey)
        throw std::invalid_argument("safetensors writer: the tensor name \"__metadata__\" is reserved");
    require_utf8(name, "a tensor name");
    if (tensors_.count(name) != 0)
        throw std::invalid_argument("safetensors writer: duplicate tensor name '" + name + "'");

    // The data must be exactly as long as the dtype and shape require.
    std::optional<uint64_t> n_bytes = safetensors_dtype_size(dtype);
    for (uint64_t dimension : shape) {
        if (n_bytes)
            n_bytes = checked_mul(*n_bytes, dimension);
    }
    if (!n_bytes)
        throw std::invalid_argument("safetensors writer: tensor '" + name +
                                    "': the byte size of its shape overflows 64 bits");
    return *n_bytes;
}

void SafetensorsWriter::add_tensor(std::string name, SafetensorsDtype dtype, std::vector<uint64_t> shape,
                                   std::vector<uint8_t> bytes)
{
    const uint64_t n_bytes = check_tensor(name, dtype, shape);
    if (n_bytes != bytes.size())
        throw std::invalid_argument("safetensors writer: tensor '" + name + "' has " + std::to_string(bytes.size()) +
                                    " bytes but dtype " + std::string(safetensors_dtype_name(dtype)) +
                                    " and its shape need " + std::to_string(n_bytes));

    tensors_.emplace(std::move(name), PendingTensor{dtype, std::move(shape), n_bytes, std::move(bytes), {}});
}

void SafetensorsWriter::add_tensor_fill(std::string name, SafetensorsDtype dtype, std::vector<uint64_t> shape,
                                        TensorFill fill)
{
    const uint64_t n_bytes = check_tensor(name, dtype, shape);
    tensors_.emplace(std::move(name), PendingTensor{dtype, std::move(shape), n_bytes, {}, std::move(fill)});
}

std::vector<uint8_t> SafetensorsWriter::tensor_bytes(const std::string& name, const PendingTensor& tensor) const
{
    if (!tensor.fill)
        return tensor.bytes;
    std::vector<uint8_t> bytes = tensor.fill();
    if (bytes.size() != tensor.n_bytes) {
        throw Error("safetensors writer: tensor '" + name + "' was filled with " + std::to_string(bytes.size()) +
                    " bytes, but its dtype and shape need " + std::to_string(tensor.n_bytes));
    }
    return bytes;
}

std::vector<uint8_t> SafetensorsWriter::encode_header() const
{
    // The JSON: metadata first, then the tensors in name order with
    // consecutive data offsets.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    header[std::string(kMetadataKey)] = metadata_;
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors_) {
        const uint64_t end = offset + tensor.n_bytes;
        nlohmann::ordered_json entry = nlohmann::ordered_json::object();
        entry["dtype"] = std::string(safetensors_dtype_name(tensor.dtype));
        entry["shape"] = tensor.shape;
        entry["data_offsets"] = nlohmann::ordered_json::array({offset, end});
        header[name] = std::move(entry);
        offset = end;
    }
    std::string text = header.dump();

    // Spaces after the JSON put the data section at a multiple of 8 bytes.
    text.append((kHeaderAlignment - text.size() % kHeaderAlignment) % kHeaderAlignment, ' ');

    // The length field, little-endian, then the text.
    std::vector<uint8_t> bytes(kLengthFieldBytes + text.size());
    const uint64_t length = text.size();
    for (uint64_t i = 0; i < kLengthFieldBytes; ++i)
        bytes[i] = static_cast<uint8_t>(length >> (8 * i));
    std::memcpy(bytes.data() + kLengthFieldBytes, text.data(), text.size());
    return bytes;
}

void SafetensorsWriter::write(const std::string& path) const
{
    // The temporary file is renamed over `path`, which would replace a
    // device, a FIFO or a symlink with a regular file.
    struct stat status {};
    if (::lstat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode))
        throw IoError(path + ": exists and is not a regular file; choose another output path");

    TemporaryFile output(path);
    const std::vector<uint8_t> header = encode_header();
    output.write_all(header.data(), header.size());
    for (const auto& [name, tensor] : tensors_) {
        if (tensor.fill) {
            const std::vector<uint8_t> bytes = tensor_bytes(name, tensor);
            output.write_all(bytes.data(), bytes.size());
        } else {
            output.write_all(tensor.bytes.data(), tensor.bytes.size());
        }
    }
    const uint64_t size = output.position();
    output.commit();
    QUANTA_LOG_DEBUG("wrote %s: safetensors, %zu tensors, %llu bytes", path.c_str(), tensors_.size(),
                     static_cast<unsigned long long>(size));
}

std::vector<uint8_t> SafetensorsWriter::to_bytes() const
{
    std::vector<uint8_t> bytes = encode_header();
    for (const auto& [name, tensor] : tensors_) {
        const std::vector<uint8_t> data = tensor_bytes(name, tensor);
        bytes.insert(bytes.end(), data.begin(), data.end());
    }
    return bytes;
}

} // namespace quanta

// Writer for safetensors files, used by tests and by the GPTQ/AWQ checkpoint
// writer.
//
// The layout follows the format's description in hf/safetensors.h. The
// 8-byte little-endian header length comes first, then the JSON header,
// padded with spaces so that the data section starts at a multiple of 8
// bytes. The tensors follow in sorted name order, contiguous, each at the
// offset its entry names.
#pragma once

#include "hf/safetensors.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace quanta {

class SafetensorsWriter {
public:
    // Starts with "__metadata__" = {"format": "pt"}, which transformers
    // expects of PyTorch weights.
    SafetensorsWriter();

    // Sets a "__metadata__" entry, replacing an earlier value of `key`.
    // Throws std::invalid_argument when the key or the value is not valid
    // UTF-8.
    void add_metadata(std::string key, std::string value);

    // Adds a tensor of shape `shape` (outermost first; empty for a scalar)
    // whose little-endian data is `bytes`. Throws std::invalid_argument for an
    // empty name, the name "__metadata__", a name that is not valid UTF-8, a
    // name already added, a shape whose byte size overflows, or a byte count
    // other than the shape's element count times the dtype size.
    void add_tensor(std::string name, SafetensorsDtype dtype, std::vector<uint64_t> shape,
                    std::vector<uint8_t> bytes);

    // Produces a tensor's bytes while write() or to_bytes() runs, so that a
    // large file is built one tensor at a time.
    using TensorFill = std::function<std::vector<uint8_t>()>;

    // Adds a tensor whose bytes `fill` returns when the file is written, in
    // name order. Throws std::invalid_argument like the form above for the
    // name and shape. write() throws Error when `fill` returns another byte
    // count than the shape needs, and passes on the exceptions of `fill`.
    void add_tensor_fill(std::string name, SafetensorsDtype dtype, std::vector<uint64_t> shape, TensorFill fill);

    // Writes the file to `path` + ".tmp", flushes it to disk and renames it
    // over `path`, so a failure leaves an existing file at `path` untouched.
    // Throws IoError naming the file when a write fails (a full disk, a
    // missing folder), after removing the temporary file.
    void write(const std::string& path) const;

    // The whole file in memory.
    std::vector<uint8_t> to_bytes() const;

private:
    struct PendingTensor {
        SafetensorsDtype dtype;
        std::vector<uint64_t> shape; // outermost first
        uint64_t n_bytes = 0;        // size of the data
        std::vector<uint8_t> bytes;  // little-endian elements, row-major; empty when `fill` is set
        TensorFill fill;
    };

    // Checks the name and the shape and returns the byte size.
    uint64_t check_tensor(const std::string& name, SafetensorsDtype dtype, const std::vector<uint64_t>& shape) const;
    // The tensor's bytes: stored, or from its fill.
    std::vector<uint8_t> tensor_bytes(const std::string& name, const PendingTensor& tensor) const;

    // The length field and the padded JSON header.
    std::vector<uint8_t> encode_header() const;

    std::map<std::string, std::string> metadata_;
    std::map<std::string, PendingTensor> tensors_; // sorted by name, the order of the data section
};

} // namespace quanta

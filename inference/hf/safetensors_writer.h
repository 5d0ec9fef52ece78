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
        std::vector<uint8_t> bytes;  // little-endian elements, row-major
    };

    // The length field and the padded JSON header.
    std::vector<uint8_t> encode_header() const;

    std::map<std::string, std::string> metadata_;
    std::map<std::string, PendingTensor> tensors_; // sorted by name, the order of the data section
};

} // namespace quanta

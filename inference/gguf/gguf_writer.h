// Writer for GGUF files (versions 2 and 3), used by tests and by
// `quanta-cli synth` to build models.
//
// Metadata and tensor shapes are collected first. write() then lays out the
// file: header, metadata, tensor infos, padding, and each tensor's data at the
// next multiple of the alignment.
#pragma once

#include "gguf/ggml_type.h"
#include "gguf/gguf_reader.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace quanta {

class GgufWriter {
public:
    // Fills `dst` (n_bytes bytes, zeroed) with one tensor's data while the
    // file is written.
    using TensorFill = std::function<void(uint8_t* dst, uint64_t n_bytes)>;

    // Throws std::invalid_argument unless `version` is 2 or 3.
    explicit GgufWriter(uint32_t version = 3);

    // Sets the alignment of the data section and of every tensor offset, and
    // records it as the uint32 key general.alignment (replacing an earlier
    // value in place). Without a call the alignment is GGUF's default of 32
    // and no key is written. Throws std::invalid_argument unless `alignment`
    // is a power of two.
    void set_alignment(uint32_t alignment);
    uint32_t alignment() const { return alignment_; }

    // Metadata setters. Each throws std::invalid_argument for an empty key, a
    // key that is not valid UTF-8 or a key that was already added.
    // add_uint32("general.alignment", n) is the same as set_alignment(n).
    void add_uint8(const std::string& key, uint8_t value);
    void add_int8(const std::string& key, int8_t value);
    void add_uint16(const std::string& key, uint16_t value);
    void add_int16(const std::string& key, int16_t value);
    void add_uint32(const std::string& key, uint32_t value);
    void add_int32(const std::string& key, int32_t value);
    void add_uint64(const std::string& key, uint64_t value);
    void add_int64(const std::string& key, int64_t value);
    void add_float32(const std::string& key, float value);
    void add_float64(const std::string& key, double value);
    void add_bool(const std::string& key, bool value);
    void add_string(const std::string& key, std::string value);
    void add_string_array(const std::string& key, std::vector<std::string> values);
    void add_float32_array(const std::string& key, const std::vector<float>& values);
    void add_int32_array(const std::string& key, const std::vector<int32_t>& values);
    // Any value, including nested arrays. Throws std::invalid_argument when the
    // value does not match its type (an integer out of range, an array element
    // of another type than the array's element_type).
    void add_value(const std::string& key, GgufValue value);

    // Adds a tensor of shape `ne` (1 to 4 dimensions, ne[0] innermost, each at
    // least 1, ne[0] a multiple of the type's block size). The first form
    // takes the encoded bytes, which must be exactly the tensor's size. The
    // second calls `fill` during write(), so large models are streamed one
    // tensor at a time. Throws std::invalid_argument on a bad shape, a size
    // mismatch or a duplicate name.
    void add_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> ne, std::vector<uint8_t> data);
    void add_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> ne, TensorFill fill);

    // Writes the file to `path` + ".tmp", flushes it to disk and renames it
    // over `path`, so a failure leaves an existing file at `path` untouched.
    // Throws IoError naming the file when a write fails (a full disk, a
    // missing folder), and the temporary file is removed. Exceptions from a
    // TensorFill propagate after the same cleanup.
    void write(const std::string& path) const;

    // The whole file in memory, for small test files.
    std::vector<uint8_t> to_bytes() const;

private:
    struct PendingTensor {
        std::string name;
        GgmlType type;
        std::vector<uint64_t> ne;     // 1 to 4 dimensions, ne[0] innermost
        uint64_t n_bytes = 0;         // encoded size
        std::vector<uint8_t> data;    // used when `fill` is empty
        TensorFill fill;
    };

    using ByteSink = std::function<void(const uint8_t* bytes, size_t n_bytes)>;

    void add_checked(const std::string& key, GgufValue value);
    // Validates a tensor's name and shape and returns its size in bytes.
    uint64_t check_tensor(const std::string& name, GgmlType type, const std::vector<uint64_t>& ne) const;
    std::vector<uint8_t> encode_header() const;
    void serialize(const ByteSink& sink) const;

    uint32_t version_;
    uint32_t alignment_ = 32;
    std::vector<GgufKeyValue> metadata_;
    std::vector<PendingTensor> tensors_;
};

} // namespace quanta

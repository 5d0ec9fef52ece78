// Reader for GGUF files (versions 2 and 3), llama.cpp's model format.
//
// The whole header (metadata and tensor infos) is parsed and validated when
// the file is opened; tensor data stays memory-mapped and is read in place.
// Every count, length, offset, dimension and type id is checked with
// overflow-safe arithmetic, and a violation throws FormatError naming the
// file, the key or tensor, and the expected and found values.
#pragma once

#include "gguf/ggml_type.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace quanta {

class MappedFile;

// Metadata value types as GGUF numbers them.
enum class GgufValueType : uint32_t {
    Uint8 = 0,
    Int8 = 1,
    Uint16 = 2,
    Int16 = 3,
    Uint32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    Uint64 = 10,
    Int64 = 11,
    Float64 = 12,
};

std::string_view gguf_value_type_name(GgufValueType type);

struct GgufValue;

// A metadata array: every element has `element_type`; nested arrays allowed.
struct GgufArray {
    GgufValueType element_type = GgufValueType::Uint8;
    std::vector<GgufValue> items;
};

// One metadata value. Integers keep their signedness in `type`, but are
// stored widened: unsigned in uint64_t, signed in int64_t; floats in double.
struct GgufValue {
    GgufValueType type = GgufValueType::Uint8;
    std::variant<uint64_t, int64_t, double, bool, std::string, GgufArray> value;

    bool is_integer() const;
    bool is_float() const;
    // Convert to the requested C++ type; throw FormatError naming `key` and
    // the stored type when the value does not fit.
    uint64_t as_uint(std::string_view key) const;
    int64_t as_int(std::string_view key) const;
    double as_float(std::string_view key) const;
    bool as_bool(std::string_view key) const;
    const std::string& as_string(std::string_view key) const;
    const GgufArray& as_array(std::string_view key) const;

    // A short human-readable rendering for `quanta-cli inspect`; long arrays
    // are abbreviated.
    std::string to_display_string(size_t max_items = 8) const;
};

struct GgufKeyValue {
    std::string key;
    GgufValue value;
};

// One tensor. `ne[0]` is the innermost (contiguous) dimension, as in ggml:
// a weight matrix with n_in inputs and n_out outputs is ne = {n_in, n_out}.
struct GgufTensor {
    std::string name;
    GgmlType type = GgmlType::F32;
    uint32_t n_dims = 0;
    uint64_t ne[4] = {1, 1, 1, 1};
    uint64_t offset = 0;          // from the start of the tensor data section
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;
    const uint8_t* data = nullptr; // points into the mapping
    // Only in assembled files (GgufFile::assemble): the input order of a
    // repacked act-order GPTQ matrix, [ne[0]] (see WeightMatrix::in_perm).
    const int32_t* in_perm = nullptr;
};

// Tensor buffers of an assembled model in process memory, which the CPU may
// copy elsewhere and then free.
struct OwnedBuffers {
    std::function<bool(const void* data)> owns; // `data` starts such a buffer
    std::function<void(const void* data)> free;  // frees the buffer at `data`
};

class GgufFile {
public:
    // Maps and parses `path`. Throws IoError when the file cannot be opened or
    // mapped and FormatError when its contents are invalid.
    static std::unique_ptr<GgufFile> open(const std::string& path);
    // A model put together in memory by another format's loader (a Hugging
    // Face folder): the metadata under GGUF's key names and tensors whose
    // data lives in `storage`, which the file keeps alive. `path` names the
    // source in messages; `source_bytes` is the size of its files on disk.
    // Throws FormatError for a duplicate key or tensor name.
    // `buffers` may name the tensor buffers in `storage` that release() can
    // free once the caller has copied them.
    static std::unique_ptr<GgufFile> assemble(std::string path, std::vector<GgufKeyValue> metadata,
                                              std::vector<GgufTensor> tensors, std::shared_ptr<const void> storage,
                                              uint64_t source_bytes, OwnedBuffers buffers = {});
    ~GgufFile();

    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& path() const { return path_; }
    uint32_t version() const { return version_; }
    uint64_t alignment() const { return alignment_; }
    uint64_t file_size() const;
    uint64_t data_offset() const { return data_offset_; }
    // Lets the OS drop the mapped pages of tensor data that the caller has
    // copied (MappedFile::release), or frees the assembled model's buffer
    // that starts at `data`. Does nothing for other data.
    void release(const void* data, size_t bytes) const;
    // Whether `data` starts a buffer of an assembled model that release()
    // frees.
    bool owns_buffer(const void* data) const { return buffers_.owns && buffers_.owns(data); }
    // Whether [data, data + bytes) lies in this file's mapping (false for an
    // assembled model).
    bool maps(const void* data, size_t bytes) const;
    // Whether the tensors live in a mapped file (false for an assembled model).
    bool is_mapped() const { return mapping_ != nullptr; }

    const std::vector<GgufKeyValue>& metadata() const { return metadata_; }
    const GgufValue* find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }

    // Typed getters. The one-argument forms throw FormatError naming the file
    // and key when it is missing or has the wrong type. The forms with a
    // fallback return it only when the key is missing.
    std::string get_string(std::string_view key) const;
    std::string get_string(std::string_view key, std::string fallback) const;
    uint64_t get_uint(std::string_view key) const;
    uint64_t get_uint(std::string_view key, uint64_t fallback) const;
    int64_t get_int(std::string_view key, int64_t fallback) const;
    double get_float(std::string_view key) const;
    double get_float(std::string_view key, double fallback) const;
    bool get_bool(std::string_view key, bool fallback) const;
    const GgufArray& get_array(std::string_view key) const;
    std::vector<std::string> get_string_array(std::string_view key) const;
    std::vector<float> get_float_array(std::string_view key) const;
    std::vector<int32_t> get_int_array(std::string_view key) const;

    const std::vector<GgufTensor>& tensors() const { return tensors_; }
    const GgufTensor* find_tensor(std::string_view name) const;
    // Throws FormatError naming the file and tensor when it is missing.
    const GgufTensor& tensor(std::string_view name) const;

private:
    GgufFile() = default;
    void parse();

    std::string path_;
    std::unique_ptr<MappedFile> mapping_;
    std::shared_ptr<const void> storage_; // data of an assembled file
    OwnedBuffers buffers_;
    uint64_t source_bytes_ = 0;           // size on disk of an assembled file's sources
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    uint64_t data_offset_ = 0;
    std::vector<GgufKeyValue> metadata_;
    std::unordered_map<std::string, size_t> metadata_index_;
    std::vector<GgufTensor> tensors_;
    std::unordered_map<std::string, size_t> tensor_index_;
};

} // namespace quanta

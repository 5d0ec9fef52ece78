// Reader for safetensors files, Hugging Face's tensor format, and for model
// folders that contain one or more of them.
//
// Layout of a file: an 8-byte little-endian u64 header length N, then N bytes
// of UTF-8 JSON, then the data section. The JSON object maps each tensor name
// to {"dtype", "shape", "data_offsets": [begin, end]}, with offsets relative
// to the start of the data section (byte 8 + N), plus an optional
// "__metadata__" object of string values. Shapes are outermost first, as in
// PyTorch, and the data is row-major and little-endian.
//
// The whole header is validated when a file is opened, before any tensor is
// handed out: lengths, JSON syntax, duplicate keys, dtypes, shapes, offsets
// against the data section, byte sizes against dtype and shape, and overlaps.
// Each violation throws FormatError naming the file, the tensor or key, and
// the expected and found values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quanta {

class MappedFile;

// Element types as safetensors names them. The F8 types parse so that such a
// file can be inspected, but no kernel computes with them.
enum class SafetensorsDtype {
    BOOL,
    U8,
    I8,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
    F8_E4M3,
    F8_E5M2,
};

// The dtype's name in a safetensors header, e.g. "BF16".
std::string_view safetensors_dtype_name(SafetensorsDtype dtype);

// Bytes per element: 1, 2, 4 or 8.
size_t safetensors_dtype_size(SafetensorsDtype dtype);

// The dtype with header name `name`, or nullopt for an unknown name.
std::optional<SafetensorsDtype> safetensors_dtype_from_name(std::string_view name);

// One tensor of an open file.
struct SafetensorsTensor {
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<uint64_t> shape;  // outermost first; empty for a scalar
    uint64_t n_elements = 0;      // product of `shape` (1 for a scalar, 0 when a dimension is 0)
    uint64_t n_bytes = 0;         // n_elements * safetensors_dtype_size(dtype)
    uint64_t file_offset = 0;     // byte offset of the data from the start of the file
    // The data inside the file's read-only mapping, valid while the file is
    // open. It is aligned to the element size only when the writer made it so
    // (the header length a multiple of 8 and offsets multiples of the size),
    // so read elements with memcpy.
    const uint8_t* data = nullptr;
    const std::string* file = nullptr; // path of the file that contains the tensor
};

// One safetensors file, mapped read-only.
class SafetensorsFile {
public:
    // Maps and validates `path`. Throws IoError when the file cannot be
    // opened or mapped, FormatError when its contents are invalid.
    static std::unique_ptr<SafetensorsFile> open(const std::string& path);

    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    uint64_t file_size() const;
    // Byte offset of the data section: 8 + the header length.
    uint64_t data_offset() const { return data_offset_; }

    // Every tensor, sorted by name.
    const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
    // The tensor called `name`, or nullptr.
    const SafetensorsTensor* find(std::string_view name) const;

    // The "__metadata__" object; empty when the header has none.
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

private:
    SafetensorsFile() = default;

    std::string path_;
    std::unique_ptr<MappedFile> mapping_;
    uint64_t data_offset_ = 0;
    std::vector<SafetensorsTensor> tensors_;
    std::map<std::string, std::string> metadata_;
};

// The safetensors files of a Hugging Face model folder, seen as one set of
// tensors.
class SafetensorsModel {
public:
    // Opens the weights of `directory`:
    // - model.safetensors.index.json when present. Its "weight_map" maps each
    //   tensor name to a shard file in the folder. Every shard it lists must
    //   exist and open, and must hold the tensors mapped to it.
    // - otherwise model.safetensors,
    // - otherwise every *.safetensors file in the folder, in sorted order.
    // Throws IoError when the folder cannot be read or contains no
    // safetensors file, and FormatError for an invalid index, a shard that the index
    // lists but the folder lacks, an invalid file, or a tensor name found in
    // two files.
    static std::unique_ptr<SafetensorsModel> open_folder(const std::string& directory);

    ~SafetensorsModel();
    SafetensorsModel(const SafetensorsModel&) = delete;
    SafetensorsModel& operator=(const SafetensorsModel&) = delete;

    const std::string& directory() const { return directory_; }

    // The tensor called `name`, or nullptr.
    const SafetensorsTensor* find(std::string_view name) const;
    // The tensor called `name`. Throws FormatError naming the folder and the
    // tensor when it is missing.
    const SafetensorsTensor& tensor(std::string_view name) const;
    // Every tensor of every file, sorted by name.
    std::vector<const SafetensorsTensor*> tensors() const;

    // Paths of the opened files, in the order they were opened.
    std::vector<std::string> files() const;
    // Sum of the sizes of the opened files.
    uint64_t total_file_bytes() const;

private:
    SafetensorsModel() = default;

    void add_file(std::unique_ptr<SafetensorsFile> file);

    std::string directory_;
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, const SafetensorsTensor*, std::less<>> tensors_by_name_;
};

} // namespace quanta

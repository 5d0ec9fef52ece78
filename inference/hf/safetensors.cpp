// safetensors parsing and validation, and the model-folder view over one or
// more files. Every header field comes from an untrusted file, so lengths,
// dimensions and offsets are checked with overflow-safe arithmetic before a
// tensor is handed out.
#include "hf/safetensors.h"

#include "core/checked.h"
#include "core/error.h"
#include "core/log.h"
#include "core/mapped_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>
#include <utility>

namespace quanta {

namespace {

using Json = nlohmann::json;

constexpr uint64_t kLengthFieldBytes = 8;

// The safetensors reference implementation rejects headers above 100 MiB so
// that a hostile length cannot make it parse gigabytes of JSON. The index of
// a sharded model gets the same limit.
constexpr uint64_t kMaxHeaderBytes = uint64_t{100} << 20;
constexpr uint64_t kMaxIndexBytes = uint64_t{100} << 20;

constexpr std::string_view kMetadataKey = "__metadata__";
constexpr std::string_view kIndexFileName = "model.safetensors.index.json";
constexpr std::string_view kSingleFileName = "model.safetensors";
constexpr std::string_view kFileExtension = ".safetensors";

// Maximum length of a JSON string quoted in an error message.
constexpr size_t kMaxQuotedValueBytes = 64;

struct DtypeInfo {
    SafetensorsDtype dtype;
    std::string_view name;
    size_t size; // bytes per element
};

constexpr DtypeInfo kDtypes[] = {
    {SafetensorsDtype::BOOL, "BOOL", 1},       {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::I8, "I8", 1},           {SafetensorsDtype::I16, "I16", 2},
    {SafetensorsDtype::U16, "U16", 2},         {SafetensorsDtype::F16, "F16", 2},
    {SafetensorsDtype::BF16, "BF16", 2},       {SafetensorsDtype::I32, "I32", 4},
    {SafetensorsDtype::U32, "U32", 4},         {SafetensorsDtype::F32, "F32", 4},
    {SafetensorsDtype::F64, "F64", 8},         {SafetensorsDtype::I64, "I64", 8},
    {SafetensorsDtype::U64, "U64", 8},         {SafetensorsDtype::F8_E4M3, "F8_E4M3", 1},
    {SafetensorsDtype::F8_E5M2, "F8_E5M2", 1},
};

const DtypeInfo& dtype_info(SafetensorsDtype dtype)
{
    for (const DtypeInfo& info : kDtypes) {
        if (info.dtype == dtype)
            return info;
    }
    throw std::invalid_argument("safetensors: invalid dtype value " + std::to_string(static_cast<int>(dtype)));
}

std::string known_dtype_names()
{
    std::string names;
    for (const DtypeInfo& info : kDtypes) {
        if (!names.empty())
            names += ", ";
        names += info.name;
    }
    return names;
}

std::string in_quotes(std::string_view text)
{
    std::string result;
    result.reserve(text.size() + 2);
    result += '\'';
    result += text;
    result += '\'';
    return result;
}

std::string format_shape(const std::vector<uint64_t>& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += std::to_string(shape[i]);
    }
    return text + "]";
}

// A JSON string as it appears in the header, or its length when it is too
// long to quote.
std::string json_string_text(const Json& value)
{
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() <= kMaxQuotedValueBytes)
        return value.dump(-1, ' ', false, Json::error_handler_t::replace);
    return "a string of " + std::to_string(text.size()) + " bytes";
}

// A short description of a JSON value for error messages, e.g.
// "the number -3" or "an array of 3 elements". Strings are cut, and nested
// values are never printed, so a hostile header cannot produce a huge message.
std::string describe_json(const Json& value)
{
    switch (value.type()) {
    case Json::value_t::object:
        return value.empty() ? "an empty object" : "an object";
    case Json::value_t::array:
        return "an array of " + std::to_string(value.size()) + " elements";
    case Json::value_t::string:
        if (value.get_ref<const std::string&>().size() <= kMaxQuotedValueBytes)
            return "the string " + json_string_text(value);
        return json_string_text(value);
    case Json::value_t::boolean:
        return value.get<bool>() ? "true" : "false";
    case Json::value_t::null:
        return "null";
    default:
        return "the number " + value.dump();
    }
}

// Parses `text` and rejects a key that appears twice in one object:
// nlohmann-json would silently keep the last value, so two tensors could
// claim one name and the reader would see only one of them. Top-level
// duplicates are called `top_level_noun` (e.g. "tensor name").
Json parse_json_without_duplicates(std::string_view text, const std::string& path, std::string_view document,
                                   std::string_view top_level_noun)
{
    // A SAX pass finds duplicate keys in linear time. nlohmann's DOM parser
    // with a callback rescans the parent after every child object, so a
    // header with many entries took minutes.
    struct DuplicateFinder {
        // Keys seen so far in each open object or array (arrays have none),
        // innermost last, with the key under which it sits.
        struct Open {
            bool is_object = false;
            std::set<std::string, std::less<>> keys;
            std::string last_key;
        };
        std::vector<Open> open;
        const std::string& path;
        std::string_view document;
        std::string_view top_level_noun;

        bool null() { return true; }
        bool boolean(bool) { return true; }
        bool number_integer(Json::number_integer_t) { return true; }
        bool number_unsigned(Json::number_unsigned_t) { return true; }
        bool number_float(Json::number_float_t, const std::string&) { return true; }
        bool string(std::string&) { return true; }
        bool binary(Json::binary_t&) { return true; }
        bool start_object(std::size_t)
        {
            open.push_back(Open{true, {}, {}});
            return true;
        }
        bool end_object()
        {
            open.pop_back();
            return true;
        }
        bool start_array(std::size_t)
        {
            open.push_back(Open{false, {}, {}});
            return true;
        }
        bool end_array()
        {
            open.pop_back();
            return true;
        }
        bool key(std::string& key)
        {
            Open& object = open.back();
            if (!object.keys.insert(key).second) {
                if (open.size() == 1)
                    throw FormatError(path + ": " + std::string(document) + " has duplicate " +
                                      std::string(top_level_noun) + " " + in_quotes(key));
                // Name the enclosing keys from the outside in.
                std::string location;
                for (size_t i = 0; i + 1 < open.size(); ++i) {
                    if (open[i].is_object)
                        location += (location.empty() ? "" : " > ") + in_quotes(open[i].last_key);
                }
                throw FormatError(path + ": " + std::string(document) + " has duplicate key " + in_quotes(key) +
                                  " inside " + location);
            }
            object.last_key = key;
            return true;
        }
        bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error)
        {
            throw FormatError(path + ": " + std::string(document) + " is not valid JSON: " + error.what());
        }
    };

    DuplicateFinder finder{{}, path, document, top_level_noun};
    Json::sax_parse(text.begin(), text.end(), &finder);
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& error) {
        throw FormatError(path + ": " + std::string(document) + " is not valid JSON: " + error.what());
    }
}

// Data section byte range of one tensor, for the overlap check.
struct DataRange {
    uint64_t begin;
    uint64_t end;
    size_t tensor;
};

class HeaderParser {
public:
    HeaderParser(const std::string& path, uint64_t data_size)
        : path_(path), data_size_(data_size)
    {
    }

    // Validates one header entry and returns the tensor (without `data`,
    // `file_offset` and `file`) and its data range.
    std::pair<SafetensorsTensor, DataRange> parse_tensor(const std::string& name, const Json& entry) const
    {
        const std::string subject = path_ + ": tensor " + in_quotes(name);
        if (!entry.is_object())
            throw FormatError(subject + " is " + describe_json(entry) +
                              ", expected an object with dtype, shape and data_offsets");

        SafetensorsTensor tensor;
        tensor.name = name;

        // dtype: a name from the known list.
        const Json& dtype = field(entry, subject, "dtype");
        if (!dtype.is_string())
            throw FormatError(subject + ": 'dtype' is " + describe_json(dtype) + ", expected a string such as \"F16\"");
        const std::optional<SafetensorsDtype> parsed_dtype =
            safetensors_dtype_from_name(dtype.get_ref<const std::string&>());
        if (!parsed_dtype)
            throw FormatError(subject + " has unknown dtype " + json_string_text(dtype) + " (expected one of " +
                              known_dtype_names() + ")");
        tensor.dtype = *parsed_dtype;

        // shape: non-negative integers whose product, the element count, and
        // the byte size must fit in 64 bits.
        const Json& shape = field(entry, subject, "shape");
        if (!shape.is_array())
            throw FormatError(subject + ": 'shape' is " + describe_json(shape) +
                              ", expected an array of non-negative integers");
        tensor.shape.reserve(shape.size());
        for (size_t i = 0; i < shape.size(); ++i) {
            if (!shape[i].is_number_unsigned())
                throw FormatError(subject + ": dimension " + std::to_string(i) + " of the shape is " +
                                  describe_json(shape[i]) + ", expected a non-negative integer below 2^64");
            tensor.shape.push_back(shape[i].get<uint64_t>());
        }
        uint64_t n_elements = 1;
        for (uint64_t dimension : tensor.shape) {
            const std::optional<uint64_t> product = checked_mul(n_elements, dimension);
            if (!product)
                throw FormatError(subject + ": the element count of shape " + format_shape(tensor.shape) +
                                  " overflows 64 bits");
            n_elements = *product;
        }
        const std::optional<uint64_t> n_bytes = checked_mul(n_elements, safetensors_dtype_size(tensor.dtype));
        if (!n_bytes)
            throw FormatError(subject + ": the byte size of shape " + format_shape(tensor.shape) + " with dtype " +
                              std::string(safetensors_dtype_name(tensor.dtype)) + " overflows 64 bits");
        tensor.n_elements = n_elements;
        tensor.n_bytes = *n_bytes;

        // data_offsets: [begin, end] inside the data section, as long as the
        // dtype and shape require.
        const Json& offsets = field(entry, subject, "data_offsets");
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            throw FormatError(subject + ": 'data_offsets' is " + describe_offsets(offsets) +
                              ", expected an array of two non-negative integers [begin, end]");
        const uint64_t begin = offsets[0].get<uint64_t>();
        const uint64_t end = offsets[1].get<uint64_t>();
        const std::string range = "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
        if (begin > end)
            throw FormatError(subject + ": " + range + " has begin after end");
        if (end > data_size_)
            throw FormatError(subject + ": " + range + " ends past the data section, which has " +
                              std::to_string(data_size_) + " bytes; the file is truncated or the header is wrong");
        if (end - begin != tensor.n_bytes)
            throw FormatError(subject + ": " + range + " covers " + std::to_string(end - begin) + " bytes but dtype " +
                              std::string(safetensors_dtype_name(tensor.dtype)) + " with shape " +
                              format_shape(tensor.shape) + " needs " + std::to_string(tensor.n_bytes) + " bytes");

        return {std::move(tensor), DataRange{begin, end, 0}};
    }

    // Validates "__metadata__": an object of string values.
    std::map<std::string, std::string> parse_metadata(const Json& metadata) const
    {
        const std::string subject = path_ + ": " + std::string(kMetadataKey);
        if (!metadata.is_object())
            throw FormatError(subject + " is " + describe_json(metadata) + ", expected an object of strings");
        std::map<std::string, std::string> values;
        for (const auto& [key, value] : metadata.items()) {
            if (!value.is_string())
                throw FormatError(subject + " key " + in_quotes(key) + " is " + describe_json(value) +
                                  ", expected a string");
            values.emplace(key, value.get<std::string>());
        }
        return values;
    }

private:
    static const Json& field(const Json& entry, const std::string& subject, const char* key)
    {
        const auto found = entry.find(key);
        if (found == entry.end())
            throw FormatError(subject + " has no '" + key + "' key");
        return *found;
    }

    static std::string describe_offsets(const Json& offsets)
    {
        if (!offsets.is_array())
            return describe_json(offsets);
        std::string text = "an array of " + std::to_string(offsets.size()) + " elements";
        for (size_t i = 0; i < offsets.size() && i < 2; ++i)
            text += (i == 0 ? " (" : ", ") + describe_json(offsets[i]);
        return offsets.empty() ? text : text + (offsets.size() > 2 ? ", ...)" : ")");
    }

    const std::string& path_;
    uint64_t data_size_;
};

// Rejects tensors whose data ranges share a byte. Empty tensors occupy no
// bytes and overlap nothing.
void check_overlaps(const std::string& path, std::vector<DataRange> ranges,
                    const std::vector<SafetensorsTensor>& tensors)
{
    std::erase_if(ranges, [](const DataRange& range) { return range.begin == range.end; });
    std::sort(ranges.begin(), ranges.end(), [](const DataRange& a, const DataRange& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const auto describe = [&](const DataRange& range) {
        return "tensor " + in_quotes(tensors[range.tensor].name) + " (data bytes " + std::to_string(range.begin) +
               " to " + std::to_string(range.end) + ")";
    };
    // Ranges are sorted by begin, so only the one that reaches furthest so
    // far can overlap the next.
    const DataRange* furthest = nullptr;
    for (const DataRange& range : ranges) {
        if (furthest && range.begin < furthest->end)
            throw FormatError(path + ": " + describe(range) + " overlaps " + describe(*furthest));
        if (!furthest || range.end > furthest->end)
            furthest = &range;
    }
}

bool is_safe_shard_name(const std::string& name)
{
    return !name.empty() && name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
           name.find("..") == std::string::npos && name.find('\0') == std::string::npos;
}

std::string tensor_list_summary(const std::vector<std::string>& names)
{
    std::string text = in_quotes(names.front());
    if (names.size() > 1)
        text += " and " + std::to_string(names.size() - 1) + " more";
    return text;
}

// Reads the "weight_map" of a sharded model's index and returns the tensor
// names of each shard, keyed and sorted by shard file name.
std::map<std::string, std::vector<std::string>> read_weight_map(const std::string& index)
{
    // The index is JSON like a header, and as hostile.
    const MappedFile mapping(index);
    if (mapping.size() > kMaxIndexBytes)
        throw FormatError(index + ": the index has " + std::to_string(mapping.size()) +
                          " bytes, more than the limit of " + std::to_string(kMaxIndexBytes));
    const std::string_view text(reinterpret_cast<const char*>(mapping.data()), mapping.size());
    const Json root = parse_json_without_duplicates(text, index, "the index", "key");
    if (!root.is_object())
        throw FormatError(index + ": the index is " + describe_json(root) + ", expected an object");
    const auto weight_map = root.find("weight_map");
    if (weight_map == root.end())
        throw FormatError(index + ": the index has no 'weight_map' key");
    if (!weight_map->is_object() || weight_map->empty())
        throw FormatError(index + ": 'weight_map' is " + describe_json(*weight_map) +
                          ", expected a non-empty object that maps tensor names to shard file names");

    // Group the names by shard. A shard name is a plain file name, so a
    // hostile index cannot reach outside the folder.
    std::map<std::string, std::vector<std::string>> names_by_shard;
    for (const auto& [name, shard] : weight_map->items()) {
        if (!shard.is_string())
            throw FormatError(index + ": 'weight_map' puts tensor " + in_quotes(name) + " in " + describe_json(shard) +
                              ", expected a shard file name");
        const std::string& shard_name = shard.get_ref<const std::string&>();
        if (!is_safe_shard_name(shard_name))
            throw FormatError(index + ": 'weight_map' puts tensor " + in_quotes(name) + " in shard " +
                              in_quotes(shard_name) +
                              ", expected a file name inside the model folder (no '/', '\\' or '..')");
        names_by_shard[shard_name].push_back(name);
    }
    return names_by_shard;
}

} // namespace

std::string_view safetensors_dtype_name(SafetensorsDtype dtype)
{
    return dtype_info(dtype).name;
}

size_t safetensors_dtype_size(SafetensorsDtype dtype)
{
    return dtype_info(dtype).size;
}

std::optional<SafetensorsDtype> safetensors_dtype_from_name(std::string_view name)
{
    for (const DtypeInfo& info : kDtypes) {
        if (info.name == name)
            return info.dtype;
    }
    return std::nullopt;
}

SafetensorsFile::~SafetensorsFile() = default;

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    std::unique_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = path;
    file->mapping_ = std::make_unique<MappedFile>(path);
    const uint8_t* bytes = file->mapping_->data();
    const uint64_t file_size = file->mapping_->size();

    // The header length: 8 bytes, little-endian.
    if (file_size < kLengthFieldBytes)
        throw FormatError(path + ": the file has " + std::to_string(file_size) +
                          " bytes, fewer than the 8-byte header length that starts a safetensors file");
    uint64_t header_length = 0;
    for (uint64_t i = 0; i < kLengthFieldBytes; ++i)
        header_length |= uint64_t{bytes[i]} << (8 * i);

    // The header must be non-empty, below the size limit and inside the file.
    if (header_length == 0)
        throw FormatError(path + ": the header length is 0, expected 2 to " + std::to_string(kMaxHeaderBytes) +
                          " bytes of JSON");
    if (header_length > kMaxHeaderBytes)
        throw FormatError(path + ": the header length is " + std::to_string(header_length) +
                          " bytes, more than the limit of " + std::to_string(kMaxHeaderBytes) +
                          " (100 MiB); this is not a safetensors file or it is corrupt");
    if (header_length > file_size - kLengthFieldBytes)
        throw FormatError(path + ": the header ends at byte " + std::to_string(kLengthFieldBytes + header_length) +
                          " (8 + header length " + std::to_string(header_length) + ") but the file has only " +
                          std::to_string(file_size) + " bytes");
    file->data_offset_ = kLengthFieldBytes + header_length;
    const uint64_t data_size = file_size - file->data_offset_;

    // The JSON object, with duplicate names rejected while it parses.
    const std::string_view header_text(reinterpret_cast<const char*>(bytes + kLengthFieldBytes),
                                       static_cast<size_t>(header_length));
    const Json header = parse_json_without_duplicates(header_text, path, "the header", "tensor name");
    if (!header.is_object())
        throw FormatError(path + ": the header is " + describe_json(header) +
                          ", expected an object that maps tensor names to entries");

    // Each entry. nlohmann-json iterates keys in sorted order, so the
    // tensors come out sorted by name.
    const HeaderParser parser(path, data_size);
    std::vector<DataRange> ranges;
    for (const auto& [key, value] : header.items()) {
        if (key == kMetadataKey) {
            file->metadata_ = parser.parse_metadata(value);
            continue;
        }
        auto [tensor, range] = parser.parse_tensor(key, value);
        range.tensor = file->tensors_.size();
        ranges.push_back(range);
        file->tensors_.push_back(std::move(tensor));
    }

    // No two tensors may share a byte of the data section. Bytes that no
    // tensor covers are accepted.
    // NOTE: huggingface/safetensors (Metadata::validate) also rejects such
    // gaps, but this reader accepts them because they cannot make a read go
    // wrong.
    check_overlaps(path, ranges, file->tensors_);

    // Only now that every range is valid do the tensors point into the file.
    for (size_t i = 0; i < file->tensors_.size(); ++i) {
        SafetensorsTensor& tensor = file->tensors_[i];
        tensor.file_offset = file->data_offset_ + ranges[i].begin;
        tensor.data = bytes + tensor.file_offset;
        tensor.file = &file->path_;
    }

    QUANTA_LOG_DEBUG("%s: safetensors, %zu tensors, %zu metadata keys, header %llu bytes", path.c_str(),
                     file->tensors_.size(), file->metadata_.size(), static_cast<unsigned long long>(header_length));
    return file;
}

uint64_t SafetensorsFile::file_size() const
{
    return mapping_->size();
}

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const
{
    const auto found = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                                        [](const SafetensorsTensor& tensor, std::string_view key) {
                                            return tensor.name < key;
                                        });
    if (found == tensors_.end() || found->name != name)
        return nullptr;
    return &*found;
}

SafetensorsModel::~SafetensorsModel() = default;

std::unique_ptr<SafetensorsModel> SafetensorsModel::open_folder(const std::string& directory)
{
    namespace fs = std::filesystem;
    std::unique_ptr<SafetensorsModel> model(new SafetensorsModel());
    model->directory_ = directory;
    const fs::path folder(directory);

    // The folder itself.
    std::error_code error;
    const fs::file_status status = fs::status(folder, error);
    if (error)
        throw IoError(directory + ": cannot open the model folder: " + error.message());
    if (!fs::is_directory(status))
        throw IoError(directory + ": not a folder; choose the folder that contains the model's safetensors files");

    // A sharded model: the index names every shard.
    const fs::path index_path = folder / kIndexFileName;
    if (fs::exists(index_path, error)) {
        const std::string index = index_path.string();
        for (const auto& [shard_name, names] : read_weight_map(index)) {
            // Each shard must exist and hold the tensors mapped to it.
            const std::string shard_path = (folder / shard_name).string();
            if (!fs::exists(shard_path, error))
                throw FormatError(index + ": shard " + in_quotes(shard_name) + " (holding " +
                                  tensor_list_summary(names) + ") is missing: " + shard_path +
                                  " does not exist; download the missing file");
            std::unique_ptr<SafetensorsFile> shard = SafetensorsFile::open(shard_path);
            for (const std::string& name : names) {
                if (!shard->find(name))
                    throw FormatError(index + ": 'weight_map' puts tensor " + in_quotes(name) + " in " + shard_path +
                                      ", but that file has no tensor " + in_quotes(name));
            }
            model->add_file(std::move(shard));
        }
        QUANTA_LOG_INFO("%s: %zu tensors in %zu safetensors shards", directory.c_str(),
                        model->tensors_by_name_.size(), model->files_.size());
        return model;
    }

    // One file, or every *.safetensors file when the usual name is absent.
    std::vector<std::string> paths;
    const fs::path single = folder / kSingleFileName;
    if (fs::exists(single, error)) {
        paths.push_back(single.string());
    } else {
        fs::directory_iterator entries(folder, error);
        if (error)
            throw IoError(directory + ": cannot list the model folder: " + error.message());
        for (const fs::directory_entry& entry : entries) {
            if (entry.path().extension() == kFileExtension && entry.is_regular_file(error))
                paths.push_back(entry.path().string());
        }
        std::sort(paths.begin(), paths.end());
    }
    if (paths.empty())
        throw IoError(directory + ": no safetensors weights: the folder has no " + std::string(kIndexFileName) +
                      ", no " + std::string(kSingleFileName) + " and no other *.safetensors file");
    for (const std::string& path : paths)
        model->add_file(SafetensorsFile::open(path));

    QUANTA_LOG_INFO("%s: %zu tensors in %zu safetensors files", directory.c_str(), model->tensors_by_name_.size(),
                    model->files_.size());
    return model;
}

void SafetensorsModel::add_file(std::unique_ptr<SafetensorsFile> file)
{
    for (const SafetensorsTensor& tensor : file->tensors()) {
        const auto [position, inserted] = tensors_by_name_.emplace(tensor.name, &tensor);
        if (!inserted)
            throw FormatError(directory_ + ": tensor " + in_quotes(tensor.name) + " is in two files, " +
                              *position->second->file + " and " + file->path() +
                              "; remove the stale file or fix the index");
    }
    files_.push_back(std::move(file));
}

const SafetensorsTensor* SafetensorsModel::find(std::string_view name) const
{
    const auto found = tensors_by_name_.find(name);
    return found == tensors_by_name_.end() ? nullptr : found->second;
}

const SafetensorsTensor& SafetensorsModel::tensor(std::string_view name) const
{
    const SafetensorsTensor* found = find(name);
    if (!found)
        throw FormatError(directory_ + ": required tensor " + in_quotes(name) + " is missing from the " +
                          std::to_string(files_.size()) + " safetensors file(s) of the model");
    return *found;
}

std::vector<const SafetensorsTensor*> SafetensorsModel::tensors() const
{
    std::vector<const SafetensorsTensor*> result;
    result.reserve(tensors_by_name_.size());
    for (const auto& [name, tensor] : tensors_by_name_)
        result.push_back(tensor);
    return result;
}

std::vector<std::string> SafetensorsModel::files() const
{
    std::vector<std::string> paths;
    paths.reserve(files_.size());
    for (const auto& file : files_)
        paths.push_back(file->path());
    return paths;
}

uint64_t SafetensorsModel::total_file_bytes() const
{
    uint64_t total = 0;
    for (const auto& file : files_)
        total += file->file_size(); // mapped sizes, so the sum fits in 64 bits
    return total;
}

} // namespace quanta

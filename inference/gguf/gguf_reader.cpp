// GGUF parsing and validation. Every field comes from an untrusted file, so
// each count, length, offset and size is checked against the bytes that
// remain before it is used or allocated.
#include "gguf/gguf_reader.h"

#include "core/checked.h"
#include "core/error.h"
#include "core/log.h"
#include "core/mapped_file.h"
#include "gguf/utf8_check.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

namespace quanta {

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader copies little-endian fields straight from the file");

namespace {

constexpr char kGgufMagic[4] = {'G', 'G', 'U', 'F'};
constexpr uint64_t kHeaderBytes = 4 + 4 + 8 + 8; // magic, version, tensor count, key/value count
constexpr uint64_t kDefaultAlignment = 32;
constexpr std::string_view kAlignmentKey = "general.alignment";
constexpr uint32_t kMaxDims = 4; // ggml's GGML_MAX_DIMS
constexpr uint64_t kMaxDimension = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// The GGUF specification limits keys to 2^16-1 bytes.
constexpr uint64_t kMaxKeyBytes = 65535;

// Each array element becomes a 48-byte GgufValue, so a hostile array could
// otherwise turn a file of N bytes into 48 N bytes of memory. Real files stay
// far below this: the largest vocabularies have about 260k tokens.
// NOTE: the limit is our choice, not part of the format.
constexpr uint64_t kMaxArrayElements = uint64_t{1} << 24;

// Bounds the recursion through nested arrays in hostile files.
constexpr uint32_t kMaxArrayDepth = 16;

// Counts come from the file, so vectors reserve at most this many entries up
// front and grow only as entries actually parse.
constexpr uint64_t kMaxReserve = uint64_t{1} << 16;

// Smallest encodings, used to reject counts that the remaining bytes cannot
// hold before anything is allocated.
constexpr uint64_t kMinKeyValueBytes = 8 + 1 + 4 + 1;        // key length, 1 key byte, type, uint8 value
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8; // name length, 1 name byte, n_dims, ne[0], type, offset

uint64_t min_encoded_bytes(GgufValueType type)
{
    switch (type) {
    case GgufValueType::Uint8:
    case GgufValueType::Int8:
    case GgufValueType::Bool:
        return 1;
    case GgufValueType::Uint16:
    case GgufValueType::Int16:
        return 2;
    case GgufValueType::Uint32:
    case GgufValueType::Int32:
    case GgufValueType::Float32:
        return 4;
    case GgufValueType::Uint64:
    case GgufValueType::Int64:
    case GgufValueType::Float64:
    case GgufValueType::String: // the 8-byte length of an empty string
        return 8;
    case GgufValueType::Array: // element type and element count
        return 4 + 8;
    }
    return 1;
}

bool is_valid_value_type(uint32_t type_id)
{
    return type_id <= static_cast<uint32_t>(GgufValueType::Float64);
}

std::string quoted(std::string_view text)
{
    // Appending piece by piece avoids a false -Wrestrict from GCC 12 on
    // "'" + std::string(text).
    std::string result;
    result.reserve(text.size() + 2);
    result += '\'';
    result += text;
    result += '\'';
    return result;
}

std::string format_shape(const uint64_t* ne, uint32_t n_dims)
{
    std::string text = "[";
    for (uint32_t i = 0; i < n_dims; ++i) {
        if (i > 0)
            text += ", ";
        text += std::to_string(ne[i]);
    }
    return text + "]";
}

std::string format_hex_bytes(const uint8_t* bytes, size_t count)
{
    std::string text;
    for (size_t i = 0; i < count; ++i) {
        char hex[4];
        std::snprintf(hex, sizeof(hex), "%02X", bytes[i]);
        if (i > 0)
            text += ' ';
        text += hex;
    }
    return text;
}

// Location of a metadata value in error messages: a key, or one element of
// an array stored under that key.
struct ValueContext {
    std::string_view key;
    bool in_array = false;
    uint64_t element = 0;

    std::string describe() const
    {
        if (in_array)
            return "element " + std::to_string(element) + " of key " + quoted(key);
        return "key " + quoted(key);
    }
};

// Sequential reader over the mapped header. `describe` arguments are
// callables returning the name of the field being read; they run only when
// an error message is built.
class HeaderCursor {
public:
    HeaderCursor(const std::string& path, const uint8_t* data, uint64_t size)
        : path_(path), data_(data), size_(size)
    {
    }

    uint64_t position() const { return position_; }
    uint64_t remaining() const { return size_ - position_; }
    uint64_t size() const { return size_; }

    [[noreturn]] void fail(const std::string& message) const { throw FormatError(path_ + ": " + message); }

    template <typename Describe>
    void require(uint64_t n_bytes, Describe&& describe) const
    {
        if (n_bytes > remaining()) {
            fail("the file is truncated: " + describe() + " needs " + std::to_string(n_bytes) + " bytes at byte " +
                 std::to_string(position_) + " but the file has only " + std::to_string(size_) +
                 " bytes; download or convert the model again");
        }
    }

    template <typename T, typename Describe>
    T read(Describe&& describe)
    {
        require(sizeof(T), describe);
        T value;
        std::memcpy(&value, data_ + position_, sizeof(T));
        position_ += sizeof(T);
        return value;
    }

    // Reads a GGUF string: a uint64 byte length, then the bytes.
    template <typename Describe>
    std::string_view read_string(Describe&& describe)
    {
        const uint64_t start = position_;
        const auto length = read<uint64_t>([&] { return "the length of " + describe(); });
        if (length > remaining()) {
            fail(describe() + " has length " + std::to_string(length) + " at byte " + std::to_string(start) +
                 ", past the end of the file (" + std::to_string(size_) + " bytes)");
        }
        const std::string_view text(reinterpret_cast<const char*>(data_ + position_), length);
        position_ += length;
        return text;
    }

private:
    const std::string& path_;
    const uint8_t* data_;
    uint64_t size_;
    uint64_t position_ = 0;
};

// Checks a key or tensor name: nonempty, not too long, valid UTF-8.
void check_name(const HeaderCursor& cursor, std::string_view name, const std::string& what, uint64_t max_bytes)
{
    if (name.empty())
        cursor.fail(what + " is empty");
    if (name.size() > max_bytes) {
        cursor.fail(what + " is " + std::to_string(name.size()) + " bytes long but at most " +
                    std::to_string(max_bytes) + " bytes are allowed");
    }
    const size_t invalid_at = gguf_detail::utf8_first_invalid(name);
    if (invalid_at != name.size()) {
        const auto byte = static_cast<uint8_t>(name[invalid_at]);
        cursor.fail(what + " is not valid UTF-8 (byte " + format_hex_bytes(&byte, 1) + " at offset " +
                    std::to_string(invalid_at) + " of " + quoted(name.substr(0, invalid_at)) + "...)");
    }
}

// Rejects a count of items that cannot fit in the remaining bytes when each
// takes at least `min_item_bytes`.
void check_count_fits(const HeaderCursor& cursor, uint64_t count, uint64_t min_item_bytes, const std::string& what)
{
    const std::optional<uint64_t> min_total = checked_mul(count, min_item_bytes);
    if (!min_total || *min_total > cursor.remaining()) {
        cursor.fail(what + " " + std::to_string(count) + " is impossible: each takes at least " +
                    std::to_string(min_item_bytes) + " bytes but only " + std::to_string(cursor.remaining()) +
                    " bytes remain at byte " + std::to_string(cursor.position()) +
                    "; the file is truncated or corrupt");
    }
}

GgufValue read_value(HeaderCursor& cursor, GgufValueType type, const ValueContext& context, uint32_t depth);

GgufValue read_array(HeaderCursor& cursor, const ValueContext& context, uint32_t depth)
{
    const auto describe = [&] { return context.describe(); };

    // Element type and count.
    if (depth > kMaxArrayDepth)
        cursor.fail(describe() + " nests arrays more than " + std::to_string(kMaxArrayDepth) + " levels deep");
    const auto element_type_id = cursor.read<uint32_t>([&] { return "the element type of " + describe(); });
    if (!is_valid_value_type(element_type_id)) {
        cursor.fail(describe() + " is an array with invalid element type " + std::to_string(element_type_id) +
                    " (expected 0 to 12)");
    }
    const auto element_type = static_cast<GgufValueType>(element_type_id);
    const auto count = cursor.read<uint64_t>([&] { return "the element count of " + describe(); });

    // Bound the count before reserving memory for it.
    if (count > kMaxArrayElements) {
        cursor.fail(describe() + " is an array of " + std::to_string(count) + " " +
                    std::string(gguf_value_type_name(element_type)) + " elements, more than this reader's limit of " +
                    std::to_string(kMaxArrayElements));
    }
    check_count_fits(cursor, count, min_encoded_bytes(element_type),
                     describe() + ": array of " + std::string(gguf_value_type_name(element_type)) + " with count");

    // Elements.
    GgufArray array;
    array.element_type = element_type;
    array.items.reserve(std::min(count, kMaxReserve));
    ValueContext element_context{context.key, true, 0};
    for (uint64_t i = 0; i < count; ++i) {
        element_context.element = i;
        array.items.push_back(read_value(cursor, element_type, element_context, depth));
    }
    return GgufValue{GgufValueType::Array, std::move(array)};
}

GgufValue read_value(HeaderCursor& cursor, GgufValueType type, const ValueContext& context, uint32_t depth)
{
    const auto describe = [&] { return context.describe(); };
    switch (type) {
    case GgufValueType::Uint8:
        return GgufValue{type, uint64_t{cursor.read<uint8_t>(describe)}};
    case GgufValueType::Int8:
        return GgufValue{type, int64_t{cursor.read<int8_t>(describe)}};
    case GgufValueType::Uint16:
        return GgufValue{type, uint64_t{cursor.read<uint16_t>(describe)}};
    case GgufValueType::Int16:
        return GgufValue{type, int64_t{cursor.read<int16_t>(describe)}};
    case GgufValueType::Uint32:
        return GgufValue{type, uint64_t{cursor.read<uint32_t>(describe)}};
    case GgufValueType::Int32:
        return GgufValue{type, int64_t{cursor.read<int32_t>(describe)}};
    case GgufValueType::Uint64:
        return GgufValue{type, cursor.read<uint64_t>(describe)};
    case GgufValueType::Int64:
        return GgufValue{type, cursor.read<int64_t>(describe)};
    case GgufValueType::Float32:
        return GgufValue{type, double{cursor.read<float>(describe)}};
    case GgufValueType::Float64:
        return GgufValue{type, cursor.read<double>(describe)};
    case GgufValueType::Bool: {
        const auto byte = cursor.read<uint8_t>(describe);
        if (byte > 1)
            cursor.fail(describe() + " is a bool stored as " + std::to_string(byte) + " (expected 0 or 1)");
        return GgufValue{type, byte == 1};
    }
    case GgufValueType::String:
        return GgufValue{type, std::string(cursor.read_string(describe))};
    case GgufValueType::Array:
        return read_array(cursor, context, depth + 1);
    }
    cursor.fail(describe() + " has invalid value type " + std::to_string(static_cast<uint32_t>(type)));
}

// Checks the magic and names the legacy ggml formats, which users still meet.
void read_magic(HeaderCursor& cursor, const uint8_t* data)
{
    cursor.require(sizeof(kGgufMagic), [] { return std::string("the magic \"GGUF\""); });
    if (std::memcmp(data, kGgufMagic, sizeof(kGgufMagic)) == 0) {
        cursor.read<uint32_t>([] { return std::string("the magic"); });
        return;
    }

    // The legacy formats store their magic as a little-endian uint32, so
    // "ggjt" appears in the file as "tjgg".
    std::string hint = "; it is not a GGUF model";
    const std::string_view found(reinterpret_cast<const char*>(data), sizeof(kGgufMagic));
    if (found == "tjgg" || found == "fmgg" || found == "lmgg")
        hint = "; it is a legacy GGML/GGJT model, so convert it to GGUF with a current llama.cpp";
    cursor.fail("invalid magic: expected 47 47 55 46 (\"GGUF\") at byte 0 but found " +
                format_hex_bytes(data, sizeof(kGgufMagic)) + hint);
}

// Versions 2 and 3 share the little-endian layout. Version 3 added
// big-endian files, which this reader rejects.
uint32_t read_version(HeaderCursor& cursor)
{
    const auto version = cursor.read<uint32_t>([] { return std::string("the GGUF version"); });
    if (version == 2 || version == 3)
        return version;
    if (version == 1) {
        cursor.fail("GGUF version 1 is not supported because it stores counts and lengths as 32-bit values "
                    "(expected version 2 or 3); convert the model again with a current llama.cpp");
    }
    if (version == __builtin_bswap32(2) || version == __builtin_bswap32(3)) {
        cursor.fail("big-endian GGUF (version field " + std::to_string(version) +
                    ") is not supported; use the little-endian file");
    }
    cursor.fail("unsupported GGUF version " + std::to_string(version) + " (expected 2 or 3)");
}

} // namespace

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path)
{
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->path_ = path;
    file->mapping_ = std::make_unique<MappedFile>(path);
    file->parse();
    QUANTA_LOG_DEBUG("%s: GGUF v%u, %zu tensors, %zu keys, alignment %llu", path.c_str(), file->version_,
                     file->tensors_.size(), file->metadata_.size(),
                     static_cast<unsigned long long>(file->alignment_));
    return file;
}

std::unique_ptr<GgufFile> GgufFile::assemble(std::string path, std::vector<GgufKeyValue> metadata,
                                             std::vector<GgufTensor> tensors, std::shared_ptr<const void> storage,
                                             uint64_t source_bytes, OwnedBuffers buffers)
{
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->path_ = std::move(path);
    file->version_ = 3;
    file->storage_ = std::move(storage);
    file->source_bytes_ = source_bytes;
    file->buffers_ = std::move(buffers);
    for (GgufKeyValue& kv : metadata) {
        if (!file->metadata_index_.emplace(kv.key, file->metadata_.size()).second)
            throw FormatError(file->path_ + ": metadata key " + quoted(kv.key) + " appears twice");
        file->metadata_.push_back(std::move(kv));
    }
    for (GgufTensor& tensor : tensors) {
        if (!file->tensor_index_.emplace(tensor.name, file->tensors_.size()).second)
            throw FormatError(file->path_ + ": tensor " + quoted(tensor.name) + " appears twice");
        file->tensors_.push_back(std::move(tensor));
    }
    return file;
}

GgufFile::~GgufFile() = default;

uint64_t GgufFile::file_size() const
{
    return mapping_ ? mapping_->size() : source_bytes_;
}

void GgufFile::release(const void* data, size_t bytes) const
{
    if (mapping_)
        mapping_->release(data, bytes);
    else if (owns_buffer(data) && buffers_.free)
        buffers_.free(data);
}

bool GgufFile::maps(const void* data, size_t bytes) const
{
    return mapping_ && mapping_->contains(data, bytes);
}

void GgufFile::parse()
{
    const uint8_t* data = mapping_->data();
    HeaderCursor cursor(path_, data, mapping_->size());

    // Header: magic, version and the two counts.
    if (cursor.size() == 0)
        cursor.fail("the file is empty (0 bytes) but a GGUF model was expected; download or convert it again");
    read_magic(cursor, data);
    version_ = read_version(cursor);
    const auto tensor_count = cursor.read<uint64_t>([] { return std::string("the tensor count"); });
    const auto kv_count = cursor.read<uint64_t>([] { return std::string("the key/value count"); });
    check_count_fits(cursor, tensor_count, kMinTensorInfoBytes, "tensor count");
    check_count_fits(cursor, kv_count, kMinKeyValueBytes, "key/value count");

    // Metadata key/value pairs.
    metadata_.reserve(std::min(kv_count, kMaxReserve));
    for (uint64_t i = 0; i < kv_count; ++i) {
        const std::string pair_name = "key/value pair #" + std::to_string(i);
        const uint64_t key_position = cursor.position();
        const std::string_view key = cursor.read_string([&] { return "the key of " + pair_name; });
        check_name(cursor, key, "the key of " + pair_name + " at byte " + std::to_string(key_position),
                   kMaxKeyBytes);
        if (const auto existing = metadata_index_.find(std::string(key)); existing != metadata_index_.end()) {
            cursor.fail("duplicate key " + quoted(key) + " (key/value pairs #" + std::to_string(existing->second) +
                        " and #" + std::to_string(i) + ")");
        }

        const auto type_id = cursor.read<uint32_t>([&] { return "the value type of key " + quoted(key); });
        if (!is_valid_value_type(type_id)) {
            cursor.fail("key " + quoted(key) + " has invalid value type " + std::to_string(type_id) +
                        " (expected 0 to 12)");
        }
        GgufValue value = read_value(cursor, static_cast<GgufValueType>(type_id), ValueContext{key}, 0);
        metadata_index_.emplace(std::string(key), metadata_.size());
        metadata_.push_back(GgufKeyValue{std::string(key), std::move(value)});
    }

    // Alignment of the data section and of every tensor offset.
    if (const GgufValue* alignment = find(kAlignmentKey)) {
        if (alignment->type != GgufValueType::Uint32) {
            cursor.fail("key " + quoted(kAlignmentKey) + " has type " +
                        std::string(gguf_value_type_name(alignment->type)) + " but must be uint32");
        }
        const uint64_t value = std::get<uint64_t>(alignment->value);
        if (!std::has_single_bit(value)) {
            cursor.fail("key " + quoted(kAlignmentKey) + " is " + std::to_string(value) +
                        " but must be a power of two greater than 0");
        }
        alignment_ = value;
    } else {
        alignment_ = kDefaultAlignment;
    }

    // Tensor infos: name, shape, type and offset of each tensor.
    check_count_fits(cursor, tensor_count, kMinTensorInfoBytes, "tensor count");
    tensors_.reserve(std::min(tensor_count, kMaxReserve));
    for (uint64_t i = 0; i < tensor_count; ++i) {
        const std::string tensor_number = "tensor #" + std::to_string(i);
        GgufTensor tensor;

        const uint64_t name_position = cursor.position();
        tensor.name = cursor.read_string([&] { return "the name of " + tensor_number; });
        check_name(cursor, tensor.name, "the name of " + tensor_number + " at byte " + std::to_string(name_position),
                   std::numeric_limits<uint64_t>::max());
        if (const auto existing = tensor_index_.find(tensor.name); existing != tensor_index_.end()) {
            cursor.fail("duplicate tensor name " + quoted(tensor.name) + " (tensors #" +
                        std::to_string(existing->second) + " and #" + std::to_string(i) + ")");
        }
        const std::string subject = "tensor " + quoted(tensor.name);

        tensor.n_dims = cursor.read<uint32_t>([&] { return "the n_dims of " + subject; });
        if (tensor.n_dims == 0 || tensor.n_dims > kMaxDims) {
            cursor.fail(subject + " has n_dims " + std::to_string(tensor.n_dims) + " (expected 1 to " +
                        std::to_string(kMaxDims) + ")");
        }
        for (uint32_t d = 0; d < tensor.n_dims; ++d) {
            tensor.ne[d] = cursor.read<uint64_t>([&] { return "dimension " + std::to_string(d) + " of " + subject; });
            if (tensor.ne[d] == 0)
                cursor.fail(subject + ": dimension " + std::to_string(d) + " is 0 (every dimension must be at least 1)");
            if (tensor.ne[d] > kMaxDimension) {
                cursor.fail(subject + ": dimension " + std::to_string(d) + " is " + std::to_string(tensor.ne[d]) +
                            ", larger than the maximum 2^63-1");
            }
        }

        const auto type_id = cursor.read<uint32_t>([&] { return "the type of " + subject; });
        const GgmlTypeTraits* traits = type_id < kFirstInternalType ? ggml_type_traits(type_id) : nullptr;
        if (!traits) {
            cursor.fail(subject + " has unknown tensor type id " + std::to_string(type_id) +
                        " (not a ggml type this reader knows)");
        }
        tensor.type = traits->type;
        tensor.offset = cursor.read<uint64_t>([&] { return "the data offset of " + subject; });

        // Element count and byte size, both overflow-checked.
        const std::string shape = format_shape(tensor.ne, tensor.n_dims);
        std::optional<uint64_t> n_elements = tensor.ne[0];
        for (uint32_t d = 1; d < tensor.n_dims && n_elements; ++d)
            n_elements = checked_mul(*n_elements, tensor.ne[d]);
        if (!n_elements || *n_elements > kMaxDimension)
            cursor.fail(subject + ": the element count of shape " + shape + " overflows 2^63-1");
        tensor.n_elements = *n_elements;
        if (tensor.ne[0] % traits->block_size != 0) {
            cursor.fail(subject + " of type " + std::string(traits->name) + " has ne[0] = " +
                        std::to_string(tensor.ne[0]) + ", which is not a multiple of the block size " +
                        std::to_string(traits->block_size));
        }
        const std::optional<uint64_t> row_bytes = ggml_row_bytes(tensor.type, tensor.ne[0]);
        const std::optional<uint64_t> n_bytes =
            row_bytes ? checked_mul(*row_bytes, tensor.n_elements / tensor.ne[0]) : std::nullopt;
        if (!n_bytes)
            cursor.fail(subject + ": the byte size of shape " + shape + " overflows 64 bits");
        tensor.n_bytes = *n_bytes;

        if (tensor.offset % alignment_ != 0) {
            cursor.fail(subject + ": data offset " + std::to_string(tensor.offset) +
                        " is not a multiple of the alignment " + std::to_string(alignment_));
        }

        tensor_index_.emplace(tensor.name, tensors_.size());
        tensors_.push_back(std::move(tensor));
    }

    // Data section: starts at the next multiple of the alignment. A file
    // without tensors may end before that point.
    const uint64_t file_size = cursor.size();
    const std::optional<uint64_t> data_offset = checked_align_up(cursor.position(), alignment_);
    if (!data_offset || (!tensors_.empty() && *data_offset > file_size)) {
        cursor.fail("the tensor data section starts at byte " +
                    (data_offset ? std::to_string(*data_offset) : std::string("past 2^64")) +
                    " (the tensor infos end at byte " + std::to_string(cursor.position()) + ", padded to " +
                    std::to_string(alignment_) + ") but the file has only " + std::to_string(file_size) +
                    " bytes; the file is truncated");
    }
    data_offset_ = *data_offset;

    // Every tensor's bytes must lie inside the file.
    for (GgufTensor& tensor : tensors_) {
        const std::optional<uint64_t> start = checked_add(data_offset_, tensor.offset);
        const std::optional<uint64_t> end = start ? checked_add(*start, tensor.n_bytes) : std::nullopt;
        if (!end || *end > file_size) {
            cursor.fail("tensor " + quoted(tensor.name) + ": data ends at byte " +
                        (end ? std::to_string(*end) : std::string("past 2^64")) + " (offset " +
                        std::to_string(tensor.offset) + " + " + std::to_string(tensor.n_bytes) +
                        " bytes after the data section at byte " + std::to_string(data_offset_) +
                        ") but the file has " + std::to_string(file_size) + " bytes; the file is truncated");
        }
        tensor.data = data + *start;
    }

    // No two tensors may share bytes.
    std::vector<size_t> by_offset(tensors_.size());
    std::iota(by_offset.begin(), by_offset.end(), size_t{0});
    std::sort(by_offset.begin(), by_offset.end(),
              [&](size_t a, size_t b) { return tensors_[a].offset < tensors_[b].offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const GgufTensor& previous = tensors_[by_offset[i - 1]];
        const GgufTensor& current = tensors_[by_offset[i]];
        if (current.offset < previous.offset + previous.n_bytes) {
            cursor.fail("tensor " + quoted(current.name) + " (data bytes " + std::to_string(current.offset) +
                        " to " + std::to_string(current.offset + current.n_bytes) + ") overlaps tensor " +
                        quoted(previous.name) + " (data bytes " + std::to_string(previous.offset) + " to " +
                        std::to_string(previous.offset + previous.n_bytes) + ")");
        }
    }
}

// --- Lookups and typed getters -------------------------------------------

namespace {

// Runs a GgufValue conversion and prefixes any FormatError with the path.
template <typename Function>
auto with_path(const std::string& path, Function&& function) -> decltype(function())
{
    try {
        return function();
    } catch (const FormatError& error) {
        throw FormatError(path + ": " + error.what());
    }
}

} // namespace

const GgufValue* GgufFile::find(std::string_view key) const
{
    const auto found = metadata_index_.find(std::string(key));
    return found == metadata_index_.end() ? nullptr : &metadata_[found->second].value;
}

namespace {

const GgufValue& require_key(const GgufFile& file, std::string_view key)
{
    const GgufValue* value = file.find(key);
    if (!value)
        throw FormatError(file.path() + ": required key " + quoted(key) + " is missing");
    return *value;
}

} // namespace

std::string GgufFile::get_string(std::string_view key) const
{
    const GgufValue& value = require_key(*this, key);
    return with_path(path_, [&] { return value.as_string(key); });
}

std::string GgufFile::get_string(std::string_view key, std::string fallback) const
{
    const GgufValue* value = find(key);
    if (!value)
        return fallback;
    return with_path(path_, [&] { return value->as_string(key); });
}

uint64_t GgufFile::get_uint(std::string_view key) const
{
    const GgufValue& value = require_key(*this, key);
    return with_path(path_, [&] { return value.as_uint(key); });
}

uint64_t GgufFile::get_uint(std::string_view key, uint64_t fallback) const
{
    const GgufValue* value = find(key);
    if (!value)
        return fallback;
    return with_path(path_, [&] { return value->as_uint(key); });
}

int64_t GgufFile::get_int(std::string_view key, int64_t fallback) const
{
    const GgufValue* value = find(key);
    if (!value)
        return fallback;
    return with_path(path_, [&] { return value->as_int(key); });
}

double GgufFile::get_float(std::string_view key) const
{
    const GgufValue& value = require_key(*this, key);
    return with_path(path_, [&] { return value.as_float(key); });
}

double GgufFile::get_float(std::string_view key, double fallback) const
{
    const GgufValue* value = find(key);
    if (!value)
        return fallback;
    return with_path(path_, [&] { return value->as_float(key); });
}

bool GgufFile::get_bool(std::string_view key, bool fallback) const
{
    const GgufValue* value = find(key);
    if (!value)
        return fallback;
    return with_path(path_, [&] { return value->as_bool(key); });
}

const GgufArray& GgufFile::get_array(std::string_view key) const
{
    const GgufValue& value = require_key(*this, key);
    return with_path(path_, [&]() -> const GgufArray& { return value.as_array(key); });
}

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const
{
    const GgufArray& array = get_array(key);
    if (array.element_type != GgufValueType::String) {
        throw FormatError(path_ + ": key " + quoted(key) + " is an array of " +
                          std::string(gguf_value_type_name(array.element_type)) + " but an array of string is required");
    }
    std::vector<std::string> strings;
    strings.reserve(array.items.size());
    for (const GgufValue& item : array.items)
        strings.push_back(std::get<std::string>(item.value));
    return strings;
}

std::vector<float> GgufFile::get_float_array(std::string_view key) const
{
    const GgufArray& array = get_array(key);
    const GgufValueType type = array.element_type;
    if (type == GgufValueType::String || type == GgufValueType::Array || type == GgufValueType::Bool) {
        throw FormatError(path_ + ": key " + quoted(key) + " is an array of " +
                          std::string(gguf_value_type_name(type)) + " but an array of numbers is required");
    }
    std::vector<float> values;
    values.reserve(array.items.size());
    for (const GgufValue& item : array.items)
        values.push_back(static_cast<float>(item.as_float(key)));
    return values;
}

std::vector<int32_t> GgufFile::get_int_array(std::string_view key) const
{
    const GgufArray& array = get_array(key);
    const GgufValueType type = array.element_type;
    if (type == GgufValueType::Float32 || type == GgufValueType::Float64 || type == GgufValueType::String ||
        type == GgufValueType::Array || type == GgufValueType::Bool) {
        throw FormatError(path_ + ": key " + quoted(key) + " is an array of " +
                          std::string(gguf_value_type_name(type)) + " but an array of integers is required");
    }
    std::vector<int32_t> values;
    values.reserve(array.items.size());
    for (size_t i = 0; i < array.items.size(); ++i) {
        const GgufValue& item = array.items[i];
        const bool is_signed = std::holds_alternative<int64_t>(item.value);
        const int64_t signed_value = is_signed ? std::get<int64_t>(item.value) : 0;
        const uint64_t unsigned_value = is_signed ? 0 : std::get<uint64_t>(item.value);
        const bool fits = is_signed ? (signed_value >= std::numeric_limits<int32_t>::min() &&
                                       signed_value <= std::numeric_limits<int32_t>::max())
                                    : unsigned_value <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max());
        if (!fits) {
            throw FormatError(path_ + ": element " + std::to_string(i) + " of key " + quoted(key) + " is " +
                              (is_signed ? std::to_string(signed_value) : std::to_string(unsigned_value)) +
                              ", outside the int32 range");
        }
        values.push_back(static_cast<int32_t>(is_signed ? signed_value : static_cast<int64_t>(unsigned_value)));
    }
    return values;
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const
{
    const auto found = tensor_index_.find(std::string(name));
    return found == tensor_index_.end() ? nullptr : &tensors_[found->second];
}

const GgufTensor& GgufFile::tensor(std::string_view name) const
{
    const GgufTensor* found = find_tensor(name);
    if (!found)
        throw FormatError(path_ + ": required tensor " + quoted(name) + " is missing");
    return *found;
}

} // namespace quanta

#include "gguf/gguf_writer.h"

#include "core/checked.h"
#include "core/error.h"
#include "core/temporary_file.h"
#include "core/log.h"
#include "gguf/utf8_check.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <fcntl.h>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <unistd.h>
#include <utility>

namespace quanta {

static_assert(std::endian::native == std::endian::little,
              "the GGUF writer copies values to the file in host byte order");

namespace {

constexpr uint8_t kGgufMagic[4] = {'G', 'G', 'U', 'F'};
constexpr std::string_view kAlignmentKey = "general.alignment";
constexpr size_t kMaxDims = 4;                // ggml's GGML_MAX_DIMS
constexpr size_t kMaxKeyBytes = 65535;        // the GGUF specification's limit
constexpr uint32_t kMaxArrayDepth = 16;       // the reader's limit
constexpr uint64_t kMaxDimension = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

template <typename T>
void append_scalar(std::vector<uint8_t>& out, T value)
{
    uint8_t bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.insert(out.end(), bytes, bytes + sizeof(T));
}

void append_string(std::vector<uint8_t>& out, std::string_view text)
{
    append_scalar<uint64_t>(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
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

void check_name(std::string_view name, std::string_view what)
{
    if (name.empty())
        throw std::invalid_argument("GGUF writer: " + std::string(what) + " is empty");
    if (gguf_detail::utf8_first_invalid(name) != name.size())
        throw std::invalid_argument("GGUF writer: " + std::string(what) + " " + quoted(name) + " is not valid UTF-8");
}

// Checks that `value` contains the representation its type requires and that
// integers fit their declared width.
void check_value(const GgufValue& value, const std::string& key, uint32_t depth)
{
    const auto fail = [&](const std::string& problem) {
        throw std::invalid_argument("GGUF writer: key " + quoted(key) + ": " + problem);
    };
    const auto check_unsigned = [&](uint64_t max) {
        const auto* stored = std::get_if<uint64_t>(&value.value);
        if (!stored)
            fail(std::string(gguf_value_type_name(value.type)) + " value is not stored as uint64_t");
        if (*stored > max)
            fail(std::to_string(*stored) + " does not fit in " + std::string(gguf_value_type_name(value.type)));
    };
    const auto check_signed = [&](int64_t min, int64_t max) {
        const auto* stored = std::get_if<int64_t>(&value.value);
        if (!stored)
            fail(std::string(gguf_value_type_name(value.type)) + " value is not stored as int64_t");
        if (*stored < min || *stored > max)
            fail(std::to_string(*stored) + " does not fit in " + std::string(gguf_value_type_name(value.type)));
    };

    switch (value.type) {
    case GgufValueType::Uint8: return check_unsigned(std::numeric_limits<uint8_t>::max());
    case GgufValueType::Uint16: return check_unsigned(std::numeric_limits<uint16_t>::max());
    case GgufValueType::Uint32: return check_unsigned(std::numeric_limits<uint32_t>::max());
    case GgufValueType::Uint64: return check_unsigned(std::numeric_limits<uint64_t>::max());
    case GgufValueType::Int8: return check_signed(std::numeric_limits<int8_t>::min(), std::numeric_limits<int8_t>::max());
    case GgufValueType::Int16:
        return check_signed(std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max());
    case GgufValueType::Int32:
        return check_signed(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    case GgufValueType::Int64:
        return check_signed(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    case GgufValueType::Float32:
    case GgufValueType::Float64:
        if (!std::holds_alternative<double>(value.value))
            fail(std::string(gguf_value_type_name(value.type)) + " value is not stored as double");
        return;
    case GgufValueType::Bool:
        if (!std::holds_alternative<bool>(value.value))
            fail("bool value is not stored as bool");
        return;
    case GgufValueType::String:
        if (!std::holds_alternative<std::string>(value.value))
            fail("string value is not stored as std::string");
        return;
    case GgufValueType::Array: {
        const auto* array = std::get_if<GgufArray>(&value.value);
        if (!array)
            fail("array value is not stored as GgufArray");
        if (depth >= kMaxArrayDepth)
            fail("arrays nest more than " + std::to_string(kMaxArrayDepth) + " levels deep");
        for (size_t i = 0; i < array->items.size(); ++i) {
            if (array->items[i].type != array->element_type) {
                fail("element " + std::to_string(i) + " has type " +
                     std::string(gguf_value_type_name(array->items[i].type)) + " but the array holds " +
                     std::string(gguf_value_type_name(array->element_type)));
            }
            check_value(array->items[i], key, depth + 1);
        }
        return;
    }
    }
    fail("invalid value type " + std::to_string(static_cast<uint32_t>(value.type)));
}

void encode_value(std::vector<uint8_t>& out, const GgufValue& value)
{
    switch (value.type) {
    case GgufValueType::Uint8: return append_scalar(out, static_cast<uint8_t>(std::get<uint64_t>(value.value)));
    case GgufValueType::Uint16: return append_scalar(out, static_cast<uint16_t>(std::get<uint64_t>(value.value)));
    case GgufValueType::Uint32: return append_scalar(out, static_cast<uint32_t>(std::get<uint64_t>(value.value)));
    case GgufValueType::Uint64: return append_scalar(out, std::get<uint64_t>(value.value));
    case GgufValueType::Int8: return append_scalar(out, static_cast<int8_t>(std::get<int64_t>(value.value)));
    case GgufValueType::Int16: return append_scalar(out, static_cast<int16_t>(std::get<int64_t>(value.value)));
    case GgufValueType::Int32: return append_scalar(out, static_cast<int32_t>(std::get<int64_t>(value.value)));
    case GgufValueType::Int64: return append_scalar(out, std::get<int64_t>(value.value));
    case GgufValueType::Float32: return append_scalar(out, static_cast<float>(std::get<double>(value.value)));
    case GgufValueType::Float64: return append_scalar(out, std::get<double>(value.value));
    case GgufValueType::Bool: return append_scalar<uint8_t>(out, std::get<bool>(value.value) ? 1 : 0);
    case GgufValueType::String: return append_string(out, std::get<std::string>(value.value));
    case GgufValueType::Array: {
        const GgufArray& array = std::get<GgufArray>(value.value);
        append_scalar(out, static_cast<uint32_t>(array.element_type));
        append_scalar<uint64_t>(out, array.items.size());
        for (const GgufValue& item : array.items)
            encode_value(out, item);
        return;
    }
    }
}

uint64_t align_up(uint64_t value, uint64_t alignment)
{
    const std::optional<uint64_t> aligned = checked_align_up(value, alignment);
    if (!aligned)
        throw std::overflow_error("GGUF writer: file size overflows 64 bits");
    return *aligned;
}

} // namespace

GgufWriter::GgufWriter(uint32_t version)
    : version_(version)
{
    if (version != 2 && version != 3)
        throw std::invalid_argument("GGUF writer: version " + std::to_string(version) + " is not 2 or 3");
}

void GgufWriter::set_alignment(uint32_t alignment)
{
    if (!std::has_single_bit(alignment))
        throw std::invalid_argument("GGUF writer: alignment " + std::to_string(alignment) + " is not a power of two");
    alignment_ = alignment;
    const GgufValue value{GgufValueType::Uint32, uint64_t{alignment}};
    for (GgufKeyValue& entry : metadata_) {
        if (entry.key == kAlignmentKey) {
            entry.value = value;
            return;
        }
    }
    metadata_.push_back(GgufKeyValue{std::string(kAlignmentKey), value});
}

void GgufWriter::add_checked(const std::string& key, GgufValue value)
{
    // general.alignment also sets the layout, so it goes through set_alignment.
    if (key == kAlignmentKey) {
        if (value.type != GgufValueType::Uint32)
            throw std::invalid_argument("GGUF writer: key " + quoted(key) + " must be uint32");
        check_value(value, key, 0);
        set_alignment(static_cast<uint32_t>(std::get<uint64_t>(value.value)));
        return;
    }

    check_name(key, "key");
    if (key.size() > kMaxKeyBytes) {
        throw std::invalid_argument("GGUF writer: key of " + std::to_string(key.size()) + " bytes is longer than " +
                                    std::to_string(kMaxKeyBytes) + " bytes");
    }
    for (const GgufKeyValue& entry : metadata_) {
        if (entry.key == key)
            throw std::invalid_argument("GGUF writer: duplicate key " + quoted(key));
    }
    check_value(value, key, 0);
    metadata_.push_back(GgufKeyValue{key, std::move(value)});
}

void GgufWriter::add_uint8(const std::string& key, uint8_t value)
{
    add_checked(key, GgufValue{GgufValueType::Uint8, uint64_t{value}});
}

void GgufWriter::add_int8(const std::string& key, int8_t value)
{
    add_checked(key, GgufValue{GgufValueType::Int8, int64_t{value}});
}

void GgufWriter::add_uint16(const std::string& key, uint16_t value)
{
    add_checked(key, GgufValue{GgufValueType::Uint16, uint64_t{value}});
}

void GgufWriter::add_int16(const std::string& key, int16_t value)
{
    add_checked(key, GgufValue{GgufValueType::Int16, int64_t{value}});
}

void GgufWriter::add_uint32(const std::string& key, uint32_t value)
{
    add_checked(key, GgufValue{GgufValueType::Uint32, uint64_t{value}});
}

void GgufWriter::add_int32(const std::string& key, int32_t value)
{
    add_checked(key, GgufValue{GgufValueType::Int32, int64_t{value}});
}

void GgufWriter::add_uint64(const std::string& key, uint64_t value)
{
    add_checked(key, GgufValue{GgufValueType::Uint64, value});
}

void GgufWriter::add_int64(const std::string& key, int64_t value)
{
    add_checked(key, GgufValue{GgufValueType::Int64, value});
}

void GgufWriter::add_float32(const std::string& key, float value)
{
    add_checked(key, GgufValue{GgufValueType::Float32, double{value}});
}

void GgufWriter::add_float64(const std::string& key, double value)
{
    add_checked(key, GgufValue{GgufValueType::Float64, value});
}

void GgufWriter::add_bool(const std::string& key, bool value)
{
    add_checked(key, GgufValue{GgufValueType::Bool, value});
}

void GgufWriter::add_string(const std::string& key, std::string value)
{
    add_checked(key, GgufValue{GgufValueType::String, std::move(value)});
}

void GgufWriter::add_string_array(const std::string& key, std::vector<std::string> values)
{
    GgufArray array;
    array.element_type = GgufValueType::String;
    array.items.reserve(values.size());
    for (std::string& value : values)
        array.items.push_back(GgufValue{GgufValueType::String, std::move(value)});
    add_checked(key, GgufValue{GgufValueType::Array, std::move(array)});
}

void GgufWriter::add_float32_array(const std::string& key, const std::vector<float>& values)
{
    GgufArray array;
    array.element_type = GgufValueType::Float32;
    array.items.reserve(values.size());
    for (float value : values) {
        // Assigning the variant after construction avoids a GCC 12
        // -Wmaybe-uninitialized false positive in sanitizer builds.
        GgufValue& item = array.items.emplace_back();
        item.type = GgufValueType::Float32;
        item.value = static_cast<double>(value);
    }
    add_checked(key, GgufValue{GgufValueType::Array, std::move(array)});
}

void GgufWriter::add_int32_array(const std::string& key, const std::vector<int32_t>& values)
{
    GgufArray array;
    array.element_type = GgufValueType::Int32;
    array.items.reserve(values.size());
    for (int32_t value : values) {
        GgufValue& item = array.items.emplace_back();
        item.type = GgufValueType::Int32;
        item.value = static_cast<int64_t>(value);
    }
    add_checked(key, GgufValue{GgufValueType::Array, std::move(array)});
}

void GgufWriter::add_value(const std::string& key, GgufValue value)
{
    add_checked(key, std::move(value));
}

uint64_t GgufWriter::check_tensor(const std::string& name, GgmlType type, const std::vector<uint64_t>& ne) const
{
    // Name: nonempty, valid UTF-8, unique.
    check_name(name, "tensor name");
    for (const PendingTensor& tensor : tensors_) {
        if (tensor.name == name)
            throw std::invalid_argument("GGUF writer: duplicate tensor name " + quoted(name));
    }
    const std::string subject = "GGUF writer: tensor " + quoted(name);

    // Shape and size, with the same limits the reader applies.
    const GgmlTypeTraits* traits = is_file_type(type) ? ggml_type_traits(static_cast<uint32_t>(type)) : nullptr;
    if (!traits)
        throw std::invalid_argument(subject + ": unknown type id " + std::to_string(static_cast<uint32_t>(type)));
    if (ne.empty() || ne.size() > kMaxDims)
        throw std::invalid_argument(subject + ": has " + std::to_string(ne.size()) + " dimensions (expected 1 to 4)");
    std::optional<uint64_t> n_elements = 1;
    for (size_t d = 0; d < ne.size(); ++d) {
        if (ne[d] == 0 || ne[d] > kMaxDimension)
            throw std::invalid_argument(subject + ": dimension " + std::to_string(d) + " is " + std::to_string(ne[d]));
        if (n_elements)
            n_elements = checked_mul(*n_elements, ne[d]);
    }
    if (!n_elements || *n_elements > kMaxDimension)
        throw std::invalid_argument(subject + ": the element count overflows 2^63-1");
    if (ne[0] % traits->block_size != 0) {
        throw std::invalid_argument(subject + ": ne[0] = " + std::to_string(ne[0]) +
                                    " is not a multiple of the block size " + std::to_string(traits->block_size) +
                                    " of " + std::string(traits->name));
    }
    const std::optional<uint64_t> row_bytes = ggml_row_bytes(type, ne[0]);
    const std::optional<uint64_t> n_bytes = row_bytes ? checked_mul(*row_bytes, *n_elements / ne[0]) : std::nullopt;
    if (!n_bytes)
        throw std::invalid_argument(subject + ": the byte size overflows 64 bits");
    return *n_bytes;
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> ne,
                            std::vector<uint8_t> data)
{
    const uint64_t n_bytes = check_tensor(name, type, ne);
    if (data.size() != n_bytes) {
        throw std::invalid_argument("GGUF writer: tensor " + quoted(name) + ": data has " +
                                    std::to_string(data.size()) + " bytes but " + std::string(ggml_type_name(type)) +
                                    " with this shape needs " + std::to_string(n_bytes));
    }
    tensors_.push_back(PendingTensor{name, type, std::move(ne), n_bytes, std::move(data), TensorFill()});
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<uint64_t> ne, TensorFill fill)
{
    const uint64_t n_bytes = check_tensor(name, type, ne);
    if (!fill)
        throw std::invalid_argument("GGUF writer: tensor " + quoted(name) + ": the fill function is empty");
    tensors_.push_back(PendingTensor{name, type, std::move(ne), n_bytes, {}, std::move(fill)});
}

std::vector<uint8_t> GgufWriter::encode_header() const
{
    // Header: magic, version, counts.
    std::vector<uint8_t> out(std::begin(kGgufMagic), std::end(kGgufMagic));
    append_scalar<uint32_t>(out, version_);
    append_scalar<uint64_t>(out, tensors_.size());
    append_scalar<uint64_t>(out, metadata_.size());

    // Metadata.
    for (const GgufKeyValue& entry : metadata_) {
        append_string(out, entry.key);
        append_scalar(out, static_cast<uint32_t>(entry.value.type));
        encode_value(out, entry.value);
    }

    // Tensor infos. Each tensor starts at the next multiple of the alignment.
    uint64_t offset = 0;
    for (const PendingTensor& tensor : tensors_) {
        append_string(out, tensor.name);
        append_scalar<uint32_t>(out, static_cast<uint32_t>(tensor.ne.size()));
        for (uint64_t dimension : tensor.ne)
            append_scalar<uint64_t>(out, dimension);
        append_scalar(out, static_cast<uint32_t>(tensor.type));
        append_scalar<uint64_t>(out, offset);
        offset = align_up(offset + tensor.n_bytes, alignment_);
    }

    // Padding up to the data section.
    out.resize(align_up(out.size(), alignment_), 0);
    return out;
}

void GgufWriter::serialize(const ByteSink& sink) const
{
    const std::vector<uint8_t> header = encode_header();
    sink(header.data(), header.size());

    // Tensor data, each padded with zeros to the alignment. A filled tensor
    // needs one buffer of its size, released before the next one.
    constexpr size_t kPaddingChunk = 4096;
    const std::vector<uint8_t> zeros(kPaddingChunk, 0);
    for (const PendingTensor& tensor : tensors_) {
        if (tensor.fill) {
            std::vector<uint8_t> buffer(tensor.n_bytes, 0);
            tensor.fill(buffer.data(), tensor.n_bytes);
            sink(buffer.data(), buffer.size());
        } else {
            sink(tensor.data.data(), tensor.data.size());
        }
        uint64_t padding = align_up(tensor.n_bytes, alignment_) - tensor.n_bytes;
        while (padding > 0) {
            const size_t chunk = static_cast<size_t>(std::min<uint64_t>(padding, kPaddingChunk));
            sink(zeros.data(), chunk);
            padding -= chunk;
        }
    }
}

void GgufWriter::write(const std::string& path) const
{
    // The temporary file is renamed over `path`, which would replace a
    // device, a FIFO or a symlink with a regular file.
    struct stat status {};
    if (::lstat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode))
        throw IoError(path + ": exists and is not a regular file; choose another output path");

    TemporaryFile file(path);
    serialize([&](const uint8_t* bytes, size_t n_bytes) { file.write_all(bytes, n_bytes); });
    const uint64_t size = file.position();
    file.commit();
    QUANTA_LOG_DEBUG("wrote %s: GGUF v%u, %zu tensors, %zu keys, %llu bytes", path.c_str(), version_,
                     tensors_.size(), metadata_.size(), static_cast<unsigned long long>(size));
}

std::vector<uint8_t> GgufWriter::to_bytes() const
{
    std::vector<uint8_t> bytes;
    serialize([&](const uint8_t* data, size_t n_bytes) { bytes.insert(bytes.end(), data, data + n_bytes); });
    return bytes;
}

} // namespace quanta

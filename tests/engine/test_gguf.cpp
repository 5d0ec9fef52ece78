// GGUF reader and writer: real models from the shared folder, writer round
// trips, and hand-made corrupt files that must each fail with their own
// message.
#include "test_support.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>
#include <limits>
#include <sys/resource.h>

using namespace quanta;

namespace {

// Little-endian byte builder for hand-made GGUF files.
class Bytes {
public:
    Bytes& raw(std::string_view text)
    {
        data.insert(data.end(), text.begin(), text.end());
        return *this;
    }
    Bytes& u8(uint8_t value) { return scalar(value); }
    Bytes& u32(uint32_t value) { return scalar(value); }
    Bytes& i32(int32_t value) { return scalar(value); }
    Bytes& u64(uint64_t value) { return scalar(value); }
    Bytes& str(std::string_view text) { return u64(text.size()).raw(text); }
    Bytes& zeros(size_t count)
    {
        data.resize(data.size() + count, 0);
        return *this;
    }
    Bytes& pad_to(size_t alignment) { return zeros((alignment - data.size() % alignment) % alignment); }

    Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3)
    {
        return raw("GGUF").u32(version).u64(n_tensors).u64(n_kv);
    }
    Bytes& kv_u32(std::string_view key, uint32_t value)
    {
        return str(key).u32(static_cast<uint32_t>(GgufValueType::Uint32)).u32(value);
    }
    Bytes& tensor(std::string_view name, std::initializer_list<uint64_t> ne, GgmlType type, uint64_t offset)
    {
        str(name).u32(static_cast<uint32_t>(ne.size()));
        for (uint64_t dimension : ne)
            u64(dimension);
        return u32(static_cast<uint32_t>(type)).u64(offset);
    }

    QByteArray bytes() const { return QByteArray(reinterpret_cast<const char*>(data.data()), qsizetype(data.size())); }

    std::vector<uint8_t> data;

private:
    template <typename T>
    Bytes& scalar(T value)
    {
        uint8_t encoded[sizeof(T)];
        std::memcpy(encoded, &value, sizeof(T));
        data.insert(data.end(), encoded, encoded + sizeof(T));
        return *this;
    }
};

constexpr uint32_t kArrayType = static_cast<uint32_t>(GgufValueType::Array);

// A valid file with one F32 tensor "w" of shape [8], for cutting and patching.
Bytes one_tensor_file()
{
    Bytes file;
    file.header(1, 1).kv_u32("general.alignment", 32).tensor("w", {8}, GgmlType::F32, 0).pad_to(32).zeros(32);
    return file;
}

// A file whose only content is the key/value pairs appended by `add`.
template <typename Add>
Bytes metadata_file(uint64_t n_kv, Add&& add)
{
    Bytes file;
    file.header(0, n_kv);
    add(file);
    return file;
}

// A file with tensor infos appended by `add`, padding and `data_bytes` zeros.
template <typename Add>
Bytes tensor_file(uint64_t n_tensors, uint64_t data_bytes, Add&& add)
{
    Bytes file;
    file.header(n_tensors, 0);
    add(file);
    file.pad_to(32).zeros(data_bytes);
    return file;
}

std::vector<uint8_t> pattern(size_t n_bytes, uint8_t seed)
{
    std::vector<uint8_t> bytes(n_bytes);
    for (size_t i = 0; i < n_bytes; ++i)
        bytes[i] = static_cast<uint8_t>(seed + i * 31 + (i >> 8));
    return bytes;
}

GgufValue make_array(GgufValueType element_type, std::vector<GgufValue> items)
{
    return GgufValue{GgufValueType::Array, GgufArray{element_type, std::move(items)}};
}

bool values_equal(const GgufValue& a, const GgufValue& b)
{
    if (a.type != b.type || a.value.index() != b.value.index())
        return false;
    if (const auto* array_a = std::get_if<GgufArray>(&a.value)) {
        const GgufArray& array_b = std::get<GgufArray>(b.value);
        if (array_a->element_type != array_b.element_type || array_a->items.size() != array_b.items.size())
            return false;
        for (size_t i = 0; i < array_a->items.size(); ++i) {
            if (!values_equal(array_a->items[i], array_b.items[i]))
                return false;
        }
        return true;
    }
    if (const auto* string_a = std::get_if<std::string>(&a.value))
        return *string_a == std::get<std::string>(b.value);
    if (const auto* double_a = std::get_if<double>(&a.value))
        return *double_a == std::get<double>(b.value);
    if (const auto* bool_a = std::get_if<bool>(&a.value))
        return *bool_a == std::get<bool>(b.value);
    if (const auto* signed_a = std::get_if<int64_t>(&a.value))
        return *signed_a == std::get<int64_t>(b.value);
    return std::get<uint64_t>(a.value) == std::get<uint64_t>(b.value);
}

// Writer input for the round trip, kept to compare with what is read back.
struct RoundTripTensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> ne;
    std::vector<uint8_t> data;
    bool streamed;
};

std::vector<GgufKeyValue> round_trip_metadata()
{
    std::vector<GgufKeyValue> entries;
    const auto add = [&](std::string key, GgufValue value) { entries.push_back({std::move(key), std::move(value)}); };
    add("test.uint8", {GgufValueType::Uint8, uint64_t{255}});
    add("test.int8", {GgufValueType::Int8, int64_t{-128}});
    add("test.uint16", {GgufValueType::Uint16, uint64_t{65535}});
    add("test.int16", {GgufValueType::Int16, int64_t{-32768}});
    add("test.uint32", {GgufValueType::Uint32, uint64_t{4294967295u}});
    add("test.int32", {GgufValueType::Int32, int64_t{std::numeric_limits<int32_t>::min()}});
    add("test.uint64", {GgufValueType::Uint64, std::numeric_limits<uint64_t>::max()});
    add("test.int64", {GgufValueType::Int64, std::numeric_limits<int64_t>::min()});
    add("test.float32", {GgufValueType::Float32, double{1e-5f}});
    add("test.float64", {GgufValueType::Float64, -1.0 / 3.0});
    add("test.bool_true", {GgufValueType::Bool, true});
    add("test.bool_false", {GgufValueType::Bool, false});
    add("test.string", {GgufValueType::String, std::string("h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C\n\"q\"")});
    add("test.string_with_nul", {GgufValueType::String, std::string("a\0b", 3)});
    add("test.empty_string", {GgufValueType::String, std::string()});
    add("test.empty_array", make_array(GgufValueType::Uint32, {}));
    add("test.bool_array", make_array(GgufValueType::Bool, {{GgufValueType::Bool, true}, {GgufValueType::Bool, false}}));
    add("test.uint64_array", make_array(GgufValueType::Uint64, {{GgufValueType::Uint64, uint64_t{1} << 40},
                                                                {GgufValueType::Uint64, uint64_t{7}}}));
    add("test.float64_array", make_array(GgufValueType::Float64, {{GgufValueType::Float64, 0.1},
                                                                  {GgufValueType::Float64, -2.5e300}}));
    add("test.nested_array",
        make_array(GgufValueType::Array,
                   {make_array(GgufValueType::Int16, {{GgufValueType::Int16, int64_t{-1}},
                                                      {GgufValueType::Int16, int64_t{2}}}),
                    make_array(GgufValueType::String, {{GgufValueType::String, std::string("x")}}),
                    make_array(GgufValueType::Array, {make_array(GgufValueType::Uint8, {})})}));
    return entries;
}

std::vector<RoundTripTensor> round_trip_tensors()
{
    return {
        {"f32.weight", GgmlType::F32, {4, 3}, pattern(4 * 3 * 4, 1), false},
        {"f16.weight", GgmlType::F16, {8}, pattern(8 * 2, 2), true},
        {"q4_0.weight", GgmlType::Q4_0, {64, 2}, pattern(2 * 2 * 18, 3), false},
        {"q8_0.weight", GgmlType::Q8_0, {32, 1, 3}, pattern(3 * 34, 4), true},
        {"q4_k.weight", GgmlType::Q4_K, {256, 2}, pattern(2 * 144, 5), false},
        {"q6_k.weight", GgmlType::Q6_K, {256, 1, 1, 2}, pattern(2 * 210, 6), true},
        {"i32.tensor", GgmlType::I32, {5}, pattern(5 * 4, 7), false},
    };
}

GgufWriter make_round_trip_writer(uint32_t version, uint32_t alignment)
{
    GgufWriter writer(version);
    if (alignment != 0)
        writer.set_alignment(alignment);
    for (const GgufKeyValue& entry : round_trip_metadata())
        writer.add_value(entry.key, entry.value);
    writer.add_string("general.architecture", "llama");
    writer.add_string_array("test.strings", {"<unk>", "", "\xE2\x96\x81the"});
    writer.add_float32_array("test.floats", {0.5f, -1.25f, 3.0e38f});
    writer.add_int32_array("test.ints", {-7, 0, 2147483647});
    for (const RoundTripTensor& tensor : round_trip_tensors()) {
        if (tensor.streamed) {
            const std::vector<uint8_t> data = tensor.data;
            writer.add_tensor(tensor.name, tensor.type, tensor.ne, [data](uint8_t* dst, uint64_t n_bytes) {
                QCOMPARE(n_bytes, uint64_t(data.size()));
                std::memcpy(dst, data.data(), data.size());
            });
        } else {
            writer.add_tensor(tensor.name, tensor.type, tensor.ne, tensor.data);
        }
    }
    return writer;
}

// Restores a resource limit and a signal handler when a test leaves.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t max_bytes)
    {
        getrlimit(RLIMIT_FSIZE, &saved_);
        previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limited = saved_;
        limited.rlim_cur = max_bytes;
        setrlimit(RLIMIT_FSIZE, &limited);
    }
    ~FileSizeLimit()
    {
        setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, previous_handler_);
    }

private:
    rlimit saved_{};
    void (*previous_handler_)(int) = nullptr;
};

} // namespace

class TestGguf : public QObject {
    Q_OBJECT

private slots:
    void sharedModelsParse();
    void stories260KHeader();
    void roundTrip_data();
    void roundTrip();
    void typedGetters();
    void displayStrings();
    void writerRejectsBadInput();
    void writerStreamsFill();
    void writerFailureKeepsOldFile();
    void writerFillExceptionCleansUp();
    void corruptFile_data();
    void corruptFile();
    void missingFileIsIoError();
    void directoryIsIoError();
};

void TestGguf::sharedModelsParse()
{
    if (!test::shared_available())
        QSKIP("shared models folder not found");

    int parsed = 0;
    QDirIterator it(QString::fromStdString(test::shared_path("models")), {QStringLiteral("*.gguf")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const std::string path = it.next().toStdString();
        std::unique_ptr<GgufFile> file;
        try {
            file = GgufFile::open(path);
        } catch (const Error& error) {
            QFAIL(qPrintable(QStringLiteral("%1 did not parse: %2").arg(QString::fromStdString(path), error.what())));
        }
        QVERIFY2(file->version() == 2 || file->version() == 3, path.c_str());
        QVERIFY2(!file->metadata().empty(), path.c_str());
        QCOMPARE(file->data_offset() % file->alignment(), uint64_t(0));
        for (const GgufTensor& tensor : file->tensors()) {
            QVERIFY2(tensor.data != nullptr, tensor.name.c_str());
            QVERIFY2(tensor.offset + tensor.n_bytes <= file->file_size() - file->data_offset(), tensor.name.c_str());
        }
        ++parsed;
    }
    QVERIFY2(parsed >= 2, "expected several .gguf files under the shared models folder");
}

void TestGguf::stories260KHeader()
{
    if (!test::shared_available())
        QSKIP("shared models folder not found");

    const auto file = GgufFile::open(test::shared_path("models/stories260K.gguf"));
    QCOMPARE(file->version(), 3u);
    QCOMPARE(file->tensors().size(), size_t(48));
    QCOMPARE(file->metadata().size(), size_t(19));
    QCOMPARE(file->file_size(), uint64_t(1185376));
    QCOMPARE(file->get_string("general.architecture"), std::string("llama"));
    QCOMPARE(file->get_uint("llama.embedding_length"), uint64_t(64));
    QCOMPARE(file->get_uint("llama.block_count"), uint64_t(5));
    QCOMPARE(file->get_uint("llama.attention.head_count_kv"), uint64_t(4));
    QCOMPARE(file->get_float("llama.attention.layer_norm_rms_epsilon"), double(1e-5f));
    QVERIFY(!file->contains("llama.rope.freq_base"));
    QCOMPARE(file->get_float("llama.rope.freq_base", 10000.0), 10000.0);

    const std::vector<std::string> tokens = file->get_string_array("tokenizer.ggml.tokens");
    QCOMPARE(tokens.size(), size_t(512));
    QCOMPARE(tokens[0], std::string("<unk>"));
    QCOMPARE(tokens[1], std::string("<s>"));
    QCOMPARE(file->get_float_array("tokenizer.ggml.scores").size(), size_t(512));
    QCOMPARE(file->get_int_array("tokenizer.ggml.token_type").size(), size_t(512));

    const GgufTensor& output = file->tensor("output.weight");
    QCOMPARE(output.type, GgmlType::F32);
    QCOMPARE(output.n_dims, 2u);
    QCOMPARE(output.ne[0], uint64_t(64));
    QCOMPARE(output.ne[1], uint64_t(512));
    QCOMPARE(output.n_elements, uint64_t(64 * 512));
    QCOMPARE(output.n_bytes, uint64_t(64 * 512 * 4));
    const GgufTensor& ffn_down = file->tensor("blk.0.ffn_down.weight");
    QCOMPARE(ffn_down.ne[0], uint64_t(172));
    QCOMPARE(ffn_down.ne[1], uint64_t(64));

    // The tensor data fills the rest of the file exactly.
    uint64_t end = 0;
    for (const GgufTensor& tensor : file->tensors())
        end = std::max(end, file->data_offset() + tensor.offset + tensor.n_bytes);
    QCOMPARE(end, file->file_size());
}

void TestGguf::roundTrip_data()
{
    QTest::addColumn<uint32_t>("version");
    QTest::addColumn<uint32_t>("alignment"); // 0: never call set_alignment

    QTest::newRow("v3 default alignment") << 3u << 0u;
    QTest::newRow("v3 alignment 32") << 3u << 32u;
    QTest::newRow("v3 alignment 64") << 3u << 64u;
    QTest::newRow("v2 default alignment") << 2u << 0u;
    QTest::newRow("v2 alignment 64") << 2u << 64u;
    QTest::newRow("v3 alignment 1") << 3u << 1u;
}

void TestGguf::roundTrip()
{
    QFETCH(uint32_t, version);
    QFETCH(uint32_t, alignment);
    const uint64_t expected_alignment = alignment == 0 ? 32 : alignment;

    // Write to memory and to disk; both must hold the same bytes.
    const GgufWriter writer = make_round_trip_writer(version, alignment);
    const std::vector<uint8_t> bytes = writer.to_bytes();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("round-trip.gguf")).toStdString();
    writer.write(path);
    QVERIFY(test::read_file(path) == bytes);
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".tmp")));

    // Header.
    const auto file = GgufFile::open(path);
    QCOMPARE(file->version(), version);
    QCOMPARE(file->alignment(), expected_alignment);
    QCOMPARE(file->file_size(), uint64_t(bytes.size()));
    QCOMPARE(file->data_offset() % expected_alignment, uint64_t(0));
    QCOMPARE(file->contains("general.alignment"), alignment != 0);

    // Metadata, in the order written.
    const std::vector<GgufKeyValue> expected = round_trip_metadata();
    const size_t first = alignment != 0 ? 1 : 0;
    QCOMPARE(file->metadata().size(), first + expected.size() + 4);
    for (size_t i = 0; i < expected.size(); ++i) {
        const GgufKeyValue& read = file->metadata()[first + i];
        QCOMPARE(read.key, expected[i].key);
        QVERIFY2(values_equal(read.value, expected[i].value), read.key.c_str());
    }
    QCOMPARE(file->get_string("general.architecture"), std::string("llama"));
    QCOMPARE(file->get_string_array("test.strings"),
             (std::vector<std::string>{"<unk>", "", "\xE2\x96\x81the"}));
    QCOMPARE(file->get_float_array("test.floats"), (std::vector<float>{0.5f, -1.25f, 3.0e38f}));
    QCOMPARE(file->get_int_array("test.ints"), (std::vector<int32_t>{-7, 0, 2147483647}));

    // Tensors: shape, type, aligned offset and the exact bytes.
    const std::vector<RoundTripTensor> tensors = round_trip_tensors();
    QCOMPARE(file->tensors().size(), tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
        const GgufTensor& read = file->tensors()[i];
        QCOMPARE(read.name, tensors[i].name);
        QCOMPARE(read.type, tensors[i].type);
        QCOMPARE(read.n_dims, uint32_t(tensors[i].ne.size()));
        uint64_t n_elements = 1;
        for (size_t d = 0; d < 4; ++d) {
            const uint64_t expected_ne = d < tensors[i].ne.size() ? tensors[i].ne[d] : 1;
            QCOMPARE(read.ne[d], expected_ne);
            n_elements *= expected_ne;
        }
        QCOMPARE(read.n_elements, n_elements);
        QCOMPARE(read.n_bytes, uint64_t(tensors[i].data.size()));
        QCOMPARE(read.offset % expected_alignment, uint64_t(0));
        QVERIFY2(std::memcmp(read.data, tensors[i].data.data(), read.n_bytes) == 0, read.name.c_str());
    }
}

void TestGguf::typedGetters()
{
    GgufWriter writer;
    writer.add_uint8("small", 7);
    writer.add_int32("negative", -3);
    writer.add_int64("positive_signed", 12);
    writer.add_uint64("huge", std::numeric_limits<uint64_t>::max());
    writer.add_float32("ratio", 0.25f);
    writer.add_bool("flag", true);
    writer.add_string("name", "tiny");
    writer.add_value("wide_ints", make_array(GgufValueType::Int64, {{GgufValueType::Int64, int64_t{1} << 40}}));
    writer.add_string_array("words", {"a", "b"});
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("getters.gguf")).toStdString();
    writer.write(path);
    const auto file = GgufFile::open(path);

    // Conversions that fit.
    QCOMPARE(file->get_uint("small"), uint64_t(7));
    QCOMPARE(file->get_uint("positive_signed"), uint64_t(12));
    QCOMPARE(file->get_int("negative", 0), int64_t(-3));
    QCOMPARE(file->get_int("small", 0), int64_t(7));
    QCOMPARE(file->get_float("ratio"), 0.25);
    QCOMPARE(file->get_float("small"), 7.0);
    QCOMPARE(file->get_bool("flag", false), true);
    QCOMPARE(file->get_string("name"), std::string("tiny"));

    // Fallbacks apply only to missing keys.
    QCOMPARE(file->get_uint("absent", 42), uint64_t(42));
    QCOMPARE(file->get_string("absent", "fallback"), std::string("fallback"));
    QCOMPARE(file->get_bool("absent", true), true);

    // Each failure names the file and the key.
    const auto expect_error = [&](auto&& call, const char* fragment) {
        try {
            call();
            QFAIL(qPrintable(QStringLiteral("no FormatError for: %1").arg(fragment)));
        } catch (const FormatError& error) {
            const std::string message = error.what();
            QVERIFY2(message.find(path) != std::string::npos, message.c_str());
            QVERIFY2(message.find(fragment) != std::string::npos, message.c_str());
        }
    };
    expect_error([&] { file->get_uint("negative"); }, "key 'negative' is -3 but must be a non-negative integer");
    expect_error([&] { file->get_int("huge", 0); }, "key 'huge' is 18446744073709551615 but must fit in int64");
    expect_error([&] { file->get_uint("name"); }, "key 'name' has type string but an unsigned integer is required");
    expect_error([&] { file->get_string("small"); }, "key 'small' has type uint8 but a string is required");
    expect_error([&] { file->get_string("absent"); }, "required key 'absent' is missing");
    expect_error([&] { file->get_bool("small", false); }, "key 'small' has type uint8 but a bool is required");
    expect_error([&] { file->get_float("flag"); }, "key 'flag' has type bool but a number is required");
    expect_error([&] { file->get_array("small"); }, "key 'small' has type uint8 but an array is required");
    expect_error([&] { file->get_string_array("wide_ints"); }, "is an array of int64 but an array of string");
    expect_error([&] { file->get_float_array("words"); }, "is an array of string but an array of numbers");
    expect_error([&] { file->get_int_array("wide_ints"); }, "element 0 of key 'wide_ints' is 1099511627776");
    expect_error([&] { file->tensor("missing.weight"); }, "required tensor 'missing.weight' is missing");
    QVERIFY(file->find_tensor("missing.weight") == nullptr);
}

void TestGguf::displayStrings()
{
    QCOMPARE(gguf_value_type_name(GgufValueType::Float32), std::string_view("float32"));
    QCOMPARE(gguf_value_type_name(GgufValueType::Array), std::string_view("array"));

    QCOMPARE(GgufValue({GgufValueType::Float32, double{1e-5f}}).to_display_string(), std::string("1e-05"));
    QCOMPARE(GgufValue({GgufValueType::Int8, int64_t{-4}}).to_display_string(), std::string("-4"));
    QCOMPARE(GgufValue({GgufValueType::Bool, false}).to_display_string(), std::string("false"));
    QCOMPARE(GgufValue({GgufValueType::String, std::string("a\"b\n\x01")}).to_display_string(),
             std::string("\"a\\\"b\\n\\x01\""));
    QCOMPARE(GgufValue({GgufValueType::String, std::string("\xE2\x96\x81x\xFF")}).to_display_string(),
             std::string("\"\xE2\x96\x81x\\xFF\""));

    const std::string long_text(300, 'x');
    const std::string shown = GgufValue({GgufValueType::String, long_text}).to_display_string();
    QVERIFY2(shown.find("... (300 bytes)") != std::string::npos, shown.c_str());
    QVERIFY(shown.size() < 200);

    std::vector<GgufValue> items;
    for (int i = 0; i < 512; ++i)
        items.push_back({GgufValueType::String, "t" + std::to_string(i)});
    const GgufValue tokens = make_array(GgufValueType::String, items);
    QCOMPARE(tokens.to_display_string(2), std::string("[\"t0\", \"t1\", ... 510 more]"));
    QCOMPARE(make_array(GgufValueType::Uint8, {}).to_display_string(), std::string("[]"));
    QCOMPARE(make_array(GgufValueType::Array, {make_array(GgufValueType::Int32, {{GgufValueType::Int32, int64_t{1}}})})
                 .to_display_string(),
             std::string("[[1]]"));
}

void TestGguf::writerRejectsBadInput()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GgufWriter(4));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GgufWriter(1));

    GgufWriter writer;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.set_alignment(48));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.set_alignment(0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_int32("general.alignment", 64));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_uint32("", 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_uint32("bad\xFF", 1));
    writer.add_uint32("key", 1);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_string("key", "again"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             writer.add_value("mixed", make_array(GgufValueType::Int32, {{GgufValueType::Int16, int64_t{1}}})));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_value("range", {GgufValueType::Uint8, uint64_t{256}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_value("kind", {GgufValueType::Int32, uint64_t{1}}));

    // add_uint32("general.alignment") is set_alignment.
    writer.add_uint32("general.alignment", 64);
    QCOMPARE(writer.alignment(), 64u);

    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", GgmlType::F32, {4}, std::vector<uint8_t>(15)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", GgmlType::Q4_0, {33}, std::vector<uint8_t>(18)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", GgmlType::F32, {}, std::vector<uint8_t>()));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", GgmlType::F32, {1, 1, 1, 1, 1}, std::vector<uint8_t>(4)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", GgmlType::F32, {2, 0}, std::vector<uint8_t>()));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             writer.add_tensor("t", GgmlType::F32, {uint64_t{1} << 31, uint64_t{1} << 31},
                                               GgufWriter::TensorFill([](uint8_t*, uint64_t) {})));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("", GgmlType::F32, {1}, std::vector<uint8_t>(4)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", GgmlType::F32, {1}, GgufWriter::TensorFill()));
    writer.add_tensor("t", GgmlType::F32, {1}, std::vector<uint8_t>(4));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", GgmlType::F32, {1}, std::vector<uint8_t>(4)));

    // The rejected calls left nothing behind: one key besides the alignment,
    // one tensor.
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("after-errors.gguf")).toStdString();
    writer.write(path);
    const auto file = GgufFile::open(path);
    QCOMPARE(file->metadata().size(), size_t(2));
    QCOMPARE(file->tensors().size(), size_t(1));
    QCOMPARE(file->alignment(), uint64_t(64));
}

void TestGguf::writerStreamsFill()
{
    // The fill runs during write(), once per tensor, with the tensor's size.
    int calls = 0;
    GgufWriter writer;
    writer.add_tensor("streamed", GgmlType::Q8_0, {64, 4}, [&](uint8_t* dst, uint64_t n_bytes) {
        ++calls;
        QCOMPARE(n_bytes, uint64_t(4 * 2 * 34));
        std::memset(dst, 0x5A, n_bytes);
    });
    QCOMPARE(calls, 0);

    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("streamed.gguf")).toStdString();
    writer.write(path);
    QCOMPARE(calls, 1);

    const auto file = GgufFile::open(path);
    const GgufTensor& tensor = file->tensor("streamed");
    QCOMPARE(tensor.n_bytes, uint64_t(272));
    for (uint64_t i = 0; i < tensor.n_bytes; ++i)
        QCOMPARE(tensor.data[i], uint8_t(0x5A));
}

void TestGguf::writerFailureKeepsOldFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("model.gguf")).toStdString();
    const std::vector<uint8_t> old_content = {'o', 'l', 'd'};
    test::write_file(path, old_content);

    GgufWriter writer;
    writer.add_tensor("big", GgmlType::F32, {16384}, std::vector<uint8_t>(16384 * 4, 1));

    // A file size limit makes write() fail with EFBIG, as a full disk would
    // with ENOSPC.
    std::string message;
    {
        FileSizeLimit limit(4096);
        try {
            writer.write(path);
        } catch (const IoError& error) {
            message = error.what();
        }
    }
    QVERIFY2(message.find(path + ": cannot write") != std::string::npos, message.c_str());
    QVERIFY2(message.find("File too large") != std::string::npos, message.c_str());
    QVERIFY(test::read_file(path) == old_content);
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".tmp")));

    // A folder that does not exist.
    const std::string missing = dir.filePath(QStringLiteral("no-such-folder/model.gguf")).toStdString();
    try {
        writer.write(missing);
        QFAIL("write() into a missing folder did not throw");
    } catch (const IoError& error) {
        const std::string text = error.what();
        QVERIFY2(text.find(missing + ": cannot create the temporary file") != std::string::npos, text.c_str());
        QVERIFY2(text.find("No such file or directory") != std::string::npos, text.c_str());
    }
}

void TestGguf::writerFillExceptionCleansUp()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("model.gguf")).toStdString();
    const std::vector<uint8_t> old_content = {'k', 'e', 'e', 'p'};
    test::write_file(path, old_content);

    GgufWriter writer;
    writer.add_tensor("t", GgmlType::F32, {4}, [](uint8_t*, uint64_t) { throw std::runtime_error("cancelled"); });
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, writer.write(path));
    QVERIFY(test::read_file(path) == old_content);
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".tmp")));
}

void TestGguf::corruptFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");

    const auto row = [](const char* name, const Bytes& bytes, const char* expected) {
        QTest::newRow(name) << bytes.bytes() << QString::fromUtf8(expected);
    };
    const auto cut = [](Bytes bytes, size_t size) {
        bytes.data.resize(size);
        return bytes;
    };
    const Bytes valid = one_tensor_file();

    // Header.
    row("empty file", Bytes(), "the file is empty (0 bytes)");
    row("cut in magic", cut(valid, 2), "the file is truncated: the magic \"GGUF\" needs 4 bytes at byte 0");
    row("cut in version", cut(valid, 6), "the GGUF version needs 4 bytes at byte 4 but the file has only 6 bytes");
    row("cut in tensor count", cut(valid, 12), "the tensor count needs 8 bytes at byte 8");
    row("cut in kv count", cut(valid, 20), "the key/value count needs 8 bytes at byte 16");
    Bytes bad_magic = valid;
    std::memcpy(bad_magic.data.data(), "GGML", 4);
    row("bad magic", bad_magic, "invalid magic: expected 47 47 55 46 (\"GGUF\") at byte 0 but found 47 47 4D 4C");
    Bytes ggjt = valid;
    std::memcpy(ggjt.data.data(), "tjgg", 4);
    row("legacy ggjt", ggjt, "legacy GGML/GGJT model");
    row("version 1", Bytes().header(0, 0, 1).zeros(8), "GGUF version 1 is not supported");
    row("version 4", Bytes().header(0, 0, 4), "unsupported GGUF version 4 (expected 2 or 3)");
    row("big endian", Bytes().header(0, 0, 0x03000000), "big-endian GGUF (version field 50331648)");
    row("tensor count 2^60", Bytes().header(uint64_t{1} << 60, 0).zeros(64),
        "tensor count 1152921504606846976 is impossible: each takes at least 33 bytes but only 64 bytes remain");
    row("kv count huge", Bytes().header(0, uint64_t{1} << 40).zeros(64),
        "key/value count 1099511627776 is impossible");

    // Metadata.
    row("key length past end", metadata_file(1, [](Bytes& b) { b.u64(1000).raw("abc").zeros(16); }),
        "the key of key/value pair #0 has length 1000 at byte 24, past the end of the file");
    row("string value past end",
        metadata_file(1, [](Bytes& b) { b.str("general.name").u32(8).u64(uint64_t{1} << 63).raw("tiny"); }),
        "key 'general.name' has length 9223372036854775808 at byte 48, past the end of the file");
    row("cut in value", metadata_file(1, [](Bytes& b) { b.str("a.b").u32(4).zeros(2); }),
        "the file is truncated: key 'a.b' needs 4 bytes at byte 39");
    row("array of 2^62", metadata_file(1, [](Bytes& b) { b.str("a.b").u32(kArrayType).u32(0).u64(uint64_t{1} << 62).zeros(8); }),
        "key 'a.b' is an array of 4611686018427387904 uint8 elements, more than this reader's limit");
    row("array past end", metadata_file(1, [](Bytes& b) { b.str("a.b").u32(kArrayType).u32(5).u64(1000000).zeros(8); }),
        "key 'a.b': array of int32 with count 1000000 is impossible");
    row("invalid value type", metadata_file(1, [](Bytes& b) { b.str("a.b").u32(13).u32(0); }),
        "key 'a.b' has invalid value type 13 (expected 0 to 12)");
    row("invalid element type", metadata_file(1, [](Bytes& b) { b.str("a.b").u32(kArrayType).u32(99).u64(1).zeros(8); }),
        "key 'a.b' is an array with invalid element type 99");
    row("bool out of range", metadata_file(1, [](Bytes& b) {
            b.str("a.flags").u32(kArrayType).u32(static_cast<uint32_t>(GgufValueType::Bool)).u64(2).u8(1).u8(2);
        }),
        "element 1 of key 'a.flags' is a bool stored as 2 (expected 0 or 1)");
    row("arrays nested too deep", metadata_file(1, [](Bytes& b) {
            b.str("a.deep").u32(kArrayType);
            for (int level = 0; level < 16; ++level)
                b.u32(kArrayType).u64(1);
            b.zeros(12);
        }),
        "element 0 of key 'a.deep' nests arrays more than 16 levels deep");
    row("empty key", metadata_file(1, [](Bytes& b) { b.str("").u32(4).u32(1); }),
        "the key of key/value pair #0 at byte 24 is empty");
    row("key not utf-8", metadata_file(1, [](Bytes& b) { b.str("ab\xC3(").u32(4).u32(1); }),
        "the key of key/value pair #0 at byte 24 is not valid UTF-8 (byte C3 at offset 2");
    row("duplicate key", metadata_file(2, [](Bytes& b) { b.kv_u32("a.b", 1).kv_u32("a.b", 2); }),
        "duplicate key 'a.b' (key/value pairs #0 and #1)");
    row("alignment wrong type",
        metadata_file(1, [](Bytes& b) { b.str("general.alignment").u32(static_cast<uint32_t>(GgufValueType::Int32)).i32(32); }),
        "key 'general.alignment' has type int32 but must be uint32");
    row("alignment not power of two", metadata_file(1, [](Bytes& b) { b.kv_u32("general.alignment", 48); }),
        "key 'general.alignment' is 48 but must be a power of two greater than 0");
    row("alignment zero", metadata_file(1, [](Bytes& b) { b.kv_u32("general.alignment", 0); }),
        "key 'general.alignment' is 0 but must be a power of two");

    // Tensor infos.
    row("cut in tensor info", cut(tensor_file(1, 0, [](Bytes& b) { b.tensor("weights", {8, 8}, GgmlType::F32, 0); }), 59),
        "the type of tensor 'weights' needs 4 bytes at byte 59");
    row("empty tensor name", tensor_file(1, 32, [](Bytes& b) { b.tensor("", {8}, GgmlType::F32, 0); }),
        "the name of tensor #0 at byte 24 is empty");
    row("duplicate tensor name", tensor_file(2, 64, [](Bytes& b) {
            b.tensor("w", {8}, GgmlType::F32, 0).tensor("w", {8}, GgmlType::F32, 32);
        }),
        "duplicate tensor name 'w' (tensors #0 and #1)");
    row("n_dims 0", tensor_file(1, 32, [](Bytes& b) { b.str("w").u32(0).u32(0).u64(0).zeros(8); }),
        "tensor 'w' has n_dims 0 (expected 1 to 4)");
    row("n_dims 5", tensor_file(1, 32, [](Bytes& b) { b.tensor("w", {1, 1, 1, 1, 8}, GgmlType::F32, 0); }),
        "tensor 'w' has n_dims 5 (expected 1 to 4)");
    row("zero dimension", tensor_file(1, 32, [](Bytes& b) { b.tensor("w", {8, 0}, GgmlType::F32, 0); }),
        "tensor 'w': dimension 1 is 0");
    row("dimension above int64", tensor_file(1, 32, [](Bytes& b) { b.tensor("w", {uint64_t{1} << 63}, GgmlType::F32, 0); }),
        "tensor 'w': dimension 0 is 9223372036854775808, larger than the maximum 2^63-1");
    row("element count overflow", tensor_file(1, 32, [](Bytes& b) {
            b.tensor("w", {uint64_t{1} << 32, uint64_t{1} << 32, uint64_t{1} << 32}, GgmlType::F32, 0);
        }),
        "tensor 'w': the element count of shape [4294967296, 4294967296, 4294967296] overflows 2^63-1");
    row("byte size overflow", tensor_file(1, 32, [](Bytes& b) {
            b.tensor("w", {uint64_t{1} << 31, uint64_t{1} << 31}, GgmlType::F32, 0);
        }),
        "tensor 'w': the byte size of shape [2147483648, 2147483648] overflows 64 bits");
    row("unknown tensor type", tensor_file(1, 32, [](Bytes& b) { b.tensor("w", {8}, static_cast<GgmlType>(4), 0); }),
        "tensor 'w' has unknown tensor type id 4");
    row("ne0 not block multiple", tensor_file(1, 64, [](Bytes& b) { b.tensor("w", {33, 2}, GgmlType::Q4_0, 0); }),
        "tensor 'w' of type Q4_0 has ne[0] = 33, which is not a multiple of the block size 32");
    row("misaligned offset", tensor_file(1, 64, [](Bytes& b) { b.tensor("w", {8}, GgmlType::F32, 8); }),
        "tensor 'w': data offset 8 is not a multiple of the alignment 32");

    // Data section.
    row("data section past end", cut(tensor_file(1, 0, [](Bytes& b) { b.tensor("w", {8}, GgmlType::F32, 0); }), 57),
        "the tensor data section starts at byte 64 (the tensor infos end at byte 57, padded to 32) but the file has only 57 bytes");
    row("tensor data past end", tensor_file(1, 100, [](Bytes& b) { b.tensor("w", {64}, GgmlType::F32, 0); }),
        "tensor 'w': data ends at byte 320 (offset 0 + 256 bytes after the data section at byte 64) but the file has 164 bytes");
    row("tensor offset far past end", tensor_file(1, 32, [](Bytes& b) { b.tensor("w", {8}, GgmlType::F32, uint64_t{1} << 63); }),
        "tensor 'w': data ends at byte 9223372036854775904");
    row("overlapping tensors", tensor_file(2, 128, [](Bytes& b) {
            b.tensor("a", {16}, GgmlType::F32, 0).tensor("b", {16}, GgmlType::F32, 32);
        }),
        "tensor 'b' (data bytes 32 to 96) overlaps tensor 'a' (data bytes 0 to 64)");
}

void TestGguf::corruptFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);

    // Each case gets a file named after its row, so the message must name it.
    QString file_name = QString::fromUtf8(QTest::currentDataTag());
    file_name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9]")), QStringLiteral("-"));
    file_name = QStringLiteral("corrupt-%1.gguf").arg(file_name);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(file_name);
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QCOMPARE(out.write(content), content.size());
    out.close();

    try {
        GgufFile::open(path.toStdString());
        QFAIL("the corrupt file was accepted");
    } catch (const FormatError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(file_name), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(QStringLiteral("expected \"%1\" in: %2").arg(expected, message)));
    }
}

void TestGguf::missingFileIsIoError()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("does-not-exist.gguf")).toStdString();
    try {
        GgufFile::open(path);
        QFAIL("opening a missing file did not throw");
    } catch (const IoError& error) {
        const std::string message = error.what();
        QVERIFY2(message.find(path) != std::string::npos, message.c_str());
        QVERIFY2(message.find("No such file or directory") != std::string::npos, message.c_str());
    }
}

void TestGguf::directoryIsIoError()
{
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString();
    try {
        GgufFile::open(path);
        QFAIL("opening a directory did not throw");
    } catch (const IoError& error) {
        const std::string message = error.what();
        QVERIFY2(message.find(path + ": not a regular file") != std::string::npos, message.c_str());
    }
}

QTEST_APPLESS_MAIN(TestGguf)
#include "test_gguf.moc"

// safetensors reader and writer: the Hugging Face model folders from the
// shared folder, writer round trips, and hand-made corrupt files and folders
// that must each fail with their own message.
#include "test_support.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "hf/safetensors.h"
#include "hf/safetensors_writer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <limits>
#include <optional>
#include <tuple>
#include <sys/resource.h>

using namespace quanta;

namespace {

constexpr const char* kHfModels = "models/hf";

// A safetensors file: the 8-byte length field, `header` and `data_bytes`
// bytes of data. `declared_length`, when set, is written to the length field
// in place of the header's real length.
std::vector<uint8_t> safetensors_bytes(std::string_view header, size_t data_bytes,
                                       std::optional<uint64_t> declared_length = std::nullopt)
{
    const uint64_t length = declared_length.value_or(header.size());
    std::vector<uint8_t> bytes(8);
    for (int i = 0; i < 8; ++i)
        bytes[i] = static_cast<uint8_t>(length >> (8 * i));
    bytes.insert(bytes.end(), header.begin(), header.end());
    for (size_t i = 0; i < data_bytes; ++i)
        bytes.push_back(static_cast<uint8_t>(i * 7 + 1));
    return bytes;
}

// One F32 tensor entry, e.g. entry("w", "[2, 2]", 0, 16).
std::string entry(std::string_view name, std::string_view shape, uint64_t begin, uint64_t end,
                  std::string_view dtype = "F32")
{
    return "\"" + std::string(name) + "\":{\"dtype\":\"" + std::string(dtype) + "\",\"shape\":" + std::string(shape) +
           ",\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
}

std::vector<uint8_t> pattern(size_t n_bytes, uint8_t seed)
{
    std::vector<uint8_t> bytes(n_bytes);
    for (size_t i = 0; i < n_bytes; ++i)
        bytes[i] = static_cast<uint8_t>(seed + i * 13 + (i >> 8));
    return bytes;
}

// A file holding F32 tensors of shape [2] named `names`, as the writer makes it.
std::vector<uint8_t> small_file(std::initializer_list<const char*> names)
{
    SafetensorsWriter writer;
    uint8_t seed = 1;
    for (const char* name : names)
        writer.add_tensor(name, SafetensorsDtype::F32, {2}, pattern(8, seed++));
    return writer.to_bytes();
}

std::vector<uint8_t> text_file(std::string_view text)
{
    return std::vector<uint8_t>(text.begin(), text.end());
}

QString message_of(const std::exception& error)
{
    return QString::fromUtf8(error.what());
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

// Writer input for the round trip: odd sizes, a scalar and an empty tensor.
struct RoundTripTensor {
    std::string name;
    SafetensorsDtype dtype;
    std::vector<uint64_t> shape;
    std::vector<uint8_t> bytes;
};

std::vector<RoundTripTensor> round_trip_tensors()
{
    return {
        {"model.b.f32", SafetensorsDtype::F32, {2, 3}, pattern(24, 1)},
        {"model.a.bf16", SafetensorsDtype::BF16, {5}, pattern(10, 2)},
        {"model.c.i32", SafetensorsDtype::I32, {2, 1, 2}, pattern(16, 3)},
        {"scalar.f64", SafetensorsDtype::F64, {}, pattern(8, 4)},
        {"empty.f16", SafetensorsDtype::F16, {0, 4}, {}},
        {"flags", SafetensorsDtype::BOOL, {3}, {1, 0, 1}},
        {"bytes.u8", SafetensorsDtype::U8, {7}, pattern(7, 5)},
        {"fp8.e4m3", SafetensorsDtype::F8_E4M3, {3, 3}, pattern(9, 6)},
        {"wide.i64", SafetensorsDtype::I64, {1}, pattern(8, 7)},
        {"half.u16", SafetensorsDtype::U16, {3}, pattern(6, 8)},
    };
}

// A model folder to build in a temporary directory, and the error that
// opening it must raise. "{dir}" in `expected` stands for the folder path.
struct FolderCase {
    const char* name;
    std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
    bool io_error;
    std::string expected;
};

std::string index_json(std::string_view weight_map)
{
    return "{\"metadata\":{\"total_size\":16},\"weight_map\":" + std::string(weight_map) + "}";
}

std::vector<FolderCase> folder_cases()
{
    const std::string index = "model.safetensors.index.json";
    const std::string shard1 = "model-00001-of-00002.safetensors";
    const std::string shard2 = "model-00002-of-00002.safetensors";
    const std::string two_shards = index_json("{\"a\":\"" + shard1 + "\",\"b\":\"" + shard2 + "\"}");
    return {
        {"missing shard",
         {{index, text_file(two_shards)}, {shard1, small_file({"a"})}},
         false,
         "{dir}/" + index + ": shard '" + shard2 + "' (holding 'b') is missing: {dir}/" + shard2 + " does not exist"},
        {"shard name with dot-dot",
         {{index, text_file(index_json("{\"w\":\"../outside.safetensors\"}"))}},
         false,
         "'weight_map' puts tensor 'w' in shard '../outside.safetensors', expected a file name inside the model folder"},
        {"shard name with slash",
         {{index, text_file(index_json("{\"w\":\"sub/model.safetensors\"}"))}},
         false,
         "'weight_map' puts tensor 'w' in shard 'sub/model.safetensors', expected a file name inside the model folder"},
        {"tensor absent from its shard",
         {{index, text_file(index_json("{\"a\":\"" + shard1 + "\",\"v\":\"" + shard1 + "\"}"))},
          {shard1, small_file({"a"})}},
         false,
         "'weight_map' puts tensor 'v' in {dir}/" + shard1 + ", but that file has no tensor 'v'"},
        {"name in two shards",
         {{index, text_file(two_shards)}, {shard1, small_file({"a", "b"})}, {shard2, small_file({"b"})}},
         false,
         "{dir}: tensor 'b' is in two files, {dir}/" + shard1 + " and {dir}/" + shard2},
        {"name in two files without index",
         {{"a.safetensors", small_file({"w", "x"})}, {"b.safetensors", small_file({"w"})}},
         false,
         "{dir}: tensor 'w' is in two files, {dir}/a.safetensors and {dir}/b.safetensors"},
        {"index not json",
         {{index, text_file("{\"weight_map\": {\"w\": ")}},
         false,
         "{dir}/" + index + ": the index is not valid JSON"},
        {"index without weight_map",
         {{index, text_file("{\"metadata\":{}}")}},
         false,
         "{dir}/" + index + ": the index has no 'weight_map' key"},
        {"empty weight_map",
         {{index, text_file(index_json("{}"))}},
         false,
         "'weight_map' is an empty object, expected a non-empty object"},
        {"weight_map value not a string",
         {{index, text_file(index_json("{\"w\":3}"))}},
         false,
         "'weight_map' puts tensor 'w' in the number 3, expected a shard file name"},
        {"duplicate name in index",
         {{index, text_file(index_json("{\"w\":\"" + shard1 + "\",\"w\":\"" + shard2 + "\"}"))}},
         false,
         "the index has duplicate key 'w' inside 'weight_map'"},
        {"corrupt shard",
         {{index, text_file(index_json("{\"w\":\"" + shard1 + "\"}"))},
          {shard1, safetensors_bytes("{}", 0, 4096)}},
         false,
         "{dir}/" + shard1 + ": the header ends at byte 4104"},
        {"empty folder", {}, true, "{dir}: no safetensors weights"},
        {"only other files", {{"config.json", text_file("{}")}}, true, "{dir}: no safetensors weights"},
    };
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void dtypeTable();
    void sharedFoldersOpen();
    void fp16FolderShards();
    void fp16FolderMatchesGguf();
    void quantizedFolder_data();
    void quantizedFolder();
    void roundTrip();
    void writerReplacesMetadata();
    void writerRejectsBadInput();
    void writerMissingFolder();
    void writerFullDiskKeepsOldFile();
    void gapsAreAccepted();
    void manyEntriesOpen();
    void corruptFile_data();
    void corruptFile();
    void corruptFolder_data();
    void corruptFolder();
    void folderPrefersSingleFile();
    void folderOpensAllFilesSorted();
    void missingTensorNamesFolder();
    void missingFileIsIoError();
    void missingFolderIsIoError();
};

void TestSafetensors::dtypeTable()
{
    const std::vector<std::tuple<SafetensorsDtype, const char*, size_t>> expected = {
        {SafetensorsDtype::BOOL, "BOOL", 1}, {SafetensorsDtype::U8, "U8", 1},
        {SafetensorsDtype::I8, "I8", 1},     {SafetensorsDtype::I16, "I16", 2},
        {SafetensorsDtype::U16, "U16", 2},   {SafetensorsDtype::F16, "F16", 2},
        {SafetensorsDtype::BF16, "BF16", 2}, {SafetensorsDtype::I32, "I32", 4},
        {SafetensorsDtype::U32, "U32", 4},   {SafetensorsDtype::F32, "F32", 4},
        {SafetensorsDtype::F64, "F64", 8},   {SafetensorsDtype::I64, "I64", 8},
        {SafetensorsDtype::U64, "U64", 8},   {SafetensorsDtype::F8_E4M3, "F8_E4M3", 1},
        {SafetensorsDtype::F8_E5M2, "F8_E5M2", 1},
    };
    for (const auto& [dtype, name, size] : expected) {
        QCOMPARE(safetensors_dtype_name(dtype), std::string_view(name));
        QCOMPARE(safetensors_dtype_size(dtype), size);
        QVERIFY2(safetensors_dtype_from_name(name) == dtype, name);
    }
    QVERIFY(!safetensors_dtype_from_name("f16"));
    QVERIFY(!safetensors_dtype_from_name(""));
    QVERIFY(!safetensors_dtype_from_name("Q4_0"));
}

void TestSafetensors::sharedFoldersOpen()
{
    if (!test::shared_available())
        QSKIP("shared models folder not found");

    const QDir root(QString::fromStdString(test::shared_path(kHfModels)));
    const QStringList folders = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    QVERIFY2(folders.size() >= 5, "expected the five Hugging Face folders under models/hf");
    for (const QString& folder : folders) {
        const std::string directory = root.filePath(folder).toStdString();
        std::unique_ptr<SafetensorsModel> model;
        try {
            model = SafetensorsModel::open_folder(directory);
        } catch (const Error& error) {
            QFAIL(qPrintable(QStringLiteral("%1 did not open: %2").arg(folder, error.what())));
        }
        QCOMPARE(model->directory(), directory);
        QVERIFY2(!model->tensors().empty(), qPrintable(folder));

        // The files' sizes add up, and each tensor lies inside its file.
        uint64_t total = 0;
        for (const std::string& path : model->files()) {
            total += uint64_t(QFileInfo(QString::fromStdString(path)).size());
            const auto file = SafetensorsFile::open(path);
            QCOMPARE(file->metadata().at("format"), std::string("pt"));
            QCOMPARE(file->data_offset() % 8, uint64_t(0));
        }
        QCOMPARE(model->total_file_bytes(), total);
        for (const SafetensorsTensor* tensor : model->tensors()) {
            QVERIFY2(tensor->data != nullptr, tensor->name.c_str());
            QVERIFY2(tensor->file != nullptr, tensor->name.c_str());
            const uint64_t file_size = uint64_t(QFileInfo(QString::fromStdString(*tensor->file)).size());
            QVERIFY2(tensor->file_offset + tensor->n_bytes <= file_size, tensor->name.c_str());
            QCOMPARE(model->find(tensor->name), tensor);
        }

        // Every folder keeps the embedding, the output and the norms in F16.
        for (const char* name : {"model.embed_tokens.weight", "lm_head.weight"}) {
            const SafetensorsTensor& tensor = model->tensor(name);
            QCOMPARE(tensor.dtype, SafetensorsDtype::F16);
            QCOMPARE(tensor.shape, (std::vector<uint64_t>{512, 256}));
            QCOMPARE(tensor.n_elements, uint64_t(512 * 256));
            QCOMPARE(tensor.n_bytes, uint64_t(512 * 256 * 2));
        }
        for (const char* name : {"model.norm.weight", "model.layers.4.input_layernorm.weight",
                                 "model.layers.0.post_attention_layernorm.weight"}) {
            QCOMPARE(model->tensor(name).dtype, SafetensorsDtype::F16);
            QCOMPARE(model->tensor(name).shape, (std::vector<uint64_t>{256}));
        }
    }
}

void TestSafetensors::fp16FolderShards()
{
    if (!test::shared_available())
        QSKIP("shared models folder not found");

    const std::string directory = test::shared_path(std::string(kHfModels) + "/stories260K-wide-fp16");
    const auto model = SafetensorsModel::open_folder(directory);
    const std::string shard1 = directory + "/model-00001-of-00002.safetensors";
    const std::string shard2 = directory + "/model-00002-of-00002.safetensors";
    QCOMPARE(model->files(), (std::vector<std::string>{shard1, shard2}));
    QCOMPARE(model->total_file_bytes(), uint64_t(2627504 + 1839672));

    // 48 tensors: embedding, output, final norm, and 9 per layer.
    const std::vector<const SafetensorsTensor*> tensors = model->tensors();
    QCOMPARE(tensors.size(), size_t(48));
    for (size_t i = 1; i < tensors.size(); ++i)
        QVERIFY(tensors[i - 1]->name < tensors[i]->name);

    // The index's split: layers 0-2 in shard 1, the rest in shard 2.
    QCOMPARE(*model->tensor("model.embed_tokens.weight").file, shard1);
    QCOMPARE(*model->tensor("model.layers.2.mlp.up_proj.weight").file, shard1);
    QCOMPARE(*model->tensor("model.layers.3.mlp.up_proj.weight").file, shard2);
    QCOMPARE(*model->tensor("model.norm.weight").file, shard2);
    QCOMPARE(*model->tensor("lm_head.weight").file, shard2);

    // Shapes are [out_features, in_features]. K and V have 16 heads of 8.
    const auto expect = [&](const std::string& name, std::vector<uint64_t> shape) {
        const SafetensorsTensor& tensor = model->tensor(name);
        QCOMPARE(tensor.dtype, SafetensorsDtype::F16);
        QCOMPARE(tensor.shape, shape);
    };
    for (int layer = 0; layer < 5; ++layer) {
        const std::string prefix = "model.layers." + std::to_string(layer) + ".";
        expect(prefix + "self_attn.q_proj.weight", {256, 256});
        expect(prefix + "self_attn.k_proj.weight", {128, 256});
        expect(prefix + "self_attn.v_proj.weight", {128, 256});
        expect(prefix + "self_attn.o_proj.weight", {256, 256});
        expect(prefix + "mlp.gate_proj.weight", {256, 256});
        expect(prefix + "mlp.up_proj.weight", {256, 256});
        expect(prefix + "mlp.down_proj.weight", {256, 256});
    }

    // The embedding has the lowest data offset in shard 1, so it starts the
    // data section.
    const auto file = SafetensorsFile::open(shard1);
    QCOMPARE(model->tensor("model.embed_tokens.weight").file_offset, file->data_offset());
}

void TestSafetensors::fp16FolderMatchesGguf()
{
    if (!test::shared_available())
        QSKIP("shared models folder not found");

    // The F16 GGUF of the same model contains the same F16 values for every
    // weight that the Hugging Face conversion does not permute (all but Q and
    // K), so the bytes the reader points at must equal the GGUF's.
    const auto model = SafetensorsModel::open_folder(test::shared_path(std::string(kHfModels) + "/stories260K-wide-fp16"));
    const auto gguf = GgufFile::open(test::shared_path("models/stories260K-wide/stories260K-wide-F16.gguf"));
    std::vector<std::pair<std::string, std::string>> pairs = {
        {"model.embed_tokens.weight", "token_embd.weight"},
        {"lm_head.weight", "output.weight"},
    };
    for (int layer = 0; layer < 5; ++layer) {
        const std::string hf = "model.layers." + std::to_string(layer) + ".";
        const std::string blk = "blk." + std::to_string(layer) + ".";
        pairs.push_back({hf + "self_attn.v_proj.weight", blk + "attn_v.weight"});
        pairs.push_back({hf + "self_attn.o_proj.weight", blk + "attn_output.weight"});
        pairs.push_back({hf + "mlp.gate_proj.weight", blk + "ffn_gate.weight"});
        pairs.push_back({hf + "mlp.up_proj.weight", blk + "ffn_up.weight"});
        pairs.push_back({hf + "mlp.down_proj.weight", blk + "ffn_down.weight"});
    }
    for (const auto& [hf_name, gguf_name] : pairs) {
        const SafetensorsTensor& tensor = model->tensor(hf_name);
        const GgufTensor& reference = gguf->tensor(gguf_name);
        QCOMPARE(reference.type, GgmlType::F16);
        QCOMPARE(tensor.n_bytes, reference.n_bytes);
        QVERIFY2(std::memcmp(tensor.data, reference.data, tensor.n_bytes) == 0, hf_name.c_str());
    }
}

void TestSafetensors::quantizedFolder_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("tensor_count");
    QTest::addColumn<QString>("packing"); // "gptq" or "awq"
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("group_size");

    // GPTQ: 3 + 5 layers * (2 norms + 7 linears * 4 tensors). AWQ has no g_idx.
    QTest::newRow("gptq 4-bit g128") << "stories260K-wide-gptq-4bit-g128" << 153 << "gptq" << 4 << 128;
    QTest::newRow("gptq 4-bit g32 act-order") << "stories260K-wide-gptq-4bit-g32-actorder-asym" << 153 << "gptq" << 4
                                              << 32;
    QTest::newRow("gptq 8-bit g128") << "stories260K-wide-gptq-8bit-g128" << 153 << "gptq" << 8 << 128;
    QTest::newRow("awq gemm 4-bit g128") << "stories260K-wide-awq-gemm-4bit-g128" << 118 << "awq" << 4 << 128;
}

void TestSafetensors::quantizedFolder()
{
    if (!test::shared_available())
        QSKIP("shared models folder not found");
    QFETCH(QString, folder);
    QFETCH(int, tensor_count);
    QFETCH(QString, packing);
    QFETCH(int, bits);
    QFETCH(int, group_size);

    const auto model =
        SafetensorsModel::open_folder(test::shared_path(std::string(kHfModels) + "/" + folder.toStdString()));
    QCOMPARE(model->files().size(), size_t(1));
    QCOMPARE(model->tensors().size(), size_t(tensor_count));

    const auto expect = [&](const std::string& name, SafetensorsDtype dtype, std::vector<uint64_t> shape) {
        const SafetensorsTensor* tensor = model->find(name);
        QVERIFY2(tensor != nullptr, name.c_str());
        QCOMPARE(tensor->dtype, dtype);
        QCOMPARE(tensor->shape, shape);
    };
    const uint64_t per_word = 32 / uint64_t(bits);
    const uint64_t groups = 256 / uint64_t(group_size);
    for (int layer = 0; layer < 5; ++layer) {
        const std::string prefix = "model.layers." + std::to_string(layer) + ".";
        // K inputs and N outputs of each linear: k_proj and v_proj have 128
        // outputs, the others 256.
        for (const char* linear : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                   "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
            const std::string name = prefix + linear;
            const bool narrow = std::strstr(linear, "k_proj") || std::strstr(linear, "v_proj");
            const uint64_t k = 256;
            const uint64_t n = narrow ? 128 : 256;
            QVERIFY2(model->find(name + ".weight") == nullptr, name.c_str());
            QVERIFY2(model->find(name + ".bias") == nullptr, name.c_str());
            if (packing == QLatin1String("gptq")) {
                expect(name + ".qweight", SafetensorsDtype::I32, {k / per_word, n});
                expect(name + ".qzeros", SafetensorsDtype::I32, {groups, n / per_word});
                expect(name + ".scales", SafetensorsDtype::F16, {groups, n});
                expect(name + ".g_idx", SafetensorsDtype::I32, {k});
            } else {
                expect(name + ".qweight", SafetensorsDtype::I32, {k, n / per_word});
                expect(name + ".qzeros", SafetensorsDtype::I32, {groups, n / per_word});
                expect(name + ".scales", SafetensorsDtype::F16, {groups, n});
                QVERIFY2(model->find(name + ".g_idx") == nullptr, name.c_str());
            }
        }
    }
    if (packing != QLatin1String("gptq"))
        return;

    // g_idx maps each input channel to its group: k / group_size without
    // act-order, a permutation with exactly group_size channels per group
    // with it. This reads tensor data through the mapping.
    const SafetensorsTensor& g_idx = model->tensor("model.layers.2.mlp.down_proj.g_idx");
    std::vector<int32_t> indices(256);
    std::memcpy(indices.data(), g_idx.data, g_idx.n_bytes);
    std::vector<int> members(groups, 0);
    bool natural_order = true;
    for (int k = 0; k < 256; ++k) {
        QVERIFY(indices[k] >= 0 && uint64_t(indices[k]) < groups);
        ++members[indices[k]];
        natural_order = natural_order && indices[k] == k / group_size;
    }
    for (int count : members)
        QCOMPARE(count, group_size);
    QCOMPARE(natural_order, !folder.contains(QLatin1String("actorder")));
}

void TestSafetensors::roundTrip()
{
    SafetensorsWriter writer;
    writer.add_metadata("quanta.note", "h\xC3\xA9llo \"quoted\"\n");
    for (const RoundTripTensor& tensor : round_trip_tensors())
        writer.add_tensor(tensor.name, tensor.dtype, tensor.shape, tensor.bytes);

    // Memory and disk hold the same bytes, and the temporary file is gone.
    const std::vector<uint8_t> bytes = writer.to_bytes();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("round-trip.safetensors")).toStdString();
    writer.write(path);
    QVERIFY(test::read_file(path) == bytes);
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".tmp")));

    // The header is JSON padded with spaces to a multiple of 8 bytes.
    const auto file = SafetensorsFile::open(path);
    QCOMPARE(file->file_size(), uint64_t(bytes.size()));
    QCOMPARE(file->data_offset() % 8, uint64_t(0));
    QCOMPARE(char(bytes[8]), '{');
    QVERIFY(bytes[file->data_offset() - 1] == '}' || bytes[file->data_offset() - 1] == ' ');

    // Metadata: the default format and the added key.
    QCOMPARE(file->metadata().size(), size_t(2));
    QCOMPARE(file->metadata().at("format"), std::string("pt"));
    QCOMPARE(file->metadata().at("quanta.note"), std::string("h\xC3\xA9llo \"quoted\"\n"));

    // Tensors come back sorted by name, contiguous in that order, with their
    // dtype, shape and exact bytes.
    std::vector<RoundTripTensor> expected = round_trip_tensors();
    std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    QCOMPARE(file->tensors().size(), expected.size());
    uint64_t next_offset = file->data_offset();
    for (size_t i = 0; i < expected.size(); ++i) {
        const SafetensorsTensor& read = file->tensors()[i];
        QCOMPARE(read.name, expected[i].name);
        QCOMPARE(read.dtype, expected[i].dtype);
        QCOMPARE(read.shape, expected[i].shape);
        QCOMPARE(read.n_bytes, uint64_t(expected[i].bytes.size()));
        QCOMPARE(read.n_elements, read.n_bytes / safetensors_dtype_size(read.dtype));
        QCOMPARE(read.file_offset, next_offset);
        QCOMPARE(read.file, &file->path());
        QVERIFY2(read.n_bytes == 0 || std::memcmp(read.data, expected[i].bytes.data(), read.n_bytes) == 0,
                 read.name.c_str());
        QCOMPARE(file->find(read.name), &read);
        next_offset += read.n_bytes;
    }
    QCOMPARE(next_offset, file->file_size());
    QCOMPARE(file->find("scalar.f64")->n_elements, uint64_t(1));
    QCOMPARE(file->find("empty.f16")->n_elements, uint64_t(0));
    QVERIFY(file->find("missing") == nullptr);
    QVERIFY(file->find("model.b") == nullptr);
}

void TestSafetensors::writerReplacesMetadata()
{
    SafetensorsWriter writer;
    writer.add_metadata("format", "np");
    writer.add_tensor("w", SafetensorsDtype::U8, {1}, {42});
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("metadata.safetensors")).toStdString();
    writer.write(path);
    const auto file = SafetensorsFile::open(path);
    QCOMPARE(file->metadata(), (std::map<std::string, std::string>{{"format", "np"}}));
}

void TestSafetensors::writerRejectsBadInput()
{
    SafetensorsWriter writer;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", SafetensorsDtype::F32, {4}, pattern(15, 1)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", SafetensorsDtype::F16, {2, 3}, pattern(6, 1)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", SafetensorsDtype::F32, {}, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("t", SafetensorsDtype::F32, {0}, pattern(4, 1)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             writer.add_tensor("t", SafetensorsDtype::F32, {uint64_t{1} << 62}, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("", SafetensorsDtype::U8, {1}, {0}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("__metadata__", SafetensorsDtype::U8, {1}, {0}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_tensor("bad\xC3(", SafetensorsDtype::U8, {1}, {0}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_metadata("bad\xFF", "value"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writer.add_metadata("key", "bad\xED\xA0\x80"));
    writer.add_tensor("t", SafetensorsDtype::F32, {1}, pattern(4, 1));
    try {
        writer.add_tensor("t", SafetensorsDtype::F32, {1}, pattern(4, 2));
        QFAIL("a duplicate tensor name was accepted");
    } catch (const std::invalid_argument& error) {
        QVERIFY2(message_of(error).contains(QStringLiteral("duplicate tensor name 't'")), error.what());
    }
    try {
        writer.add_tensor("u", SafetensorsDtype::BF16, {3}, pattern(5, 1));
        QFAIL("a wrong byte count was accepted");
    } catch (const std::invalid_argument& error) {
        QVERIFY2(message_of(error).contains(QStringLiteral("tensor 'u' has 5 bytes but dtype BF16 and its shape need 6")),
                 error.what());
    }

    // The rejected calls left nothing behind: one tensor, the default metadata.
    const std::vector<uint8_t> bytes = writer.to_bytes();
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("after-errors.safetensors")).toStdString();
    test::write_file(path, bytes);
    const auto file = SafetensorsFile::open(path);
    QCOMPARE(file->tensors().size(), size_t(1));
    QCOMPARE(file->metadata().size(), size_t(1));
}

void TestSafetensors::writerMissingFolder()
{
    SafetensorsWriter writer;
    writer.add_tensor("w", SafetensorsDtype::F32, {2}, pattern(8, 1));
    QTemporaryDir dir;
    const std::string missing = dir.filePath(QStringLiteral("no-such-folder/model.safetensors")).toStdString();
    try {
        writer.write(missing);
        QFAIL("write() into a missing folder did not throw");
    } catch (const IoError& error) {
        const QString message = message_of(error);
        QVERIFY2(message.contains(QString::fromStdString(missing + ": cannot create the temporary file")), error.what());
        QVERIFY2(message.contains(QStringLiteral("No such file or directory")), error.what());
    }

    // A folder in place of the output file is not replaced.
    try {
        writer.write(dir.path().toStdString());
        QFAIL("write() over a folder did not throw");
    } catch (const IoError& error) {
        QVERIFY2(message_of(error).contains(QStringLiteral("exists and is not a regular file")), error.what());
    }
}

void TestSafetensors::writerFullDiskKeepsOldFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("model.safetensors")).toStdString();
    const std::vector<uint8_t> old_content = {'o', 'l', 'd'};
    test::write_file(path, old_content);

    SafetensorsWriter writer;
    writer.add_tensor("big", SafetensorsDtype::F32, {16384}, std::vector<uint8_t>(16384 * 4, 1));

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
}

void TestSafetensors::gapsAreAccepted()
{
    // Bytes before, between and after the tensors belong to no tensor.
    const std::string header = "{" + entry("a", "[2]", 8, 16) + "," + entry("b", "[1]", 24, 28) + "}";
    const std::vector<uint8_t> bytes = safetensors_bytes(header, 40);
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("gaps.safetensors")).toStdString();
    test::write_file(path, bytes);

    const auto file = SafetensorsFile::open(path);
    QVERIFY(file->metadata().empty());
    QCOMPARE(file->tensors().size(), size_t(2));
    const SafetensorsTensor* b = file->find("b");
    QVERIFY(b != nullptr);
    QCOMPARE(b->file_offset, uint64_t(8 + header.size() + 24));
    QCOMPARE(b->data[0], bytes[8 + header.size() + 24]);
}

// A header with very many entries parses in one pass. The duplicate-key
// check once rescanned the header per entry, and 100,000 empty tensors took
// minutes; this file needs well under a second now.
void TestSafetensors::manyEntriesOpen()
{
    std::string header = "{";
    constexpr int kEntries = 60000;
    for (int i = 0; i < kEntries; ++i) {
        if (i > 0)
            header += ',';
        std::string name = std::to_string(i);
        name.insert(name.begin(), 't');
        header += entry(name, "[0]", 0, 0, "U8");
    }
    header += "}";
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("many.safetensors")).toStdString();
    test::write_file(path, safetensors_bytes(header, 0));
    const auto file = SafetensorsFile::open(path);
    QCOMPARE(file->tensors().size(), size_t(kEntries));
}

void TestSafetensors::corruptFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");

    const auto row = [](const char* name, const std::vector<uint8_t>& bytes, const std::string& expected) {
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()))
                            << QString::fromStdString(expected);
    };
    const auto single_entry_file = [](const std::string& tensor_entry, size_t data_bytes) {
        return safetensors_bytes("{" + tensor_entry + "}", data_bytes);
    };

    // Length field and header bounds.
    row("empty file", {}, "the file has 0 bytes, fewer than the 8-byte header length");
    row("cut in length field", {1, 0, 0, 0, 0}, "the file has 5 bytes, fewer than the 8-byte header length");
    row("header length 0", safetensors_bytes("", 8, 0), "the header length is 0, expected 2 to 104857600 bytes");
    row("header length above 100 MiB", safetensors_bytes("{}", 0, (uint64_t{100} << 20) + 1),
        "the header length is 104857601 bytes, more than the limit of 104857600");
    row("header length 2^64-1", safetensors_bytes("{}", 0, std::numeric_limits<uint64_t>::max()),
        "the header length is 18446744073709551615 bytes, more than the limit");
    row("header past end", safetensors_bytes("{}", 0, 1000),
        "the header ends at byte 1008 (8 + header length 1000) but the file has only 10 bytes");

    // JSON syntax and structure.
    row("bad json", safetensors_bytes("{\"w\": {", 0), "the header is not valid JSON: [json.exception.parse_error");
    row("header not utf-8", safetensors_bytes("{\"w\xFF\": 1}", 0), "the header is not valid JSON");
    row("header is an array", safetensors_bytes("[1, 2]", 0),
        "the header is an array of 2 elements, expected an object that maps tensor names to entries");
    row("entry not an object", safetensors_bytes("{\"w\": 5}", 0),
        "tensor 'w' is the number 5, expected an object with dtype, shape and data_offsets");
    row("duplicate tensor name", safetensors_bytes("{" + entry("w", "[1]", 0, 4) + "," + entry("w", "[1]", 4, 8) + "}", 8),
        "the header has duplicate tensor name 'w'");
    row("duplicate key in entry",
        safetensors_bytes("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
        "the header has duplicate key 'dtype' inside 'w'");

    // dtype.
    row("missing dtype", safetensors_bytes("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
        "tensor 'w' has no 'dtype' key");
    row("dtype not a string", safetensors_bytes("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
        "tensor 'w': 'dtype' is the number 7, expected a string such as \"F16\"");
    row("unknown dtype", single_entry_file(entry("w", "[1]", 0, 4, "F17"), 4),
        "tensor 'w' has unknown dtype \"F17\" (expected one of BOOL, U8, I8, I16, U16, F16, BF16, I32");

    // shape.
    row("missing shape", safetensors_bytes("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
        "tensor 'w' has no 'shape' key");
    row("shape not an array", single_entry_file(entry("w", "\"2x2\"", 0, 16), 16),
        "tensor 'w': 'shape' is the string \"2x2\", expected an array of non-negative integers");
    row("negative dimension", single_entry_file(entry("w", "[2, -2]", 0, 16), 16),
        "tensor 'w': dimension 1 of the shape is the number -2, expected a non-negative integer");
    row("fractional dimension", single_entry_file(entry("w", "[2.5]", 0, 8), 8),
        "tensor 'w': dimension 0 of the shape is the number 2.5, expected a non-negative integer");
    row("dimension as string", single_entry_file(entry("w", "[\"4\"]", 0, 16), 16),
        "tensor 'w': dimension 0 of the shape is the string \"4\"");
    row("element count overflow", single_entry_file(entry("w", "[4294967296, 4294967296, 2]", 0, 16), 16),
        "tensor 'w': the element count of shape [4294967296, 4294967296, 2] overflows 64 bits");
    row("byte size overflow", single_entry_file(entry("w", "[4611686018427387904]", 0, 16), 16),
        "tensor 'w': the byte size of shape [4611686018427387904] with dtype F32 overflows 64 bits");

    // data_offsets.
    row("missing data_offsets", safetensors_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
        "tensor 'w' has no 'data_offsets' key");
    row("three data_offsets", safetensors_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8),
        "tensor 'w': 'data_offsets' is an array of 3 elements (the number 0, the number 4, ...), expected an array of "
        "two non-negative integers [begin, end]");
    row("negative data offset",
        safetensors_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,4]}}", 4),
        "tensor 'w': 'data_offsets' is an array of 2 elements (the number -4, the number 4)");
    row("begin after end", single_entry_file(entry("w", "[0]", 16, 0), 16), "tensor 'w': data_offsets [16, 0] has begin after end");
    row("offsets past the data section", single_entry_file(entry("w", "[4]", 0, 16), 8),
        "tensor 'w': data_offsets [0, 16] ends past the data section, which has 8 bytes");
    row("offsets far past the end", single_entry_file(entry("w", "[1]", 18446744073709551612ull, 18446744073709551615ull, "U8"), 8),
        "data_offsets [18446744073709551612, 18446744073709551615] ends past the data section, which has 8 bytes");
    row("size mismatch", single_entry_file(entry("w", "[2, 2]", 0, 12), 16),
        "tensor 'w': data_offsets [0, 12] covers 12 bytes but dtype F32 with shape [2, 2] needs 16 bytes");
    row("overlapping tensors", safetensors_bytes("{" + entry("a", "[4]", 0, 16) + "," + entry("b", "[4]", 8, 24) + "}", 24),
        "tensor 'b' (data bytes 8 to 24) overlaps tensor 'a' (data bytes 0 to 16)");
    row("tensor inside another",
        safetensors_bytes("{" + entry("outer", "[8]", 0, 32) + "," + entry("inner", "[1]", 12, 16) + "," +
                              entry("z", "[1]", 32, 36) + "}",
                          36),
        "tensor 'inner' (data bytes 12 to 16) overlaps tensor 'outer' (data bytes 0 to 32)");

    // __metadata__.
    row("metadata not an object", safetensors_bytes("{\"__metadata__\":\"pt\"}", 0),
        "__metadata__ is the string \"pt\", expected an object of strings");
    row("non-string metadata", safetensors_bytes("{\"__metadata__\":{\"format\":\"pt\",\"version\":2}}", 0),
        "__metadata__ key 'version' is the number 2, expected a string");
    row("nested metadata", safetensors_bytes("{\"__metadata__\":{\"quant\":{\"bits\":\"4\"}}}", 0),
        "__metadata__ key 'quant' is an object, expected a string");
}

void TestSafetensors::corruptFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);

    // Each case gets a file named after its row, so the message must name it.
    QString file_name = QString::fromUtf8(QTest::currentDataTag());
    file_name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9]")), QStringLiteral("-"));
    file_name = QStringLiteral("corrupt-%1.safetensors").arg(file_name);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(file_name);
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    QCOMPARE(out.write(content), content.size());
    out.close();

    try {
        SafetensorsFile::open(path.toStdString());
        QFAIL("the corrupt file was accepted");
    } catch (const FormatError& error) {
        const QString message = message_of(error);
        QVERIFY2(message.startsWith(path + QStringLiteral(": ")), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(QStringLiteral("expected \"%1\" in: %2").arg(expected, message)));
    }
}

void TestSafetensors::corruptFolder_data()
{
    QTest::addColumn<int>("case_index");
    const std::vector<FolderCase> cases = folder_cases();
    for (size_t i = 0; i < cases.size(); ++i)
        QTest::newRow(cases[i].name) << int(i);
}

void TestSafetensors::corruptFolder()
{
    QFETCH(int, case_index);
    const FolderCase folder_case = folder_cases()[size_t(case_index)];

    // Build the folder.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string directory = dir.path().toStdString();
    for (const auto& [name, bytes] : folder_case.files)
        test::write_file(directory + "/" + name, bytes);
    const QString expected =
        QString::fromStdString(folder_case.expected).replace(QStringLiteral("{dir}"), dir.path());

    // Opening it raises the expected error type and message.
    const auto check = [&](const Error& error) {
        const QString message = message_of(error);
        QVERIFY2(message.contains(expected), qPrintable(QStringLiteral("expected \"%1\" in: %2").arg(expected, message)));
        QVERIFY2(message.contains(dir.path()), qPrintable(message));
    };
    try {
        SafetensorsModel::open_folder(directory);
        QFAIL("the corrupt folder was accepted");
    } catch (const FormatError& error) {
        QVERIFY2(!folder_case.io_error, qPrintable(QStringLiteral("FormatError instead of IoError: ") + error.what()));
        check(error);
    } catch (const IoError& error) {
        QVERIFY2(folder_case.io_error, qPrintable(QStringLiteral("IoError instead of FormatError: ") + error.what()));
        check(error);
    }
}

void TestSafetensors::folderPrefersSingleFile()
{
    // Without an index, model.safetensors is the model and other files (here
    // an older export with the same tensor name) are ignored.
    QTemporaryDir dir;
    const std::string directory = dir.path().toStdString();
    test::write_file(directory + "/model.safetensors", small_file({"w"}));
    test::write_file(directory + "/old-export.safetensors", small_file({"w", "old"}));
    const auto model = SafetensorsModel::open_folder(directory);
    QCOMPARE(model->files(), (std::vector<std::string>{directory + "/model.safetensors"}));
    QVERIFY(model->find("w") != nullptr);
    QVERIFY(model->find("old") == nullptr);
}

void TestSafetensors::folderOpensAllFilesSorted()
{
    // Without an index or model.safetensors, every *.safetensors file is
    // opened in name order; other files are skipped.
    QTemporaryDir dir;
    const std::string directory = dir.path().toStdString();
    test::write_file(directory + "/weights-b.safetensors", small_file({"b.weight"}));
    test::write_file(directory + "/weights-a.safetensors", small_file({"a.weight", "c.weight"}));
    test::write_file(directory + "/config.json", text_file("{}"));
    test::write_file(directory + "/notes.safetensors.txt", text_file("not weights"));
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("sub.safetensors")));

    const auto model = SafetensorsModel::open_folder(directory);
    QCOMPARE(model->files(), (std::vector<std::string>{directory + "/weights-a.safetensors",
                                                       directory + "/weights-b.safetensors"}));
    const std::vector<const SafetensorsTensor*> tensors = model->tensors();
    QCOMPARE(tensors.size(), size_t(3));
    QCOMPARE(tensors[0]->name, std::string("a.weight"));
    QCOMPARE(tensors[1]->name, std::string("b.weight"));
    QCOMPARE(tensors[2]->name, std::string("c.weight"));
    QCOMPARE(*tensors[1]->file, directory + "/weights-b.safetensors");
    QCOMPARE(model->total_file_bytes(),
             uint64_t(QFileInfo(QString::fromStdString(model->files()[0])).size() +
                      QFileInfo(QString::fromStdString(model->files()[1])).size()));
}

void TestSafetensors::missingTensorNamesFolder()
{
    QTemporaryDir dir;
    const std::string directory = dir.path().toStdString();
    test::write_file(directory + "/model.safetensors", small_file({"w"}));
    const auto model = SafetensorsModel::open_folder(directory);
    QVERIFY(model->find("missing.weight") == nullptr);
    try {
        model->tensor("missing.weight");
        QFAIL("tensor() of a missing name did not throw");
    } catch (const FormatError& error) {
        QVERIFY2(message_of(error).startsWith(dir.path() + QStringLiteral(": required tensor 'missing.weight' is missing")),
                 error.what());
    }
}

void TestSafetensors::missingFileIsIoError()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("does-not-exist.safetensors")).toStdString();
    try {
        SafetensorsFile::open(path);
        QFAIL("opening a missing file did not throw");
    } catch (const IoError& error) {
        QVERIFY2(message_of(error).contains(QString::fromStdString(path)), error.what());
        QVERIFY2(message_of(error).contains(QStringLiteral("No such file or directory")), error.what());
    }
    try {
        SafetensorsFile::open(dir.path().toStdString());
        QFAIL("opening a folder as a file did not throw");
    } catch (const IoError& error) {
        QVERIFY2(message_of(error).contains(QStringLiteral(": not a regular file")), error.what());
    }
}

void TestSafetensors::missingFolderIsIoError()
{
    QTemporaryDir dir;
    const std::string missing = dir.filePath(QStringLiteral("no-such-model")).toStdString();
    try {
        SafetensorsModel::open_folder(missing);
        QFAIL("opening a missing folder did not throw");
    } catch (const IoError& error) {
        QVERIFY2(message_of(error).startsWith(QString::fromStdString(missing + ": cannot open the model folder")),
                 error.what());
    }

    const std::string file = dir.filePath(QStringLiteral("model.safetensors")).toStdString();
    test::write_file(file, small_file({"w"}));
    try {
        SafetensorsModel::open_folder(file);
        QFAIL("opening a file as a folder did not throw");
    } catch (const IoError& error) {
        QVERIFY2(message_of(error).startsWith(QString::fromStdString(file + ": not a folder")), error.what());
    }
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"

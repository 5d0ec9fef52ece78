// Broken Hugging Face folders. Each gives an error that names the file, the
// tensor where there is one, and the expected value.
#include "core/error.h"
#include "engine/model.h"
#include "hf/safetensors.h"
#include "hf/safetensors_writer.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace quanta;
using namespace quanta::test;

namespace {

// Copies a shared folder's files into `target` (a test's temporary folder).
void copy_folder(const std::string& shared_folder, const QString& target)
{
    const QDir source(QString::fromStdString(shared_path("models/hf/" + shared_folder)));
    QDir().mkpath(target);
    for (const QString& name : source.entryList(QDir::Files))
        QFile::copy(source.filePath(name), target + "/" + name);
}

void replace_in_file(const QString& path, const QByteArray& from, const QByteArray& to)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray text = file.readAll();
    file.close();
    QVERIFY2(text.contains(from), from.constData());
    text.replace(from, to);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
}

// Rewrites `path` tensor by tensor; `edit` may change a tensor's dtype,
// shape and bytes, or return false to drop it.
using TensorEdit = std::function<bool(const std::string& name, SafetensorsDtype& dtype, std::vector<uint64_t>& shape,
                                      std::vector<uint8_t>& bytes)>;

void rewrite_safetensors(const std::string& path, const TensorEdit& edit)
{
    SafetensorsWriter writer;
    {
        const auto file = SafetensorsFile::open(path);
        for (const SafetensorsTensor& tensor : file->tensors()) {
            SafetensorsDtype dtype = tensor.dtype;
            std::vector<uint64_t> shape = tensor.shape;
            std::vector<uint8_t> bytes(tensor.data, tensor.data + tensor.n_bytes);
            if (edit(tensor.name, dtype, shape, bytes))
                writer.add_tensor(tensor.name, dtype, shape, std::move(bytes));
        }
    }
    writer.write(path);
}

// Loads `folder` and returns the error's type name and message.
std::pair<QString, QString> load_error(const QString& folder)
{
    LoadOptions options;
    options.device = "cpu";
    try {
        Model::load(folder.toStdString(), options);
    } catch (const UnsupportedError& e) {
        return {QStringLiteral("UnsupportedError"), QString::fromStdString(e.what())};
    } catch (const FormatError& e) {
        return {QStringLiteral("FormatError"), QString::fromStdString(e.what())};
    } catch (const IoError& e) {
        return {QStringLiteral("IoError"), QString::fromStdString(e.what())};
    }
    return {QStringLiteral("none"), QString()};
}

const char* const kGptq = "stories260K-wide-gptq-4bit-g128";
const char* const kActOrder = "stories260K-wide-gptq-4bit-g32-actorder-asym";

} // namespace

class TestHfErrors : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void brokenFolderNamesTheProblem_data();
    void brokenFolderNamesTheProblem();
};

void TestHfErrors::initTestCase()
{
    if (!shared_available())
        QSKIP("the shared models folder is not available");
}

void TestHfErrors::brokenFolderNamesTheProblem_data()
{
    // Each row: the source folder, how to break it, the error type and
    // fragments its message must contain.
    using Break = std::function<void(const QString& folder)>;
    QTest::addColumn<QString>("source");
    QTest::addColumn<Break>("damage");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QStringList>("fragments");

    const auto st = [](const QString& folder) { return (folder + "/model.safetensors").toStdString(); };

    QTest::newRow("no config.json") << kGptq << Break([](const QString& f) { QFile::remove(f + "/config.json"); })
                                    << "IoError" << QStringList{"no config.json"};
    QTest::newRow("config.json not JSON")
        << kGptq << Break([](const QString& f) { replace_in_file(f + "/config.json", "{", "{{"); }) << "FormatError"
        << QStringList{"config.json", "not valid JSON"};
    QTest::newRow("unknown architecture")
        << kGptq << Break([](const QString& f) { replace_in_file(f + "/config.json", "\"llama\"", "\"gpt_neox\""); })
        << "UnsupportedError" << QStringList{"config.json", "gpt_neox", "llama, mistral, qwen2"};
    QTest::newRow("unsupported bits")
        << kGptq << Break([](const QString& f) {
               replace_in_file(f + "/config.json", "\"bits\": 4", "\"bits\": 5");
           })
        << "UnsupportedError" << QStringList{"config.json", "5 bits", "2, 3, 4 and 8"};
    QTest::newRow("unsupported checkpoint format")
        << kGptq << Break([](const QString& f) {
               replace_in_file(f + "/config.json", "\"checkpoint_format\": \"gptq\"", "\"checkpoint_format\": \"marlin\"");
           })
        << "UnsupportedError" << QStringList{"config.json", "marlin"};
    QTest::newRow("AWQ GEMV layout")
        << "stories260K-wide-awq-gemm-4bit-g128" << Break([](const QString& f) {
               replace_in_file(f + "/config.json", "\"version\": \"gemm\"", "\"version\": \"gemv\"");
           })
        << "UnsupportedError" << QStringList{"config.json", "gemv"};
    QTest::newRow("missing shard")
        << "stories260K-wide-fp16"
        << Break([](const QString& f) { QFile::remove(f + "/model-00002-of-00002.safetensors"); }) << "FormatError"
        << QStringList{"model-00002-of-00002.safetensors"};
    QTest::newRow("header past the end")
        << kGptq << Break([](const QString& f) { QFile(f + "/model.safetensors").resize(100); }) << "FormatError"
        << QStringList{"model.safetensors", "header"};
    QTest::newRow("no safetensors file")
        << kGptq << Break([](const QString& f) { QFile::remove(f + "/model.safetensors"); }) << "IoError"
        << QStringList{"safetensors"};
    QTest::newRow("scales not F16")
        << kGptq << Break([st](const QString& f) {
               rewrite_safetensors(st(f), [](const std::string& name, SafetensorsDtype& dtype, auto&, auto& bytes) {
                   if (name == "model.layers.1.mlp.up_proj.scales") {
                       dtype = SafetensorsDtype::BF16;
                       std::fill(bytes.begin(), bytes.end(), uint8_t{0x3c});
                   }
                   return true;
               });
           })
        << "FormatError" << QStringList{"model.safetensors", "model.layers.1.mlp.up_proj.scales", "BF16", "F16"};
    QTest::newRow("shape does not match config.json")
        << kGptq << Break([](const QString& f) {
               replace_in_file(f + "/config.json", "\"intermediate_size\": 256", "\"intermediate_size\": 512");
           })
        << "FormatError" << QStringList{"model.safetensors", "model.layers.0.mlp.gate_proj.qweight", "expected [32, 512]"};
    QTest::newRow("missing qzeros")
        << kGptq << Break([st](const QString& f) {
               rewrite_safetensors(st(f), [](const std::string& name, auto&, auto&, auto&) {
                   return name != "model.layers.2.self_attn.v_proj.qzeros";
               });
           })
        << "FormatError" << QStringList{"model.layers.2.self_attn.v_proj.qzeros", "missing"};
    QTest::newRow("missing weight")
        << "stories260K-wide-fp16" << Break([](const QString& f) {
               rewrite_safetensors((f + "/model-00001-of-00002.safetensors").toStdString(),
                                   [](const std::string& name, auto&, auto&, auto&) {
                                       return name != "model.layers.1.self_attn.o_proj.weight";
                                   });
           })
        << "FormatError" << QStringList{"model.layers.1.self_attn.o_proj.weight"};
    QTest::newRow("g_idx out of range")
        << kActOrder << Break([st](const QString& f) {
               rewrite_safetensors(st(f), [](const std::string& name, auto&, auto&, auto& bytes) {
                   if (name == "model.layers.3.mlp.down_proj.g_idx")
                       std::fill(bytes.begin(), bytes.begin() + 4, uint8_t{0x7f});
                   return true;
               });
           })
        << "FormatError" << QStringList{"model.safetensors", "model.layers.3.mlp.down_proj.g_idx", "element 0"};
    QTest::newRow("act-order without g_idx")
        << kActOrder << Break([st](const QString& f) {
               rewrite_safetensors(st(f), [](const std::string& name, auto&, auto&, auto&) {
                   return name != "model.layers.0.self_attn.q_proj.g_idx";
               });
           })
        << "FormatError" << QStringList{"model.layers.0.self_attn.q_proj.g_idx", "desc_act"};
    QTest::newRow("packed weights without a quantization config")
        << kGptq << Break([](const QString& f) {
               QFile::remove(f + "/quantize_config.json");
               replace_in_file(f + "/config.json", "\"quantization_config\"", "\"unused_config\"");
           })
        << "FormatError" << QStringList{"model.safetensors", "qweight", "quantize_config.json"};
    QTest::newRow("quantization_config not an object")
        << kGptq << Break([](const QString& f) {
               QFile::remove(f + "/quantize_config.json");
               replace_in_file(f + "/config.json", "\"quantization_config\": {", "\"quantization_config\": [1], \"x\": {");
           })
        << "FormatError" << QStringList{"config.json", "quantization_config", "expected an object"};
    QTest::newRow("config.json is a folder")
        << kGptq << Break([](const QString& f) {
               QFile::remove(f + "/config.json");
               QDir().mkpath(f + "/config.json");
           })
        << "IoError" << QStringList{"config.json", "not a regular file"};
    QTest::newRow("qwen2 config over llama weights")
        << "stories260K-wide-fp16" << Break([](const QString& f) {
               replace_in_file(f + "/config.json", "\"model_type\": \"llama\"", "\"model_type\": \"qwen2\"");
           })
        << "FormatError" << QStringList{"model.layers.0.self_attn.q_proj.bias"};
    QTest::newRow("no tokenizer")
        << kGptq << Break([](const QString& f) { QFile::remove(f + "/tokenizer.json"); }) << "IoError"
        << QStringList{"tokenizer"};
}

void TestHfErrors::brokenFolderNamesTheProblem()
{
    QFETCH(QString, source);
    QFETCH(std::function<void(const QString&)>, damage);
    QFETCH(QString, type);
    QFETCH(QStringList, fragments);
    QTemporaryDir dir;
    const QString folder = dir.filePath(source);
    copy_folder(source.toStdString(), folder);
    damage(folder);

    const auto [found_type, message] = load_error(folder);
    QVERIFY2(found_type == type, qPrintable(found_type + ": " + message));
    for (const QString& fragment : fragments)
        QVERIFY2(message.contains(fragment), qPrintable(fragment + " not in: " + message));
}

QTEST_GUILESS_MAIN(TestHfErrors)
#include "test_hf_errors.moc"

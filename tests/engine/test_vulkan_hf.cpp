// GPTQ, AWQ and F16 Hugging Face folders on the Vulkan backend (lavapipe in
// CI). The shared folders are checked against their references, with every
// layer on the GPU and split with the CPU. The writer's layouts (act-order,
// 2/3/8 bits, AWQ) are checked against the same weights on the CPU's F32 path.
// The GPU runs the plain kernel paths; the int8 path's whole-model checks are
// in test_vulkan_paths.cpp.
#include "engine/model.h"
#include "engine/session.h"
#include "hf/hf_quantizer.h"
#include "hf_fixtures.h"
#include "reference_runs.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace quanta;
using namespace quanta::test;

namespace {

const char* const kDevice = "llvmpipe";
const char* const kWideF32 = "models/stories260K-wide/stories260K-wide-F32.gguf";
const std::vector<TokenId> kPrompt = {1, 403, 407, 261, 378}; // <s> Once upon a time

// All layers on the GPU: the plain paths' F32 arithmetic with an F16 KV
// cache, which moves this model's logits by up to about 0.02 (measured with
// llama.cpp).
constexpr double kGpuTolerance = 0.05;
// Split with the CPU: the CPU layers quantize their activations to 8 bits
// (up to about 0.4 on this model).
constexpr double kSplitTolerance = 0.5;

std::shared_ptr<Model> load(const std::string& path, const std::string& device, int gpu_layers, KernelMode kernels)
{
    LoadOptions options;
    options.device = device;
    options.gpu_layers = gpu_layers;
    options.kernels = kernels;
    options.n_threads = 2;
    options.n_ctx = 256;
    return Model::load(path, options);
}

double max_difference(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    return worst;
}

} // namespace

class TestVulkanHf : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void sharedFolder_data();
    void sharedFolder();
    void writerLayout_data();
    void writerLayout();
};

void TestVulkanHf::initTestCase()
{
    // The int8 path rounds prompt activations to 8 bits, which moves these
    // logits by up to about 0.6, past kGpuTolerance. The plain paths keep F32
    // activations. Kernels read this when a model loads.
    qputenv("QUANTA_VK_PATHS", "plain");
    if (!shared_available())
        QSKIP("the shared models folder is not available");
}

void TestVulkanHf::sharedFolder_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("gpu_layers");
    for (const char* folder : {"stories260K-wide-fp16", "stories260K-wide-gptq-4bit-g128",
                               "stories260K-wide-gptq-4bit-g32-actorder-asym", "stories260K-wide-gptq-8bit-g128",
                               "stories260K-wide-awq-gemm-4bit-g128"}) {
        QTest::newRow((std::string(folder) + " all layers").c_str()) << folder << -1;
        QTest::newRow((std::string(folder) + " 3 of 5 layers").c_str()) << folder << 3;
    }
}

void TestVulkanHf::sharedFolder()
{
    QFETCH(QString, folder);
    QFETCH(int, gpu_layers);
    const std::shared_ptr<Model> model =
        load(shared_path("models/hf/" + folder.toStdString()), kDevice, gpu_layers, KernelMode::Fast);
    QVERIFY2(model->gpu(), model->info().gpu_fallback_reason.c_str());
    QCOMPARE(model->info().gpu_layers, gpu_layers < 0 ? 5 : gpu_layers);

    const QJsonArray prompts =
        read_json("reference/hf/greedy.json")["models"].toObject()[folder].toObject()["prompts"].toArray();
    QCOMPARE(prompts.size(), 3);
    const double tolerance = gpu_layers < 0 ? kGpuTolerance : kSplitTolerance;
    for (int i = 0; i < prompts.size(); ++i) {
        const QJsonObject prompt = prompts[i].toObject();
        const std::vector<TokenId> ids = to_ids(prompt["prompt_ids"].toArray());
        const std::vector<float> expected = read_f32_file(
            shared_path("reference/hf/logits/" + folder.toStdString() + ".prompt" + std::to_string(i) + ".f32"));
        const double error = max_difference(prompt_logits(model, ids, KvCacheType::F16), expected);
        QVERIFY2(error <= tolerance, qPrintable(QString::number(error)));

        const int steps = comparable_steps(prompt["top5_per_step"].toArray(), tolerance * 2);
        const std::vector<TokenId> generated = to_ids(prompt["generated_ids"].toArray());
        Session session(model);
        QCOMPARE(greedy(session, ids, steps), std::vector<TokenId>(generated.begin(), generated.begin() + steps));
    }
}

void TestVulkanHf::writerLayout_data()
{
    QTest::addColumn<int>("index");
    const std::vector<CheckpointVariant> variants = checkpoint_variants();
    for (size_t i = 0; i < variants.size(); ++i)
        QTest::newRow(variants[i].name.c_str()) << static_cast<int>(i);
}

// Every layout the writer makes, fully on the GPU, against its own weights
// dequantized to F32 and run with the CPU's reference kernels.
void TestVulkanHf::writerLayout()
{
    QFETCH(int, index);
    const CheckpointVariant variant = checkpoint_variants()[static_cast<size_t>(index)];
    QTemporaryDir dir;
    const std::string folder = dir.filePath("checkpoint").toStdString();
    const std::string twin = dir.filePath("twin.gguf").toStdString();
    write_quantized_checkpoint(shared_path(kWideF32), folder, variant.options);
    write_f32_twin(folder, shared_path(kWideF32), twin);

    const std::vector<float> expected =
        prompt_logits(load(twin, "cpu", 0, KernelMode::Reference), kPrompt, KvCacheType::F32);
    const std::shared_ptr<Model> model = load(folder, kDevice, -1, KernelMode::Fast);
    QVERIFY2(model->info().gpu_output, model->info().gpu_fallback_reason.c_str());
    const double error = max_difference(prompt_logits(model, kPrompt, KvCacheType::F16), expected);
    QVERIFY2(error <= kGpuTolerance, qPrintable(QString::number(error)));
}

QTEST_GUILESS_MAIN(TestVulkanHf)
#include "test_vulkan_hf.moc"

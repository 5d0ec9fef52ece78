// The whole model on the Vulkan backend, which is lavapipe in CI. The suite
// compares stories260K's greedy ids with llama.cpp's, with every layer on
// the GPU and split between GPU and CPU. It compares the widened quantized
// copies' prompt logits with the exact F32 references. It also checks the
// fallback when device memory runs out and the memory accounting through
// load, chat and unload. Every model here runs the plain kernel paths; the
// int8 path's whole-model checks are in test_vulkan_paths.cpp.

#include "core/error.h"
#include "engine/model.h"
#include "engine/session.h"
#include "reference_runs.h"
#include "test_support.h"
#include "vulkan/vulkan_decoder.h"
#include "vulkan/vulkan_memory.h"

#include <QtTest>

using namespace quanta;
using namespace quanta::test;

namespace {

// The software Vulkan driver CI has; "auto" skips it on purpose.
const char* const kDevice = "llvmpipe";

LoadOptions gpu_options(int gpu_layers)
{
    LoadOptions options;
    options.device = kDevice;
    options.gpu_layers = gpu_layers;
    options.n_threads = 2;
    options.n_ctx = 256;
    return options;
}

} // namespace

class TestVulkanGeneration : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void storiesGreedyIds_data();
    void storiesGreedyIds();
    void wideTypes_data();
    void wideTypes();
    void autoSkipsSoftwareDevice();
    void unknownDeviceFallsBack();
    void allocationFailureRetries();
    void allocationFailureFallsBack();
    void accountingFollowsLifetime();
};

void TestVulkanGeneration::initTestCase()
{
    // The int8 path rounds prompt activations to 8 bits, which moves these
    // logits by up to about 0.3, far past the exact tolerances below. The
    // plain paths keep F32 activations. Kernels read this when a model loads.
    qputenv("QUANTA_VK_PATHS", "plain");
    if (!shared_available())
        QSKIP("the shared models folder is not available");
}

void TestVulkanGeneration::storiesGreedyIds_data()
{
    QTest::addColumn<int>("gpu_layers");
    QTest::addColumn<bool>("gpu_output");
    QTest::newRow("all layers") << -1 << true;
    QTest::newRow("3 of 5 layers") << 3 << false;
    QTest::newRow("1 of 5 layers") << 1 << false;
}

void TestVulkanGeneration::storiesGreedyIds()
{
    QFETCH(int, gpu_layers);
    QFETCH(bool, gpu_output);
    const QJsonObject reference = read_json("reference/stories260K-greedy.json");
    QVERIFY(!reference.isEmpty());
    const auto model = Model::load(shared_path("models/stories260K.gguf"), gpu_options(gpu_layers));
    const ModelInfo& info = model->info();
    QVERIFY2(info.gpu_fallback_reason.empty(), info.gpu_fallback_reason.c_str());
    QCOMPARE(info.gpu_layers, gpu_layers < 0 ? info.n_layer : gpu_layers);
    QCOMPARE(info.gpu_output, gpu_output);
    QVERIFY(info.gpu_device.find("llvmpipe") != std::string::npos);

    SessionOptions options;
    options.n_ctx = 256;
    for (const QJsonValue& value : reference["prompts"].toArray()) {
        const QJsonObject prompt = value.toObject();
        const std::vector<TokenId> prompt_ids = to_ids(prompt["prompt_ids"].toArray());
        const std::vector<TokenId> expected = to_ids(prompt["generated_ids"].toArray());
        Session session(model, options);
        QCOMPARE(greedy(session, prompt_ids, static_cast<int>(expected.size())), expected);
    }
}

void TestVulkanGeneration::wideTypes_data()
{
    QTest::addColumn<QString>("type");
    for (const char* type :
         {"F32", "F16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q2_K", "Q4_K_M", "Q5_K_M", "Q6_K", "IQ4_NL"})
        QTest::newRow(type) << QString::fromLatin1(type);
}

void TestVulkanGeneration::wideTypes()
{
    QFETCH(QString, type);
    const QJsonObject reference = read_json("reference/stories260K-wide/greedy.json");
    const QString file_name = "stories260K-wide-" + type + ".gguf";
    const QJsonObject entry = reference["models"].toObject()[file_name].toObject();
    QVERIFY(!entry.isEmpty());
    const auto model = Model::load(shared_path("models/stories260K-wide/" + file_name.toStdString()), gpu_options(-1));
    QVERIFY2(model->info().gpu_output, model->info().gpu_fallback_reason.c_str());

    // Tolerance: 0.05 for every type. The plain paths' shaders dequantize
    // exactly and sum in F32, so what remains is the F16 KV cache (up to
    // about 0.02 here) and summation order.
    const bool exact_type = type == "F32" || type == "F16";
    int index = 0;
    for (const QJsonValue& value : entry["prompts"].toArray()) {
        const QJsonObject prompt = value.toObject();
        const std::vector<TokenId> ids = to_ids(prompt["prompt_ids"].toArray());
        const std::vector<float> expected = read_f32_file(shared_path("reference/stories260K-wide/logits/" +
                                                                      type.toStdString() + ".dequant-f32.prompt" +
                                                                      std::to_string(index++) + ".f32"));
        const std::vector<float> logits = prompt_logits(model, ids, KvCacheType::F16);
        QCOMPARE(logits.size(), expected.size());
        const float difference = max_abs_diff(logits.data(), expected.data(), logits.size());
        QVERIFY2(difference <= 0.05f, qPrintable(QStringLiteral("max |difference| %1").arg(difference)));

        // Greedy ids up to the first near-tie of llama.cpp's run.
        const std::vector<TokenId> generated_expected = to_ids(prompt["generated_ids"].toArray());
        const int steps = comparable_steps(prompt["top5_per_step"].toArray(), exact_type ? 0.05 : 0.5);
        SessionOptions options;
        options.n_ctx = 256;
        Session session(model, options);
        const std::vector<TokenId> generated = greedy(session, ids, static_cast<int>(generated_expected.size()));
        QVERIFY(generated.size() >= static_cast<size_t>(steps));
        for (int step = 0; step < steps; ++step)
            QCOMPARE(generated[static_cast<size_t>(step)], generated_expected[static_cast<size_t>(step)]);
    }
}

void TestVulkanGeneration::autoSkipsSoftwareDevice()
{
    // On a machine whose only Vulkan device is lavapipe, "auto" keeps the
    // model on the CPU and reports the reason. With a real GPU it picks that GPU.
    LoadOptions options;
    options.n_ctx = 256;
    const auto model = Model::load(shared_path("models/stories260K.gguf"), options);
    if (model->info().gpu_layers > 0)
        QSKIP("this machine has a hardware Vulkan device");
    QVERIFY(!model->gpu());
    QVERIFY2(model->info().gpu_fallback_reason.find("software") != std::string::npos,
             model->info().gpu_fallback_reason.c_str());
}

void TestVulkanGeneration::unknownDeviceFallsBack()
{
    LoadOptions options = gpu_options(-1);
    options.device = "no-such-gpu";
    const auto model = Model::load(shared_path("models/stories260K.gguf"), options);
    QVERIFY(!model->gpu());
    QCOMPARE(model->info().gpu_layers, 0);
    QVERIFY2(model->info().gpu_fallback_reason.find("no-such-gpu") != std::string::npos,
             model->info().gpu_fallback_reason.c_str());
    // The CPU still generates.
    Session session(model);
    QCOMPARE(greedy(session, {1, 403, 407}, 4).size(), size_t(4));
}

void TestVulkanGeneration::allocationFailureRetries()
{
    // The first memory block fails: the load retries with fewer layers,
    // reports why, and the model still works.
    LoadOptions options = gpu_options(-1);
    options.fail_gpu_allocation_at = 1;
    const auto model = Model::load(shared_path("models/stories260K.gguf"), options);
    const ModelInfo& info = model->info();
    QVERIFY(model->gpu());
    QVERIFY(info.gpu_layers > 0 && info.gpu_layers < info.n_layer);
    QVERIFY2(info.gpu_fallback_reason.find("out of device memory") != std::string::npos,
             info.gpu_fallback_reason.c_str());
    QVERIFY2(info.gpu_fallback_reason.find("injected") != std::string::npos, info.gpu_fallback_reason.c_str());

    const QJsonObject reference = read_json("reference/stories260K-greedy.json");
    const QJsonObject prompt = reference["prompts"].toArray()[0].toObject();
    const std::vector<TokenId> expected = to_ids(prompt["generated_ids"].toArray());
    SessionOptions session_options;
    session_options.n_ctx = 256;
    Session session(model, session_options);
    QCOMPARE(greedy(session, to_ids(prompt["prompt_ids"].toArray()), static_cast<int>(expected.size())), expected);
}

void TestVulkanGeneration::allocationFailureFallsBack()
{
    // Every memory block fails: each retry fails too, and the model ends up
    // on the CPU with the reason.
    LoadOptions options = gpu_options(-1);
    options.fail_gpu_allocation_at = 1;
    options.fail_later_gpu_allocations = true;
    const auto model = Model::load(shared_path("models/stories260K.gguf"), options);
    QVERIFY(!model->gpu());
    QCOMPARE(model->info().gpu_layers, 0);
    QVERIFY2(model->info().gpu_fallback_reason.find("out of device memory") != std::string::npos,
             model->info().gpu_fallback_reason.c_str());
    Session session(model);
    QCOMPARE(greedy(session, {1, 403, 407}, 4).size(), size_t(4));
}

void TestVulkanGeneration::accountingFollowsLifetime()
{
    std::shared_ptr<vk::DeviceMemory> memory;
    uint64_t weights = 0;
    {
        const auto model = Model::load(shared_path("models/stories260K.gguf"), gpu_options(-1));
        memory = model->gpu_memory();
        QVERIFY(memory);

        // After load: weights for every layer and the output, no KV cache.
        const vk::MemoryReport loaded = memory->report();
        weights = loaded.category(vk::MemoryCategory::Weights);
        QVERIFY(weights >= model->info().weight_bytes - static_cast<uint64_t>(model->info().n_vocab) * 64 * 4);
        QCOMPARE(loaded.category(vk::MemoryCategory::KvCache), uint64_t(0));
        QCOMPARE(loaded.weights_by_layer.size(), size_t(model->info().n_layer + 1));
        uint64_t live = 0;
        for (const auto& heap : loaded.heaps)
            live += heap.live;
        QCOMPARE(live, loaded.live_bytes());

        // During a chat: the session's KV cache and activations are added.
        {
            SessionOptions options;
            options.n_ctx = 128;
            Session session(model, options);
            greedy(session, {1, 403, 407}, 8);
            const vk::MemoryReport chatting = memory->report();
            const uint64_t kv_bytes = 2ull * 5 * 128 * 32 * 2; // K and V, 5 layers, 128 positions, 4x8 values, F16
            QCOMPARE(chatting.category(vk::MemoryCategory::KvCache), kv_bytes);
            QVERIFY(chatting.category(vk::MemoryCategory::Scratch) > 0);
            QCOMPARE(chatting.category(vk::MemoryCategory::Weights), weights);
        }

        // After the chat: back to the weights alone.
        const vk::MemoryReport after = memory->report();
        QCOMPARE(after.category(vk::MemoryCategory::KvCache), uint64_t(0));
        QCOMPARE(after.category(vk::MemoryCategory::Scratch), uint64_t(0));
        QCOMPARE(after.live_bytes(), weights);
    }
    // After unload: nothing left, and every block returned to the driver.
    const vk::MemoryReport unloaded = memory->report();
    QCOMPARE(unloaded.live_bytes(), uint64_t(0));
    QCOMPARE(unloaded.live_allocations, size_t(0));
    QCOMPARE(unloaded.blocks, size_t(0));
}

QTEST_APPLESS_MAIN(TestVulkanGeneration)
#include "test_vulkan_generation.moc"

// The memory planner against what the engine allocates on lavapipe. The
// plan made from a file's header must match the device memory accounting
// (vk::MemoryReport) after the load, with every layer and with a split, and
// the host buffers of the session. The layer count it gives for a small
// budget must be the one loading places.

#include "arch_cases.h"
#include "core/error.h"
#include "engine/gpu_offload.h"
#include "engine/memory_plan.h"
#include "engine/model.h"
#include "engine/session.h"
#include "memory_plan_checks.h"
#include "test_support.h"
#include "vulkan/vulkan_decoder.h"
#include "vulkan/vulkan_devices.h"
#include "vulkan/vulkan_memory.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace quanta;
using namespace quanta::test;

namespace {

// The software Vulkan driver CI has; "auto" skips it on purpose.
const char* const kDevice = "llvmpipe";

} // namespace

class TestVulkanMemoryPlan : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void gpuPlanMatchesAllocation_data();
    void gpuPlanMatchesAllocation();
    void architecturesMatchAllocation();
    void budgetLayerCountMatchesPlacement();

private:
    // Loads `path` on lavapipe with `gpu_layers` and compares the plan of
    // the file as described before loading with the device accounting and
    // the session's host buffers.
    void compareWithLavapipe(const std::string& path, int gpu_layers);

    GpuChoice lavapipe_;
};

void TestVulkanMemoryPlan::initTestCase()
{
    if (!shared_available())
        QSKIP("the shared models folder is not available");
    // CI installs Mesa's lavapipe, so a missing device is a failure here.
    lavapipe_ = choose_gpu(kDevice);
    QVERIFY2(lavapipe_.device, lavapipe_.reason.c_str());
}

void TestVulkanMemoryPlan::compareWithLavapipe(const std::string& path, int gpu_layers)
{
    // The plan, from the file's header alone.
    const ModelMemoryLayout layout = describe_model_memory(path);
    MemoryPlanRequest request = gpu_plan_request(*lavapipe_.device);
    request.gpu_layers = gpu_layers;
    request.n_ctx = kContext;
    request.n_batch = kBatch;
    const MemoryPlan plan = plan_memory(layout, request);

    // The load and one session, as the app creates them.
    const auto model = Model::load(path, load_options(kDevice, gpu_layers));
    QVERIFY2(model->gpu_memory(), model->info().gpu_fallback_reason.c_str());
    Session session(model, session_options());
    QCOMPARE(model->info().gpu_layers, plan.gpu_layers);
    QCOMPARE(model->info().gpu_output, plan.gpu_output);

    // Device memory by category, and the weights of each layer.
    const vk::MemoryReport report = model->gpu_memory()->report();
    CHECK_ESTIMATE("GPU weights", plan.gpu_weights, report.category(vk::MemoryCategory::Weights));
    CHECK_ESTIMATE("GPU KV cache", plan.gpu_kv_cache, report.category(vk::MemoryCategory::KvCache));
    CHECK_ESTIMATE("GPU activations", plan.gpu_scratch, report.category(vk::MemoryCategory::Scratch));
    CHECK_ESTIMATE("GPU total", plan.gpu_total, report.live_bytes());
    QCOMPARE(report.category(vk::MemoryCategory::Staging), uint64_t{0});
    QCOMPARE(plan.gpu_weights_by_layer.size(), static_cast<size_t>(plan.gpu_layers));
    for (int il = 0; il < plan.gpu_layers; ++il) {
        const auto found = report.weights_by_layer.find(il);
        QVERIFY2(found != report.weights_by_layer.end(), qPrintable(QStringLiteral("layer %1").arg(il)));
        CHECK_ESTIMATE(qPrintable(QStringLiteral("GPU weights of layer %1").arg(il)),
                       plan.gpu_weights_by_layer[static_cast<size_t>(il)], found->second);
    }
    CHECK_ESTIMATE("GPU weights outside the layers", plan.gpu_weights_outside_layers,
                   report.weights_by_layer.count(-1) ? report.weights_by_layer.at(-1) : 0);

    // The staging buffer is freed after the upload, so only its bounds are
    // checked here.
    QVERIFY(plan.gpu_staging > 0);
    QVERIFY(plan.gpu_staging <= vk::kMaxStagingBytes);
    QCOMPARE(plan.gpu_peak, std::max(plan.gpu_total, plan.gpu_weights + plan.gpu_staging));

    // The layers the CPU runs keep their cache and activations in RAM.
    CHECK_ESTIMATE("RAM KV cache", plan.ram_kv_cache, session.host_memory().kv_cache);
    CHECK_ESTIMATE("RAM activations", plan.ram_scratch, session.host_memory().scratch);
}

void TestVulkanMemoryPlan::gpuPlanMatchesAllocation_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("gpu_layers");
    QTest::newRow("stories260K all layers") << "models/stories260K.gguf" << -1;
    QTest::newRow("stories260K 3 of 5 layers") << "models/stories260K.gguf" << 3;
    for (const char* type : {"F16", "Q8_0", "Q4_0", "Q4_K_M", "IQ4_NL"}) {
        const QString file = QStringLiteral("models/stories260K-wide/stories260K-wide-%1.gguf").arg(type);
        QTest::addRow("wide %s all layers", type) << file << -1;
    }
    QTest::newRow("wide Q4_K_M 2 of 5 layers") << "models/stories260K-wide/stories260K-wide-Q4_K_M.gguf" << 2;
    QTest::newRow("HF GPTQ 4-bit g128") << "models/hf/stories260K-wide-gptq-4bit-g128" << -1;
    QTest::newRow("HF GPTQ 4-bit g32 act-order") << "models/hf/stories260K-wide-gptq-4bit-g32-actorder-asym" << -1;
    QTest::newRow("HF GPTQ 8-bit split") << "models/hf/stories260K-wide-gptq-8bit-g128" << 2;
    QTest::newRow("HF AWQ 4-bit") << "models/hf/stories260K-wide-awq-gemm-4bit-g128" << -1;
    QTest::newRow("HF F16") << "models/hf/stories260K-wide-fp16" << -1;
}

void TestVulkanMemoryPlan::gpuPlanMatchesAllocation()
{
    QFETCH(QString, model);
    QFETCH(int, gpu_layers);
    compareWithLavapipe(shared_path(model.toStdString()), gpu_layers);
}

void TestVulkanMemoryPlan::architecturesMatchAllocation()
{
    // Tiny models of each architecture: fused projections, biases, per-head
    // norms, post-norms, tied outputs, LongRoPE and Llama 3.1 divisors.
    std::vector<ArchCase> cases = arch_cases();
    ArchCase llama3{"llama3 divisors from metadata", tiny("llama", 64, 4, 2, 96, 2)};
    llama3.options.rope_scaling = "llama3";
    llama3.options.rope_scaling_factor = 8.0f;
    llama3.options.rope_original_context = 32;
    cases.push_back(llama3);
    ArchCase llama3_tensor = llama3;
    llama3_tensor.name = "llama3 rope_freqs tensor";
    llama3_tensor.options.rope_freqs_tensor = true;
    cases.push_back(llama3_tensor);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const ArchCase& arch_case : cases) {
        qInfo("case %s", arch_case.name);
        const std::string path = dir.filePath(QStringLiteral("model.gguf")).toStdString();
        write_synthetic_model(path, arch_case.options);
        compareWithLavapipe(path, -1);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestVulkanMemoryPlan::budgetLayerCountMatchesPlacement()
{
    // A budget between the peaks of 3 and 4 layers.
    const std::string path = shared_path("models/stories260K-wide/stories260K-wide-F32.gguf");
    const ModelMemoryLayout layout = describe_model_memory(path);
    MemoryPlanRequest request = gpu_plan_request(*lavapipe_.device);
    request.n_ctx = kContext;
    request.n_batch = kBatch;
    request.gpu_layers = 3;
    const uint64_t three = plan_memory(layout, request).gpu_peak;
    request.gpu_layers = 4;
    const uint64_t four = plan_memory(layout, request).gpu_peak;
    QVERIFY(three < four);
    const uint64_t budget = (three + four) / 2;

    // The plan for "as many as fit", and what loading places.
    const MemoryPlanRequest limited = gpu_plan_request(*lavapipe_.device, budget);
    QCOMPARE(*limited.gpu_budget, budget);
    request.gpu_budget = budget;
    request.gpu_layers = -1;
    const MemoryPlan plan = plan_memory(layout, request);
    QCOMPARE(plan.gpu_layers, 3);
    QVERIFY(plan.fits_gpu);
    QVERIFY(plan.gpu_peak <= budget);

    LoadOptions options = load_options(kDevice, -1);
    options.gpu_memory_limit = budget;
    const auto model = Model::load(path, options);
    QCOMPARE(model->info().gpu_layers, plan.gpu_layers);
    QVERIFY2(model->info().gpu_fallback_reason.find("3 of 5 layers fit") != std::string::npos,
             model->info().gpu_fallback_reason.c_str());

    // A requested count above the budget is kept, and marked as not fitting.
    request.gpu_layers = 5;
    const MemoryPlan forced = plan_memory(layout, request);
    QCOMPARE(forced.gpu_layers, 5);
    QVERIFY(!forced.fits_gpu);
    QVERIFY(!forced.fits());
}

QTEST_GUILESS_MAIN(TestVulkanMemoryPlan)
#include "test_vulkan_memory_plan.moc"

// The "Memory" screen. The planner's figures must equal the engine's
// planner's and follow the context length and GPU layers. The inspector's
// figures must equal the engine's accounting (vk::MemoryReport) for a model
// on lavapipe, which has no VK_EXT_memory_budget. The screen opens in the
// real window. Screenshots go to <build>/screenshots/.

#include "app_context.h"
#include "ui_test_base.h"
#include "engine/gpu_offload.h"
#include "engine/memory_plan.h"
#include "generation/inference_service.h"
#include "memory/memory_monitor.h"
#include "memory/memory_planner.h"
#include "model_library/model_list_model.h"
#include "test_support.h"
#include "vulkan/vulkan_devices.h"

#include <QDir>
#include <QFile>
#include <QQuickItem>
#include <QSignalSpy>
#include <QTest>

using namespace quanta;
using namespace quanta::test;

namespace {

// Loading on lavapipe and planning take well under a second here; the limit
// only has to catch a hang.
constexpr int kTimeoutMs = 120000;

QString widePath(const char* type)
{
    return QString::fromStdString(shared_path(std::string("models/stories260K-wide/stories260K-wide-") + type + ".gguf"));
}

QString gptqFolder()
{
    return QString::fromStdString(shared_path("models/hf/stories260K-wide-gptq-4bit-g128"));
}

// Waits until `planner` has a plan for its current inputs.
void waitForPlan(MemoryPlanner& planner)
{
    QTRY_VERIFY_WITH_TIMEOUT(!planner.busy(), kTimeoutMs);
    QVERIFY2(planner.valid(), qPrintable(planner.error()));
}

// The map in `list` whose `key` entry is `value`.
QVariantMap entryWith(const QVariantList& list, const QString& key, const QVariant& value)
{
    for (const QVariant& entry : list) {
        if (entry.toMap().value(key) == value)
            return entry.toMap();
    }
    return {};
}

} // namespace

class TestMemoryPanels : public UiTestBase {
    Q_OBJECT

private slots:
    void initTestCase();
    void init() { setUpApp(); }
    void cleanup() { tearDownApp(); }

    void plannerMatchesEnginePlanner_data();
    void plannerMatchesEnginePlanner();
    void plannerFollowsContextAndLayers();
    void plannerReportsBadModel();
    void inspectorMatchesMemoryReport();
    void screenOpensFromTopBar();
    void screenPlansLibraryModel();

private:
    // Starts the app with stories260K on lavapipe and waits for the load.
    void startOnLavapipe();

    QString lavapipeUuid_;
};

void TestMemoryPanels::initTestCase()
{
    if (!shared_available())
        QSKIP("the shared models folder is not available");
    const GpuChoice lavapipe = choose_gpu("llvmpipe");
    QVERIFY2(lavapipe.device, lavapipe.reason.c_str());
    lavapipeUuid_ = QString::fromStdString(lavapipe.device->uuid);
}

void TestMemoryPanels::startOnLavapipe()
{
    CHECKED(startApp(sharedStoriesModel(), QStringLiteral("en"),
                     {{QStringLiteral("compute/device"), lavapipeUuid_}, {QStringLiteral("compute/gpuLayers"), -1}}));
    InferenceService& inference = context_->inference();
    QTRY_VERIFY_WITH_TIMEOUT(inference.modelLoaded() && !inference.loading(), kTimeoutMs);
    QVERIFY2(inference.gpuDevice().contains(QStringLiteral("llvmpipe")), qPrintable(inference.gpuFallbackReason()));
}

void TestMemoryPanels::plannerMatchesEnginePlanner_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("gpu");
    QTest::newRow("wide Q8_0 on lavapipe") << widePath("Q8_0") << true;
    QTest::newRow("GPTQ folder on lavapipe") << gptqFolder() << true;
    QTest::newRow("wide Q4_K_M on the CPU") << widePath("Q4_K_M") << false;
}

void TestMemoryPanels::plannerMatchesEnginePlanner()
{
    QFETCH(QString, model);
    QFETCH(bool, gpu);
    MemoryPlanner planner;
    planner.setDevice(gpu ? lavapipeUuid_ : QStringLiteral("cpu"));
    planner.setContextLength(256);
    planner.setModelPath(model);
    CHECKED(waitForPlan(planner));

    // The engine's plan for the same inputs.
    const ModelMemoryLayout layout = describe_model_memory(model.toStdString());
    MemoryPlanRequest request;
    if (gpu) {
        const GpuChoice lavapipe = choose_gpu(lavapipeUuid_.toStdString());
        QVERIFY(lavapipe.device);
        request = gpu_plan_request(*lavapipe.device);
    }
    request.n_ctx = 256;
    const MemoryPlan plan = plan_memory(layout, request);

    QCOMPARE(planner.layerCount(), plan.n_layer);
    QCOMPARE(planner.contextUsed(), 256);
    QCOMPARE(planner.trainingContext(), layout.n_ctx_train);
    QCOMPARE(planner.layersOnGpu(), plan.gpu_layers);
    QCOMPARE(planner.outputOnGpu(), plan.gpu_output);
    QCOMPARE(planner.gpuBudgetBytes(), qint64(plan.gpu_budget.value_or(0)));
    QCOMPARE(planner.weightsBytes(), qint64(plan.weights_total));
    QCOMPARE(planner.kvCacheBytes(), qint64(plan.kv_cache));
    QCOMPARE(planner.scratchBytes(), qint64(plan.scratch));
    QCOMPARE(planner.gpuWeightsBytes(), qint64(plan.gpu_weights));
    QCOMPARE(planner.gpuKvCacheBytes(), qint64(plan.gpu_kv_cache));
    QCOMPARE(planner.gpuScratchBytes(), qint64(plan.gpu_scratch));
    QCOMPARE(planner.stagingBytes(), qint64(plan.gpu_staging));
    QCOMPARE(planner.gpuBytes(), qint64(plan.gpu_total));
    QCOMPARE(planner.gpuPeakBytes(), qint64(plan.gpu_peak));
    QCOMPARE(planner.ramBytes(), qint64(plan.ram_total));
    QCOMPARE(planner.ramMappedBytes(), qint64(plan.ram_weights_mapped));
    QCOMPARE(planner.ramCopiedBytes(), qint64(plan.ram_weights_heap));
    QCOMPARE(planner.ramKvCacheBytes(), qint64(plan.ram_kv_cache));
    QCOMPARE(planner.ramScratchBytes(), qint64(plan.ram_scratch));
    QCOMPARE(planner.fitsGpu(), plan.fits_gpu);

    // The device and the words around the figures.
    if (gpu) {
        QVERIFY2(planner.deviceName().contains(QStringLiteral("llvmpipe")), qPrintable(planner.deviceName()));
        QVERIFY(planner.budgetIsEstimate());
        QVERIFY2(planner.explanation().contains(QStringLiteral("All 5 layer")),
                 qPrintable(planner.explanation()));
        QVERIFY2(planner.explanation().contains(QStringLiteral("estimate")), qPrintable(planner.explanation()));
    } else {
        QVERIFY(planner.deviceName().isEmpty());
        QCOMPARE(planner.layersOnGpu(), 0);
        QVERIFY2(planner.explanation().contains(QStringLiteral("runs on the CPU")), qPrintable(planner.explanation()));
    }
    QVERIFY2(planner.explanation().contains(planner.formatBytes(planner.ramBytes())), qPrintable(planner.explanation()));
}

void TestMemoryPanels::plannerFollowsContextAndLayers()
{
    MemoryPlanner planner;
    planner.setDevice(lavapipeUuid_);
    planner.setModelPath(QString::fromStdString(shared_path("models/stories260K.gguf")));
    planner.setContextLength(128);
    CHECKED(waitForPlan(planner));
    const qint64 kv128 = planner.kvCacheBytes();
    const qint64 ram128 = planner.ramBytes();
    QCOMPARE(planner.layersOnGpu(), 5);
    QCOMPARE(planner.ramKvCacheBytes(), qint64(0));

    // A longer context: twice the KV cache, all of it on the GPU.
    QSignalSpy planned(&planner, &MemoryPlanner::planChanged);
    planner.setContextLength(256);
    QTRY_VERIFY_WITH_TIMEOUT(planned.count() > 0 && !planner.busy(), kTimeoutMs);
    QCOMPARE(planner.contextUsed(), 256);
    QCOMPARE(planner.kvCacheBytes(), 2 * kv128);

    // Two layers on the GPU: the other three keep their cache in RAM.
    planner.setGpuLayers(2);
    QTRY_VERIFY_WITH_TIMEOUT(planner.layersOnGpu() == 2 && !planner.busy(), kTimeoutMs);
    QCOMPARE(planner.ramKvCacheBytes(), qint64(3 * 2 * 256 * 32 * 2));
    QVERIFY(planner.ramBytes() > ram128);
    QVERIFY(!planner.outputOnGpu());
    QVERIFY2(planner.explanation().contains(QStringLiteral("2 of 5 layer")),
             qPrintable(planner.explanation()));

    // No GPU layers: nothing on the GPU.
    planner.setGpuLayers(0);
    QTRY_VERIFY_WITH_TIMEOUT(planner.layersOnGpu() == 0 && planner.gpuBytes() == 0 && !planner.busy(), kTimeoutMs);
    QCOMPARE(planner.ramKvCacheBytes(), qint64(5 * 2 * 256 * 32 * 2));

    // The default context is the training context.
    planner.setContextLength(0);
    QTRY_VERIFY_WITH_TIMEOUT(planner.contextUsed() == 2048 && !planner.busy(), kTimeoutMs);
}

void TestMemoryPanels::plannerReportsBadModel()
{
    MemoryPlanner planner;
    planner.setModelPath(QStringLiteral("/nonexistent/model.gguf"));
    QTRY_VERIFY_WITH_TIMEOUT(!planner.busy() && !planner.error().isEmpty(), kTimeoutMs);
    QVERIFY(!planner.valid());
    QVERIFY(!planner.fits());
    QVERIFY2(planner.error().contains(QStringLiteral("/nonexistent/model.gguf")), qPrintable(planner.error()));
    QVERIFY2(planner.explanation().contains(planner.error()), qPrintable(planner.explanation()));
}

void TestMemoryPanels::inspectorMatchesMemoryReport()
{
    CHECKED(startOnLavapipe());
    MemoryMonitor& monitor = context_->memoryMonitor();
    QSignalSpy sampled(&monitor, &MemoryMonitor::sampled);
    monitor.sampleNow();
    QTRY_VERIFY_WITH_TIMEOUT(sampled.count() > 0, kTimeoutMs);

    // The engine's accounting, read the same way.
    const ModelMemorySnapshot snapshot = context_->inference().memorySnapshot();
    QVERIFY(snapshot.loaded);
    QVERIFY(snapshot.gpu.has_value());
    const vk::MemoryReport& report = *snapshot.gpu;
    QVERIFY(monitor.modelOnGpu());
    QVERIFY2(monitor.deviceName().contains(QStringLiteral("llvmpipe")), qPrintable(monitor.deviceName()));

    // Categories.
    const QVariantList categories = monitor.categories();
    const QString key = QStringLiteral("key");
    const QString bytes = QStringLiteral("bytes");
    QCOMPARE(entryWith(categories, key, QStringLiteral("weights")).value(bytes).toLongLong(),
             qint64(report.category(vk::MemoryCategory::Weights)));
    QCOMPARE(entryWith(categories, key, QStringLiteral("kvCache")).value(bytes).toLongLong(),
             qint64(report.category(vk::MemoryCategory::KvCache)));
    QCOMPARE(entryWith(categories, key, QStringLiteral("scratch")).value(bytes).toLongLong(),
             qint64(report.category(vk::MemoryCategory::Scratch)));
    QCOMPARE(entryWith(categories, key, QStringLiteral("staging")).value(bytes).toLongLong(),
             qint64(report.category(vk::MemoryCategory::Staging)));
    QVERIFY(report.category(vk::MemoryCategory::Weights) > 0);
    QCOMPARE(monitor.gpuAllocatedBytes(), qint64(report.live_bytes()));

    // Weights per layer: each of the 5 layers and the output.
    const QVariantList layers = monitor.layers();
    QCOMPARE(layers.size(), qsizetype(report.weights_by_layer.size()));
    QCOMPARE(layers.size(), qsizetype(6));
    for (const auto& [layer, layerBytes] : report.weights_by_layer)
        QCOMPARE(entryWith(layers, QStringLiteral("layer"), layer).value(bytes).toLongLong(), qint64(layerBytes));

    // Heaps: lavapipe has no VK_EXT_memory_budget, so the budget is the heap
    // size and the bar shows Quanta's own blocks, labelled so.
    QVERIFY(report.budget_is_estimate);
    QVERIFY(monitor.budgetIsEstimate());
    const QVariantList heaps = monitor.heaps();
    QCOMPARE(heaps.size(), qsizetype(report.heaps.size()));
    for (qsizetype h = 0; h < heaps.size(); ++h) {
        const QVariantMap heap = heaps.at(h).toMap();
        const vk::MemoryReport::Heap& expected = report.heaps[static_cast<size_t>(h)];
        QCOMPARE(heap.value(QStringLiteral("sizeBytes")).toLongLong(), qint64(expected.size));
        QCOMPARE(heap.value(QStringLiteral("budgetBytes")).toLongLong(), qint64(expected.budget));
        QCOMPARE(heap.value(QStringLiteral("usageBytes")).toLongLong(), qint64(expected.usage));
        QCOMPARE(heap.value(QStringLiteral("quantaBytes")).toLongLong(), qint64(expected.allocated));
        QCOMPARE(heap.value(QStringLiteral("quantaLiveBytes")).toLongLong(), qint64(expected.live));
        QCOMPARE(heap.value(QStringLiteral("shownBytes")).toLongLong(), qint64(expected.allocated));
        QCOMPARE(heap.value(QStringLiteral("deviceLocal")).toBool(), expected.device_local);
        QVERIFY(heap.value(QStringLiteral("budgetIsEstimate")).toBool());
        const QString label = heap.value(QStringLiteral("label")).toString();
        QVERIFY2(label.contains(QStringLiteral("Quanta's own allocations")), qPrintable(label));
        QVERIFY2(label.contains(QStringLiteral("estimate")), qPrintable(label));
    }

    // RAM: the session's buffers, and the process's resident memory.
    QCOMPARE(monitor.hostKvCacheBytes(), qint64(snapshot.host.kv_cache));
    QCOMPARE(monitor.hostScratchBytes(), qint64(snapshot.host.scratch));
    QVERIFY(monitor.processResidentBytes() > 0);
    QVERIFY(monitor.processFileBytes() > 0);
    QVERIFY(monitor.historySize() >= 1);

    // A reply gives the prompt and generation speed.
    QCOMPARE(monitor.generationTokensPerSecond(), 0.0);
    CHECKED(typeAndSend(QStringLiteral("Once upon a time")));
    QTRY_VERIFY_WITH_TIMEOUT(!context_->inference().generating(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(monitor.generationTokensPerSecond() > 0, kTimeoutMs);
    QVERIFY(monitor.promptTokensPerSecond() > 0);
}

void TestMemoryPanels::screenOpensFromTopBar()
{
    CHECKED(startOnLavapipe());
    MemoryMonitor& monitor = context_->memoryMonitor();
    MemoryPlanner& planner = context_->memoryPlanner();
    QVERIFY(!monitor.active());

    // The top bar's button opens the screen, which plans the loaded model
    // and starts sampling.
    CHECKED(click(item("memoryButton")));
    QObject* screen = window()->findChild<QObject*>(QStringLiteral("memoryScreen"));
    QVERIFY(screen != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(screen->property("opened").toBool(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(monitor.active(), kTimeoutMs);
    QCOMPARE(planner.modelPath(), context_->inference().modelPath());
    QTRY_VERIFY_WITH_TIMEOUT(planner.valid() && !planner.busy(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(monitor.historySize() >= 2, kTimeoutMs);

    // The planner panel shows the plan, and the inspector the estimate labels.
    QQuickItem* fitText = item("plannerFitText");
    QVERIFY(fitText != nullptr);
    QCOMPARE(fitText->property("text").toString(), QStringLiteral("Fits"));
    QQuickItem* layersText = item("plannerLayersText");
    QVERIFY(layersText != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(layersText->property("text").toString().startsWith(QStringLiteral("5 of 5 layers on llvmpipe")),
                             kTimeoutMs);
    QQuickItem* heapLabel = item("inspectorHeapLabel");
    QVERIFY(heapLabel != nullptr);
    QVERIFY2(heapLabel->property("text").toString().contains(QStringLiteral("estimate")),
             qPrintable(heapLabel->property("text").toString()));
    QQuickItem* weights = item("inspectorCategory_weights");
    QVERIFY(weights != nullptr);
    QCOMPARE(weights->property("text").toString(), monitor.formatBytes(monitor.categories().first().toMap()
                                                                          .value(QStringLiteral("bytes")).toLongLong()));
    QVERIFY(!findItems(window()->contentItem(), QStringLiteral("inspectorLayer")).isEmpty());
    QVERIFY(monitor.chartAvailable());
    QTRY_VERIFY_WITH_TIMEOUT(item("inspectorChart") != nullptr, kTimeoutMs);

    // Changing the GPU layers in the panel changes the estimate shown.
    planner.setGpuLayers(2);
    QTRY_VERIFY_WITH_TIMEOUT(layersText->property("text").toString().startsWith(QStringLiteral("2 of 5 layers")),
                             kTimeoutMs);
    QQuickItem* ramKv = item("plannerRamKvCache");
    QVERIFY(ramKv != nullptr);
    QCOMPARE(ramKv->property("text").toString(), planner.formatBytes(planner.ramKvCacheBytes()));
    CHECKED(saveScreenshot(QStringLiteral("memory.png")));

    // Closing the screen stops the sampling.
    CHECKED(click(item("memoryCloseButton")));
    QTRY_VERIFY_WITH_TIMEOUT(!screen->property("visible").toBool(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!monitor.active(), kTimeoutMs);
}

void TestMemoryPanels::screenPlansLibraryModel()
{
    // With no model loaded, the planner starts with the library's first
    // model, and the inspector shows the chosen device with no model on it.
    QVERIFY(QDir().mkpath(modelsFolder()));
    const QString linked = modelsFolder() + QStringLiteral("/stories260K-wide-Q8_0.gguf");
    QVERIFY(QFile::link(widePath("Q8_0"), linked));
    CHECKED(startApp(QString(), QStringLiteral("en"), {{QStringLiteral("compute/device"), lavapipeUuid_}}));
    ModelListModel& models = context_->models();
    QTRY_COMPARE_WITH_TIMEOUT(models.rowCount(), 1, kTimeoutMs);
    QVERIFY(!context_->inference().modelLoaded());

    CHECKED(click(item("memoryButton")));
    MemoryPlanner& planner = context_->memoryPlanner();
    const QString path = models.data(models.index(0, 0), ModelListModel::PathRole).toString();
    QTRY_COMPARE_WITH_TIMEOUT(planner.modelPath(), path, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(planner.valid() && !planner.busy(), kTimeoutMs);
    QCOMPARE(planner.layersOnGpu(), 5);

    MemoryMonitor& monitor = context_->memoryMonitor();
    QTRY_VERIFY_WITH_TIMEOUT(monitor.historySize() >= 1, kTimeoutMs);
    QVERIFY(!monitor.modelLoaded());
    QVERIFY(!monitor.modelOnGpu());
    QVERIFY2(monitor.deviceName().contains(QStringLiteral("llvmpipe")), qPrintable(monitor.deviceName()));
    QVERIFY(!monitor.heaps().isEmpty());
    QCOMPARE(monitor.gpuAllocatedBytes(), qint64(0));
    QVERIFY(monitor.layers().isEmpty());
    QQuickItem* device = item("inspectorDevice");
    QVERIFY(device != nullptr);
    QVERIFY2(device->property("text").toString().contains(QStringLiteral("no model loaded")),
             qPrintable(device->property("text").toString()));
}

QTEST_MAIN(TestMemoryPanels)
#include "test_memory_panels.moc"

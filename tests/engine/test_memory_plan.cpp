// The memory planner without a GPU. Its plan must match the host buffers of
// a session on the CPU, and its prediction of repacked GPTQ/AWQ folders the
// loaded size. The KV cache must follow the context and cache type, mapped
// weights and copies must be counted apart, and hostile metadata and
// requests must fail with clear errors. test_vulkan_memory_plan.cpp checks
// the GPU figures on lavapipe.

#include "core/error.h"
#include "core/system_memory.h"
#include "cpu/cpu_features.h"
#include "engine/memory_plan.h"
#include "engine/model.h"
#include "engine/session.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "model/model_graph.h"
#include "memory_plan_checks.h"
#include "test_support.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace quanta;
using namespace quanta::test;

namespace {


// Writes a GGUF file with llama metadata of the given sizes, two layers and
// a 4-row embedding, but no layer tensors: enough for the planner, which
// reads no layer tensor it does not find.
void write_header_only_model(const std::string& path, uint64_t n_embd, uint64_t n_head, uint64_t n_head_kv,
                             uint64_t head_dim, uint64_t context)
{
    GgufWriter writer;
    writer.add_string("general.architecture", "llama");
    writer.add_uint32("llama.context_length", static_cast<uint32_t>(context));
    writer.add_uint32("llama.embedding_length", static_cast<uint32_t>(n_embd));
    writer.add_uint32("llama.block_count", 2);
    writer.add_uint32("llama.feed_forward_length", 16);
    writer.add_uint32("llama.attention.head_count", static_cast<uint32_t>(n_head));
    writer.add_uint32("llama.attention.head_count_kv", static_cast<uint32_t>(n_head_kv));
    writer.add_uint32("llama.attention.key_length", static_cast<uint32_t>(head_dim));
    writer.add_uint32("llama.rope.dimension_count", static_cast<uint32_t>(std::min<uint64_t>(head_dim, 8)));
    writer.add_tensor("token_embd.weight", GgmlType::F32, {n_embd, 4}, std::vector<uint8_t>(n_embd * 4 * 4));
    writer.write(path);
}

} // namespace

class TestMemoryPlan : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cpuPlanMatchesSession_data();
    void cpuPlanMatchesSession();
    void hfPredictionMatchesLoadedLayout_data();
    void hfPredictionMatchesLoadedLayout();
    void contextAndCacheTypeScaleKvCache();
    void budgetChoosesLayerCount();
    void hostCountsMappedAndCopies();
    void interleavedQ4_0CountsAsCopies();
    void matricesCountAsHugePageCopies_data();
    void matricesCountAsHugePageCopies();
    void copiesOverBudgetStayMapped();
    void hfRepackedLayersMoveToHugePages();
    void zeroHeadsAreRejected();
    void hugeMetadataIsRejected_data();
    void hugeMetadataIsRejected();
    void largestModelIsPlanned();
    void invalidRequestsAreRejected();
    void hfZeroHeadsAreRejected();
};

void TestMemoryPlan::initTestCase()
{
    if (!shared_available())
        QSKIP("the shared models folder is not available");
}

void TestMemoryPlan::cpuPlanMatchesSession_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("f32_cache");
    QTest::newRow("stories260K F16 cache") << "models/stories260K.gguf" << false;
    QTest::newRow("stories260K F32 cache") << "models/stories260K.gguf" << true;
    QTest::newRow("wide Q8_0") << "models/stories260K-wide/stories260K-wide-Q8_0.gguf" << false;
    QTest::newRow("HF GPTQ 4-bit g128") << "models/hf/stories260K-wide-gptq-4bit-g128" << false;
}

void TestMemoryPlan::cpuPlanMatchesSession()
{
    QFETCH(QString, model);
    QFETCH(bool, f32_cache);
    const std::string path = shared_path(model.toStdString());
    const KvCacheType kv_type = f32_cache ? KvCacheType::F32 : KvCacheType::F16;

    MemoryPlanRequest request;
    request.n_ctx = kContext;
    request.n_batch = kBatch;
    request.kv_type = kv_type;
    const MemoryPlan plan = plan_memory(describe_model_memory(path), request);
    QCOMPARE(plan.gpu_layers, 0);
    QCOMPARE(plan.gpu_total, uint64_t{0});

    const auto loaded = Model::load(path, load_options("cpu", 0));
    Session session(loaded, session_options(kv_type));
    CHECK_ESTIMATE("RAM KV cache", plan.ram_kv_cache, session.host_memory().kv_cache);
    CHECK_ESTIMATE("RAM activations", plan.ram_scratch, session.host_memory().scratch);
    QCOMPARE(plan.kv_cache, plan.ram_kv_cache);
}

void TestMemoryPlan::hfPredictionMatchesLoadedLayout_data()
{
    QTest::addColumn<QString>("folder");
    QTest::newRow("GPTQ 4-bit g128") << "models/hf/stories260K-wide-gptq-4bit-g128";
    QTest::newRow("GPTQ 4-bit g32 act-order") << "models/hf/stories260K-wide-gptq-4bit-g32-actorder-asym";
    QTest::newRow("GPTQ 8-bit g128") << "models/hf/stories260K-wide-gptq-8bit-g128";
    QTest::newRow("AWQ 4-bit g128") << "models/hf/stories260K-wide-awq-gemm-4bit-g128";
}

void TestMemoryPlan::hfPredictionMatchesLoadedLayout()
{
    // The folder's layout predicted from its headers against the layout of
    // the model as the loader repacked it.
    QFETCH(QString, folder);
    const std::string path = shared_path(folder.toStdString());
    const ModelMemoryLayout predicted = describe_model_memory(path);
    QVERIFY(predicted.repacked);
    const auto model = Model::load(path, load_options("cpu", 0));
    const ModelMemoryLayout loaded = describe_model_memory(model->file());
    QCOMPARE(predicted.layers.size(), loaded.layers.size());
    for (size_t il = 0; il < loaded.layers.size(); ++il) {
        QCOMPARE(predicted.layers[il].loaded_bytes, loaded.layers[il].loaded_bytes);
        QCOMPARE(predicted.layers[il].gpu_buffers, loaded.layers[il].gpu_buffers);
        QCOMPARE(predicted.layers[il].permuted_width, loaded.layers[il].permuted_width);
        QCOMPARE(predicted.layers[il].int8_width, loaded.layers[il].int8_width);
    }
    QCOMPARE(predicted.output.gpu_buffers, loaded.output.gpu_buffers);
    QCOMPARE(predicted.fused_width, loaded.fused_width);

    // The repacked layers are copies in memory, not mapped pages.
    for (const WeightGroupMemory& layer : predicted.layers) {
        QVERIFY(layer.host_heap >= layer.loaded_bytes);
        QCOMPARE(layer.host_mapped, uint64_t{0});
    }
}

void TestMemoryPlan::contextAndCacheTypeScaleKvCache()
{
    const ModelMemoryLayout layout = describe_model_memory(shared_path("models/stories260K.gguf"));
    MemoryPlanRequest request;
    request.n_ctx = 128;
    const MemoryPlan small = plan_memory(layout, request);
    request.n_ctx = 256;
    const MemoryPlan large = plan_memory(layout, request);
    request.kv_type = KvCacheType::F32;
    const MemoryPlan f32 = plan_memory(layout, request);

    // 5 layers x keys and values x 256 positions x 32 values x 2 bytes.
    QCOMPARE(large.ram_kv_cache, uint64_t{5 * 2 * 256 * 32 * 2});
    QCOMPARE(large.ram_kv_cache, 2 * small.ram_kv_cache);
    QCOMPARE(f32.ram_kv_cache, 2 * large.ram_kv_cache);
    QVERIFY(large.ram_total > small.ram_total);

    // The default context is the training context, at most 4096 tokens.
    request.n_ctx = 0;
    QCOMPARE(plan_memory(layout, request).n_ctx, 2048);

    // Moving layers to the GPU moves their cache there, as F16 in buffers
    // rounded up to the alignment.
    request = MemoryPlanRequest();
    request.gpu_budget = 1ull << 30;
    request.gpu_alignment = 256;
    request.n_ctx = 250;
    request.gpu_layers = 2;
    const MemoryPlan split = plan_memory(layout, request);
    QCOMPARE(split.gpu_layers, 2);
    QCOMPARE(split.ram_kv_cache, uint64_t{3 * 2 * 250 * 32 * 2});
    QCOMPARE(split.gpu_kv_cache, uint64_t{2 * 2 * 16128});
    QCOMPARE(split.kv_cache, split.gpu_kv_cache + split.ram_kv_cache);
}

void TestMemoryPlan::budgetChoosesLayerCount()
{
    // A budget between the peaks of 3 and 4 layers gives 3, and each layer
    // adds its weights and cache to the device total.
    const ModelMemoryLayout layout =
        describe_model_memory(shared_path("models/stories260K-wide/stories260K-wide-F32.gguf"));
    MemoryPlanRequest request;
    request.gpu_budget = 1ull << 30;
    request.n_ctx = kContext;
    request.n_batch = kBatch;
    std::vector<MemoryPlan> plans;
    for (int layers = 0; layers <= 5; ++layers) {
        request.gpu_layers = layers;
        plans.push_back(plan_memory(layout, request));
        QCOMPARE(plans.back().gpu_layers, layers);
    }
    for (int layers = 2; layers <= 4; ++layers) {
        const MemoryPlan& fewer = plans[static_cast<size_t>(layers - 1)];
        const MemoryPlan& more = plans[static_cast<size_t>(layers)];
        QCOMPARE(more.gpu_weights - fewer.gpu_weights, more.gpu_weights_by_layer.back());
        QCOMPARE(more.gpu_kv_cache - fewer.gpu_kv_cache, more.gpu_kv_cache / static_cast<uint64_t>(layers));
        QVERIFY(more.ram_kv_cache < fewer.ram_kv_cache);
    }
    QCOMPARE(plans[0].gpu_total, uint64_t{0});
    QVERIFY(plans[5].gpu_output);
    QVERIFY(!plans[4].gpu_output);

    request.gpu_budget = (plans[3].gpu_peak + plans[4].gpu_peak) / 2;
    request.gpu_layers = -1;
    const MemoryPlan fitted = plan_memory(layout, request);
    QCOMPARE(fitted.gpu_layers, 3);
    QVERIFY(fitted.fits_gpu);

    // Below the peak of one layer, nothing goes to the GPU and the plan fits
    // on the CPU.
    request.gpu_budget = plans[1].gpu_peak - 1;
    const MemoryPlan none = plan_memory(layout, request);
    QCOMPARE(none.gpu_layers, 0);
    QVERIFY(none.fits());
}

// Sets QUANTA_HUGE_PAGES for the lifetime of the object.
class HugePagesSetting {
public:
    explicit HugePagesSetting(const char* value) { qputenv("QUANTA_HUGE_PAGES", value); }
    ~HugePagesSetting() { qunsetenv("QUANTA_HUGE_PAGES"); }
    HugePagesSetting(const HugePagesSetting&) = delete;
    HugePagesSetting& operator=(const HugePagesSetting&) = delete;
};

void TestMemoryPlan::hostCountsMappedAndCopies()
{
    // stories260K is all F32. Without the huge-page copies its matrices are
    // read from the mapping, and only the norms are copied (converted to F32).
    const HugePagesSetting off("off");
    const ModelMemoryLayout layout = describe_model_memory(shared_path("models/stories260K.gguf"));
    QCOMPARE(layout.n_layer, 5);
    QCOMPARE(layout.n_vocab, 512);
    QCOMPARE(layout.n_embd_kv, 32);
    QVERIFY(!layout.repacked);
    QVERIFY(layout.gguf_mapping);
    // Per layer: Q and O 64x64, K and V 64x32, gate and up 64x172, down
    // 172x64, all F32, and two norms of 64.
    const uint64_t matrices = 4 * (2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 172);
    QCOMPARE(layout.layers[0].host_mapped, matrices);
    QCOMPARE(layout.layers[0].host_heap, uint64_t{2 * 64 * 4});
    QCOMPARE(layout.layers[0].loaded_bytes, matrices + 2 * 64 * 4);
    QCOMPARE(layout.embedding.host_mapped, uint64_t{64 * 512 * 4});

    MemoryPlanRequest request;
    request.n_ctx = 256;
    const MemoryPlan plan = plan_memory(layout, request);
    QCOMPARE(plan.ram_weights_mapped, 5 * matrices + 2 * 64 * 512 * 4);
    QCOMPARE(plan.ram_weights_heap, uint64_t{5 * 2 * 64 * 4 + 64 * 4});
    QCOMPARE(plan.ram_total, plan.ram_weights_mapped + plan.ram_weights_heap + plan.ram_kv_cache + plan.ram_scratch);
    QCOMPARE(plan.ram_mapped_total, static_cast<uint64_t>(QFileInfo(QString::fromStdString(layout.path)).size()));
    QCOMPARE(plan.weights_total, 5 * (matrices + 2 * 64 * 4) + 2 * 64 * 512 * 4 + 64 * 4);

    // A RAM budget below the total does not fit.
    request.ram_budget = plan.ram_total - 1;
    QVERIFY(!plan_memory(layout, request).fits_ram);
    request.ram_budget = plan.ram_total;
    QVERIFY(plan_memory(layout, request).fits());
}

void TestMemoryPlan::interleavedQ4_0CountsAsCopies()
{
    if (!cpu::cpu_has_avx2_fma_f16c())
        QSKIP("this CPU has no AVX2 kernels, which interleave Q4_0 weights");
    const HugePagesSetting off("off");
    const std::string path = shared_path("models/stories260K-wide/stories260K-wide-Q4_0.gguf");
    const ModelMemoryLayout layout = describe_model_memory(path);
    uint64_t interleaved = layout.output.host_interleaved;
    for (const WeightGroupMemory& layer : layout.layers) {
        QVERIFY(layer.host_interleaved > 0);
        QVERIFY(layer.host_interleaved <= layer.host_mapped);
        interleaved += layer.host_interleaved;
    }
    QCOMPARE(layout.embedding.host_interleaved, uint64_t{0});

    // With the AVX2 kernels the interleaved matrices are copies, not
    // mapped weights, and the total stays the same.
    MemoryPlanRequest request;
    request.n_ctx = 256;
    MemoryPlan portable;
    {
        cpu::set_kernel_set_override(cpu::KernelSet::Generic);
        portable = plan_memory(layout, request);
        cpu::set_kernel_set_override(std::nullopt);
    }
    const MemoryPlan avx2 = plan_memory(layout, request);
    QCOMPARE(avx2.ram_weights_heap, portable.ram_weights_heap + interleaved);
    QCOMPARE(avx2.ram_weights_mapped, portable.ram_weights_mapped - interleaved);
    QCOMPARE(avx2.ram_total, portable.ram_total);

    // Loading interleaves exactly those bytes, and copies nothing else.
    LoadOptions options;
    options.device = "cpu";
    const std::shared_ptr<Model> model = Model::load(path, options);
    QCOMPARE(model->info().interleaved_bytes, interleaved);
    QCOMPARE(model->info().copied_weight_bytes, interleaved);
}

void TestMemoryPlan::matricesCountAsHugePageCopies_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("stories260K F32") << "models/stories260K.gguf";
    QTest::newRow("wide Q4_0") << "models/stories260K-wide/stories260K-wide-Q4_0.gguf";
    QTest::newRow("wide Q8_0") << "models/stories260K-wide/stories260K-wide-Q8_0.gguf";
    QTest::newRow("wide Q4_K_M") << "models/stories260K-wide/stories260K-wide-Q4_K_M.gguf";
}

void TestMemoryPlan::matricesCountAsHugePageCopies()
{
    if (!transparent_huge_pages_enabled())
        QSKIP("transparent huge pages are off on this machine, so the CPU keeps reading the mapping");
    QFETCH(QString, model);
    const std::string path = shared_path(model.toStdString());
    const ModelMemoryLayout layout = describe_model_memory(path);
    uint64_t matrices = layout.output.host_mapped;
    for (const WeightGroupMemory& layer : layout.layers)
        matrices += layer.host_mapped;
    QVERIFY(matrices > 0);

    // Every matrix of the CPU layers and the output is a copy, and only the
    // embedding stays mapped. The total does not change.
    MemoryPlanRequest request;
    request.n_ctx = 256;
    MemoryPlan mapped;
    {
        const HugePagesSetting off("off");
        mapped = plan_memory(layout, request);
    }
    const MemoryPlan copied = plan_memory(layout, request);
    QCOMPARE(copied.ram_weights_mapped, layout.embedding.host_mapped);
    QCOMPARE(copied.ram_weights_heap + copied.ram_weights_mapped, mapped.ram_weights_heap + mapped.ram_weights_mapped);
    QCOMPARE(copied.ram_total, mapped.ram_total);

    // Loading copies exactly those bytes.
    LoadOptions options;
    options.device = "cpu";
    const std::shared_ptr<Model> loaded = Model::load(path, options);
    QCOMPARE(loaded->info().copied_weight_bytes, matrices);
    QCOMPARE(loaded->info().interleaved_bytes, cpu::uses_avx2(cpu::active_kernel_set())
                                                   ? layout.output.host_interleaved +
                                                         layout.layers[0].host_interleaved * layout.layers.size()
                                                   : uint64_t{0});

    // A RAM budget that the matrices do not fit keeps them mapped.
    request.ram_budget = matrices - 1;
    const MemoryPlan tight = plan_memory(layout, request);
    QCOMPARE(tight.ram_weights_mapped, mapped.ram_weights_mapped);
    QVERIFY(!tight.fits_ram);

    // With the GPU running every layer and the output, the CPU copies nothing.
    MemoryPlanRequest gpu_request;
    gpu_request.n_ctx = 256;
    gpu_request.gpu_budget = uint64_t{1} << 40;
    const MemoryPlan offloaded = plan_memory(layout, gpu_request);
    if (offloaded.gpu_layers == layout.n_layer && offloaded.gpu_output)
        QCOMPARE(offloaded.ram_weights_mapped, layout.embedding.host_mapped);
}

void TestMemoryPlan::copiesOverBudgetStayMapped()
{
    // The graph copies every mapped matrix within the budget. Above it, it
    // copies only the Q4_0 ones that the AVX2 kernels need interleaved.
    const std::unique_ptr<GgufFile> file =
        GgufFile::open(shared_path("models/stories260K-wide/stories260K-wide-Q4_0.gguf"));
    CpuWeightCopyOptions options;
    options.interleave = true;
    options.copy_all = true;
    options.releasable = [&](const void* data, size_t bytes) { return file->maps(data, bytes); };

    const std::unique_ptr<ModelGraph> all = ModelGraph::create(*file, KernelMode::Fast);
    const CpuWeightCopies copied = all->copy_cpu_weights(options);
    QVERIFY(copied.interleaved > 0);
    QVERIFY(copied.copied > copied.interleaved);
    QVERIFY(!copied.over_budget);
    QVERIFY(!copied.reservation_failed);

    options.budget = copied.copied - 1;
    const std::unique_ptr<ModelGraph> tight = ModelGraph::create(*file, KernelMode::Fast);
    const CpuWeightCopies interleaved = tight->copy_cpu_weights(options);
    QCOMPARE(interleaved.copied, copied.interleaved);
    QCOMPARE(interleaved.interleaved, copied.interleaved);
    QVERIFY(interleaved.over_budget);

    // Without interleaving nothing is copied. maps() accepts only ranges
    // inside the mapping.
    options.interleave = false;
    const std::unique_ptr<ModelGraph> none = ModelGraph::create(*file, KernelMode::Fast);
    const CpuWeightCopies nothing = none->copy_cpu_weights(options);
    QCOMPARE(nothing.copied, uint64_t{0});
    QVERIFY(nothing.over_budget);
    QVERIFY(file->is_mapped());
    QVERIFY(!file->maps(nullptr, 1));
    QVERIFY(!file->maps(file->tensors().front().data, static_cast<size_t>(file->file_size()) + 1));
}

void TestMemoryPlan::hfRepackedLayersMoveToHugePages()
{
    if (!transparent_huge_pages_enabled())
        QSKIP("transparent huge pages are off on this machine, so the repacked layers stay where they are");
    // A GPTQ folder's repacked matrices are heap copies already. They move
    // into the huge-page buffer and the old copies are freed, so the plan
    // is the same with and without huge pages.
    const std::string path = shared_path("models/hf/stories260K-wide-gptq-4bit-g128");
    const ModelMemoryLayout layout = describe_model_memory(path);
    QVERIFY(!layout.gguf_mapping);
    MemoryPlanRequest request;
    request.n_ctx = 256;
    MemoryPlan small_pages;
    {
        const HugePagesSetting off("off");
        small_pages = plan_memory(layout, request);
    }
    const MemoryPlan huge_pages = plan_memory(layout, request);
    QCOMPARE(huge_pages.ram_weights_heap, small_pages.ram_weights_heap);
    QCOMPARE(huge_pages.ram_weights_mapped, small_pages.ram_weights_mapped);

    // Per layer the heap contains the repacked matrices and two F32 norms.
    uint64_t repacked = 0;
    for (const WeightGroupMemory& layer : layout.layers)
        repacked += layer.host_heap - 2 * static_cast<uint64_t>(layout.n_embd) * sizeof(float);
    LoadOptions options;
    options.device = "cpu";
    const std::shared_ptr<Model> model = Model::load(path, options);
    QCOMPARE(model->info().copied_weight_bytes, repacked);
    {
        const HugePagesSetting off("off");
        QCOMPARE(Model::load(path, options)->info().copied_weight_bytes, uint64_t{0});
    }
}

void TestMemoryPlan::zeroHeadsAreRejected()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("zero-heads.gguf")).toStdString();
    write_header_only_model(path, 16, 0, 0, 8, 64);
    try {
        describe_model_memory(path);
        QFAIL("a model with zero attention heads should be rejected");
    } catch (const FormatError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("llama.attention.head_count")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("is 0")), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    }
}

void TestMemoryPlan::hugeMetadataIsRejected_data()
{
    QTest::addColumn<uint64_t>("n_head");
    QTest::addColumn<uint64_t>("head_dim");
    QTest::addColumn<uint64_t>("context");
    QTest::addColumn<QString>("key");
    QTest::newRow("context of 2^31 tokens") << uint64_t{8} << uint64_t{8} << uint64_t{1u << 31}
                                           << "llama.context_length";
    QTest::newRow("2^20 heads of 2^20 values") << uint64_t{1u << 20} << uint64_t{1u << 20} << uint64_t{64}
                                              << "llama.attention.head_count";
}

void TestMemoryPlan::hugeMetadataIsRejected()
{
    QFETCH(uint64_t, n_head);
    QFETCH(uint64_t, head_dim);
    QFETCH(uint64_t, context);
    QFETCH(QString, key);
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("huge.gguf")).toStdString();
    write_header_only_model(path, 16, n_head, n_head, head_dim, context);
    try {
        describe_model_memory(path);
        QFAIL("the metadata should be rejected");
    } catch (const FormatError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(key), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    }
}

void TestMemoryPlan::largestModelIsPlanned()
{
    // The largest KV width and context the metadata checks let through:
    // 1024 KV heads of 1024 values over 2^24 positions, 2 layers.
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("large.gguf")).toStdString();
    write_header_only_model(path, 16, 1024, 1024, 1024, 1u << 24);
    const ModelMemoryLayout layout = describe_model_memory(path);
    MemoryPlanRequest request;
    request.n_ctx = 1 << 24;
    request.ram_budget = 16ull << 30;
    const MemoryPlan plan = plan_memory(layout, request);
    QCOMPARE(plan.ram_kv_cache, uint64_t{2} * 2 * (uint64_t{1} << 24) * (1u << 20) * 2);
    QVERIFY(!plan.fits_ram);
    QVERIFY(!plan.fits());
}

void TestMemoryPlan::invalidRequestsAreRejected()
{
    const ModelMemoryLayout layout = describe_model_memory(shared_path("models/stories260K.gguf"));
    MemoryPlanRequest request;
    request.n_ctx = 1 << 30;
    try {
        plan_memory(layout, request);
        QFAIL("a context of 2^30 tokens should be rejected");
    } catch (const Error& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("1073741824 tokens")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("16777216")), qPrintable(message));
    }

    request.n_ctx = 256;
    request.gpu_layers = -5;
    try {
        plan_memory(layout, request);
        QFAIL("a negative GPU layer count should be rejected");
    } catch (const Error& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("-5 GPU layers")), error.what());
    }
}

void TestMemoryPlan::hfZeroHeadsAreRejected()
{
    QTemporaryDir dir;
    QFile config(dir.filePath(QStringLiteral("config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"model_type": "llama", "vocab_size": 512, "hidden_size": 64, "intermediate_size": 172,
                     "num_hidden_layers": 2, "num_attention_heads": 0, "max_position_embeddings": 256})");
    config.close();
    try {
        describe_model_memory(dir.path().toStdString());
        QFAIL("a folder with zero attention heads should be rejected");
    } catch (const FormatError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("num_attention_heads")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("config.json")), qPrintable(message));
    }
}

QTEST_GUILESS_MAIN(TestMemoryPlan)
#include "test_memory_plan.moc"

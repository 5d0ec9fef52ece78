// Every supported architecture on the Vulkan backend (lavapipe in CI): the
// tiny random models of arch_cases.h, all layers on the GPU and split with
// the CPU, against the CPU's scalar reference kernels. Prompt logits come
// from one batch and from token-by-token decoding. The GPU runs the plain
// kernel paths, which keep F32 activations.
#include "arch_cases.h"
#include "engine/model.h"
#include "engine/session.h"
#include "model/synthetic.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace quanta;
using quanta::test::ArchCase;
using quanta::test::arch_cases;

namespace {

// The GPU keeps its KV cache in F16 and sums in another order. On these
// models, whose logits span a few units, that moves logits by up to about
// 1e-3 on the plain paths. The CPU reference runs in F32 with an F32 cache.
constexpr double kTolerance = 0.01;
constexpr int kPromptLength = 11;

std::vector<TokenId> test_prompt(int n_vocab)
{
    std::vector<TokenId> prompt;
    for (int i = 0; i < kPromptLength; ++i)
        prompt.push_back(static_cast<TokenId>((i * 37 + 5) % n_vocab));
    return prompt;
}

std::vector<float> batch_logits(const std::shared_ptr<Model>& model, const std::vector<TokenId>& prompt, int n_ctx,
                                KvCacheType kv_type)
{
    SessionOptions options;
    options.n_ctx = n_ctx;
    options.kv_type = kv_type;
    Session session(model, options);
    std::vector<float> logits;
    session.decode(prompt, &logits);
    return logits;
}

// The last position's logits after decoding the prompt three tokens, then
// one token at a time.
std::vector<float> incremental_logits(const std::shared_ptr<Model>& model, const std::vector<TokenId>& prompt,
                                      int n_ctx)
{
    SessionOptions options;
    options.n_ctx = n_ctx;
    Session session(model, options);
    std::span<const TokenId> rest(prompt);
    std::span<const float> logits = session.decode(rest.first(3));
    for (size_t i = 3; i < prompt.size(); ++i)
        logits = session.decode(rest.subspan(i, 1));
    return std::vector<float>(logits.begin(), logits.end());
}

double max_difference(const std::vector<float>& a, const std::vector<float>& b)
{
    double worst = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    return worst;
}

} // namespace

class TestVulkanArchitectures : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void matchesCpuReference_data();
    void matchesCpuReference();
};

void TestVulkanArchitectures::initTestCase()
{
    // The int8 path rounds prompt activations to 8 bits, which moves the
    // Q8_0 cases by up to about 0.1, past kTolerance. The plain paths keep
    // F32 activations. Kernels read this when a model loads.
    qputenv("QUANTA_VK_PATHS", "plain");
}

void TestVulkanArchitectures::matchesCpuReference_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("gpu_layers");
    const std::vector<ArchCase> cases = arch_cases();
    for (size_t i = 0; i < cases.size(); ++i) {
        QTest::newRow(qPrintable(QStringLiteral("%1, all layers").arg(cases[i].name))) << int(i) << -1;
        QTest::newRow(qPrintable(QStringLiteral("%1, 1 layer").arg(cases[i].name))) << int(i) << 1;
    }
}

void TestVulkanArchitectures::matchesCpuReference()
{
    QFETCH(int, index);
    QFETCH(int, gpu_layers);
    const ArchCase arch_case = arch_cases()[static_cast<size_t>(index)];
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("model.gguf")).toStdString();
    write_synthetic_model(path, arch_case.options);

    LoadOptions cpu;
    cpu.device = "cpu";
    cpu.kernels = KernelMode::Reference;
    // The CPU layers of a split use the reference kernels too, so that the
    // fast kernels' 8-bit activations do not blur the GPU's result.
    LoadOptions gpu = cpu;
    gpu.device = "llvmpipe";
    gpu.gpu_layers = gpu_layers;
    gpu.n_ctx = arch_case.n_ctx;
    const auto cpu_model = Model::load(path, cpu);
    const auto gpu_model = Model::load(path, gpu);
    const ModelInfo& info = gpu_model->info();
    QVERIFY2(info.gpu_fallback_reason.empty(), info.gpu_fallback_reason.c_str());
    QCOMPARE(info.gpu_layers, gpu_layers < 0 ? info.n_layer : gpu_layers);

    const std::vector<TokenId> prompt = test_prompt(info.n_vocab);
    const std::vector<float> expected = batch_logits(cpu_model, prompt, arch_case.n_ctx, KvCacheType::F32);
    const std::vector<float> logits = batch_logits(gpu_model, prompt, arch_case.n_ctx, KvCacheType::F16);
    QCOMPARE(logits.size(), expected.size());
    const double batch_gap = max_difference(logits, expected);
    QVERIFY2(batch_gap <= kTolerance, qPrintable(QStringLiteral("one batch: max |difference| %1").arg(batch_gap)));

    const std::vector<float> last(expected.end() - info.n_vocab, expected.end());
    const double step_gap = max_difference(incremental_logits(gpu_model, prompt, arch_case.n_ctx), last);
    QVERIFY2(step_gap <= kTolerance, qPrintable(QStringLiteral("token by token: max |difference| %1").arg(step_gap)));
}

QTEST_APPLESS_MAIN(TestVulkanArchitectures)
#include "test_vulkan_architectures.moc"

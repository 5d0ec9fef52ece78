// The graphs of every supported architecture against a plain scalar forward
// pass (reference_forward.h) on tiny random models written with the GGUF
// writer. The suite compares all prompt logits with both kernel modes and
// both CPU kernel sets, and incremental decoding with one batch. It also
// checks RoPE scaling and the errors for what is not supported.
#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu/cpu_features.h"
#include "engine/model.h"
#include "engine/session.h"
#include "gguf/gguf_writer.h"
#include "model/kv_cache.h"
#include "model/model_graph.h"
#include "model/ops.h"
#include "model/synthetic.h"
#include "arch_cases.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <optional>
#include <random>

using namespace quanta;
using quanta::test::ArchCase;
using quanta::test::arch_cases;
using quanta::test::tiny;

namespace {

// Largest gap between the engine's logits and the reference's, for F32
// weights: the engine computes in float, the reference in double (measured
// gaps stay below 1e-5).
constexpr double kF32Tolerance = 1e-4;
// For Q8_0 weights, where the fast kernels also round the activations to 8
// bits before the products, as llama.cpp does (measured gaps up to 0.12 on
// logits that span about 4).
constexpr double kQ8FastTolerance = 0.25;
// Largest gap between one batch and token-by-token decoding of the same
// prompt with the same kernels; only the order of float sums differs.
constexpr double kIncrementalTolerance = 1e-4;
// The same for Q8_0 weights on the fast kernels, which round activations to
// 8 bits. A float sum in another order can move a value across a rounding
// boundary, and then some logits move by one quantization step (measured:
// 0.033 in a -O2 build, 0 at -O3).
constexpr double kQ8IncrementalTolerance = 0.05;
// Logits of these models spread over a few units; a reference whose logits
// stay below this would make the comparisons meaningless.
constexpr double kMinLogitRange = 0.5;

constexpr int kPromptLength = 13;

// How the engine runs: kernel mode and, for the fast mode, the CPU kernel set.
enum class Variant { Reference, FastAvx2, FastGeneric };

const char* variant_name(Variant variant)
{
    switch (variant) {
    case Variant::Reference: return "reference kernels";
    case Variant::FastAvx2: return "fast AVX2 kernels";
    case Variant::FastGeneric: return "fast generic kernels";
    }
    return "?";
}

// Forces a CPU kernel set for its lifetime.
class KernelSetScope {
public:
    explicit KernelSetScope(std::optional<cpu::KernelSet> set) { cpu::set_kernel_set_override(set); }
    ~KernelSetScope() { cpu::set_kernel_set_override(std::nullopt); }
};

std::vector<TokenId> test_prompt(int n_vocab, int length, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> token(3, n_vocab - 1);
    std::vector<TokenId> prompt;
    for (int i = 0; i < length; ++i)
        prompt.push_back(token(rng));
    return prompt;
}

std::shared_ptr<Model> load_model(const std::string& path, KernelMode kernels)
{
    LoadOptions options;
    options.kernels = kernels;
    options.n_threads = 2;
    return Model::load(path, options);
}

// Every position's logits of `prompt`, decoded in batches of n_batch.
std::vector<float> engine_logits(const std::shared_ptr<Model>& model, const std::vector<TokenId>& prompt, int n_ctx,
                                 int n_batch)
{
    SessionOptions options;
    options.n_ctx = n_ctx;
    options.kv_type = KvCacheType::F32;
    options.n_batch = n_batch;
    Session session(model, options);
    std::vector<float> logits;
    session.decode(prompt, &logits);
    return logits;
}

std::vector<std::vector<double>> reference_logits(const std::string& path, const std::vector<TokenId>& prompt,
                                                  int n_ctx)
{
    const std::unique_ptr<GgufFile> file = GgufFile::open(path);
    test::ReferenceForward reference(*file, n_ctx);
    return reference.logits(std::vector<int>(prompt.begin(), prompt.end()));
}

struct Comparison {
    double max_diff = 0.0;
    double range = 0.0; // largest |reference logit|
    QString where;      // position and token of the largest difference
};

Comparison compare(const std::vector<float>& engine, const std::vector<std::vector<double>>& reference)
{
    Comparison result;
    const size_t n_vocab = reference.front().size();
    for (size_t t = 0; t < reference.size(); ++t) {
        for (size_t i = 0; i < n_vocab; ++i) {
            const double expected = reference[t][i];
            const double diff = std::abs(double(engine[t * n_vocab + i]) - expected);
            result.range = std::max(result.range, std::abs(expected));
            if (!(diff <= result.max_diff)) {
                result.max_diff = std::isnan(diff) ? INFINITY : diff;
                result.where = QStringLiteral("position %1, token %2: engine %3, reference %4")
                                   .arg(t)
                                   .arg(i)
                                   .arg(double(engine[t * n_vocab + i]))
                                   .arg(expected);
            }
        }
    }
    return result;
}

// Rewrites the GGUF file `source` to `target` with every tensor and every
// metadata value except those in `replace`, which are set (or added) instead.
void rewrite_metadata(const std::string& source, const std::string& target,
                      const std::vector<std::pair<std::string, GgufValue>>& replace,
                      const std::vector<std::string>& remove = {})
{
    const std::unique_ptr<GgufFile> file = GgufFile::open(source);
    GgufWriter writer;
    for (const GgufKeyValue& entry : file->metadata()) {
        const bool replaced = std::any_of(replace.begin(), replace.end(),
                                          [&](const auto& pair) { return pair.first == entry.key; });
        const bool removed = std::find(remove.begin(), remove.end(), entry.key) != remove.end();
        if (!replaced && !removed)
            writer.add_value(entry.key, entry.value);
    }
    for (const auto& [key, value] : replace)
        writer.add_value(key, value);
    for (const GgufTensor& tensor : file->tensors()) {
        std::vector<uint64_t> ne(tensor.ne, tensor.ne + tensor.n_dims);
        writer.add_tensor(tensor.name, tensor.type, ne, std::vector<uint8_t>(tensor.data, tensor.data + tensor.n_bytes));
    }
    writer.write(target);
}

GgufValue string_value(const std::string& text)
{
    GgufValue value;
    value.type = GgufValueType::String;
    value.value = text;
    return value;
}

} // namespace

class ArchitecturesTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void logitsMatchReference_data();
    void logitsMatchReference();
    void incrementalMatchesBatch_data();
    void incrementalMatchesBatch();
    void llama3RopeScaling();
    void longRopePicksFactorsByContext();
    void windowedAttentionKernels_data();
    void windowedAttentionKernels();
    void unknownArchitectureIsNamed();
    void unsupportedRopeScalingIsNamed();
    void gemma3WithoutWindowFails();
    void mixtureOfExpertsIsNamed();

private:
    std::string model_path(size_t case_index) const;

    QTemporaryDir dir_;
    std::vector<ArchCase> cases_;
};

void ArchitecturesTest::initTestCase()
{
    QVERIFY(dir_.isValid());
    cases_ = arch_cases();
    for (size_t i = 0; i < cases_.size(); ++i)
        write_synthetic_model(model_path(i), cases_[i].options);
}

std::string ArchitecturesTest::model_path(size_t case_index) const
{
    return dir_.filePath(QStringLiteral("case%1.gguf").arg(case_index)).toStdString();
}

void ArchitecturesTest::logitsMatchReference_data()
{
    QTest::addColumn<int>("case_index");
    QTest::addColumn<int>("variant");
    const std::vector<ArchCase> cases = arch_cases();
    for (size_t i = 0; i < cases.size(); ++i) {
        for (Variant variant : {Variant::Reference, Variant::FastAvx2, Variant::FastGeneric}) {
            const QString name =
                QStringLiteral("%1, %2").arg(QString::fromUtf8(cases[i].name), QString::fromUtf8(variant_name(variant)));
            QTest::newRow(qPrintable(name)) << int(i) << int(variant);
        }
    }
}

void ArchitecturesTest::logitsMatchReference()
{
    QFETCH(int, case_index);
    QFETCH(int, variant);
    const ArchCase& arch_case = cases_[static_cast<size_t>(case_index)];
    const Variant run_variant = Variant(variant);
    if (run_variant == Variant::FastAvx2 && !cpu::cpu_has_avx2_fma_f16c())
        QSKIP("this CPU has no AVX2 kernels");
    const std::string path = model_path(static_cast<size_t>(case_index));

    // The engine, in batches of 5 so later batches start past the windows.
    const std::vector<TokenId> prompt = test_prompt(arch_case.options.n_vocab, kPromptLength, 1);
    std::vector<float> logits;
    {
        const KernelSetScope scope(run_variant == Variant::FastGeneric ? std::optional(cpu::KernelSet::Generic)
                                                               : std::nullopt);
        const auto model = load_model(path, run_variant == Variant::Reference ? KernelMode::Reference : KernelMode::Fast);
        QCOMPARE(QString::fromStdString(model->info().architecture),
                 QString::fromStdString(arch_case.options.architecture));
        logits = engine_logits(model, prompt, arch_case.n_ctx, 5);
    }

    const std::vector<std::vector<double>> expected = reference_logits(path, prompt, arch_case.n_ctx);
    QCOMPARE(logits.size(), expected.size() * expected.front().size());
    const Comparison result = compare(logits, expected);
    QVERIFY2(result.range > kMinLogitRange, qPrintable(QStringLiteral("reference logits span only %1").arg(result.range)));
    const bool quantized_fast = arch_case.options.type != GgmlType::F32 && run_variant != Variant::Reference;
    const double tolerance = quantized_fast ? kQ8FastTolerance : kF32Tolerance;
    QVERIFY2(result.max_diff <= tolerance,
             qPrintable(QStringLiteral("max difference %1 > %2 at %3").arg(result.max_diff).arg(tolerance).arg(result.where)));
}

void ArchitecturesTest::incrementalMatchesBatch_data()
{
    QTest::addColumn<int>("case_index");
    const std::vector<ArchCase> cases = arch_cases();
    for (size_t i = 0; i < cases.size(); ++i)
        QTest::newRow(cases[i].name) << int(i);
}

void ArchitecturesTest::incrementalMatchesBatch()
{
    QFETCH(int, case_index);
    const ArchCase& arch_case = cases_[static_cast<size_t>(case_index)];
    const auto model = load_model(model_path(static_cast<size_t>(case_index)), KernelMode::Fast);
    const std::vector<TokenId> prompt = test_prompt(arch_case.options.n_vocab, kPromptLength, 2);
    const std::vector<float> batch = engine_logits(model, prompt, arch_case.n_ctx, 512);

    // Three prompt tokens at once, then one token per call.
    SessionOptions options;
    options.n_ctx = arch_case.n_ctx;
    options.kv_type = KvCacheType::F32;
    Session session(model, options);
    std::vector<float> incremental;
    std::vector<float> rows;
    session.decode(std::span(prompt).first(3), &rows);
    incremental.insert(incremental.end(), rows.begin(), rows.end());
    for (size_t t = 3; t < prompt.size(); ++t) {
        session.decode(std::span(prompt).subspan(t, 1), &rows);
        incremental.insert(incremental.end(), rows.begin(), rows.end());
    }

    QCOMPARE(incremental.size(), batch.size());
    const float diff = test::max_abs_diff(incremental.data(), batch.data(), batch.size());
    const double tolerance =
        arch_case.options.type == GgmlType::F32 ? kIncrementalTolerance : kQ8IncrementalTolerance;
    QVERIFY2(diff <= tolerance, qPrintable(QStringLiteral("max difference %1, tolerance %2").arg(diff).arg(tolerance)));
}

void ArchitecturesTest::llama3RopeScaling()
{
    // One llama without scaling; the same weights with Llama 3.1 scaling in
    // metadata only; and with the divisors also stored as rope_freqs.weight.
    // The original context of 16 puts the pairs of a 16-wide head in all
    // three regions of the formula.
    SyntheticModelOptions plain = tiny("llama", 48, 3, 1, 64, 2);
    SyntheticModelOptions scaled = plain;
    scaled.rope_scaling = "llama3";
    scaled.rope_scaling_factor = 8.0f;
    scaled.rope_original_context = 16;
    SyntheticModelOptions tensor = scaled;
    tensor.rope_freqs_tensor = true;

    const std::string plain_path = dir_.filePath("llama-plain.gguf").toStdString();
    const std::string scaled_path = dir_.filePath("llama3-metadata.gguf").toStdString();
    const std::string tensor_path = dir_.filePath("llama3-tensor.gguf").toStdString();
    write_synthetic_model(plain_path, plain);
    write_synthetic_model(scaled_path, scaled);
    write_synthetic_model(tensor_path, tensor);

    const std::vector<TokenId> prompt = test_prompt(plain.n_vocab, kPromptLength, 3);
    const int n_ctx = 64;
    const std::vector<float> plain_logits = engine_logits(load_model(plain_path, KernelMode::Fast), prompt, n_ctx, 512);
    const std::vector<float> scaled_logits = engine_logits(load_model(scaled_path, KernelMode::Fast), prompt, n_ctx, 512);
    const std::vector<float> tensor_logits = engine_logits(load_model(tensor_path, KernelMode::Fast), prompt, n_ctx, 512);

    // Scaling changes the logits.
    const float change = test::max_abs_diff(plain_logits.data(), scaled_logits.data(), plain_logits.size());
    QVERIFY2(change > 0.05f, qPrintable(QStringLiteral("llama3 scaling changed the logits by only %1").arg(change)));

    // Each file matches the reference, which computes the divisors its own way.
    const Comparison metadata = compare(scaled_logits, reference_logits(scaled_path, prompt, n_ctx));
    QVERIFY2(metadata.max_diff <= kF32Tolerance, qPrintable(metadata.where));
    const Comparison stored = compare(tensor_logits, reference_logits(tensor_path, prompt, n_ctx));
    QVERIFY2(stored.max_diff <= kF32Tolerance, qPrintable(stored.where));
    const Comparison unscaled = compare(plain_logits, reference_logits(plain_path, prompt, n_ctx));
    QVERIFY2(unscaled.max_diff <= kF32Tolerance, qPrintable(unscaled.where));

    // Metadata and tensor describe the same divisors.
    const float same = test::max_abs_diff(scaled_logits.data(), tensor_logits.data(), scaled_logits.size());
    QVERIFY2(same <= kIncrementalTolerance, qPrintable(QStringLiteral("metadata vs tensor: %1").arg(same)));
}

void ArchitecturesTest::longRopePicksFactorsByContext()
{
    // The phi3 case with LongRoPE: a context of 32 (the original) uses the
    // short factors, 64 the long ones, and both match the reference.
    size_t index = 0;
    while (std::string(cases_[index].name).rfind("phi3 LongRoPE long", 0) != 0)
        ++index;
    const std::string path = model_path(index);
    const auto model = load_model(path, KernelMode::Fast);
    const std::vector<TokenId> prompt = test_prompt(cases_[index].options.n_vocab, kPromptLength, 4);

    const std::vector<float> short_logits = engine_logits(model, prompt, 32, 512);
    const std::vector<float> long_logits = engine_logits(model, prompt, 64, 512);
    const float change = test::max_abs_diff(short_logits.data(), long_logits.data(), short_logits.size());
    QVERIFY2(change > 0.05f, qPrintable(QStringLiteral("long factors changed the logits by only %1").arg(change)));

    const Comparison short_result = compare(short_logits, reference_logits(path, prompt, 32));
    QVERIFY2(short_result.max_diff <= kF32Tolerance, qPrintable(short_result.where));
    const Comparison long_result = compare(long_logits, reference_logits(path, prompt, 64));
    QVERIFY2(long_result.max_diff <= kF32Tolerance, qPrintable(long_result.where));
}

void ArchitecturesTest::windowedAttentionKernels_data()
{
    QTest::addColumn<int>("head_dim");
    QTest::addColumn<int>("window");
    QTest::addColumn<float>("softcap");
    QTest::addColumn<int>("pos0");
    QTest::addColumn<int>("n_tokens");
    QTest::newRow("prompt longer than window") << 16 << 5 << 0.0f << 0 << 17;
    QTest::newRow("batch after cache") << 16 << 5 << 0.0f << 3 << 9;
    QTest::newRow("decode past window") << 32 << 4 << 0.0f << 20 << 1;
    QTest::newRow("window covers batch") << 8 << 40 << 0.0f << 2 << 7;
    QTest::newRow("soft-capped, windowed") << 16 << 6 << 1.5f << 2 << 11;
    QTest::newRow("soft-capped, head 12") << 12 << 0 << 3.0f << 0 << 9;
}

void ArchitecturesTest::windowedAttentionKernels()
{
    QFETCH(int, head_dim);
    QFETCH(int, window);
    QFETCH(float, softcap);
    QFETCH(int, pos0);
    QFETCH(int, n_tokens);

    // Random keys, values and queries: 4 query heads sharing 2 KV heads.
    AttentionShape shape;
    shape.n_head = 4;
    shape.n_head_kv = 2;
    shape.head_dim = head_dim;
    shape.scale = 1.0f / std::sqrt(float(head_dim));
    shape.softcap = softcap;
    shape.window = window;
    const int n_embd_kv = shape.n_head_kv * head_dim;
    const int n_ctx = pos0 + n_tokens;
    KvCache kv(1, n_ctx, n_embd_kv, KvCacheType::F32);
    std::mt19937 rng(5);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> keys(static_cast<size_t>(n_ctx * n_embd_kv));
    std::vector<float> values(keys.size());
    for (float& value : keys)
        value = dist(rng);
    for (float& value : values)
        value = dist(rng);
    for (int position = 0; position < n_ctx; ++position)
        kv.store(0, position, &keys[static_cast<size_t>(position * n_embd_kv)],
                 &values[static_cast<size_t>(position * n_embd_kv)]);
    const int n_embd_q = shape.n_head * head_dim;
    std::vector<float> q(static_cast<size_t>(n_tokens * n_embd_q));
    for (float& value : q)
        value = dist(rng);

    // The expected output from a double-precision loop.
    std::vector<double> expected(q.size(), 0.0);
    for (int t = 0; t < n_tokens; ++t) {
        const int position = pos0 + t;
        const int first = window > 0 ? std::max(0, position - window + 1) : 0;
        for (int h = 0; h < shape.n_head; ++h) {
            const size_t kv_offset = static_cast<size_t>((h / 2) * head_dim);
            std::vector<double> scores;
            for (int j = first; j <= position; ++j) {
                double dot = 0.0;
                for (int d = 0; d < head_dim; ++d)
                    dot += double(q[static_cast<size_t>(t * n_embd_q + h * head_dim + d)]) *
                           keys[static_cast<size_t>(j * n_embd_kv) + kv_offset + static_cast<size_t>(d)];
                double score = dot * shape.scale;
                if (softcap > 0.0f)
                    score = softcap * std::tanh(score / softcap);
                scores.push_back(score);
            }
            const double top = *std::max_element(scores.begin(), scores.end());
            double sum = 0.0;
            for (double& score : scores)
                sum += (score = std::exp(score - top));
            for (int j = first; j <= position; ++j)
                for (int d = 0; d < head_dim; ++d)
                    expected[static_cast<size_t>(t * n_embd_q + h * head_dim + d)] +=
                        scores[static_cast<size_t>(j - first)] / sum *
                        values[static_cast<size_t>(j * n_embd_kv) + kv_offset + static_cast<size_t>(d)];
        }
    }

    // Both kernel sets, with 1 and 3 threads.
    std::vector<std::optional<cpu::KernelSet>> sets = {cpu::KernelSet::Generic};
    if (cpu::cpu_has_avx2_fma_f16c())
        sets.push_back(cpu::KernelSet::Avx2);
    for (const auto& set : sets) {
        const KernelSetScope scope(set);
        for (int threads : {1, 3}) {
            ThreadPool pool(threads);
            std::vector<float> out(q.size(), NAN);
            attention(q.data(), n_tokens, pos0, 0, kv, shape, out.data(), pool);
            for (size_t i = 0; i < out.size(); ++i)
                QVERIFY2(std::abs(out[i] - expected[i]) < 1e-4,
                         qPrintable(QStringLiteral("%1 kernels, element %2: %3 vs %4")
                                        .arg(cpu::kernel_set_name(*set))
                                        .arg(i)
                                        .arg(out[i])
                                        .arg(expected[i])));
        }
    }
}

void ArchitecturesTest::unknownArchitectureIsNamed()
{
    const std::string source = model_path(0);
    const std::string path = dir_.filePath("mamba.gguf").toStdString();
    rewrite_metadata(source, path, {{"general.architecture", string_value("mamba")}});
    try {
        load_model(path, KernelMode::Fast);
        QFAIL("an unknown architecture loaded");
    } catch (const UnsupportedError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("'mamba'")), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
        for (const std::string& name : ModelGraph::supported_architectures())
            QVERIFY2(message.contains(QString::fromStdString(name)), qPrintable(message));
    }
    const std::vector<std::string> expected = {"llama", "qwen2", "gemma2", "gemma3", "phi3"};
    QVERIFY(ModelGraph::supported_architectures() == expected);
}

void ArchitecturesTest::unsupportedRopeScalingIsNamed()
{
    // YaRN is a scaling type no graph runs; longrope is phi3's alone.
    const std::string path = dir_.filePath("yarn.gguf").toStdString();
    rewrite_metadata(model_path(0), path, {{"llama.rope.scaling.type", string_value("yarn")}});
    try {
        load_model(path, KernelMode::Fast);
        QFAIL("a file with YaRN scaling loaded");
    } catch (const UnsupportedError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("'yarn'")), error.what());
    }

    const std::string longrope_path = dir_.filePath("llama-longrope.gguf").toStdString();
    rewrite_metadata(model_path(0), longrope_path, {{"llama.rope.scaling.type", string_value("longrope")}});
    try {
        load_model(longrope_path, KernelMode::Fast);
        QFAIL("a llama file with longrope scaling loaded");
    } catch (const UnsupportedError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QStringLiteral("'longrope'")) && message.contains(QStringLiteral("'llama'")),
                 qPrintable(message));
    }
}

void ArchitecturesTest::gemma3WithoutWindowFails()
{
    size_t index = 0;
    while (cases_[index].options.architecture != "gemma3")
        ++index;
    const std::string path = dir_.filePath("gemma3-no-window.gguf").toStdString();
    rewrite_metadata(model_path(index), path, {}, {"gemma3.attention.sliding_window"});
    try {
        load_model(path, KernelMode::Fast);
        QFAIL("a gemma3 file without a sliding window loaded");
    } catch (const FormatError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("gemma3.attention.sliding_window")),
                 error.what());
    }
}

void ArchitecturesTest::mixtureOfExpertsIsNamed()
{
    GgufValue experts;
    experts.type = GgufValueType::Uint32;
    experts.value = uint64_t(8);
    const std::string path = dir_.filePath("mixtral.gguf").toStdString();
    rewrite_metadata(model_path(0), path, {{"llama.expert_count", experts}});
    try {
        load_model(path, KernelMode::Fast);
        QFAIL("a mixture-of-experts llama file loaded");
    } catch (const UnsupportedError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("llama.expert_count")), error.what());
    }
}

QTEST_APPLESS_MAIN(ArchitecturesTest)
#include "test_architectures.moc"

// Every Vulkan compute shader against the CPU scalar reference, on shapes
// that are not multiples of the workgroup or block size. Runs on the
// machine's Vulkan driver (lavapipe in CI). Each test states its tolerance.

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/session.h"
#include "gguf/ggml_type.h"
#include "model/kv_cache.h"
#include "model/ops.h"
#include "quant/reference.h"
#include "vulkan/push_constants.h"
#include "vulkan/vulkan_context.h"
#include "vulkan/vulkan_memory.h"
#include "vulkan/vulkan_pipeline.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <random>

using namespace quanta;
using namespace quanta::vk;

namespace {

std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> values(n);
    for (float& v : values)
        v = normal(rng);
    return values;
}

// A host-visible buffer holding `data`.
template <typename T>
Buffer upload(DeviceMemory& memory, const std::vector<T>& data, MemoryCategory category = MemoryCategory::Scratch)
{
    Buffer buffer = memory.allocate(data.size() * sizeof(T), category, MemoryPlace::Upload);
    std::memcpy(buffer.mapped(), data.data(), data.size() * sizeof(T));
    buffer.flush();
    return buffer;
}

std::vector<float> download(const Buffer& buffer, size_t n)
{
    buffer.invalidate();
    const float* values = static_cast<const float*>(buffer.mapped());
    return std::vector<float>(values, values + n);
}

// Largest |a - b| / (1 + |b|).
float max_relative_error(const std::vector<float>& a, const std::vector<float>& b)
{
    float worst = 0.0f;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]) / (1.0f + std::fabs(b[i])));
    return worst;
}

// The type called `name`, the internal GPTQ/AWQ types (Q4_G, Q8_G)
// included, which ggml_type_from_name() does not accept.
GgmlType weight_type_named(const QString& name)
{
    for (uint32_t id = 0; id <= kFirstInternalType + 16; ++id) {
        const GgmlTypeTraits* traits = ggml_type_traits(id);
        if (traits && QString::fromLatin1(traits->name.data(), static_cast<qsizetype>(traits->name.size())) == name)
            return traits->type;
    }
    qFatal("unknown type %s", qPrintable(name));
}

// Random weights of `type` quantized into `packed` (row by row) and read back
// through the scalar reference into `dequantized`.
struct TestMatrix {
    std::vector<uint8_t> packed;
    std::vector<float> dequantized;
    uint64_t row_bytes = 0;
};

TestMatrix make_matrix(GgmlType type, int nrows, int ncols, uint32_t seed)
{
    TestMatrix m;
    m.row_bytes = *ggml_row_bytes(type, static_cast<uint64_t>(ncols));
    const std::vector<float> weights = random_floats(static_cast<size_t>(nrows) * ncols, seed);
    m.packed.resize(m.row_bytes * nrows);
    m.dequantized.resize(weights.size());
    for (int r = 0; r < nrows; ++r) {
        quantize_row(type, weights.data() + r * ncols, m.packed.data() + r * m.row_bytes, ncols);
        dequantize_row_reference(type, m.packed.data() + r * m.row_bytes, m.dequantized.data() + r * ncols, ncols);
    }
    return m;
}

// Compares y ([n_vectors, nrows]) with the dequantized weights times x in
// double. Tolerance: float rounding of the sum, 1e-5 of the sum of |w * x|.
void check_products(const std::vector<float>& y, const TestMatrix& m, const std::vector<float>& x, int nrows,
                    int ncols, int n_vectors)
{
    for (int v = 0; v < n_vectors; ++v) {
        for (int r = 0; r < nrows; ++r) {
            double exact = 0.0;
            double magnitude = 0.0;
            for (int k = 0; k < ncols; ++k) {
                const double term = double(m.dequantized[r * ncols + k]) * x[v * ncols + k];
                exact += term;
                magnitude += std::fabs(term);
            }
            const double got = y[v * nrows + r];
            QVERIFY2(std::fabs(got - exact) <= 1e-5 * magnitude + 1e-6,
                     qPrintable(QStringLiteral("vector %1, row %2: %3 vs %4").arg(v).arg(r).arg(got).arg(exact)));
        }
    }
}

} // namespace

class TestVulkanOps : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void rmsNorm();
    void matvec_data();
    void matvec();
    void matmul_data();
    void matmul();
    void getRows_data();
    void getRows();
    void rope_data();
    void rope();
    void glu_data();
    void glu();
    void add();
    void scalarOps_data();
    void scalarOps();
    void copyColumns();
    void gatherColumns();
    void attention_data();
    void attention();

private:
    std::shared_ptr<Instance> instance_;
    std::shared_ptr<Context> context_;
    std::unique_ptr<DeviceMemory> memory_;
};

void TestVulkanOps::initTestCase()
{
    try {
        instance_ = Instance::create();
        context_ = Context::create(instance_, select_device(instance_->devices(), ""));
        memory_ = std::make_unique<DeviceMemory>(context_);
    } catch (const Error& error) {
        QFAIL(error.what());
    }
}

void TestVulkanOps::rmsNorm()
{
    // Rows of 67 values stored 80 apart; the gap must stay untouched.
    const uint32_t n = 67;
    const uint32_t stride = 80;
    const uint32_t rows = 3;
    const float eps = 1e-5f;
    const std::vector<float> x = random_floats(stride * rows, 1);
    const std::vector<float> w = random_floats(n, 2);
    Buffer x_buffer = upload(*memory_, x);
    Buffer w_buffer = upload(*memory_, w, MemoryCategory::Weights);
    Buffer y_buffer = upload(*memory_, std::vector<float>(x.size(), 0.0f));

    const Pipeline pipeline(*context_, "rms_norm", 3, sizeof(RmsNormPush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {x_buffer, w_buffer, y_buffer}, RmsNormPush{n, stride, eps, 0}, rows);
    recorder.submit_and_wait();
    const std::vector<float> y = download(y_buffer, x.size());

    // Tolerance: float sums in another order, relative 1e-5.
    std::vector<float> expected(x.size(), 0.0f);
    for (uint32_t row = 0; row < rows; ++row)
        rms_norm(x.data() + row * stride, w.data(), expected.data() + row * stride, 1, n, eps);
    QVERIFY2(max_relative_error(y, expected) <= 1e-5f, qPrintable(QString::number(max_relative_error(y, expected))));
}

void TestVulkanOps::matvec_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("ncols");
    for (const char* type : {"F32", "F16"})
        QTest::newRow(type) << QString::fromLatin1(type) << 67;
    for (const char* type : {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q4_G", "Q8_G"})
        QTest::newRow(type) << QString::fromLatin1(type) << 96;
    for (const char* type : {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
        QTest::newRow(type) << QString::fromLatin1(type) << 768;
}

void TestVulkanOps::matvec()
{
    QFETCH(QString, type);
    QFETCH(int, ncols);
    // 37 rows and a batch of 3 vectors: neither fills a workgroup evenly.
    const int nrows = 37;
    const int batch = 3;
    const TestMatrix m = make_matrix(weight_type_named(type), nrows, ncols, 3);
    const std::vector<float> x = random_floats(static_cast<size_t>(batch) * ncols, 4);
    Buffer w_buffer = upload(*memory_, m.packed, MemoryCategory::Weights);
    Buffer x_buffer = upload(*memory_, x);
    Buffer y_buffer = upload(*memory_, std::vector<float>(static_cast<size_t>(batch) * nrows, 0.0f));

    // 32 invocations and 4 rows per workgroup; the last workgroup has 1 row.
    const Pipeline pipeline(*context_, "matvec_" + type.toLower().toStdString(), 3, sizeof(MatvecPush), {32, 4});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {w_buffer, x_buffer, y_buffer},
                      MatvecPush{static_cast<uint32_t>(ncols), static_cast<uint32_t>(nrows),
                                 static_cast<uint32_t>(m.row_bytes)},
                      (nrows + 3) / 4, batch);
    recorder.submit_and_wait();
    check_products(download(y_buffer, static_cast<size_t>(batch) * nrows), m, x, nrows, ncols, batch);
}

void TestVulkanOps::matmul_data()
{
    matvec_data();
}

void TestVulkanOps::matmul()
{
    QFETCH(QString, type);
    QFETCH(int, ncols);
    // 37 rows by 19 tokens: both tile edges are partly outside the matrix.
    const int nrows = 37;
    const int n_tokens = 19;
    const TestMatrix m = make_matrix(weight_type_named(type), nrows, ncols, 15);
    const std::vector<float> x = random_floats(static_cast<size_t>(n_tokens) * ncols, 16);
    Buffer w_buffer = upload(*memory_, m.packed, MemoryCategory::Weights);
    Buffer x_buffer = upload(*memory_, x);
    Buffer y_buffer = upload(*memory_, std::vector<float>(static_cast<size_t>(n_tokens) * nrows, 0.0f));

    const Pipeline pipeline(*context_, "matmul_" + type.toLower().toStdString(), 3, sizeof(MatmulPush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {w_buffer, x_buffer, y_buffer},
                      MatmulPush{static_cast<uint32_t>(ncols), static_cast<uint32_t>(nrows),
                                 static_cast<uint32_t>(m.row_bytes), static_cast<uint32_t>(n_tokens)},
                      (nrows + 15) / 16, (n_tokens + 15) / 16);
    recorder.submit_and_wait();
    check_products(download(y_buffer, static_cast<size_t>(n_tokens) * nrows), m, x, nrows, ncols, n_tokens);
}

void TestVulkanOps::getRows_data()
{
    matvec_data();
}

void TestVulkanOps::getRows()
{
    QFETCH(QString, type);
    QFETCH(int, ncols);
    const GgmlType weight_type = weight_type_named(type);
    const int nrows = 11;
    const uint64_t row_bytes = *ggml_row_bytes(weight_type, static_cast<uint64_t>(ncols));
    const std::vector<float> table = random_floats(static_cast<size_t>(nrows) * ncols, 5);
    std::vector<uint8_t> packed(row_bytes * nrows);
    for (int r = 0; r < nrows; ++r)
        quantize_row(weight_type, table.data() + r * ncols, packed.data() + r * row_bytes, ncols);
    const std::vector<int32_t> ids = {10, 0, 7, 7, 3};
    Buffer table_buffer = upload(*memory_, packed, MemoryCategory::Weights);
    Buffer ids_buffer = upload(*memory_, ids);
    Buffer out_buffer = upload(*memory_, std::vector<float>(ids.size() * ncols, 0.0f));

    const Pipeline pipeline(*context_, "get_rows_" + type.toLower().toStdString(), 3, sizeof(GetRowsPush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {table_buffer, ids_buffer, out_buffer},
                      GetRowsPush{static_cast<uint32_t>(ncols), static_cast<uint32_t>(row_bytes)},
                      static_cast<uint32_t>(ids.size()));
    recorder.submit_and_wait();
    const std::vector<float> out = download(out_buffer, ids.size() * ncols);

    // Tolerance: none. Dequantization is exact in float on both sides.
    std::vector<float> expected(static_cast<size_t>(ncols));
    for (size_t r = 0; r < ids.size(); ++r) {
        dequantize_row_reference(weight_type, packed.data() + ids[r] * row_bytes, expected.data(), ncols);
        for (int e = 0; e < ncols; ++e)
            QCOMPARE(out[r * ncols + e], expected[static_cast<size_t>(e)]);
    }
}

void TestVulkanOps::rope_data()
{
    QTest::addColumn<bool>("neox");
    QTest::addColumn<bool>("factors");
    QTest::newRow("normal") << false << false;
    QTest::newRow("neox") << true << false;
    QTest::newRow("normal with divisors") << false << true;
    QTest::newRow("neox with divisors") << true << true;
}

void TestVulkanOps::rope()
{
    QFETCH(bool, neox);
    QFETCH(bool, factors);
    // 5 tokens at positions 1000..1004, 3 heads of 24 values, 20 rotated.
    const int n_tokens = 5;
    const int n_heads = 3;
    const int head_dim = 24;
    const int pos0 = 1000;
    std::vector<float> x = random_floats(static_cast<size_t>(n_tokens) * n_heads * head_dim, 6);
    std::vector<float> divisors = random_floats(10, 7);
    for (float& d : divisors)
        d = 1.0f + std::fabs(d);
    RopeParams params;
    params.mode = neox ? RopeMode::Neox : RopeMode::Normal;
    params.n_rot = 20;
    params.freq_base = 500000.0f;
    params.freq_scale = 0.5f;
    params.attn_factor = 1.1f;
    params.freq_factors = factors ? divisors.data() : nullptr;

    Buffer x_buffer = upload(*memory_, x);
    Buffer factor_buffer = upload(*memory_, divisors);
    const Pipeline pipeline(*context_, "rope", 2, sizeof(RopePush), {64});
    Recorder recorder(*context_);
    const uint32_t n_pairs = static_cast<uint32_t>(n_tokens * n_heads * params.n_rot / 2);
    recorder.dispatch(pipeline, {x_buffer, factor_buffer},
                      RopePush{n_tokens, n_heads, head_dim, static_cast<uint32_t>(params.n_rot), pos0, neox ? 1u : 0u,
                               factors ? 1u : 0u, params.freq_base, params.freq_scale, params.attn_factor},
                      (n_pairs + 63) / 64);
    recorder.submit_and_wait();
    const std::vector<float> y = download(x_buffer, x.size());

    // Tolerance: the GPU's sin and cos of angles near 1000 radians, 2e-4
    // relative (Vulkan only bounds their absolute error).
    quanta::rope(x.data(), n_tokens, n_heads, head_dim, pos0, params);
    QVERIFY2(max_relative_error(y, x) <= 2e-4f, qPrintable(QString::number(max_relative_error(y, x))));
}

void TestVulkanOps::glu_data()
{
    QTest::addColumn<QString>("shader");
    QTest::newRow("SwiGLU") << "glu_silu";
    QTest::newRow("GeGLU") << "glu_gelu";
}

void TestVulkanOps::glu()
{
    QFETCH(QString, shader);
    const size_t n = 1001;
    std::vector<float> gate = random_floats(n, 8, 3.0f);
    const std::vector<float> up = random_floats(n, 9);
    Buffer gate_buffer = upload(*memory_, gate);
    Buffer up_buffer = upload(*memory_, up);
    const Pipeline pipeline(*context_, shader.toStdString(), 2, sizeof(ElementwisePush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {gate_buffer, up_buffer}, ElementwisePush{static_cast<uint32_t>(n)}, (n + 63) / 64);
    recorder.submit_and_wait();
    const std::vector<float> y = download(gate_buffer, n);

    // Tolerance: exp and tanh on the GPU, 1e-5 relative.
    if (shader == "glu_silu")
        swiglu(gate.data(), up.data(), static_cast<int64_t>(n));
    else
        geglu(gate.data(), up.data(), static_cast<int64_t>(n));
    QVERIFY2(max_relative_error(y, gate) <= 1e-5f, qPrintable(QString::number(max_relative_error(y, gate))));
}

void TestVulkanOps::add()
{
    const size_t n = 333;
    std::vector<float> x = random_floats(n, 10);
    const std::vector<float> y = random_floats(n, 11);
    Buffer x_buffer = upload(*memory_, x);
    Buffer y_buffer = upload(*memory_, y);
    const Pipeline pipeline(*context_, "add", 2, sizeof(ElementwisePush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {x_buffer, y_buffer}, ElementwisePush{static_cast<uint32_t>(n)}, (n + 63) / 64);
    recorder.submit_and_wait();
    const std::vector<float> sum = download(x_buffer, n);
    add_in_place(x.data(), y.data(), static_cast<int64_t>(n));
    // Tolerance: none; one float addition each.
    for (size_t i = 0; i < n; ++i)
        QCOMPARE(sum[i], x[i]);
}

void TestVulkanOps::scalarOps_data()
{
    QTest::addColumn<QString>("shader");
    QTest::newRow("scale") << "scale";
    QTest::newRow("softcap") << "softcap";
    QTest::newRow("add_bias") << "add_bias";
}

void TestVulkanOps::scalarOps()
{
    QFETCH(QString, shader);
    const uint32_t width = 13;
    const uint32_t n_tokens = 7;
    const float factor = 2.5f;
    std::vector<float> x = random_floats(width * n_tokens, 17, 4.0f);
    const std::vector<float> bias = random_floats(width, 18);
    Buffer x_buffer = upload(*memory_, x);
    Buffer bias_buffer = upload(*memory_, bias);
    const Pipeline pipeline(*context_, shader.toStdString(), 2, sizeof(ScalarOpPush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {x_buffer, bias_buffer}, ScalarOpPush{width * n_tokens, width, factor},
                      (width * n_tokens + 63) / 64);
    recorder.submit_and_wait();
    const std::vector<float> y = download(x_buffer, x.size());

    // Tolerance: tanh on the GPU, 1e-5 relative; the others are exact.
    if (shader == "scale")
        scale_in_place(x.data(), static_cast<int64_t>(x.size()), factor);
    else if (shader == "softcap")
        soft_cap(x.data(), static_cast<int64_t>(x.size()), factor);
    else
        add_bias(x.data(), bias.data(), n_tokens, width);
    QVERIFY2(max_relative_error(y, x) <= 1e-5f, qPrintable(QString::number(max_relative_error(y, x))));
}

void TestVulkanOps::copyColumns()
{
    // Splits K out of 3 tokens of a fused Q|K|V row of 10 + 4 + 4 values.
    const uint32_t n_tokens = 3;
    const uint32_t src_width = 18;
    const std::vector<float> fused = random_floats(n_tokens * src_width, 19);
    Buffer src = upload(*memory_, fused);
    Buffer dst = upload(*memory_, std::vector<float>(n_tokens * 4, 0.0f));
    const Pipeline pipeline(*context_, "copy_columns", 2, sizeof(CopyColumnsPush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {src, dst}, CopyColumnsPush{n_tokens, src_width, 10, 4}, 1);
    recorder.submit_and_wait();
    const std::vector<float> k = download(dst, n_tokens * 4);
    for (uint32_t t = 0; t < n_tokens; ++t) {
        for (uint32_t j = 0; j < 4; ++j)
            QCOMPARE(k[t * 4 + j], fused[t * src_width + 10 + j]);
    }
}

void TestVulkanOps::gatherColumns()
{
    // 3 tokens of 37 values in a fixed shuffled order; 37 is off the workgroup.
    const uint32_t n_tokens = 3;
    const uint32_t width = 37;
    std::vector<int32_t> perm(width);
    for (uint32_t j = 0; j < width; ++j)
        perm[j] = static_cast<int32_t>((j * 11 + 5) % width);
    const std::vector<float> x = random_floats(n_tokens * width, 23);
    Buffer src = upload(*memory_, x);
    Buffer perm_buffer = upload(*memory_, perm);
    Buffer dst = upload(*memory_, std::vector<float>(n_tokens * width, 0.0f));
    const Pipeline pipeline(*context_, "gather_columns", 3, sizeof(GatherColumnsPush), {64});
    Recorder recorder(*context_);
    recorder.dispatch(pipeline, {src, perm_buffer, dst}, GatherColumnsPush{n_tokens, width},
                      (n_tokens * width + 63) / 64);
    recorder.submit_and_wait();
    const std::vector<float> y = download(dst, n_tokens * width);
    for (uint32_t t = 0; t < n_tokens; ++t) {
        for (uint32_t j = 0; j < width; ++j)
            QCOMPARE(y[t * width + j], x[t * width + static_cast<uint32_t>(perm[j])]);
    }
}

void TestVulkanOps::attention_data()
{
    QTest::addColumn<int>("pos0");
    QTest::addColumn<int>("n_tokens");
    QTest::addColumn<int>("window");
    QTest::addColumn<float>("softcap");
    QTest::newRow("prompt") << 0 << 9 << 0 << 0.0f;
    QTest::newRow("decode after 150") << 150 << 1 << 0 << 0.0f;
    QTest::newRow("chunked prompt") << 70 << 5 << 0 << 0.0f;
    QTest::newRow("sliding window") << 60 << 7 << 16 << 0.0f;
    QTest::newRow("soft-capped") << 20 << 3 << 0 << 5.0f;
}

void TestVulkanOps::attention()
{
    QFETCH(int, pos0);
    QFETCH(int, n_tokens);
    QFETCH(int, window);
    QFETCH(float, softcap);
    // 6 query heads over 2 KV heads of 40 values. The workgroup of 32 is
    // smaller than the head and the context, which exercises the chunks.
    AttentionShape shape;
    shape.n_head = 6;
    shape.n_head_kv = 2;
    shape.head_dim = 40;
    shape.scale = 1.0f / std::sqrt(40.0f);
    shape.softcap = softcap;
    shape.window = window;
    const int n_ctx = 256;
    const int n_embd_kv = shape.n_head_kv * shape.head_dim;
    const int n_positions = pos0 + n_tokens;

    // Keys and values of every position so far, in the CPU's F16 cache.
    KvCache cache(1, n_ctx, n_embd_kv, KvCacheType::F16);
    const std::vector<float> keys = random_floats(static_cast<size_t>(n_positions) * n_embd_kv, 12);
    const std::vector<float> values = random_floats(static_cast<size_t>(n_positions) * n_embd_kv, 13);
    for (int position = 0; position < n_positions; ++position)
        cache.store(0, position, keys.data() + position * n_embd_kv, values.data() + position * n_embd_kv);
    const std::vector<float> q = random_floats(static_cast<size_t>(n_tokens) * shape.n_head * shape.head_dim, 14, 2.0f);

    // The GPU cache is filled by kv_store: the earlier positions first, then
    // this batch's, as a model step does.
    Buffer k_buffer = upload(*memory_, keys);
    Buffer v_buffer = upload(*memory_, values);
    Buffer k_cache = memory_->allocate(static_cast<size_t>(n_ctx) * n_embd_kv * 2, MemoryCategory::KvCache,
                                       MemoryPlace::Device);
    Buffer v_cache = memory_->allocate(static_cast<size_t>(n_ctx) * n_embd_kv * 2, MemoryCategory::KvCache,
                                       MemoryPlace::Device);
    Buffer q_buffer = upload(*memory_, q);
    Buffer out_buffer = upload(*memory_, std::vector<float>(q.size(), 0.0f));
    const Pipeline store(*context_, "kv_store", 4, sizeof(KvStorePush), {64});
    const Pipeline attend(*context_, "attention", 4, sizeof(AttentionPush), {32});
    Recorder recorder(*context_);
    const auto store_range = [&](int first, int count) {
        const uint64_t offset = static_cast<uint64_t>(first) * n_embd_kv * sizeof(float);
        const uint64_t bytes = static_cast<uint64_t>(count) * n_embd_kv * sizeof(float);
        const uint32_t n = static_cast<uint32_t>(count * n_embd_kv);
        recorder.dispatch(store, {BufferRange(k_buffer, offset, bytes), BufferRange(v_buffer, offset, bytes), k_cache, v_cache},
                          KvStorePush{static_cast<uint32_t>(count), static_cast<uint32_t>(n_embd_kv),
                                      static_cast<uint32_t>(first)},
                          (n + 63) / 64);
    };
    if (pos0 > 0)
        store_range(0, pos0);
    store_range(pos0, n_tokens);
    recorder.barrier();
    recorder.dispatch(attend, {q_buffer, k_cache, v_cache, out_buffer},
                      AttentionPush{static_cast<uint32_t>(n_tokens), static_cast<uint32_t>(pos0),
                                    static_cast<uint32_t>(shape.n_head), static_cast<uint32_t>(shape.n_head_kv),
                                    static_cast<uint32_t>(shape.head_dim), static_cast<uint32_t>(window), shape.scale,
                                    softcap},
                      static_cast<uint32_t>(shape.n_head), static_cast<uint32_t>(n_tokens));
    recorder.submit_and_wait();
    const std::vector<float> out = download(out_buffer, q.size());

    // Tolerance: the same F16 keys and values; float sums and exp in another
    // order, 1e-4 relative.
    ThreadPool pool(1);
    std::vector<float> expected(q.size());
    quanta::attention(q.data(), n_tokens, pos0, 0, cache, shape, expected.data(), pool);
    QVERIFY2(max_relative_error(out, expected) <= 1e-4f, qPrintable(QString::number(max_relative_error(out, expected))));
}

QTEST_APPLESS_MAIN(TestVulkanOps)
#include "test_vulkan_ops.moc"

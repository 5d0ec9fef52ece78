// CPU matmul kernels: activation quantization, dequantization and matmul of
// the AVX2 and portable kernel sets against the scalar reference, on odd
// shapes and thread counts.
#include "test_support.h"

#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"
#include "cpu/matmul.h"
#include "cpu/repack.h"
#include "quant/blocks.h"
#include "quant/reference.h"

#include <QtTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace quanta;

Q_DECLARE_METATYPE(quanta::GgmlType)

namespace {

// Unit roundoff of float.
constexpr double kFloatEpsilon = 0x1p-24;

const GgmlType kKernelTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16,   GgmlType::Q4_0,
                                 GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,   GgmlType::Q8_0,
                                 GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K,   GgmlType::Q5_K,
                                 GgmlType::Q6_K, GgmlType::IQ4_NL, GgmlType::IQ4_XS, GgmlType::Q4_G,
                                 GgmlType::Q8_G};

bool is_float_type(GgmlType type)
{
    return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
}

// True for the types stored in 256-element super-blocks.
bool is_super_block_type(GgmlType type)
{
    return ggml_type_traits(type).block_size == QK_K;
}

size_t row_bytes(GgmlType type, int64_t n)
{
    return static_cast<size_t>(*ggml_row_bytes(type, static_cast<uint64_t>(n)));
}

// The VNNI kernel sets this machine can run.
std::vector<cpu::KernelSet> vnni_kernel_sets()
{
    std::vector<cpu::KernelSet> sets;
    if (cpu::cpu_has_avx2_fma_f16c() && cpu::cpu_has_avx_vnni())
        sets.push_back(cpu::KernelSet::AvxVnni);
    else
        qInfo("this CPU has no AVX-VNNI; its kernel set is not tested here");
    if (cpu::cpu_has_avx2_fma_f16c() && cpu::cpu_has_avx512_vnni())
        sets.push_back(cpu::KernelSet::Avx512Vnni);
    else
        qInfo("this CPU has no AVX512-VNNI; its kernel set is not tested here");
    return sets;
}

// The kernel sets this machine can run: always the portable one, AVX2
// where the CPU has it, and the VNNI sets where it has those too.
std::vector<cpu::KernelSet> kernel_sets()
{
    std::vector<cpu::KernelSet> sets = {cpu::KernelSet::Generic};
    if (cpu::cpu_has_avx2_fma_f16c())
        sets.push_back(cpu::KernelSet::Avx2);
    for (const cpu::KernelSet set : vnni_kernel_sets())
        sets.push_back(set);
    return sets;
}

// Forces a kernel set for one scope.
class KernelSetScope {
public:
    explicit KernelSetScope(cpu::KernelSet set) { cpu::set_kernel_set_override(set); }
    ~KernelSetScope() { cpu::set_kernel_set_override(std::nullopt); }
    KernelSetScope(const KernelSetScope&) = delete;
    KernelSetScope& operator=(const KernelSetScope&) = delete;
};

void put_half(uint8_t* p, float value)
{
    const uint16_t h = fp32_to_fp16(value);
    std::memcpy(p, &h, sizeof(h));
}

// Random rows of `type`: random quant bytes with random but sane F16 scales
// (never inf or NaN), or normal values for the float types.
std::vector<uint8_t> random_weights(GgmlType type, int64_t n_in, int64_t n_out, std::mt19937& rng)
{
    const size_t bytes_per_row = row_bytes(type, n_in);
    std::vector<uint8_t> data(bytes_per_row * static_cast<size_t>(n_out));
    std::uniform_int_distribution<int> byte(0, 255);
    for (uint8_t& b : data)
        b = static_cast<uint8_t>(byte(rng));

    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    auto signed_scale = [&](float low, float high) {
        const float magnitude = low + (high - low) * unit(rng);
        return unit(rng) < 0.5f ? -magnitude : magnitude;
    };

    for (int64_t r = 0; r < n_out; ++r) {
        uint8_t* row = data.data() + static_cast<size_t>(r) * bytes_per_row;
        const GgmlTypeTraits& traits = ggml_type_traits(type);
        const int64_t n_blocks = n_in / traits.block_size;
        for (int64_t b = 0; b < n_blocks; ++b) {
            uint8_t* block = row + static_cast<size_t>(b) * traits.block_bytes;
            switch (type) {
            case GgmlType::F32: {
                const float value = normal(rng);
                std::memcpy(block, &value, sizeof(value));
                break;
            }
            case GgmlType::F16:
                put_half(block, normal(rng));
                break;
            case GgmlType::BF16: {
                const uint16_t h = fp32_to_bf16(normal(rng));
                std::memcpy(block, &h, sizeof(h));
                break;
            }
            case GgmlType::Q4_0:
            case GgmlType::Q5_0:
                put_half(block, signed_scale(0.005f, 0.05f));
                break;
            case GgmlType::Q4_1:
            case GgmlType::Q5_1:
                put_half(block, signed_scale(0.005f, 0.05f));
                put_half(block + 2, signed_scale(0.0f, 0.5f));
                break;
            case GgmlType::Q8_0:
                put_half(block, signed_scale(0.001f, 0.01f));
                break;
            case GgmlType::Q4_K:
            case GgmlType::Q5_K:
                put_half(block, 0.001f + 0.01f * unit(rng));
                put_half(block + 2, 0.001f + 0.01f * unit(rng));
                break;
            case GgmlType::Q6_K:
                put_half(block + 208, signed_scale(0.0005f, 0.002f));
                break;
            case GgmlType::Q2_K:
                put_half(block + 80, 0.002f + 0.02f * unit(rng));
                put_half(block + 82, 0.002f + 0.02f * unit(rng));
                break;
            case GgmlType::Q3_K:
                put_half(block + 108, signed_scale(0.001f, 0.01f));
                break;
            case GgmlType::IQ4_NL:
                put_half(block, signed_scale(0.0002f, 0.002f));
                break;
            case GgmlType::IQ4_XS:
                put_half(block, signed_scale(0.00002f, 0.0002f));
                break;
            case GgmlType::Q4_G: {
                // Zero points over GPTQ's whole range, 16 included.
                put_half(block, 0.005f + 0.05f * unit(rng));
                const auto z = static_cast<int16_t>(std::uniform_int_distribution<int>(0, 16)(rng));
                std::memcpy(block + 2, &z, sizeof(z));
                break;
            }
            case GgmlType::Q8_G: {
                put_half(block, 0.0005f + 0.005f * unit(rng));
                const auto z = static_cast<int16_t>(std::uniform_int_distribution<int>(-128, 128)(rng));
                std::memcpy(block + 2, &z, sizeof(z));
                break;
            }
            default:
                break;
            }
        }
    }
    return data;
}

// Normal activations with a different scale per token; token 1 (when there
// is one) starts with an all-zero block to exercise zero scales.
std::vector<float> random_activations(int64_t n_in, int64_t n_tokens, std::mt19937& rng)
{
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> scale(0.1f, 4.0f);
    std::vector<float> x(static_cast<size_t>(n_in * n_tokens));
    for (int64_t t = 0; t < n_tokens; ++t) {
        const float s = scale(rng);
        for (int64_t i = 0; i < n_in; ++i)
            x[static_cast<size_t>(t * n_in + i)] = t == 1 && i < 32 ? 0.0f : normal(rng) * s;
    }
    return x;
}

// Owns the arrays of cpu::QuantizedRow for one row.
struct QuantizedRowStorage {
    explicit QuantizedRowStorage(int64_t n_in)
        : q(static_cast<size_t>(n_in)), scale32(static_cast<size_t>(n_in / 32)), sum32(scale32.size()),
          sum16(static_cast<size_t>(n_in / 16))
    {
    }
    cpu::QuantizedRow row()
    {
        return {q.data(), scale32.data(), sum32.data(), sum16.data()};
    }
    std::vector<int8_t> q;
    std::vector<float> scale32;
    std::vector<float> sum32;
    std::vector<float> sum16;
};

// The activations as the quantized kernels see them: dequantized 8-bit rows.
std::vector<double> quantized_activations(GgmlType type, const std::vector<float>& x, int64_t n_in, int64_t n_tokens)
{
    std::vector<double> xq(x.begin(), x.end());
    if (cpu::activation_format(type) == cpu::ActivationFormat::None)
        return xq;
    QuantizedRowStorage storage(n_in);
    for (int64_t t = 0; t < n_tokens; ++t) {
        cpu::generic::quantize_activations(x.data() + t * n_in, n_in, storage.row());
        for (int64_t i = 0; i < n_in; ++i)
            xq[static_cast<size_t>(t * n_in + i)] =
                static_cast<double>(storage.q[static_cast<size_t>(i)]) * storage.scale32[static_cast<size_t>(i / 32)];
    }
    return xq;
}

std::vector<float> dequantize_all(GgmlType type, const std::vector<uint8_t>& weights, int64_t n_in, int64_t n_out)
{
    std::vector<float> w(static_cast<size_t>(n_in * n_out));
    const size_t bytes_per_row = row_bytes(type, n_in);
    for (int64_t r = 0; r < n_out; ++r)
        dequantize_row_reference(type, weights.data() + static_cast<size_t>(r) * bytes_per_row,
                                 w.data() + r * n_in, n_in);
    return w;
}

WeightMatrix make_matrix(GgmlType type, const std::vector<uint8_t>& data, int64_t n_in, int64_t n_out)
{
    WeightMatrix w;
    w.type = type;
    w.data = data.data();
    w.n_in = n_in;
    w.n_out = n_out;
    w.row_bytes = row_bytes(type, n_in);
    return w;
}

std::vector<float> run_matmul(const WeightMatrix& w, const std::vector<float>& x, int64_t n_tokens, ThreadPool& pool,
                              KernelMode mode)
{
    std::vector<float> y(static_cast<size_t>(n_tokens * w.n_out), std::numeric_limits<float>::quiet_NaN());
    matmul(w, x.data(), n_tokens, y.data(), pool, mode);
    return y;
}

QString case_name(GgmlType type, int64_t n_in, int64_t n_out, int64_t n_tokens, cpu::KernelSet set)
{
    return QStringLiteral("%1 [%2 x %3] x %4 tokens, %5")
        .arg(QString::fromLatin1(ggml_type_name(type).data(), static_cast<int>(ggml_type_name(type).size())))
        .arg(n_out)
        .arg(n_in)
        .arg(n_tokens)
        .arg(QString::fromLatin1(cpu::kernel_set_name(set)));
}

// Checks fast matmul outputs of one shape against two references: the
// double-precision product of the reference-dequantized weights with the
// activations as the kernels quantize them (tight: only float rounding
// differs), and with the F32 activations (loose: adds the activation
// quantization error, bounded per output by sum |w| |x - xq|).
// With `interleave`, both paths run on the matrix's interleaved copy
// (cpu/repack.h): the AVX2 kernels read it, and the others get its rows
// back.
void check_matmul_shape(GgmlType type, int64_t n_in, int64_t n_out, int64_t n_tokens, ThreadPool& pool,
                        std::mt19937& rng, bool interleave = false)
{
    const std::vector<uint8_t> data = random_weights(type, n_in, n_out, rng);
    const std::vector<float> x = random_activations(n_in, n_tokens, rng);
    std::vector<uint8_t> interleaved_storage;
    const WeightMatrix w = interleave ? interleave_rows(make_matrix(type, data, n_in, n_out), interleaved_storage)
                                      : make_matrix(type, data, n_in, n_out);
    const std::vector<float> wf = dequantize_all(type, data, n_in, n_out);
    const std::vector<double> xq = quantized_activations(type, x, n_in, n_tokens);
    const std::vector<float> reference = run_matmul(w, x, n_tokens, pool, KernelMode::Reference);

    // Float error grows with the number of partial sums a kernel adds up:
    // one per block (quantized types) or per 8 elements (float types).
    const int64_t n_partials = is_float_type(type) ? n_in / 8 : n_in / 32;
    const double rounding = static_cast<double>(n_partials + 16) * kFloatEpsilon;

    for (const cpu::KernelSet set : kernel_sets()) {
        const KernelSetScope scope(set);
        const std::vector<float> y = run_matmul(w, x, n_tokens, pool, KernelMode::Fast);
        const QString name = case_name(type, n_in, n_out, n_tokens, set);

        for (int64_t t = 0; t < n_tokens; ++t) {
            for (int64_t r = 0; r < n_out; ++r) {
                // Exact products in double, and the magnitudes that bound the rounding.
                double exact_q = 0.0;
                double exact_f = 0.0;
                double magnitude_q = 0.0;
                double magnitude_f = 0.0;
                double quantization_bound = 0.0;
                double max_weight = 0.0;
                double sum_abs_xq = 0.0;
                for (int64_t i = 0; i < n_in; ++i) {
                    const double wi = wf[static_cast<size_t>(r * n_in + i)];
                    const double xi = x[static_cast<size_t>(t * n_in + i)];
                    const double xqi = xq[static_cast<size_t>(t * n_in + i)];
                    exact_q += wi * xqi;
                    exact_f += wi * xi;
                    magnitude_q += std::fabs(wi * xqi);
                    magnitude_f += std::fabs(wi * xi);
                    quantization_bound += std::fabs(wi) * std::fabs(xi - xqi);
                    max_weight = std::fmax(max_weight, std::fabs(wi));
                    sum_abs_xq += std::fabs(xqi);
                }
                // Offsets and mins make the kernels' intermediate terms larger
                // than |w x|: bound them by 4 max|w| per activation.
                const double tolerance_q = rounding * (magnitude_q + 4.0 * max_weight * sum_abs_xq) + 1e-30;
                const double tolerance_f = tolerance_q + quantization_bound;

                const double fast = y[static_cast<size_t>(t * n_out + r)];
                if (!(std::fabs(fast - exact_q) <= tolerance_q)) {
                    QFAIL(qPrintable(QStringLiteral("%1: y[%2][%3] = %4, expected %5 within %6 (quantized activations)")
                                         .arg(name)
                                         .arg(t)
                                         .arg(r)
                                         .arg(fast, 0, 'g', 9)
                                         .arg(exact_q, 0, 'g', 9)
                                         .arg(tolerance_q, 0, 'g', 3)));
                }
                if (!(std::fabs(fast - exact_f) <= tolerance_f)) {
                    QFAIL(qPrintable(QStringLiteral("%1: y[%2][%3] = %4, expected %5 within %6 (F32 activations)")
                                         .arg(name)
                                         .arg(t)
                                         .arg(r)
                                         .arg(fast, 0, 'g', 9)
                                         .arg(exact_f, 0, 'g', 9)
                                         .arg(tolerance_f, 0, 'g', 3)));
                }

                // The reference path: a plain float loop, within n eps |w x|.
                const double ref = reference[static_cast<size_t>(t * n_out + r)];
                const double tolerance_ref = static_cast<double>(n_in) * kFloatEpsilon * magnitude_f + 1e-30;
                if (!(std::fabs(ref - exact_f) <= tolerance_ref)) {
                    QFAIL(qPrintable(QStringLiteral("%1: reference y[%2][%3] = %4, expected %5 within %6")
                                         .arg(name)
                                         .arg(t)
                                         .arg(r)
                                         .arg(ref, 0, 'g', 9)
                                         .arg(exact_f, 0, 'g', 9)
                                         .arg(tolerance_ref, 0, 'g', 3)));
                }
            }
        }
    }
}

} // namespace

class TestQuantKernels : public QObject {
    Q_OBJECT

private slots:
    void activationQuantizationRoundsToStep();
    void activationQuantizationKernelsAgree();
    void fastDequantizeMatchesReference_data();
    void fastDequantizeMatchesReference();
    void matmulMatchesReference_data();
    void matmulMatchesReference();
    void matmulRealisticShape_data();
    void matmulRealisticShape();
    void interleavedQ4_0MatchesReference();
    void interleavedRowsRoundTrip();
    void vnniGemmEqualsAvx2Gemm_data();
    void vnniGemmEqualsAvx2Gemm();
    void matmulSameForEveryThreadCount_data();
    void matmulSameForEveryThreadCount();
    void matmulRejectsBadInput();
    void matmulAppliesInputOrder();
    void kernelNameFollowsOverride();
};

void TestQuantKernels::activationQuantizationRoundsToStep()
{
    constexpr int64_t n = 8 * QK_K;
    std::mt19937 rng(5);
    const std::vector<float> x = random_activations(n, 2, rng);
    QuantizedRowStorage storage(n);

    for (int64_t t = 0; t < 2; ++t) {
        const float* row = x.data() + t * n;
        cpu::generic::quantize_activations(row, n, storage.row());
        for (int64_t b = 0; b < n / 32; ++b) {
            // The step is max|x| / 127, and the extreme value maps to +-127.
            float max_abs = 0.0f;
            int max_quant = 0;
            int sums[2] = {0, 0};
            for (int i = 0; i < 32; ++i) {
                max_abs = std::fmax(max_abs, std::fabs(row[32 * b + i]));
                max_quant = std::max(max_quant, std::abs(int(storage.q[static_cast<size_t>(32 * b + i)])));
                sums[i / 16] += storage.q[static_cast<size_t>(32 * b + i)];
            }
            const float step = storage.scale32[static_cast<size_t>(b)];
            QVERIFY(std::fabs(step - max_abs / 127.0f) <= 1e-6f * max_abs);
            QCOMPARE(max_quant, max_abs > 0.0f ? 127 : 0);

            // Each value rounds to the nearest step.
            for (int i = 0; i < 32; ++i) {
                const float error = std::fabs(row[32 * b + i] - step * storage.q[static_cast<size_t>(32 * b + i)]);
                QVERIFY2(error <= 0.5f * step * (1.0f + 1e-5f),
                         qPrintable(QStringLiteral("block %1 element %2: error %3, step %4").arg(b).arg(i).arg(error).arg(step)));
            }

            // The sums are the scaled integer sums.
            QCOMPARE(storage.sum16[static_cast<size_t>(2 * b)], step * static_cast<float>(sums[0]));
            QCOMPARE(storage.sum16[static_cast<size_t>(2 * b + 1)], step * static_cast<float>(sums[1]));
            QCOMPARE(storage.sum32[static_cast<size_t>(b)], step * static_cast<float>(sums[0] + sums[1]));
        }
    }
}

void TestQuantKernels::activationQuantizationKernelsAgree()
{
    if (!cpu::cpu_has_avx2_fma_f16c())
        QSKIP("this CPU cannot run the AVX2 kernels");

    std::mt19937 rng(9);
    for (const int64_t n : {256, 2048, 5632}) {
        std::vector<float> x = random_activations(n, 2, rng);
        x[5] = std::numeric_limits<float>::quiet_NaN(); // NaNs quantize the same way in both
        x[40] = 1e-40f;                                 // a subnormal
        QuantizedRowStorage generic(n);
        QuantizedRowStorage avx2(n);
        for (int64_t t = 0; t < 2; ++t) {
            cpu::generic::quantize_activations(x.data() + t * n, n, generic.row());
            cpu::avx2::quantize_activations(x.data() + t * n, n, avx2.row());
            QVERIFY(avx2.q == generic.q);
            QVERIFY(std::memcmp(avx2.scale32.data(), generic.scale32.data(), generic.scale32.size() * 4) == 0);
            QVERIFY(std::memcmp(avx2.sum32.data(), generic.sum32.data(), generic.sum32.size() * 4) == 0);
            QVERIFY(std::memcmp(avx2.sum16.data(), generic.sum16.data(), generic.sum16.size() * 4) == 0);
        }
    }
}

void TestQuantKernels::fastDequantizeMatchesReference_data()
{
    QTest::addColumn<GgmlType>("type");
    for (const GgmlType type : kKernelTypes)
        QTest::newRow(ggml_type_name(type).data()) << type;
}

void TestQuantKernels::fastDequantizeMatchesReference()
{
    QFETCH(GgmlType, type);

    std::mt19937 rng(13);
    const int64_t n_in = is_float_type(type) ? 45 : 2 * QK_K;
    constexpr int64_t n_out = 5;
    const std::vector<uint8_t> data = random_weights(type, n_in, n_out, rng);
    const WeightMatrix w = make_matrix(type, data, n_in, n_out);

    for (const cpu::KernelSet set : kernel_sets()) {
        const KernelSetScope scope(set);
        for (int64_t r = 0; r < n_out; ++r) {
            std::vector<float> fast(n_in);
            std::vector<float> reference(n_in);
            dequantize_row(w, r, fast.data(), KernelMode::Fast);
            dequantize_row(w, r, reference.data(), KernelMode::Reference);
            for (int64_t i = 0; i < n_in; ++i) {
                QVERIFY2(std::bit_cast<uint32_t>(fast[i]) == std::bit_cast<uint32_t>(reference[i]),
                         qPrintable(QStringLiteral("%1: row %2 element %3: %4 != %5")
                                        .arg(QString::fromLatin1(cpu::kernel_set_name(set)))
                                        .arg(r)
                                        .arg(i)
                                        .arg(fast[i], 0, 'g', 9)
                                        .arg(reference[i], 0, 'g', 9)));
            }
        }
    }
}

void TestQuantKernels::matmulMatchesReference_data()
{
    QTest::addColumn<GgmlType>("type");
    for (const GgmlType type : kKernelTypes)
        QTest::newRow(ggml_type_name(type).data()) << type;
}

void TestQuantKernels::matmulMatchesReference()
{
    QFETCH(GgmlType, type);

    // Row counts off the 8- and 16-row panels, token counts off the 4- and
    // 6-token tiles and both sides of the GEMV / GEMM switch.
    std::vector<int64_t> widths;
    if (is_float_type(type))
        widths = {37, 264};
    else if (is_super_block_type(type))
        widths = {QK_K, 3 * QK_K};
    else
        widths = {96, 288};

    ThreadPool pool(2);
    std::mt19937 rng(17);
    for (const int64_t n_in : widths) {
        for (const int64_t n_out : {1, 3, 7, 33}) {
            for (const int64_t n_tokens : {1, 2, 3, 5, 17, 64}) {
                check_matmul_shape(type, n_in, n_out, n_tokens, pool, rng);
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }
}

void TestQuantKernels::matmulRealisticShape_data()
{
    matmulMatchesReference_data();
}

void TestQuantKernels::matmulRealisticShape()
{
    QFETCH(GgmlType, type);

    // A model-sized row length: several column blocks in the float GEMM.
    ThreadPool pool(3);
    std::mt19937 rng(19);
    for (const int64_t n_tokens : {1, 9}) {
        check_matmul_shape(type, 2048, 37, n_tokens, pool, rng);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestQuantKernels::interleavedQ4_0MatchesReference()
{
    // Groups of 8 rows, token counts on both sides of the GEMV / GEMM switch
    // and off the tiles, and a model-sized row length.
    ThreadPool pool(2);
    std::mt19937 rng(31);
    for (const int64_t n_in : {96, 2048}) {
        for (const int64_t n_out : {8, 40}) {
            for (const int64_t n_tokens : {1, 2, 3, 5, 17}) {
                check_matmul_shape(GgmlType::Q4_0, n_in, n_out, n_tokens, pool, rng, /*interleave=*/true);
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }
}

void TestQuantKernels::interleavedRowsRoundTrip()
{
    // Every row comes back byte for byte, and dequantizes as before.
    std::mt19937 rng(37);
    constexpr int64_t n_in = 160;
    constexpr int64_t n_out = 24;
    const std::vector<uint8_t> data = random_weights(GgmlType::Q4_0, n_in, n_out, rng);
    const WeightMatrix rows = make_matrix(GgmlType::Q4_0, data, n_in, n_out);
    QVERIFY(can_interleave_rows(rows));
    std::vector<uint8_t> storage;
    const WeightMatrix interleaved = interleave_rows(rows, storage);
    QVERIFY(interleaved.interleaved);
    QCOMPARE(storage.size(), data.size());
    QVERIFY(!can_interleave_rows(interleaved));

    std::vector<uint8_t> row(rows.row_bytes);
    for (int64_t r = 0; r < n_out; ++r) {
        deinterleave_row(interleaved, r, row.data());
        QVERIFY2(std::memcmp(row.data(), data.data() + r * rows.row_bytes, rows.row_bytes) == 0,
                 qPrintable(QStringLiteral("row %1").arg(r)));
    }
    for (const cpu::KernelSet set : kernel_sets()) {
        const KernelSetScope scope(set);
        for (int64_t r = 0; r < n_out; ++r) {
            std::vector<float> expected(n_in);
            std::vector<float> found(n_in);
            dequantize_row(rows, r, expected.data(), KernelMode::Fast);
            dequantize_row(interleaved, r, found.data(), KernelMode::Fast);
            QVERIFY(std::memcmp(expected.data(), found.data(), expected.size() * sizeof(float)) == 0);
        }
    }

    // Other types, row counts off the groups, and input orders stay in rows.
    QVERIFY(!can_interleave_rows(make_matrix(GgmlType::Q4_0, data, n_in, 20)));
    const std::vector<uint8_t> q8 = random_weights(GgmlType::Q8_0, n_in, n_out, rng);
    QVERIFY(!can_interleave_rows(make_matrix(GgmlType::Q8_0, q8, n_in, n_out)));
    std::vector<int32_t> order(n_in);
    WeightMatrix permuted = rows;
    permuted.in_perm = order.data();
    QVERIFY(!can_interleave_rows(permuted));
    QVERIFY_THROWS_EXCEPTION(Error, interleave_rows(permuted, storage));
}

void TestQuantKernels::vnniGemmEqualsAvx2Gemm_data()
{
    matmulMatchesReference_data();
}

void TestQuantKernels::vnniGemmEqualsAvx2Gemm()
{
    QFETCH(GgmlType, type);
    const std::vector<cpu::KernelSet> sets = vnni_kernel_sets();
    if (sets.empty())
        QSKIP("this CPU has neither AVX-VNNI nor AVX512-VNNI");

    // Each VNNI set computes the same integer dot products and float
    // sums as AVX2, so their outputs match bit for bit. The quant bytes
    // are uniformly random, so the extremes (0x00, 0x7F, 0x80, 0xFF) occur
    // with near certainty. Float rows of 520 span three of the GEMM's
    // column blocks, so the tiles also add to partial sums.
    const int64_t n_in = is_float_type(type) ? 520 : 2 * QK_K;
    constexpr int64_t n_out = 29;
    std::mt19937 rng(29);
    const std::vector<uint8_t> data = random_weights(type, n_in, n_out, rng);
    const WeightMatrix w = make_matrix(type, data, n_in, n_out);

    ThreadPool pool(2);
    for (const int64_t n_tokens : {4, 7, 33}) {
        const std::vector<float> x = random_activations(n_in, n_tokens, rng);
        std::vector<float> avx2;
        {
            const KernelSetScope scope(cpu::KernelSet::Avx2);
            avx2 = run_matmul(w, x, n_tokens, pool, KernelMode::Fast);
        }
        for (const cpu::KernelSet set : sets) {
            const KernelSetScope scope(set);
            const std::vector<float> vnni = run_matmul(w, x, n_tokens, pool, KernelMode::Fast);
            for (size_t i = 0; i < vnni.size(); ++i) {
                QVERIFY2(std::bit_cast<uint32_t>(vnni[i]) == std::bit_cast<uint32_t>(avx2[i]),
                         qPrintable(QStringLiteral("%1 tokens: y[%2] = %3 with %4, %5 with AVX2")
                                        .arg(n_tokens)
                                        .arg(i)
                                        .arg(vnni[i], 0, 'g', 9)
                                        .arg(QString::fromLatin1(cpu_kernel_name()))
                                        .arg(avx2[i], 0, 'g', 9)));
            }
        }
    }
}

void TestQuantKernels::matmulSameForEveryThreadCount_data()
{
    matmulMatchesReference_data();
}

void TestQuantKernels::matmulSameForEveryThreadCount()
{
    QFETCH(GgmlType, type);

    const int64_t n_in = is_float_type(type) ? 520 : 2 * QK_K;
    constexpr int64_t n_out = 70;
    std::mt19937 rng(23);
    const std::vector<uint8_t> data = random_weights(type, n_in, n_out, rng);
    const WeightMatrix w = make_matrix(type, data, n_in, n_out);

    for (const cpu::KernelSet set : kernel_sets()) {
        const KernelSetScope scope(set);
        for (const int64_t n_tokens : {1, 5, 64}) {
            const std::vector<float> x = random_activations(n_in, n_tokens, rng);
            std::vector<float> first;
            for (const int threads : {1, 2, 3}) {
                ThreadPool pool(threads);
                const std::vector<float> y = run_matmul(w, x, n_tokens, pool, KernelMode::Fast);
                if (first.empty()) {
                    first = y;
                    continue;
                }
                QVERIFY2(std::memcmp(first.data(), y.data(), y.size() * sizeof(float)) == 0,
                         qPrintable(QStringLiteral("%1 threads, %2 tokens, %3 differ from 1 thread")
                                        .arg(threads)
                                        .arg(n_tokens)
                                        .arg(QString::fromLatin1(cpu::kernel_set_name(set)))));
            }
        }
    }
}

void TestQuantKernels::matmulAppliesInputOrder()
{
    // A Q4_G matrix whose stored columns are a shuffle of the inputs gives,
    // bit for bit, the product of the unshuffled matrix with the shuffled x.
    ThreadPool pool(2);
    std::mt19937 rng(29);
    constexpr int64_t n_in = 96;
    constexpr int64_t n_out = 19;
    const std::vector<uint8_t> data = random_weights(GgmlType::Q4_G, n_in, n_out, rng);
    std::vector<int32_t> perm(n_in);
    for (int64_t j = 0; j < n_in; ++j)
        perm[static_cast<size_t>(j)] = static_cast<int32_t>((j * 37 + 11) % n_in);
    for (const int64_t n_tokens : {int64_t{1}, int64_t{7}}) {
        const std::vector<float> x = random_activations(n_in, n_tokens, rng);
        std::vector<float> shuffled(x.size());
        for (int64_t t = 0; t < n_tokens; ++t) {
            for (int64_t j = 0; j < n_in; ++j)
                shuffled[static_cast<size_t>(t * n_in + j)] = x[static_cast<size_t>(t * n_in + perm[static_cast<size_t>(j)])];
        }
        WeightMatrix ordered = make_matrix(GgmlType::Q4_G, data, n_in, n_out);
        ordered.in_perm = perm.data();
        const WeightMatrix plain = make_matrix(GgmlType::Q4_G, data, n_in, n_out);
        for (const KernelMode mode : {KernelMode::Reference, KernelMode::Fast}) {
            const std::vector<float> got = run_matmul(ordered, x, n_tokens, pool, mode);
            const std::vector<float> expected = run_matmul(plain, shuffled, n_tokens, pool, mode);
            QVERIFY(std::memcmp(got.data(), expected.data(), got.size() * sizeof(float)) == 0);
        }
    }
}

void TestQuantKernels::matmulRejectsBadInput()
{
    ThreadPool pool(1);
    std::vector<uint8_t> data(4096);
    std::vector<float> x(512);
    std::vector<float> y(64);

    WeightMatrix w;
    w.type = GgmlType::IQ2_XXS;
    w.data = data.data();
    w.n_in = 256;
    w.n_out = 1;
    w.row_bytes = 66;
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, matmul(w, x.data(), 1, y.data(), pool, KernelMode::Fast));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, dequantize_row(w, 0, y.data(), KernelMode::Reference));

    w.type = GgmlType::Q4_0;
    w.row_bytes = 144 + 1; // 256 Q4_0 elements take 144 bytes
    QVERIFY_THROWS_EXCEPTION(Error, matmul(w, x.data(), 1, y.data(), pool, KernelMode::Fast));

    w.n_in = 48; // not a multiple of 32
    w.row_bytes = 27;
    QVERIFY_THROWS_EXCEPTION(Error, matmul(w, x.data(), 1, y.data(), pool, KernelMode::Reference));

    w.n_in = 256;
    w.row_bytes = 144;
    w.n_out = 2;
    QVERIFY_THROWS_EXCEPTION(Error, dequantize_row(w, 2, y.data(), KernelMode::Fast));
    QVERIFY_THROWS_EXCEPTION(Error, dequantize_row(w, -1, y.data(), KernelMode::Reference));
    QVERIFY_THROWS_EXCEPTION(Error, matmul(w, x.data(), -1, y.data(), pool, KernelMode::Fast));
}

void TestQuantKernels::kernelNameFollowsOverride()
{
    {
        const KernelSetScope scope(cpu::KernelSet::Generic);
        QCOMPARE(QString::fromLatin1(cpu_kernel_name()), QStringLiteral("generic"));
    }
    if (cpu::cpu_has_avx2_fma_f16c()) {
        const KernelSetScope scope(cpu::KernelSet::Avx2);
        QCOMPARE(QString::fromLatin1(cpu_kernel_name()), QStringLiteral("avx2+fma+f16c"));
    } else {
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, cpu::set_kernel_set_override(cpu::KernelSet::Avx2));
    }
    if (cpu::cpu_has_avx2_fma_f16c() && cpu::cpu_has_avx_vnni()) {
        const KernelSetScope scope(cpu::KernelSet::AvxVnni);
        QCOMPARE(QString::fromLatin1(cpu_kernel_name()), QStringLiteral("avx2+fma+f16c+avxvnni"));
    } else {
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, cpu::set_kernel_set_override(cpu::KernelSet::AvxVnni));
    }
    if (cpu::cpu_has_avx2_fma_f16c() && cpu::cpu_has_avx512_vnni()) {
        const KernelSetScope scope(cpu::KernelSet::Avx512Vnni);
        QCOMPARE(QString::fromLatin1(cpu_kernel_name()), QStringLiteral("avx2+fma+f16c+avx512vnni"));
    } else {
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, cpu::set_kernel_set_override(cpu::KernelSet::Avx512Vnni));
    }
}

QTEST_APPLESS_MAIN(TestQuantKernels)

#include "test_quant_kernels.moc"

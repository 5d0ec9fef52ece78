// CPU tensor types and matmul kernels: half and bfloat16 conversions, the
// block layouts and reference (de)quantizers, and the AVX2 and portable
// kernels against the scalar reference on odd shapes and thread counts.
#include "test_support.h"

#include "core/error.h"
#include "core/thread_pool.h"
#include "cpu/cpu_features.h"
#include "cpu/kernels.h"
#include "cpu/matmul.h"
#include "quant/blocks.h"
#include "quant/reference.h"

#include <QtTest>

#include <immintrin.h>

#include <bit>
#include <cmath>
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

const GgmlType kKernelTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1,
                                 GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K};

bool is_float_type(GgmlType type)
{
    return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
}

size_t row_bytes(GgmlType type, int64_t n)
{
    return static_cast<size_t>(*ggml_row_bytes(type, static_cast<uint64_t>(n)));
}

// The kernel sets this machine can run: always the portable one, and AVX2
// where the CPU has it.
std::vector<cpu::KernelSet> kernel_sets()
{
    std::vector<cpu::KernelSet> sets = {cpu::KernelSet::Generic};
    if (cpu::cpu_has_avx2_fma_f16c())
        sets.push_back(cpu::KernelSet::Avx2);
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
                put_half(block, 0.001f + 0.01f * unit(rng));
                put_half(block + 2, 0.001f + 0.01f * unit(rng));
                break;
            case GgmlType::Q6_K:
                put_half(block + 208, signed_scale(0.0005f, 0.002f));
                break;
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
          sum16(static_cast<size_t>(n_in / 16)), scale256(static_cast<size_t>(n_in / 256 + 1)),
          qsum16(sum16.size())
    {
    }
    cpu::QuantizedRow row()
    {
        return {q.data(), scale32.data(), sum32.data(), sum16.data(), scale256.data(), qsum16.data()};
    }
    std::vector<int8_t> q;
    std::vector<float> scale32;
    std::vector<float> sum32;
    std::vector<float> sum16;
    std::vector<float> scale256;
    std::vector<int16_t> qsum16;
};

// The activations as the quantized kernels see them: dequantized 8-bit rows.
std::vector<double> quantized_activations(GgmlType type, const std::vector<float>& x, int64_t n_in, int64_t n_tokens)
{
    const cpu::ActivationFormat format = cpu::activation_format(type);
    std::vector<double> xq(x.begin(), x.end());
    if (format == cpu::ActivationFormat::None)
        return xq;
    QuantizedRowStorage storage(n_in);
    for (int64_t t = 0; t < n_tokens; ++t) {
        cpu::generic::quantize_activations(x.data() + t * n_in, n_in, format, storage.row());
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

double relative_rmse(const std::vector<float>& a, const std::vector<float>& b)
{
    double error = 0.0;
    double norm = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        error += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        norm += static_cast<double>(a[i]) * a[i];
    }
    return std::sqrt(error / norm);
}

__attribute__((target("avx,f16c"))) uint16_t hardware_fp32_to_fp16(float value)
{
    return static_cast<uint16_t>(_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(value), _MM_FROUND_TO_NEAREST_INT), 0));
}

__attribute__((target("avx,f16c"))) float hardware_fp16_to_fp32(uint16_t h)
{
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
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
void check_matmul_shape(GgmlType type, int64_t n_in, int64_t n_out, int64_t n_tokens, ThreadPool& pool,
                        std::mt19937& rng)
{
    const std::vector<uint8_t> data = random_weights(type, n_in, n_out, rng);
    const std::vector<float> x = random_activations(n_in, n_tokens, rng);
    const WeightMatrix w = make_matrix(type, data, n_in, n_out);
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
    void fp16RoundTripsEveryHalf();
    void fp16MatchesF16c();
    void fp16RoundsToNearestEven();
    void bf16RoundsToNearestEven();
    void q4KScalesRoundTrip();
    void handMadeBlocksDecode();
    void quantizeRoundTripError_data();
    void quantizeRoundTripError();
    void quantizeRejectsBadLength();
    void q8KMatchesActivationQuantization();
    void activationQuantizationKernelsAgree();
    void fastDequantizeMatchesReference_data();
    void fastDequantizeMatchesReference();
    void matmulMatchesReference_data();
    void matmulMatchesReference();
    void matmulRealisticShape_data();
    void matmulRealisticShape();
    void matmulSameForEveryThreadCount_data();
    void matmulSameForEveryThreadCount();
    void matmulRejectsBadInput();
    void kernelNameFollowsOverride();
};

void TestQuantKernels::fp16RoundTripsEveryHalf()
{
    for (uint32_t h = 0; h <= 0xFFFF; ++h) {
        const float value = fp16_to_fp32(static_cast<uint16_t>(h));
        const uint16_t back = fp32_to_fp16(value);
        if ((h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0) {
            // NaN: stays NaN with the quiet bit set and the payload kept.
            QVERIFY2(std::isnan(value), qPrintable(QString::number(h, 16)));
            QCOMPARE(back, static_cast<uint16_t>(h | 0x0200));
        } else {
            QCOMPARE(back, static_cast<uint16_t>(h));
        }
    }
}

void TestQuantKernels::fp16MatchesF16c()
{
    if (!__builtin_cpu_supports("f16c"))
        QSKIP("this CPU has no F16C to compare with");

    // Every half to float.
    for (uint32_t h = 0; h <= 0xFFFF; ++h) {
        const uint32_t scalar = std::bit_cast<uint32_t>(fp16_to_fp32(static_cast<uint16_t>(h)));
        const uint32_t hardware = std::bit_cast<uint32_t>(hardware_fp16_to_fp32(static_cast<uint16_t>(h)));
        QCOMPARE(scalar, hardware);
    }

    // Random float bit patterns, dense around the half range, to half.
    std::mt19937 rng(7);
    std::uniform_int_distribution<uint32_t> bits(0, 0xFFFFFFFFu);
    std::uniform_int_distribution<uint32_t> near_half_range(0x33000000u, 0x47FFFFFFu);
    for (int i = 0; i < 2000000; ++i) {
        uint32_t pattern = i % 2 ? bits(rng) : near_half_range(rng) | (bits(rng) & 0x80000000u);
        const float value = std::bit_cast<float>(pattern);
        QCOMPARE(fp32_to_fp16(value), hardware_fp32_to_fp16(value));
    }
}

void TestQuantKernels::fp16RoundsToNearestEven()
{
    struct Case {
        float value;
        uint16_t expected;
    };
    const Case cases[] = {
        {1.0f, 0x3C00},
        {1.0f + 0x1p-11f, 0x3C00},            // tie, rounds to the even 1.0
        {1.0f + 3 * 0x1p-11f, 0x3C02},        // tie, rounds up to even
        {1.0f + 0x1p-11f + 0x1p-20f, 0x3C01}, // just above the tie
        {65504.0f, 0x7BFF},                   // largest half
        {65519.0f, 0x7BFF},
        {65520.0f, 0x7C00},                   // tie with 2^16: overflows to infinity
        {1e10f, 0x7C00},
        {-std::numeric_limits<float>::infinity(), 0xFC00},
        {0x1p-14f, 0x0400},                   // smallest normal
        {0x1p-24f, 0x0001},                   // smallest subnormal
        {0x1p-25f, 0x0000},                   // tie with zero: rounds to even zero
        {0x1p-25f * 1.0001f, 0x0001},
        {1.5f * 0x1p-24f, 0x0002},            // tie between 1 and 2: even 2
        {2.5f * 0x1p-24f, 0x0002},            // tie between 2 and 3: even 2
        {0x1p-14f - 0x1p-25f, 0x0400},        // rounds up into the normal range
        {-0.0f, 0x8000},
        {1e-30f, 0x0000},
    };
    for (const Case& c : cases)
        QCOMPARE(fp32_to_fp16(c.value), c.expected);
    QVERIFY(std::isnan(fp16_to_fp32(fp32_to_fp16(std::numeric_limits<float>::quiet_NaN()))));
}

void TestQuantKernels::bf16RoundsToNearestEven()
{
    struct Case {
        uint32_t bits;
        uint16_t expected;
    };
    const Case cases[] = {
        {0x3F800000u, 0x3F80}, // 1.0
        {0x3F808000u, 0x3F80}, // tie, even stays
        {0x3F818000u, 0x3F82}, // tie, odd rounds up
        {0x3F808001u, 0x3F81}, // above the tie
        {0x7F7FFFFFu, 0x7F80}, // largest float rounds to infinity
        {0x7F800000u, 0x7F80}, // infinity
        {0x00008000u, 0x0000}, // subnormal tie to even zero
        {0x00018000u, 0x0002}, // subnormal tie to even
        {0x80000000u, 0x8000}, // -0
    };
    for (const Case& c : cases)
        QCOMPARE(fp32_to_bf16(std::bit_cast<float>(c.bits)), c.expected);

    const uint16_t nan = fp32_to_bf16(std::bit_cast<float>(0x7F800001u)); // signaling NaN
    QVERIFY(std::isnan(bf16_to_fp32(nan)));
    QCOMPARE(bf16_to_fp32(0x4049), std::bit_cast<float>(0x40490000u));
}

void TestQuantKernels::q4KScalesRoundTrip()
{
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> six_bits(0, 63);
    for (int i = 0; i < 10000; ++i) {
        uint8_t sc[8];
        uint8_t mn[8];
        for (int j = 0; j < 8; ++j) {
            sc[j] = static_cast<uint8_t>(six_bits(rng));
            mn[j] = static_cast<uint8_t>(six_bits(rng));
        }
        uint8_t packed[K_SCALE_SIZE];
        pack_q4_K_scales(sc, mn, packed);
        uint8_t sc_back[8];
        uint8_t mn_back[8];
        unpack_q4_K_scales(packed, sc_back, mn_back);
        QVERIFY(std::memcmp(sc, sc_back, 8) == 0);
        QVERIFY(std::memcmp(mn, mn_back, 8) == 0);
    }
}

void TestQuantKernels::handMadeBlocksDecode()
{
    float out[QK_K];

    // Q4_0, d = 0.5: element j has quant j % 16 in the low nibble (j < 16)
    // or 15 - (j - 16) in the high nibble.
    block_q4_0 q4{};
    q4.d = fp32_to_fp16(0.5f);
    for (int j = 0; j < 16; ++j)
        q4.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    dequantize_row_reference(GgmlType::Q4_0, &q4, out, 32);
    for (int j = 0; j < 16; ++j) {
        QCOMPARE(out[j], 0.5f * static_cast<float>(j - 8));
        QCOMPARE(out[j + 16], 0.5f * static_cast<float>(7 - j));
    }

    // Q5_1, d = 1, m = -3: the fifth bit of element j is bit j of qh.
    block_q5_1 q5{};
    q5.d = fp32_to_fp16(1.0f);
    q5.m = fp32_to_fp16(-3.0f);
    const uint32_t qh = 0x80000001u; // elements 0 and 31
    std::memcpy(q5.qh, &qh, sizeof(qh));
    for (int j = 0; j < 16; ++j)
        q5.qs[j] = 0x21;            // low nibble 1 (elements 0-15), high nibble 2 (16-31)
    dequantize_row_reference(GgmlType::Q5_1, &q5, out, 32);
    QCOMPARE(out[0], 17.0f - 3.0f);
    QCOMPARE(out[1], 1.0f - 3.0f);
    QCOMPARE(out[16], 2.0f - 3.0f);
    QCOMPARE(out[31], 18.0f - 3.0f);

    // Q4_K: sub-block j has scale j + 1 and min 2 j; all quants 3.
    block_q4_K k4{};
    k4.d = fp32_to_fp16(0.25f);
    k4.dmin = fp32_to_fp16(0.5f);
    uint8_t sc[8];
    uint8_t mn[8];
    for (int j = 0; j < 8; ++j) {
        sc[j] = static_cast<uint8_t>(j + 1 + (j >= 4 ? 40 : 0)); // high sub-blocks use the top bits
        mn[j] = static_cast<uint8_t>(2 * j + (j >= 4 ? 32 : 0));
    }
    pack_q4_K_scales(sc, mn, k4.scales);
    std::memset(k4.qs, 0x33, sizeof(k4.qs));
    dequantize_row_reference(GgmlType::Q4_K, &k4, out, QK_K);
    for (int e = 0; e < QK_K; ++e) {
        const int j = e / 32;
        QCOMPARE(out[e], 0.25f * static_cast<float>(sc[j]) * 3.0f - 0.5f * static_cast<float>(mn[j]));
    }

    // Q6_K: element e has quant e % 64 and scale (e / 16) - 8.
    block_q6_K k6{};
    k6.d = fp32_to_fp16(0.125f);
    for (int j = 0; j < 16; ++j)
        k6.scales[j] = static_cast<int8_t>(j - 8);
    for (int half = 0; half < 2; ++half) {
        for (int l = 0; l < 32; ++l) {
            const int q[4] = {(l + 0) % 64, (l + 32) % 64, (l + 64) % 64, (l + 96) % 64};
            k6.ql[64 * half + l] = static_cast<uint8_t>((q[0] & 15) | ((q[2] & 15) << 4));
            k6.ql[64 * half + l + 32] = static_cast<uint8_t>((q[1] & 15) | ((q[3] & 15) << 4));
            k6.qh[32 * half + l] =
                static_cast<uint8_t>((q[0] >> 4) | ((q[1] >> 4) << 2) | ((q[2] >> 4) << 4) | ((q[3] >> 4) << 6));
        }
    }
    dequantize_row_reference(GgmlType::Q6_K, &k6, out, QK_K);
    for (int e = 0; e < QK_K; ++e)
        QCOMPARE(out[e], 0.125f * static_cast<float>(e / 16 - 8) * static_cast<float>(e % 64 - 32));
}

void TestQuantKernels::quantizeRoundTripError_data()
{
    // Relative RMSE of N(0, 1) data after a round trip. Each bound sits about
    // 10% above what the quantizers reach on this data: 0.54% for Q8_0,
    // 8.6% for Q4_0 (16 steps spanning the block's extreme), 7.9% for Q4_1,
    // 4.3% and 3.8% for Q5_0 and Q5_1, 7.2% for Q4_K, 1.7% for Q6_K and 0.7%
    // for Q8_K (one step per 256 values).
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<double>("bound");
    QTest::newRow("F32") << GgmlType::F32 << 0.0;
    QTest::newRow("F16") << GgmlType::F16 << 0.00025;
    QTest::newRow("BF16") << GgmlType::BF16 << 0.0019;
    QTest::newRow("Q8_0") << GgmlType::Q8_0 << 0.006;
    QTest::newRow("Q4_0") << GgmlType::Q4_0 << 0.095;
    QTest::newRow("Q4_1") << GgmlType::Q4_1 << 0.087;
    QTest::newRow("Q5_0") << GgmlType::Q5_0 << 0.047;
    QTest::newRow("Q5_1") << GgmlType::Q5_1 << 0.042;
    QTest::newRow("Q4_K") << GgmlType::Q4_K << 0.079;
    QTest::newRow("Q6_K") << GgmlType::Q6_K << 0.019;
    QTest::newRow("Q8_K") << GgmlType::Q8_K << 0.0078;
}

void TestQuantKernels::quantizeRoundTripError()
{
    QFETCH(GgmlType, type);
    QFETCH(double, bound);

    constexpr int64_t n = 64 * QK_K;
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(n);
    for (float& v : x)
        v = normal(rng);

    std::vector<uint8_t> blocks(row_bytes(type, n) + 64);
    // Q8_K holds a float: keep the blocks 4-byte aligned.
    uint8_t* dst = blocks.data() + (4 - reinterpret_cast<uintptr_t>(blocks.data()) % 4) % 4;
    quantize_row(type, x.data(), dst, n);
    std::vector<float> back(n);
    dequantize_row_reference(type, dst, back.data(), n);

    const double error = relative_rmse(x, back);
    QVERIFY2(error <= bound, qPrintable(QStringLiteral("relative RMSE %1 > %2").arg(error).arg(bound)));
    if (type != GgmlType::F32)
        QVERIFY2(error > 0.0, "a lossy type reproduced the data exactly; the round trip is not exercised");

    // Constant and all-zero blocks survive too.
    std::vector<float> flat(n, 0.0f);
    for (int64_t i = n / 2; i < n; ++i)
        flat[i] = 0.75f;
    quantize_row(type, flat.data(), dst, n);
    dequantize_row_reference(type, dst, back.data(), n);
    for (int64_t i = 0; i < n; ++i)
        QVERIFY2(std::fabs(back[i] - flat[i]) <= 0.01f, qPrintable(QStringLiteral("element %1: %2").arg(i).arg(back[i])));
}

void TestQuantKernels::quantizeRejectsBadLength()
{
    std::vector<float> x(48, 1.0f);
    std::vector<uint8_t> out(256);
    QVERIFY_THROWS_EXCEPTION(Error, quantize_row(GgmlType::Q4_0, x.data(), out.data(), 48));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, quantize_row(GgmlType::Q2_K, x.data(), out.data(), 256));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, dequantize_row_reference(GgmlType::IQ4_NL, out.data(), x.data(), 32));
}

void TestQuantKernels::q8KMatchesActivationQuantization()
{
    constexpr int64_t n = 4 * QK_K;
    std::mt19937 rng(5);
    const std::vector<float> x = random_activations(n, 1, rng);

    std::vector<block_q8_K> blocks(n / QK_K);
    quantize_row(GgmlType::Q8_K, x.data(), blocks.data(), n);
    QuantizedRowStorage storage(n);
    cpu::generic::quantize_activations(x.data(), n, cpu::ActivationFormat::Q8SuperBlock256, storage.row());

    for (int64_t s = 0; s < n / QK_K; ++s) {
        QCOMPARE(blocks[s].d, storage.scale256[s]);
        QVERIFY(std::memcmp(blocks[s].qs, storage.q.data() + s * QK_K, QK_K) == 0);
        QVERIFY(std::memcmp(blocks[s].bsums, storage.qsum16.data() + s * 16, sizeof(blocks[s].bsums)) == 0);
    }
}

void TestQuantKernels::activationQuantizationKernelsAgree()
{
    if (!cpu::cpu_has_avx2_fma_f16c())
        QSKIP("this CPU cannot run the AVX2 kernels");

    std::mt19937 rng(9);
    for (const cpu::ActivationFormat format : {cpu::ActivationFormat::Q8Block32, cpu::ActivationFormat::Q8SuperBlock256}) {
        for (const int64_t n : {256, 2048, 5632}) {
            std::vector<float> x = random_activations(n, 2, rng);
            x[5] = std::numeric_limits<float>::quiet_NaN(); // NaNs quantize the same way in both
            x[40] = 1e-40f;                                 // a subnormal
            QuantizedRowStorage generic(n);
            QuantizedRowStorage avx2(n);
            for (int64_t t = 0; t < 2; ++t) {
                cpu::generic::quantize_activations(x.data() + t * n, n, format, generic.row());
                cpu::avx2::quantize_activations(x.data() + t * n, n, format, avx2.row());
                QVERIFY(avx2.q == generic.q);
                QVERIFY(std::memcmp(avx2.scale32.data(), generic.scale32.data(), generic.scale32.size() * 4) == 0);
                QVERIFY(std::memcmp(avx2.sum32.data(), generic.sum32.data(), generic.sum32.size() * 4) == 0);
                QVERIFY(std::memcmp(avx2.sum16.data(), generic.sum16.data(), generic.sum16.size() * 4) == 0);
                if (format == cpu::ActivationFormat::Q8SuperBlock256) {
                    QVERIFY(avx2.qsum16 == generic.qsum16);
                    QVERIFY(std::memcmp(avx2.scale256.data(), generic.scale256.data(), n / 256 * 4) == 0);
                }
            }
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
    else if (type == GgmlType::Q4_K || type == GgmlType::Q6_K)
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

void TestQuantKernels::matmulRejectsBadInput()
{
    ThreadPool pool(1);
    std::vector<uint8_t> data(4096);
    std::vector<float> x(512);
    std::vector<float> y(64);

    WeightMatrix w;
    w.type = GgmlType::Q2_K;
    w.data = data.data();
    w.n_in = 256;
    w.n_out = 1;
    w.row_bytes = 84;
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, matmul(w, x.data(), 1, y.data(), pool, KernelMode::Fast));

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
}

QTEST_APPLESS_MAIN(TestQuantKernels)

#include "test_quant_kernels.moc"

// CPU tensor formats: half and bfloat16 conversions, the ggml block layouts
// and the reference quantizers and dequantizers.
#include "test_support.h"

#include "core/error.h"
#include "quant/blocks.h"
#include "quant/reference.h"

#include <QtTest>

#include <immintrin.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace quanta;

Q_DECLARE_METATYPE(quanta::GgmlType)

namespace {

size_t row_bytes(GgmlType type, int64_t n)
{
    return static_cast<size_t>(*ggml_row_bytes(type, static_cast<uint64_t>(n)));
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
} // namespace

class TestQuantFormats : public QObject {
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
};

void TestQuantFormats::fp16RoundTripsEveryHalf()
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

void TestQuantFormats::fp16MatchesF16c()
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

void TestQuantFormats::fp16RoundsToNearestEven()
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

void TestQuantFormats::bf16RoundsToNearestEven()
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

void TestQuantFormats::q4KScalesRoundTrip()
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

void TestQuantFormats::handMadeBlocksDecode()
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

void TestQuantFormats::quantizeRoundTripError_data()
{
    // Relative RMSE of N(0, 1) data after a round trip. Each bound sits about
    // 10% above what the quantizers reach on this data. They reach 0.54% for
    // Q8_0, 8.6% for Q4_0 (16 steps spanning the block's extreme), 7.9% for
    // Q4_1, 4.3% and 3.8% for Q5_0 and Q5_1, 7.2% for Q4_K, 1.7% for Q6_K
    // and 0.7% for Q8_K (one step per 256 values).
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

void TestQuantFormats::quantizeRoundTripError()
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

void TestQuantFormats::quantizeRejectsBadLength()
{
    std::vector<float> x(48, 1.0f);
    std::vector<uint8_t> out(256);
    QVERIFY_THROWS_EXCEPTION(Error, quantize_row(GgmlType::Q4_0, x.data(), out.data(), 48));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, quantize_row(GgmlType::Q2_K, x.data(), out.data(), 256));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, dequantize_row_reference(GgmlType::IQ4_NL, out.data(), x.data(), 32));
}
QTEST_APPLESS_MAIN(TestQuantFormats)

#include "test_quant_formats.moc"

// CPU tensor formats: half and bfloat16 conversions, the ggml block layouts
// and the reference quantizers and dequantizers.
#include "test_support.h"

#include "core/error.h"
#include "quant/blocks.h"
#include "quant/reference.h"
#include "quant/reference_internal.h"

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

// The IQ4_NL / IQ4_XS grid as ggml's kvalues_iq4nl lists it, written out
// here so that the engine's table is checked too.
constexpr int kGrid[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// Packs the 2-bit fields of 256 quants as Q2_K and Q3_K store them: element
// 128h + 32k + l in bits 2k..2k+1 of qs[32h + l].
void pack_two_bit_quants(const int* quants, uint8_t qs[64])
{
    std::memset(qs, 0, 64);
    for (int e = 0; e < QK_K; ++e)
        qs[32 * (e / 128) + e % 32] |= static_cast<uint8_t>((quants[e] & 3) << (2 * ((e % 128) / 32)));
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
    void q3KScalesRoundTrip();
    void handMadeBlocksDecode();
    void handMadeLowBitKQuantsDecode();
    void handMadeQ5KDecode();
    void handMadeIq4BlocksDecode();
    void roundNearestEvenMatchesNearbyint();
    void quantizeRoundTripError_data();
    void quantizeRoundTripError();
    void iq4SearchBeatsNominalScale();
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

void TestQuantFormats::q3KScalesRoundTrip()
{
    std::mt19937 rng(12);
    std::uniform_int_distribution<int> six_bits(0, 63);
    for (int i = 0; i < 10000; ++i) {
        uint8_t sc[16];
        for (uint8_t& value : sc)
            value = static_cast<uint8_t>(six_bits(rng));
        uint8_t packed[12];
        pack_q3_K_scales(sc, packed);
        uint8_t back[16];
        unpack_q3_K_scales(packed, back);
        QVERIFY(std::memcmp(sc, back, 16) == 0);
    }

    // The layout itself: sub-block 9 keeps its low nibble in the high half
    // of byte 1 and its top 2 bits in bits 4-5 of byte 9.
    uint8_t sc[16] = {};
    sc[9] = 0x2B; // top bits 0b10, low nibble 0xB
    uint8_t packed[12];
    pack_q3_K_scales(sc, packed);
    for (int j = 0; j < 12; ++j) {
        uint8_t expected = 0x00;
        if (j == 1)
            expected = 0xB0;
        else if (j == 9)
            expected = 0x20;
        QCOMPARE(packed[j], expected);
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

void TestQuantFormats::handMadeLowBitKQuantsDecode()
{
    float out[QK_K];
    int quants[QK_K];

    // Q2_K: sub-block j has scale j and min 15 - j. Element e has quant
    // (e + e / 32) % 4, so every 2-bit field of qs takes each value.
    block_q2_K k2{};
    k2.d = fp32_to_fp16(0.5f);
    k2.dmin = fp32_to_fp16(0.25f);
    for (int j = 0; j < 16; ++j)
        k2.scales[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    for (int e = 0; e < QK_K; ++e)
        quants[e] = (e + e / 32) % 4;
    pack_two_bit_quants(quants, k2.qs);
    dequantize_row_reference(GgmlType::Q2_K, &k2, out, QK_K);
    for (int e = 0; e < QK_K; ++e) {
        const int j = e / 16;
        QCOMPARE(out[e], 0.5f * static_cast<float>(j) * static_cast<float>(quants[e]) -
                             0.25f * static_cast<float>(15 - j));
    }
    // Spot checks written out by hand: element 0 has scale 0, so -0.25 * 15;
    // element 37 (sub-block 2, quant (37 + 1) % 4 = 2) is 0.5 * 2 * 2 - 0.25 * 13.
    QCOMPARE(out[0], -3.75f);
    QCOMPARE(out[37], 2.0f - 3.25f);

    // Q3_K: sub-block j has the 6-bit scale sc[j] (stored biased by 32);
    // element e has quant e % 8, its top bit in hmask.
    block_q3_K k3{};
    k3.d = fp32_to_fp16(0.125f);
    const uint8_t sc[16] = {0, 63, 32, 31, 1, 45, 16, 48, 5, 60, 33, 12, 40, 7, 56, 20};
    for (int j = 0; j < 16; ++j) {
        // Low nibble in byte j (j < 8) or the high nibble of byte j - 8;
        // top 2 bits in bits 2 (j / 4) of byte 8 + j % 4.
        if (j < 8)
            k3.scales[j] |= static_cast<uint8_t>(sc[j] & 0x0F);
        else
            k3.scales[j - 8] |= static_cast<uint8_t>((sc[j] & 0x0F) << 4);
        k3.scales[8 + j % 4] |= static_cast<uint8_t>((sc[j] >> 4) << (2 * (j / 4)));
    }
    for (int e = 0; e < QK_K; ++e) {
        quants[e] = e % 8;
        const int run = e / 32; // bit 4h + k of hmask[l] for e = 128h + 32k + l
        k3.hmask[e % 32] |= static_cast<uint8_t>((quants[e] >> 2) << run);
    }
    pack_two_bit_quants(quants, k3.qs);
    dequantize_row_reference(GgmlType::Q3_K, &k3, out, QK_K);
    for (int e = 0; e < QK_K; ++e) {
        const float expected = 0.125f * static_cast<float>(sc[e / 16] - 32) * static_cast<float>(e % 8 - 4);
        QVERIFY2(out[e] == expected, qPrintable(QStringLiteral("element %1: %2, expected %3").arg(e).arg(out[e]).arg(expected)));
    }
    QCOMPARE(out[0], 0.125f * -32.0f * -4.0f);
    QCOMPARE(out[23], 0.125f * 31.0f * 3.0f);
}

void TestQuantFormats::handMadeQ5KDecode()
{
    // Sub-block j has scale 2j + 1 and min 63 - j; element e has quant
    // (3e) % 32, whose fifth bit goes to bit j of qh[l] for e = 32j + l.
    block_q5_K k5{};
    k5.d = fp32_to_fp16(0.0625f);
    k5.dmin = fp32_to_fp16(0.5f);
    uint8_t sc[8];
    uint8_t mn[8];
    for (int j = 0; j < 8; ++j) {
        sc[j] = static_cast<uint8_t>(2 * j + 1);
        mn[j] = static_cast<uint8_t>(63 - j);
    }
    pack_q4_K_scales(sc, mn, k5.scales);
    int quants[QK_K];
    for (int e = 0; e < QK_K; ++e) {
        quants[e] = (3 * e) % 32;
        const int j = e / 32;
        const int l = e % 32;
        // Nibbles as in Q4_K: sub-block 2c low, 2c + 1 high, in qs[32c ..].
        k5.qs[32 * (j / 2) + l] |= static_cast<uint8_t>((quants[e] & 0x0F) << (4 * (j % 2)));
        k5.qh[l] |= static_cast<uint8_t>((quants[e] >> 4) << j);
    }
    float out[QK_K];
    dequantize_row_reference(GgmlType::Q5_K, &k5, out, QK_K);
    for (int e = 0; e < QK_K; ++e) {
        const int j = e / 32;
        QCOMPARE(out[e], 0.0625f * static_cast<float>(sc[j]) * static_cast<float>(quants[e]) -
                             0.5f * static_cast<float>(mn[j]));
    }
    // Element 255: sub-block 7 (scale 15, min 56), quant 765 % 32 = 29.
    QCOMPARE(out[255], 0.0625f * 15.0f * 29.0f - 28.0f);
}

void TestQuantFormats::handMadeIq4BlocksDecode()
{
    // The engine's grid is ggml's.
    for (int i = 0; i < 16; ++i)
        QCOMPARE(int(kIq4NlValues[i]), kGrid[i]);

    // IQ4_NL, d = 0.5: element j < 16 has index j, element j + 16 index 15 - j.
    block_iq4_nl nl{};
    nl.d = fp32_to_fp16(0.5f);
    for (int j = 0; j < 16; ++j)
        nl.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    float out[QK_K];
    dequantize_row_reference(GgmlType::IQ4_NL, &nl, out, QK4_NL);
    for (int j = 0; j < 16; ++j) {
        QCOMPARE(out[j], 0.5f * static_cast<float>(kGrid[j]));
        QCOMPARE(out[j + 16], 0.5f * static_cast<float>(kGrid[15 - j]));
    }
    QCOMPARE(out[0], -63.5f);
    QCOMPARE(out[16], 56.5f);

    // IQ4_XS, d = 0.25: sub-block j has the 6-bit scale ls[j] (biased by 32),
    // its low nibble in scales_l[j / 2], its top 2 bits at bit 2j of
    // scales_h; element 32j + l has index (l + j) % 16.
    block_iq4_xs xs{};
    xs.d = fp32_to_fp16(0.25f);
    const int ls[8] = {0, 63, 32, 33, 17, 48, 5, 40};
    uint32_t high = 0;
    for (int j = 0; j < 8; ++j) {
        xs.scales_l[j / 2] |= static_cast<uint8_t>((ls[j] & 0x0F) << (4 * (j % 2)));
        high |= static_cast<uint32_t>(ls[j] >> 4) << (2 * j);
    }
    xs.scales_h = static_cast<uint16_t>(high);
    for (int j = 0; j < 8; ++j) {
        for (int l = 0; l < 16; ++l) {
            const int low = (l + j) % 16;
            const int up = (l + 16 + j) % 16;
            xs.qs[16 * j + l] = static_cast<uint8_t>(low | (up << 4));
        }
    }
    dequantize_row_reference(GgmlType::IQ4_XS, &xs, out, QK_K);
    for (int e = 0; e < QK_K; ++e) {
        const int j = e / 32;
        const int l = e % 32;
        QCOMPARE(out[e], 0.25f * static_cast<float>(ls[j] - 32) * static_cast<float>(kGrid[(l + j) % 16]));
    }
    // Element 32: sub-block 1 (scale 63 - 32 = 31), index 1 (-104).
    QCOMPARE(out[32], 0.25f * 31.0f * -104.0f);
}

void TestQuantFormats::roundNearestEvenMatchesNearbyint()
{
    // Ties go to the even neighbour, in both signs.
    QCOMPARE(detail::round_nearest_even(2.5f), 2);
    QCOMPARE(detail::round_nearest_even(3.5f), 4);
    QCOMPARE(detail::round_nearest_even(-2.5f), -2);
    QCOMPARE(detail::round_nearest_even(-0.5f), 0);
    QCOMPARE(detail::round_nearest_even(-0.51f), -1);

    // Every quarter step over the range the quantizers use, and random values.
    for (int i = -600; i <= 600; ++i) {
        const float value = 0.25f * static_cast<float>(i);
        QCOMPARE(detail::round_nearest_even(value), static_cast<int>(std::nearbyint(value)));
    }
    std::mt19937 rng(21);
    std::uniform_real_distribution<float> range(-200.0f, 200.0f);
    for (int i = 0; i < 100000; ++i) {
        const float value = range(rng);
        QCOMPARE(detail::round_nearest_even(value), static_cast<int>(std::nearbyint(value)));
    }
}

void TestQuantFormats::quantizeRoundTripError_data()
{
    // Relative RMSE of N(0, 1) data after a round trip. Each bound sits about
    // 10% above what the quantizers reach on this data. They reach 0.54% for
    // Q8_0, 8.6% for Q4_0 (16 steps spanning the block's extreme), 7.9% for
    // Q4_1, 4.3% and 3.8% for Q5_0 and Q5_1. The K-quants reach 27.1% for
    // Q2_K (4 levels per 16 values), 14.5% for Q3_K, 7.2% for Q4_K, 3.6% for
    // Q5_K, 1.7% for Q6_K and 0.7% for Q8_K (one step per 256 values).
    // IQ4_NL and IQ4_XS (16 non-uniform levels) reach 7.4% and 7.5%.
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
    QTest::newRow("Q2_K") << GgmlType::Q2_K << 0.30;
    QTest::newRow("Q3_K") << GgmlType::Q3_K << 0.16;
    QTest::newRow("Q4_K") << GgmlType::Q4_K << 0.079;
    QTest::newRow("Q5_K") << GgmlType::Q5_K << 0.040;
    QTest::newRow("Q6_K") << GgmlType::Q6_K << 0.019;
    QTest::newRow("Q8_K") << GgmlType::Q8_K << 0.0078;
    QTest::newRow("IQ4_NL") << GgmlType::IQ4_NL << 0.082;
    QTest::newRow("IQ4_XS") << GgmlType::IQ4_XS << 0.083;
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

void TestQuantFormats::iq4SearchBeatsNominalScale()
{
    // The plain IQ4_NL fit: each block's extreme value on the grid's -127
    // end, every element on its nearest grid value by exhaustive search.
    constexpr int64_t n = 256 * QK4_NL;
    std::mt19937 rng(4);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(n);
    for (float& v : x)
        v = normal(rng);
    std::vector<float> nominal(n);
    for (int64_t b = 0; b < n / QK4_NL; ++b) {
        const float* block = x.data() + b * QK4_NL;
        float extreme = 0.0f;
        for (int i = 0; i < QK4_NL; ++i)
            extreme = std::fabs(block[i]) > std::fabs(extreme) ? block[i] : extreme;
        const float d = fp16_to_fp32(fp32_to_fp16(extreme / -127.0f));
        for (int i = 0; i < QK4_NL; ++i) {
            float best = 0.0f;
            for (const int value : kGrid) {
                const float candidate = d * static_cast<float>(value);
                if (value == kGrid[0] || std::fabs(candidate - block[i]) < std::fabs(best - block[i]))
                    best = candidate;
            }
            nominal[static_cast<size_t>(b * QK4_NL + i)] = best;
        }
    }

    // The searched scales do better: 7.4% against 8.0% relative RMSE here.
    std::vector<block_iq4_nl> blocks(n / QK4_NL);
    quantize_row(GgmlType::IQ4_NL, x.data(), blocks.data(), n);
    std::vector<float> back(n);
    dequantize_row_reference(GgmlType::IQ4_NL, blocks.data(), back.data(), n);
    const double searched_error = relative_rmse(x, back);
    const double nominal_error = relative_rmse(x, nominal);
    QVERIFY2(searched_error < 0.95 * nominal_error,
             qPrintable(QStringLiteral("searched %1, nominal %2").arg(searched_error).arg(nominal_error)));
}

void TestQuantFormats::quantizeRejectsBadLength()
{
    std::vector<float> x(48, 1.0f);
    std::vector<uint8_t> out(256);
    QVERIFY_THROWS_EXCEPTION(Error, quantize_row(GgmlType::Q4_0, x.data(), out.data(), 48));
    QVERIFY_THROWS_EXCEPTION(Error, quantize_row(GgmlType::Q2_K, x.data(), out.data(), 48));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, quantize_row(GgmlType::IQ2_XXS, x.data(), out.data(), 256));
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, dequantize_row_reference(GgmlType::TQ1_0, out.data(), x.data(), 256));
}
QTEST_APPLESS_MAIN(TestQuantFormats)

#include "test_quant_formats.moc"

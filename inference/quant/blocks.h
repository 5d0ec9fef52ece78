// Block layouts of ggml's quantized tensor types, byte for byte as GGUF files
// store them (ggml-common.h), and exact IEEE half / bfloat16 conversions.
//
// A row of n elements is n / QK consecutive blocks. Every "scale" below is a
// dequantization step: value = scale * quant (+ offset). All multi-byte
// fields are little-endian, as on every host the engine supports.
#pragma once

#include <bit>
#include <cstdint>

namespace quanta {

// Elements per block of the 32-element ("legacy") types.
inline constexpr int QK4_0 = 32;
inline constexpr int QK4_1 = 32;
inline constexpr int QK5_0 = 32;
inline constexpr int QK5_1 = 32;
inline constexpr int QK8_0 = 32;
// Elements per super-block of the K-quant types.
inline constexpr int QK_K = 256;
// Bytes of packed 6-bit scales and mins in a Q4_K super-block.
inline constexpr int K_SCALE_SIZE = 12;

// Q4_0: value = d * (q - 8), q in [0, 15].
struct block_q4_0 {
    uint16_t d;               // F16 scale
    uint8_t qs[QK4_0 / 2];    // [16] nibbles: element j in the low nibble of qs[j], element j + 16 in the high one
};
static_assert(sizeof(block_q4_0) == 18, "block_q4_0 must match ggml's 18-byte layout");

// Q4_1: value = d * q + m, q in [0, 15].
struct block_q4_1 {
    uint16_t d;               // F16 scale
    uint16_t m;               // F16 offset (the block minimum)
    uint8_t qs[QK4_1 / 2];    // [16] nibbles, same order as Q4_0
};
static_assert(sizeof(block_q4_1) == 20, "block_q4_1 must match ggml's 20-byte layout");

// Q5_0: value = d * (q - 16), q in [0, 31].
struct block_q5_0 {
    uint16_t d;               // F16 scale
    uint8_t qh[4];            // bit j of this little-endian uint32 is bit 4 of element j's quant
    uint8_t qs[QK5_0 / 2];    // [16] low 4 bits, same order as Q4_0
};
static_assert(sizeof(block_q5_0) == 22, "block_q5_0 must match ggml's 22-byte layout");

// Q5_1: value = d * q + m, q in [0, 31].
struct block_q5_1 {
    uint16_t d;               // F16 scale
    uint16_t m;               // F16 offset
    uint8_t qh[4];            // high bits, as in Q5_0
    uint8_t qs[QK5_1 / 2];    // [16] low 4 bits, as in Q5_0
};
static_assert(sizeof(block_q5_1) == 24, "block_q5_1 must match ggml's 24-byte layout");

// Q8_0: value = d * q, q in [-127, 127] as ggml writes it ([-128, 127] decodes too).
struct block_q8_0 {
    uint16_t d;               // F16 scale
    int8_t qs[QK8_0];         // [32] quants
};
static_assert(sizeof(block_q8_0) == 34, "block_q8_0 must match ggml's 34-byte layout");

// Quanta's internal group-quantized types (GgmlType::Q4_G, Q8_G), which hold
// GPTQ and AWQ weights after the load-time repack: value = d * (q - z) with
// an integer zero point z, exactly as those formats define it. A group of
// 32, 64, 128 or more inputs repeats its scale and zero in each block.
inline constexpr int QK_G = 32;

// Q4_G: q in [0, 15]; z in [0, 16] (GPTQ v1 stores z - 1 in 4 bits, so 16
// occurs). 2- and 3-bit GPTQ weights use it too, with q below 4 or 8.
struct block_q4_g {
    uint16_t d;               // F16 scale of the group
    int16_t z;                // zero point
    uint8_t qs[QK_G / 2];     // [16] nibbles, same order as Q4_0
};
static_assert(sizeof(block_q4_g) == 20, "block_q4_g is 20 bytes");

// Q8_G: 8-bit quants stored minus 128, so that they are signed like Q8_0's:
// qs = q - 128 in [-128, 127] and z = zero - 128 in [-128, 128].
struct block_q8_g {
    uint16_t d;               // F16 scale of the group
    int16_t z;                // zero point minus 128
    int8_t qs[QK_G];          // [32] quants minus 128
};
static_assert(sizeof(block_q8_g) == 36, "block_q8_g is 36 bytes");

// Q4_K: 8 sub-blocks of 32 elements; sub-block j has a 6-bit scale sc[j] and
// a 6-bit min mn[j]: value = d * sc[j] * q - dmin * mn[j], q in [0, 15].
// scales[] packs them: for j < 4, sc[j] = scales[j] & 63 and
// mn[j] = scales[j + 4] & 63; for j >= 4, the low 4 bits come from
// scales[j + 4] (sc low nibble, mn high nibble) and the top 2 bits from bits
// 6-7 of scales[j - 4] (sc) and scales[j] (mn).
struct block_q4_K {
    uint16_t d;                    // F16 super-block scale of the sub-block scales
    uint16_t dmin;                 // F16 super-block scale of the sub-block mins
    uint8_t scales[K_SCALE_SIZE];  // [12] packed 6-bit sc[8] and mn[8]
    uint8_t qs[QK_K / 2];          // [128] nibbles: each 64-element chunk c uses qs[32c .. 32c+31],
                                   // element 64c + l in the low nibble, 64c + 32 + l in the high one
};
static_assert(sizeof(block_q4_K) == 144, "block_q4_K must match ggml's 144-byte layout");

// Unpacks the eight 6-bit scales and mins of a Q4_K super-block.
inline void unpack_q4_K_scales(const uint8_t* scales, uint8_t sc[8], uint8_t mn[8])
{
    for (int j = 0; j < 4; ++j) {
        sc[j] = scales[j] & 63;
        mn[j] = scales[j + 4] & 63;
    }
    for (int j = 4; j < 8; ++j) {
        sc[j] = static_cast<uint8_t>((scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4));
        mn[j] = static_cast<uint8_t>((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
    }
}

// Packs eight 6-bit scales and mins (each in [0, 63]) the way
// unpack_q4_K_scales() reads them.
inline void pack_q4_K_scales(const uint8_t sc[8], const uint8_t mn[8], uint8_t scales[K_SCALE_SIZE])
{
    for (int j = 0; j < 4; ++j) {
        scales[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
        scales[j + 4] = static_cast<uint8_t>((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
        scales[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0x0F) | ((mn[j + 4] & 0x0F) << 4));
    }
}

// Q6_K: 16 sub-blocks of 16 elements: value = d * scales[e / 16] * (q - 32),
// q in [0, 63]. Each 128-element half h (0, 1) uses ql[64h ..], qh[32h ..];
// for l < 32 its elements l, l + 32, l + 64, l + 96 take their low 4 bits
// from the low nibble of ql[l], the low nibble of ql[l + 32], the high nibble
// of ql[l] and the high nibble of ql[l + 32], and their top 2 bits from bits
// 0-1, 2-3, 4-5 and 6-7 of qh[l].
struct block_q6_K {
    uint8_t ql[QK_K / 2];      // [128] low 4 bits of the quants
    uint8_t qh[QK_K / 4];      // [64] high 2 bits of the quants
    int8_t scales[QK_K / 16];  // [16] signed 8-bit sub-block scales
    uint16_t d;                // F16 super-block scale
};
static_assert(sizeof(block_q6_K) == 210, "block_q6_K must match ggml's 210-byte layout");

// Q2_K: 16 sub-blocks of 16 elements; sub-block j has a 4-bit scale and a
// 4-bit min: value = d * (scales[j] & 15) * q - dmin * (scales[j] >> 4),
// q in [0, 3]. Each 128-element half h uses qs[32h .. 32h+31]: element
// 128h + 32k + l (k < 4, l < 32) is bits 2k..2k+1 of qs[32h + l], so
// sub-block j = e / 16 as usual.
struct block_q2_K {
    uint8_t scales[QK_K / 16];  // [16] low nibble: scale, high nibble: min
    uint8_t qs[QK_K / 4];       // [64] 2-bit quants, four per byte
    uint16_t d;                 // F16 super-block scale of the sub-block scales
    uint16_t dmin;              // F16 super-block scale of the sub-block mins
};
static_assert(sizeof(block_q2_K) == 84, "block_q2_K must match ggml's 84-byte layout");

// Q3_K: 16 sub-blocks of 16 elements: value = d * (sc[j] - 32) * (q - 4),
// q in [0, 7]. Element e = 128h + 32k + l (h < 2, k < 4, l < 32) takes its
// low 2 bits from bits 2k..2k+1 of qs[32h + l] and its top bit from bit
// 4h + k of hmask[l]. The 6-bit sc[j] are packed in scales[12]: the low
// nibble comes from scales[j] (j < 8) or the high nibble of scales[j - 8]
// (j >= 8), the top 2 bits from bits 2 (j / 4)..2 (j / 4) + 1 of
// scales[8 + j % 4].
struct block_q3_K {
    uint8_t hmask[QK_K / 8];    // [32] top bits of the quants
    uint8_t qs[QK_K / 4];       // [64] low 2 bits of the quants, four per byte
    uint8_t scales[12];         // packed 6-bit sub-block scales, biased by 32
    uint16_t d;                 // F16 super-block scale
};
static_assert(sizeof(block_q3_K) == 110, "block_q3_K must match ggml's 110-byte layout");

// Unpacks the sixteen 6-bit scales of a Q3_K super-block, each in [0, 63]
// (the stored value; the decoder subtracts 32).
inline void unpack_q3_K_scales(const uint8_t* scales, uint8_t sc[16])
{
    for (int j = 0; j < 16; ++j) {
        const int low = j < 8 ? scales[j] & 0x0F : scales[j - 8] >> 4;
        const int high = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = static_cast<uint8_t>(low | (high << 4));
    }
}

// Packs sixteen 6-bit scales (each in [0, 63]) the way unpack_q3_K_scales()
// reads them.
inline void pack_q3_K_scales(const uint8_t sc[16], uint8_t scales[12])
{
    for (int j = 0; j < 12; ++j)
        scales[j] = 0;
    for (int j = 0; j < 16; ++j) {
        if (j < 8)
            scales[j] = static_cast<uint8_t>(scales[j] | (sc[j] & 0x0F));
        else
            scales[j - 8] = static_cast<uint8_t>(scales[j - 8] | ((sc[j] & 0x0F) << 4));
        scales[8 + j % 4] = static_cast<uint8_t>(scales[8 + j % 4] | ((sc[j] >> 4) << (2 * (j / 4))));
    }
}

// Q5_K: as Q4_K with a fifth bit: value = d * sc[j] * q - dmin * mn[j],
// q in [0, 31]. The low 4 bits sit in qs exactly as in Q4_K; bit 4 of
// element 32j + l (sub-block j) is bit j of qh[l].
struct block_q5_K {
    uint16_t d;                    // F16 super-block scale of the sub-block scales
    uint16_t dmin;                 // F16 super-block scale of the sub-block mins
    uint8_t scales[K_SCALE_SIZE];  // [12] packed 6-bit sc[8] and mn[8], as in Q4_K
    uint8_t qh[QK_K / 8];          // [32] fifth bits
    uint8_t qs[QK_K / 2];          // [128] low 4 bits, as in Q4_K
};
static_assert(sizeof(block_q5_K) == 176, "block_q5_K must match ggml's 176-byte layout");

// Elements per IQ4_NL block.
inline constexpr int QK4_NL = 32;

// The 16 values of the IQ4_NL and IQ4_XS non-linear grid (ggml's
// kvalues_iq4nl), indexed by a 4-bit quant.
inline constexpr int8_t kIq4NlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

// IQ4_NL: value = d * kIq4NlValues[q], q in [0, 15], nibbles in Q4_0 order.
struct block_iq4_nl {
    uint16_t d;               // F16 scale
    uint8_t qs[QK4_NL / 2];   // [16] element j in the low nibble of qs[j], element j + 16 in the high one
};
static_assert(sizeof(block_iq4_nl) == 18, "block_iq4_nl must match ggml's 18-byte layout");

// IQ4_XS: 8 sub-blocks of 32 elements: value = d * (ls[j] - 32) *
// kIq4NlValues[q]. The 6-bit ls[j] takes its low 4 bits from nibble j % 2
// of scales_l[j / 2] and its top 2 bits from bits 2j..2j+1 of scales_h.
// Sub-block j's nibbles are qs[16j .. 16j+15] in Q4_0 order.
struct block_iq4_xs {
    uint16_t d;                    // F16 super-block scale
    uint16_t scales_h;             // top 2 bits of the eight sub-block scales
    uint8_t scales_l[QK_K / 64];   // [4] low 4 bits of the sub-block scales, two per byte
    uint8_t qs[QK_K / 2];          // [128] 4-bit grid indices
};
static_assert(sizeof(block_iq4_xs) == 136, "block_iq4_xs must match ggml's 136-byte layout");

// The 6-bit scale of IQ4_XS sub-block j, in [0, 63] (the decoder subtracts 32).
inline int iq4_xs_scale(const block_iq4_xs& block, int j)
{
    const int low = (block.scales_l[j / 2] >> (4 * (j % 2))) & 0x0F;
    const int high = (block.scales_h >> (2 * j)) & 3;
    return low | (high << 4);
}

// Q8_K: the 8-bit activation format that K-quant dot products use. Never
// stored in model files; value = d * q.
struct block_q8_K {
    float d;                   // F32 scale
    int8_t qs[QK_K];           // [256] quants in [-127, 127]
    int16_t bsums[QK_K / 16];  // [16] sum of each run of 16 quants
};
static_assert(sizeof(block_q8_K) == 292, "block_q8_K must match ggml's 292-byte layout");

// Converts an IEEE binary16 value to float exactly (subnormals, infinities
// and NaN payloads included; a signaling NaN comes back quiet, as F16C does).
inline float fp16_to_fp32(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    const uint32_t mantissa = h & 0x3FFu;

    // Zero and subnormals: mantissa * 2^-24, exact in float.
    if (exponent == 0) {
        const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
        return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
    }

    // Infinity and NaN keep their payload; NaNs get the quiet bit.
    if (exponent == 0x1F) {
        const uint32_t quiet = mantissa != 0 ? 0x00400000u : 0u;
        return std::bit_cast<float>(sign | 0x7F800000u | quiet | (mantissa << 13));
    }

    // Normal numbers: rebias the exponent from 15 to 127.
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

// Converts a float to IEEE binary16 with round-to-nearest-even, as F16C's
// vcvtps2ph does in its default mode: overflow goes to infinity, small values
// to subnormals or signed zero, NaN stays a quiet NaN with the top payload bits.
inline uint16_t fp32_to_fp16(float value)
{
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    const uint32_t sign = (bits >> 16) & 0x8000u;
    const uint32_t magnitude = bits & 0x7FFFFFFFu;

    // NaN.
    if (magnitude > 0x7F800000u)
        return static_cast<uint16_t>(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));

    // At or above 65520 (half-way between 65504, the largest half, and 2^16)
    // rounds to infinity; so does infinity itself.
    if (magnitude >= 0x477FF000u)
        return static_cast<uint16_t>(sign | 0x7C00u);

    // Below 2^-14, the smallest normal half: the result is a subnormal
    // m * 2^-24, so round value * 2^24 to an integer.
    if (magnitude < 0x38800000u) {
        const uint32_t exponent = magnitude >> 23;
        if (exponent < 102) // below 2^-25: rounds to zero (float subnormals too)
            return static_cast<uint16_t>(sign);
        const uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
        const uint32_t shift = 126u - exponent; // value * 2^24 = mantissa >> shift, shift in [14, 24]
        uint32_t result = mantissa >> shift;
        const uint32_t remainder = mantissa & ((1u << shift) - 1u);
        const uint32_t half = 1u << (shift - 1u);
        if (remainder > half || (remainder == half && (result & 1u)))
            ++result; // may carry into the smallest normal, which is correct
        return static_cast<uint16_t>(sign | result);
    }

    // Normal range: rebias the exponent and round the 13 dropped mantissa bits.
    uint32_t result = (((magnitude >> 23) - 112u) << 10) | ((magnitude >> 13) & 0x3FFu);
    const uint32_t remainder = magnitude & 0x1FFFu;
    if (remainder > 0x1000u || (remainder == 0x1000u && (result & 1u)))
        ++result; // a carry into the exponent is the correctly rounded result
    return static_cast<uint16_t>(sign | result);
}

// Converts a bfloat16 value (the top half of a float) to float exactly.
inline float bf16_to_fp32(uint16_t h)
{
    return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
}

// Converts a float to bfloat16 with round-to-nearest-even; subnormals are kept
// and rounded like any other value, NaN stays a quiet NaN.
inline uint16_t fp32_to_bf16(float value)
{
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
        return static_cast<uint16_t>((bits >> 16) | 0x0040u);
    const uint32_t rounding = 0x7FFFu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>((bits + rounding) >> 16);
}

} // namespace quanta

// AVX2 blocked matrix multiplication for the quantized types (Q4_0, Q4_1,
// Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, Q4_G,
// Q8_G) against
// 8-bit activations, for prompt processing.
//
// Eight weight rows at a time are decoded into a panel: per 32-element block,
// 256 quant bytes laid out [group of 4 elements][row][4 bytes], plus a float
// scale and offset per row (per 16-element half for Q2_K, Q3_K and Q6_K),
// so that value = scale * q + offset. One 32-byte load then contains four
// consecutive quants of all eight rows, and vpmaddubsw against four
// activation quants broadcast to every lane yields per-row sums in each
// 32-bit lane: the result vector is eight outputs, with no horizontal
// reduction. A tile covers a group of four tokens, so every panel load
// serves four tokens. matmul.cpp packs the activations into per-group
// records (pack_gemm_records) once per matmul.
//
// gemm_quant_vnni.cpp compiles this file again with QUANTA_VNNI_BUILD for
// CPUs with AVX512-VNNI. There vpdpbusd multiplies the activation quants,
// stored plus 128 as unsigned bytes, with the weight quants as signed
// bytes (every type's quants fit in [-128, 127]) and adds four products
// into each int32 lane without an int16 step. Each dot product then
// carries 128 times the sum of its weight quants, which the panel holds
// per row and block and the tile subtracts. The integer dot products equal
// the AVX2 build's, so both give the same floats. gemm_quant_avxvnni.cpp
// compiles it a third time with QUANTA_AVXVNNI_BUILD as well, for CPUs
// with the VEX-encoded AVX-VNNI (Intel client cores from Alder Lake on).
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

#if defined(QUANTA_AVXVNNI_BUILD)
namespace quanta::cpu::avxvnni {
using namespace quanta::cpu::avx2; // the helpers of simd_avx2.h
#elif defined(QUANTA_VNNI_BUILD)
namespace quanta::cpu::vnni {
using namespace quanta::cpu::avx2; // the helpers of simd_avx2.h
#else
namespace quanta::cpu::avx2 {
#endif

namespace {

#if defined(QUANTA_AVXVNNI_BUILD)
// AVX-VNNI: the VEX encoding of vpdpbusd, with 16 vector registers.
inline __m256i dpbusd(__m256i sum, __m256i a, __m256i b)
{
    return _mm256_dpbusd_avx_epi32(sum, a, b);
}
constexpr int kMaxChains = 2;
#elif defined(QUANTA_VNNI_BUILD)
// AVX512-VNNI with AVX512VL: the EVEX encoding, with 32 vector registers.
inline __m256i dpbusd(__m256i sum, __m256i a, __m256i b)
{
    return _mm256_dpbusd_epi32(sum, a, b);
}
constexpr int kMaxChains = 4;
#endif

constexpr int kPanelRows = 8;
constexpr int kTileTokens = static_cast<int>(kGemmTokenGroup);
constexpr int kBlockBytes = kPanelRows * 32; // panel bytes per 32-element block

// Range and sign of a type's quants, which set how vpmaddubsw sums them.
enum class QuantKind {
    Unsigned4,      // [0, 15]: eight products fit an int16 sum
    Unsigned5,      // [0, 31]: four products fit
    Unsigned3Split, // [0, 7]: one half block fits; two scales per block (Q2_K, Q3_K)
    Unsigned6Split, // [0, 63]: two products fit; two scales per block (Q6_K)
    Signed8,        // [-128, 127]: sign trick, one product per int16
};

// True for the kinds with a scale and offset per 16-element half block.
constexpr bool is_split(QuantKind kind)
{
    return kind == QuantKind::Unsigned3Split || kind == QuantKind::Unsigned6Split;
}

// Groups of four elements whose vpmaddubsw results can add up in int16
// without overflow: |q| * 127 * 2 per product, 32767 at most.
constexpr int flush_interval(QuantKind kind)
{
    switch (kind) {
    case QuantKind::Unsigned4: return 8;
    case QuantKind::Unsigned5: return 4;
    case QuantKind::Unsigned3Split: return 4;
    case QuantKind::Unsigned6Split: return 2;
    case QuantKind::Signed8: return 1;
    }
    return 1;
}

// A packed panel of eight weight rows.
struct Panel {
    uint8_t* q;     // [n_blocks][8 groups][8 rows][4 bytes]
    float* scale;   // [n_blocks][8 rows], or [n_blocks][2 halves][8 rows] for the split kinds
    float* offset;  // same shape as scale
    int32_t* sums;  // VNNI build: 128 times the sum of the quants, same shape as scale
};

// Activations of a group of kTileTokens tokens, interleaved per 32-element
// block so that a tile streams them from one pointer. One record per block:
constexpr int kRecordQuants = 0;      // int8 [4 tokens][32] quants
constexpr int kRecordScale = 128;     // float [4 tokens] step of the block
constexpr int kRecordSum32 = 144;     // float [4 tokens] step * sum of the 32 quants
constexpr int kRecordSum16 = 160;     // float [4 tokens][2] step * sum of each 16 quants
constexpr int kRecordBytes = 192;

constexpr int kQ2_KBytes = 84;
constexpr int kQ3_KBytes = 110;
constexpr int kQ4_KBytes = 144;
constexpr int kQ5_KBytes = 176;
constexpr int kQ6_KBytes = 210;
constexpr int kIq4XsBytes = 136;

// Decodes block b of a legacy-type row into 32 quants, scale and offset.
inline __m256i decode_legacy(GgmlType type, const uint8_t* row, int64_t b, float& scale, float& offset)
{
    switch (type) {
    case GgmlType::Q4_0: {
        const uint8_t* block = row + b * 18;
        scale = half_to_float(block);
        offset = -8.0f * scale;
        return unpack_nibbles(block + 2);
    }
    case GgmlType::Q4_1: {
        const uint8_t* block = row + b * 20;
        scale = half_to_float(block);
        offset = half_to_float(block + 2);
        return unpack_nibbles(block + 4);
    }
    case GgmlType::Q5_0: {
        const uint8_t* block = row + b * 22;
        scale = half_to_float(block);
        offset = -16.0f * scale;
        return _mm256_or_si256(unpack_nibbles(block + 6), spread_bits_to_0x10(load_u32(block + 2)));
    }
    case GgmlType::Q5_1: {
        const uint8_t* block = row + b * 24;
        scale = half_to_float(block);
        offset = half_to_float(block + 2);
        return _mm256_or_si256(unpack_nibbles(block + 8), spread_bits_to_0x10(load_u32(block + 4)));
    }
    case GgmlType::IQ4_NL: {
        const uint8_t* block = row + b * 18;
        scale = half_to_float(block);
        offset = 0.0f;
        return iq4_grid_values(unpack_nibbles(block + 2));
    }
    case GgmlType::Q4_G: {
        const uint8_t* block = row + b * 20;
        scale = half_to_float(block);
        offset = -static_cast<float>(load_i16(block + 2)) * scale;
        return unpack_nibbles(block + 4);
    }
    case GgmlType::Q8_G: {
        const uint8_t* block = row + b * 36;
        scale = half_to_float(block);
        offset = -static_cast<float>(load_i16(block + 2)) * scale;
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 4));
    }
    default: { // Q8_0
        const uint8_t* block = row + b * 34;
        scale = half_to_float(block);
        offset = 0.0f;
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
    }
    }
}

// Stores eight rows' 32 quants of one block in panel order.
inline void store_panel_block(__m256i v[kPanelRows], uint8_t* dst)
{
    transpose_8x8_epi32(v);
#pragma GCC unroll 16
    for (int g = 0; g < 8; ++g)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32 * g), v[g]);
}

void pack_legacy(GgmlType type, const uint8_t* const rows[kPanelRows], int64_t n_blocks, const Panel& panel)
{
    for (int64_t b = 0; b < n_blocks; ++b) {
        __m256i v[kPanelRows];
#pragma GCC unroll 16
        for (int r = 0; r < kPanelRows; ++r)
            v[r] = decode_legacy(type, rows[r], b, panel.scale[8 * b + r], panel.offset[8 * b + r]);
        store_panel_block(v, panel.q + b * kBlockBytes);
    }
}

// Q4_0 rows interleaved in groups of 8 (cpu/repack.h), starting at `group`:
// vector k of a block already holds groups k (low nibbles) and k + 4 (high
// nibbles) of the panel, and the 8 scales are side by side.
void pack_interleaved(const uint8_t* group, int64_t n_blocks, const Panel& panel)
{
    constexpr int kInterleavedBlockBytes = 144;
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    for (int64_t b = 0; b < n_blocks; ++b) {
        const uint8_t* block = group + b * kInterleavedBlockBytes;
        const __m256 scale = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block)));
        _mm256_storeu_ps(panel.scale + 8 * b, scale);
        _mm256_storeu_ps(panel.offset + 8 * b, _mm256_mul_ps(scale, _mm256_set1_ps(-8.0f)));
        uint8_t* dst = panel.q + b * kBlockBytes;
#pragma GCC unroll 4
        for (int k = 0; k < 4; ++k) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16 + 32 * k));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32 * k), _mm256_and_si256(v, nibble));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32 * (k + 4)),
                                _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
        }
    }
}

// Q4_K, or Q5_K when FiveBits: Q5_K adds the fifth bits (qh, 32 bytes)
// between the packed scales and the nibbles.
template <bool FiveBits>
void pack_scale_min(const uint8_t* const rows[kPanelRows], int64_t n_super, const Panel& panel)
{
    constexpr int kSuperBlockBytes = FiveBits ? kQ5_KBytes : kQ4_KBytes;
    constexpr int kNibbles = FiveBits ? 48 : 16;
    for (int64_t s = 0; s < n_super; ++s) {
        // Scales and mins of this super-block for all rows.
        float d[kPanelRows];
        float dmin[kPanelRows];
        int sc[kPanelRows][8];
        int mn[kPanelRows][8];
#pragma GCC unroll 16
        for (int r = 0; r < kPanelRows; ++r) {
            const uint8_t* block = rows[r] + s * kSuperBlockBytes;
            d[r] = half_to_float(block);
            dmin[r] = half_to_float(block + 2);
            const uint8_t* packed = block + 4;
#pragma GCC unroll 16
            for (int j = 0; j < 8; ++j) {
                sc[r][j] = j < 4 ? (packed[j] & 63) : ((packed[j + 4] & 0x0F) | ((packed[j - 4] >> 6) << 4));
                mn[r][j] = j < 4 ? (packed[j + 4] & 63) : ((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
            }
        }

        // Sub-block j: the low (even j) or high (odd j) nibbles of chunk
        // j / 2, and for Q5_K bit j of qh.
#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            const int64_t b = 8 * s + j;
            __m256i v[kPanelRows];
#pragma GCC unroll 16
            for (int r = 0; r < kPanelRows; ++r) {
                const uint8_t* block = rows[r] + s * kSuperBlockBytes;
                const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + kNibbles + 32 * (j / 2)));
                v[r] = _mm256_and_si256(shift_right_bytes(packed, 4 * (j % 2)), _mm256_set1_epi8(0x0F));
                if constexpr (FiveBits) {
                    const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16));
                    v[r] = _mm256_or_si256(v[r], bit_field(qh, j, 4));
                }
                panel.scale[8 * b + r] = d[r] * static_cast<float>(sc[r][j]);
                panel.offset[8 * b + r] = -(dmin[r] * static_cast<float>(mn[r][j]));
            }
            store_panel_block(v, panel.q + b * kBlockBytes);
        }
    }
}

// Q2_K, or Q3_K when IsQ3: run j = 4h + k of a super-block is bits
// 2k..2k+1 of qs[32h ..] (plus Q3_K's top bit, bit j of hmask), and its two
// halves are sub-blocks 2j and 2j + 1.
template <bool IsQ3>
void pack_two_bit(const uint8_t* const rows[kPanelRows], int64_t n_super, const Panel& panel)
{
    constexpr int kSuperBlockBytes = IsQ3 ? kQ3_KBytes : kQ2_KBytes;
    constexpr int kQs = IsQ3 ? 32 : 16;
    for (int64_t s = 0; s < n_super; ++s) {
        // Steps and offsets of the 16 sub-blocks of each row.
        float step[kPanelRows][16];
        float offset[kPanelRows][16];
#pragma GCC unroll 16
        for (int r = 0; r < kPanelRows; ++r) {
            const uint8_t* block = rows[r] + s * kSuperBlockBytes;
            if constexpr (IsQ3) {
                const float d = half_to_float(block + 108);
                alignas(16) int8_t scales[16];
                _mm_store_si128(reinterpret_cast<__m128i*>(scales), unpack_scales_q3_K(block + 96));
                for (int j = 0; j < 16; ++j) {
                    step[r][j] = d * static_cast<float>(scales[j]);
                    offset[r][j] = -4.0f * step[r][j];
                }
            } else {
                const float d = half_to_float(block + 80);
                const float dmin = half_to_float(block + 82);
                for (int j = 0; j < 16; ++j) {
                    step[r][j] = d * static_cast<float>(block[j] & 0x0F);
                    offset[r][j] = -(dmin * static_cast<float>(block[j] >> 4));
                }
            }
        }

#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            const int64_t b = 8 * s + j;
            __m256i v[kPanelRows];
#pragma GCC unroll 16
            for (int r = 0; r < kPanelRows; ++r) {
                const uint8_t* block = rows[r] + s * kSuperBlockBytes;
                const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + kQs + 32 * (j / 4)));
                v[r] = two_bit_field(qs, 2 * (j % 4));
                if constexpr (IsQ3) {
                    const __m256i hmask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
                    v[r] = _mm256_or_si256(v[r], bit_field(hmask, j, 2));
                }
#pragma GCC unroll 16
                for (int half = 0; half < 2; ++half) {
                    panel.scale[16 * b + 8 * half + r] = step[r][2 * j + half];
                    panel.offset[16 * b + 8 * half + r] = offset[r][2 * j + half];
                }
            }
            store_panel_block(v, panel.q + b * kBlockBytes);
        }
    }
}

void pack_iq4_xs(const uint8_t* const rows[kPanelRows], int64_t n_super, const Panel& panel)
{
    for (int64_t s = 0; s < n_super; ++s) {
        float step[kPanelRows][8];
#pragma GCC unroll 16
        for (int r = 0; r < kPanelRows; ++r) {
            const uint8_t* block = rows[r] + s * kIq4XsBytes;
            const float d = half_to_float(block);
            alignas(32) int32_t scales[8];
            _mm256_store_si256(reinterpret_cast<__m256i*>(scales), iq4_xs_scales_vector(block));
            for (int j = 0; j < 8; ++j)
                step[r][j] = d * static_cast<float>(scales[j]);
        }

        // Sub-block j: the nibbles qs[16j ..] in Q4_0 order, mapped to the grid.
#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            const int64_t b = 8 * s + j;
            __m256i v[kPanelRows];
#pragma GCC unroll 16
            for (int r = 0; r < kPanelRows; ++r) {
                v[r] = iq4_grid_values(unpack_nibbles(rows[r] + s * kIq4XsBytes + 8 + 16 * j));
                panel.scale[8 * b + r] = step[r][j];
                panel.offset[8 * b + r] = 0.0f;
            }
            store_panel_block(v, panel.q + b * kBlockBytes);
        }
    }
}

void pack_q6_K(const uint8_t* const rows[kPanelRows], int64_t n_super, const Panel& panel)
{
    for (int64_t s = 0; s < n_super; ++s) {
#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            // 32-element run j: half h, quarter k (see block_q6_K).
            const int h = j / 4;
            const int k = j % 4;
            const int64_t b = 8 * s + j;
            __m256i v[kPanelRows];
#pragma GCC unroll 16
            for (int r = 0; r < kPanelRows; ++r) {
                const uint8_t* block = rows[r] + s * kQ6_KBytes;
                const __m256i ql = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * h + 32 * (k % 2)));
                const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * h));
                const __m256i low = _mm256_and_si256(shift_right_bytes(ql, 4 * (k / 2)), _mm256_set1_epi8(0x0F));
                const __m256i high = _mm256_and_si256(shift_right_bytes(qh, 2 * k), _mm256_set1_epi8(0x03));
                v[r] = _mm256_or_si256(low, _mm256_slli_epi16(high, 4));

                const float d = half_to_float(block + 208);
                const auto* sc = reinterpret_cast<const int8_t*>(block + 192);
#pragma GCC unroll 16
                for (int half = 0; half < 2; ++half) {
                    const float step = d * static_cast<float>(sc[2 * j + half]);
                    panel.scale[16 * b + 8 * half + r] = step;
                    panel.offset[16 * b + 8 * half + r] = -32.0f * step;
                }
            }
            store_panel_block(v, panel.q + b * kBlockBytes);
        }
    }
}

// Stops the compiler from reassociating a chain of vector adds into a tree,
// which would keep every partial product alive and spill registers.
inline void keep_in_register(__m256i& v)
{
    asm("" : "+x"(v));
}

inline float load_f32(const uint8_t* p)
{
    float value;
    std::memcpy(&value, p, sizeof(value));
    return value;
}

// Computes the int32 dot products of groups [G0, G1) of one panel block
// (eight rows per vector) with the four tokens of an activation record.
template <QuantKind K, int G0, int G1>
inline void group_dots(const uint8_t* wq, const uint8_t* record, __m256i out[kTileTokens])
{
#if defined(QUANTA_VNNI_BUILD)
    // Consecutive groups add into kChains separate sums per token, so that
    // up to 4 x kMaxChains independent vpdpbusd chains hide its latency, as
    // many as the registers allow.
    constexpr int kChains = G1 - G0 < kMaxChains ? G1 - G0 : kMaxChains;
    __m256i sums[kChains][kTileTokens];
#pragma GCC unroll 8
    for (int g = G0; g < G1; ++g) {
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + 32 * g));
#pragma GCC unroll 16
        for (int t = 0; t < kTileTokens; ++t) {
            const __m256i av = _mm256_set1_epi32(static_cast<int32_t>(load_u32(record + kRecordQuants + 32 * t + 4 * g)));
            __m256i& sum = sums[(g - G0) % kChains][t];
            sum = g - G0 < kChains ? dpbusd(_mm256_setzero_si256(), av, w) : dpbusd(sum, av, w);
        }
    }
#pragma GCC unroll 16
    for (int t = 0; t < kTileTokens; ++t) {
        __m256i total = sums[0][t];
#pragma GCC unroll 4
        for (int c = 1; c < kChains; ++c)
            total = _mm256_add_epi32(total, sums[c][t]);
        out[t] = total;
    }
#else
    constexpr int kFlush = flush_interval(K);
    const __m256i ones = _mm256_set1_epi16(1);

#pragma GCC unroll 8
    for (int g0 = G0; g0 < G1; g0 += kFlush) {
        __m256i sum16[kTileTokens];
#pragma GCC unroll 8
        for (int g = g0; g < g0 + kFlush; ++g) {
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + 32 * g));
            const __m256i w_abs = K == QuantKind::Signed8 ? _mm256_sign_epi8(w, w) : w;
#pragma GCC unroll 16
            for (int t = 0; t < kTileTokens; ++t) {
                // Four activation quants of token t, broadcast to every row's lane.
                const uint8_t* a = record + kRecordQuants + 32 * t + 4 * g;
                const __m256i av = _mm256_set1_epi32(static_cast<int32_t>(load_u32(a)));
                const __m256i product = K == QuantKind::Signed8 ? _mm256_maddubs_epi16(w_abs, _mm256_sign_epi8(av, w))
                                                                : _mm256_maddubs_epi16(w, av);
                sum16[t] = g == g0 ? product : _mm256_add_epi16(sum16[t], product);
                keep_in_register(sum16[t]);
            }
        }
#pragma GCC unroll 16
        for (int t = 0; t < kTileTokens; ++t) {
            const __m256i sum32 = _mm256_madd_epi16(sum16[t], ones);
            out[t] = g0 == G0 ? sum32 : _mm256_add_epi32(out[t], sum32);
        }
    }
#endif
}

#if defined(QUANTA_VNNI_BUILD)
// Removes the 128 * sum(weight quants) that the activations' offset added
// to each of the tile's dot products.
inline void remove_offset(const int32_t* sums, __m256i dots[kTileTokens])
{
    const __m256i offset = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sums));
#pragma GCC unroll 16
    for (int t = 0; t < kTileTokens; ++t)
        dots[t] = _mm256_sub_epi32(dots[t], offset);
}

// Fills panel.sums: 128 times the sum of each row's quants per block, or
// per half block for the split kinds.
void sum_panel_quants(const Panel& panel, int64_t n_blocks, bool split)
{
    const __m256i ones = _mm256_set1_epi8(1);
    for (int64_t b = 0; b < n_blocks; ++b) {
        const uint8_t* wq = panel.q + b * kBlockBytes;
        __m256i half_sums[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
#pragma GCC unroll 8
        for (int g = 0; g < 8; ++g) {
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + 32 * g));
            half_sums[g / 4] = dpbusd(half_sums[g / 4], ones, w);
        }
        if (split) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(panel.sums + 16 * b), _mm256_slli_epi32(half_sums[0], 7));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(panel.sums + 16 * b + 8), _mm256_slli_epi32(half_sums[1], 7));
        } else {
            const __m256i sum = _mm256_add_epi32(half_sums[0], half_sums[1]);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(panel.sums + 8 * b), _mm256_slli_epi32(sum, 7));
        }
    }
}
#endif

// One tile: the panel's eight rows times one group of four tokens, over all
// blocks. Writes out[t][row].
template <QuantKind K, bool HasOffset>
void panel_tile(const Panel& panel, int64_t n_blocks, const uint8_t* records, float out[kTileTokens][kPanelRows])
{
    __m256 acc[kTileTokens];
#pragma GCC unroll 16
    for (int t = 0; t < kTileTokens; ++t)
        acc[t] = _mm256_setzero_ps();

    for (int64_t b = 0; b < n_blocks; ++b) {
        const uint8_t* wq = panel.q + b * kBlockBytes;
        const uint8_t* record = records + b * kRecordBytes;

        if constexpr (is_split(K)) {
            // Two 16-element halves with their own scales and offsets.
            __m256i low[kTileTokens];
            __m256i high[kTileTokens];
            group_dots<K, 0, 4>(wq, record, low);
            group_dots<K, 4, 8>(wq, record, high);
#if defined(QUANTA_VNNI_BUILD)
            remove_offset(panel.sums + 16 * b, low);
            remove_offset(panel.sums + 16 * b + 8, high);
#endif
            const __m256 scale_low = _mm256_loadu_ps(panel.scale + 16 * b);
            const __m256 scale_high = _mm256_loadu_ps(panel.scale + 16 * b + 8);
            const __m256 offset_low = _mm256_loadu_ps(panel.offset + 16 * b);
            const __m256 offset_high = _mm256_loadu_ps(panel.offset + 16 * b + 8);
#pragma GCC unroll 16
            for (int t = 0; t < kTileTokens; ++t) {
                const __m256 step = _mm256_set1_ps(load_f32(record + kRecordScale + 4 * t));
                const __m256 sum_low = _mm256_set1_ps(load_f32(record + kRecordSum16 + 8 * t));
                const __m256 sum_high = _mm256_set1_ps(load_f32(record + kRecordSum16 + 8 * t + 4));
                acc[t] = _mm256_fmadd_ps(scale_low, _mm256_mul_ps(_mm256_cvtepi32_ps(low[t]), step), acc[t]);
                acc[t] = _mm256_fmadd_ps(scale_high, _mm256_mul_ps(_mm256_cvtepi32_ps(high[t]), step), acc[t]);
                acc[t] = _mm256_fmadd_ps(offset_low, sum_low, acc[t]);
                acc[t] = _mm256_fmadd_ps(offset_high, sum_high, acc[t]);
            }
        } else {
            __m256i dots[kTileTokens];
            group_dots<K, 0, 8>(wq, record, dots);
#if defined(QUANTA_VNNI_BUILD)
            remove_offset(panel.sums + 8 * b, dots);
#endif
            const __m256 scale = _mm256_loadu_ps(panel.scale + 8 * b);
#pragma GCC unroll 16
            for (int t = 0; t < kTileTokens; ++t) {
                const __m256 step = _mm256_set1_ps(load_f32(record + kRecordScale + 4 * t));
                acc[t] = _mm256_fmadd_ps(scale, _mm256_mul_ps(_mm256_cvtepi32_ps(dots[t]), step), acc[t]);
            }
            if constexpr (HasOffset) {
                const __m256 offset = _mm256_loadu_ps(panel.offset + 8 * b);
#pragma GCC unroll 16
                for (int t = 0; t < kTileTokens; ++t) {
                    const __m256 sum = _mm256_set1_ps(load_f32(record + kRecordSum32 + 4 * t));
                    acc[t] = _mm256_fmadd_ps(offset, sum, acc[t]);
                }
            }
        }
    }

#pragma GCC unroll 16
    for (int t = 0; t < kTileTokens; ++t)
        _mm256_storeu_ps(out[t], acc[t]);
}

template <QuantKind K, bool HasOffset>
void gemm_typed(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin, int64_t token_end)
{
    // Panel and activation records in this thread's scratch buffers.
    const int64_t n_blocks = p.n_in / 32;
    const int64_t floats_per_block = is_split(K) ? 16 : 8;
    Panel panel;
    panel.q = static_cast<uint8_t*>(thread_scratch(0, static_cast<size_t>(n_blocks * kBlockBytes)));
    panel.scale = static_cast<float*>(thread_scratch(1, static_cast<size_t>(2 * n_blocks * floats_per_block) * 4));
    panel.offset = panel.scale + n_blocks * floats_per_block;
#if defined(QUANTA_VNNI_BUILD)
    panel.sums = static_cast<int32_t*>(thread_scratch(2, static_cast<size_t>(n_blocks * floats_per_block) * 4));
#else
    panel.sums = nullptr;
#endif
    // The records of this token range; matmul.cpp starts ranges on group boundaries.
    const int64_t n_groups = (token_end - token_begin + kTileTokens - 1) / kTileTokens;
    const uint8_t* records = p.gemm_records + token_begin / kTileTokens * n_blocks * kRecordBytes;

    for (int64_t row0 = row_begin; row0 < row_end; row0 += kPanelRows) {
        // Pack eight rows; a short last panel repeats its last row.
        const int valid_rows = static_cast<int>(row_end - row0 < kPanelRows ? row_end - row0 : kPanelRows);
        const uint8_t* rows[kPanelRows];
#pragma GCC unroll 16
        for (int r = 0; r < kPanelRows; ++r) {
            const int64_t row = row0 + (r < valid_rows ? r : valid_rows - 1);
            rows[r] = p.weights + static_cast<size_t>(row) * p.row_bytes;
        }
        // An interleaved matrix's 8-row groups are whole and line up with the panels.
        switch (p.type) {
        case GgmlType::Q4_0:
            if (p.interleaved)
                pack_interleaved(p.weights + static_cast<size_t>(row0) * p.row_bytes, n_blocks, panel);
            else
                pack_legacy(p.type, rows, n_blocks, panel);
            break;
        case GgmlType::Q2_K:
            pack_two_bit<false>(rows, n_blocks / 8, panel);
            break;
        case GgmlType::Q3_K:
            pack_two_bit<true>(rows, n_blocks / 8, panel);
            break;
        case GgmlType::Q4_K:
            pack_scale_min<false>(rows, n_blocks / 8, panel);
            break;
        case GgmlType::Q5_K:
            pack_scale_min<true>(rows, n_blocks / 8, panel);
            break;
        case GgmlType::Q6_K:
            pack_q6_K(rows, n_blocks / 8, panel);
            break;
        case GgmlType::IQ4_XS:
            pack_iq4_xs(rows, n_blocks / 8, panel);
            break;
        default:
            pack_legacy(p.type, rows, n_blocks, panel);
            break;
        }
#if defined(QUANTA_VNNI_BUILD)
        sum_panel_quants(panel, n_blocks, is_split(K));
#endif

        // Run the tiles over the token groups and store the valid outputs.
        for (int64_t group = 0; group < n_groups; ++group) {
            alignas(32) float out[kTileTokens][kPanelRows];
            panel_tile<K, HasOffset>(panel, n_blocks, records + group * n_blocks * kRecordBytes, out);
            const int64_t t0 = token_begin + group * kTileTokens;
            const int valid_tokens = static_cast<int>(token_end - t0 < kTileTokens ? token_end - t0 : kTileTokens);
            for (int t = 0; t < valid_tokens; ++t) {
                float* y = p.y + (t0 + t) * p.n_out + row0;
                if (valid_rows == kPanelRows) {
                    _mm256_storeu_ps(y, _mm256_load_ps(out[t]));
                } else {
                    for (int r = 0; r < valid_rows; ++r)
                        y[r] = out[t][r];
                }
            }
        }
    }
}

} // namespace

size_t gemm_records_bytes(int64_t n_tokens, int64_t n_in)
{
    const int64_t n_groups = (n_tokens + kTileTokens - 1) / kTileTokens;
    return static_cast<size_t>(n_groups * (n_in / 32) * kRecordBytes);
}

void pack_gemm_records(const QuantizedActivations& qx, int64_t n_tokens, int64_t group_begin, int64_t group_end,
                       uint8_t* records)
{
    const int64_t n_in = qx.n_in;
    const int64_t n_blocks = n_in / 32;
    for (int64_t group = group_begin; group < group_end; ++group) {
        uint8_t* group_records = records + group * n_blocks * kRecordBytes;
        for (int t = 0; t < kTileTokens; ++t) {
            // Tokens past the end get zero quants and scales.
            const int64_t token = group * kTileTokens + t;
            const bool valid = token < n_tokens;
            const int64_t source = valid ? token : 0;
            const int8_t* q = qx.q + source * n_in;
            const float* scale = qx.scale32 + source * n_blocks;
            const float* sum32 = qx.sum32 + source * n_blocks;
            const float* sum16 = qx.sum16 + source * 2 * n_blocks;
            for (int64_t b = 0; b < n_blocks; ++b) {
                uint8_t* record = group_records + b * kRecordBytes;
                __m256i quants =
                    valid ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32 * b)) : _mm256_setzero_si256();
#if defined(QUANTA_VNNI_BUILD)
                quants = _mm256_xor_si256(quants, _mm256_set1_epi8(static_cast<char>(0x80))); // q + 128 as a byte
#endif
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(record + kRecordQuants + 32 * t), quants);
                const float values[4] = {valid ? scale[b] : 0.0f, valid ? sum32[b] : 0.0f,
                                         valid ? sum16[2 * b] : 0.0f, valid ? sum16[2 * b + 1] : 0.0f};
                std::memcpy(record + kRecordScale + 4 * t, &values[0], 4);
                std::memcpy(record + kRecordSum32 + 4 * t, &values[1], 4);
                std::memcpy(record + kRecordSum16 + 8 * t, &values[2], 8);
            }
        }
    }
}

void gemm_quantized(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                    int64_t token_end)
{
    switch (p.type) {
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q4_K:
    case GgmlType::Q4_G:
        gemm_typed<QuantKind::Unsigned4, true>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q5_K:
        gemm_typed<QuantKind::Unsigned5, true>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
        gemm_typed<QuantKind::Unsigned3Split, true>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q6_K:
        gemm_typed<QuantKind::Unsigned6Split, true>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q8_0:
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS:
        gemm_typed<QuantKind::Signed8, false>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q8_G:
        gemm_typed<QuantKind::Signed8, true>(p, row_begin, row_end, token_begin, token_end);
        break;
    default:
        break;
    }
}

} // namespace quanta::cpu::avx2 (or vnni, or avxvnni)

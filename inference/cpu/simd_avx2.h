// AVX2 helpers shared by the *_avx2.cpp kernel files. Include it only from
// those files: everything here has internal linkage, so no copy compiled
// for AVX2 can leak into code that runs on other CPUs.
#pragma once

#include "cpu/kernels.h"

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace quanta::cpu::avx2 {

namespace {

inline float horizontal_sum(__m256 v)
{
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}

inline int32_t horizontal_sum_i32(__m256i v)
{
    __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    sum = _mm_add_epi32(sum, _mm_unpackhi_epi64(sum, sum));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(sum);
}

inline uint32_t load_u32(const void* p)
{
    uint32_t value;
    std::memcpy(&value, p, sizeof(value));
    return value;
}

inline int16_t load_i16(const void* p)
{
    int16_t value;
    std::memcpy(&value, p, sizeof(value));
    return value;
}

inline float half_to_float(const void* p)
{
    uint16_t bits;
    std::memcpy(&bits, p, sizeof(bits));
    return _cvtsh_ss(bits);
}

// Distance in bytes at which the quantized GEMV kernels prefetch their
// weights. With the weights in huge pages, 2 KiB beat 1, 1.5, 3 and 4 KiB
// for Q4_0, Q8_0 and Q4_K decode. The F16 kernel does best at 4 KiB.
inline constexpr int kPrefetchDistance = 2048;

// Requests `lines` cache lines, 64 bytes apart, `Distance` bytes past
// `block`. The GEMV kernels call it once per block because the hardware
// prefetchers of some CPUs keep too few lines in flight for decode. Each
// kernel's count was measured, and docs/benchmarks.md has the figures.
// Prefetching past the end of a buffer does not fault.
template <int Distance = kPrefetchDistance>
inline void prefetch_ahead(const uint8_t* block, int lines)
{
    for (int line = 0; line < lines; ++line)
        _mm_prefetch(reinterpret_cast<const char*>(block) + Distance + 64 * line, _MM_HINT_T0);
}

// Keeps the compiler from fusing the multiply that produced `v` with a later
// add into an FMA: the dequantizers must round twice, as the scalar
// reference does.
inline __m256 no_contract(__m256 v)
{
    asm("" : "+x"(v));
    return v;
}

// 16 bytes of packed nibbles to 32 quants in [0, 15]: the low nibbles give
// elements 0-15, the high nibbles elements 16-31 (the Q4_0 / Q4_1 order).
inline __m256i unpack_nibbles(const uint8_t* qs)
{
    // Load the 16 bytes into both halves, shift only the upper half right by
    // 4 (bits crossing into a byte's top nibble are masked off), keep 4 bits.
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
    const __m256i shifted = _mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4));
    return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F));
}

// Maps 4-bit indices (one per byte, each in [0, 15]) to the IQ4_NL / IQ4_XS
// grid values as signed bytes (ggml's kvalues_iq4nl).
inline __m256i iq4_grid_values(__m256i indices)
{
    const __m256i grid = _mm256_setr_epi8(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113, //
                                          -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);
    return _mm256_shuffle_epi8(grid, indices);
}

// The 2-bit field at bits `shift`..`shift`+1 of each byte, for the Q2_K and
// Q3_K layouts.
inline __m256i two_bit_field(__m256i v, int shift)
{
    return _mm256_and_si256(_mm256_srli_epi16(v, shift), _mm256_set1_epi8(0x03));
}

// Bit `bit` of each byte (bit < 8) moved to bit `to` (to < 8): each result
// byte is 0 or 1 << to.
inline __m256i bit_field(__m256i v, int bit, int to)
{
    return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(v, bit), _mm256_set1_epi8(0x01)), to);
}

// The sixteen 6-bit Q3_K sub-block scales minus their bias of 32, as signed
// bytes, unpacked from the 12 packed bytes (see block_q3_K) in four 32-bit
// words.
inline __m128i unpack_scales_q3_K(const uint8_t* packed)
{
    uint32_t w[3];
    std::memcpy(w, packed, sizeof(w));
    const uint32_t low4 = 0x0F0F0F0Fu;
    const uint32_t top2 = 0x03030303u;
    const __m128i scales = _mm_setr_epi32(static_cast<int>((w[0] & low4) | ((w[2] & top2) << 4)),
                                          static_cast<int>((w[1] & low4) | (((w[2] >> 2) & top2) << 4)),
                                          static_cast<int>(((w[0] >> 4) & low4) | (((w[2] >> 4) & top2) << 4)),
                                          static_cast<int>(((w[1] >> 4) & low4) | (((w[2] >> 6) & top2) << 4)));
    return _mm_sub_epi8(scales, _mm_set1_epi8(32));
}

// Bit i of `bits` to 0x10 in byte i (0 otherwise): the fifth bit of Q5 quants.
inline __m256i spread_bits_to_0x10(uint32_t bits)
{
    // Byte i takes byte i / 8 of `bits`, then tests its bit i % 8.
    const __m256i byte_index = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, //
                                                2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit_mask = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
    const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int32_t>(bits)), byte_index);
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, bit_mask), bit_mask);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// Shifts each byte right by `shift` bits (AVX2 has no 8-bit shift).
inline __m256i shift_right_bytes(__m256i v, int shift)
{
    return _mm256_and_si256(_mm256_srli_epi16(v, shift), _mm256_set1_epi8(static_cast<char>(0xFF >> shift)));
}

// The eight 6-bit IQ4_XS sub-block scales minus their bias of 32, as int32
// lanes, from the scales_h field at `block + 2` and scales_l at `block + 4`
// (see block_iq4_xs). Scale j's low nibble sits at bit 4j of scales_l read
// as one 32-bit word, and its top 2 bits at bit 2j of scales_h.
inline __m256i iq4_xs_scales_vector(const uint8_t* block)
{
    uint16_t high;
    std::memcpy(&high, block + 2, sizeof(high));
    const __m256i low_bits = _mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int32_t>(load_u32(block + 4))),
                                               _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28));
    const __m256i high_bits = _mm256_srlv_epi32(_mm256_set1_epi32(high), _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14));
    const __m256i scales = _mm256_or_si256(_mm256_and_si256(low_bits, _mm256_set1_epi32(0x0F)),
                                           _mm256_slli_epi32(_mm256_and_si256(high_bits, _mm256_set1_epi32(3)), 4));
    return _mm256_sub_epi32(scales, _mm256_set1_epi32(32));
}

// Eight int32 partial sums of q * a over 32 elements (q unsigned, at most
// 127 so that pairs of products fit vpmaddubsw's int16 sums).
inline __m256i dot32(__m256i q, const int8_t* a)
{
    const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, av), _mm256_set1_epi16(1));
}

// Folds four vectors into one: lanes 0-3 of the result are the sums of the
// low 128-bit halves of v0-v3, lanes 4-7 those of their high halves.
inline __m256i fold4(__m256i v0, __m256i v1, __m256i v2, __m256i v3)
{
    return _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
}

// Activation rows of NT consecutive tokens, for the 32-element block GEMV
// kernels: quants, block steps and block sums.
template <int NT>
struct TokenRows {
    const int8_t* q[NT];
    const float* scale[NT];
    const float* sum[NT];
};

template <int NT>
inline TokenRows<NT> token_rows(const QuantizedActivations& qx, int64_t token_begin)
{
    const int64_t n_blocks = qx.n_in / 32;
    TokenRows<NT> rows;
#pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) {
        rows.q[t] = qx.q + (token_begin + t) * qx.n_in;
        rows.scale[t] = qx.scale32 + (token_begin + t) * n_blocks;
        rows.sum[t] = qx.sum32 + (token_begin + t) * n_blocks;
    }
    return rows;
}

// Activation pointers of one token, for the super-block GEMV kernels.
struct TokenActivations {
    int64_t token;       // row of y to write
    const int8_t* q;     // [n_in]
    const float* scale;  // [n_in / 32]
    const float* sum32;  // [n_in / 32]
    const float* sum16;  // [n_in / 16]
};

// Transposes an 8x8 matrix of 32-bit elements held in eight registers.
inline void transpose_8x8_epi32(__m256i r[8])
{
    const __m256 a0 = _mm256_castsi256_ps(r[0]), a1 = _mm256_castsi256_ps(r[1]);
    const __m256 a2 = _mm256_castsi256_ps(r[2]), a3 = _mm256_castsi256_ps(r[3]);
    const __m256 a4 = _mm256_castsi256_ps(r[4]), a5 = _mm256_castsi256_ps(r[5]);
    const __m256 a6 = _mm256_castsi256_ps(r[6]), a7 = _mm256_castsi256_ps(r[7]);

    // Interleave pairs of rows, then pairs of pairs, within each 128-bit lane.
    const __m256 b0 = _mm256_unpacklo_ps(a0, a1), b1 = _mm256_unpackhi_ps(a0, a1);
    const __m256 b2 = _mm256_unpacklo_ps(a2, a3), b3 = _mm256_unpackhi_ps(a2, a3);
    const __m256 b4 = _mm256_unpacklo_ps(a4, a5), b5 = _mm256_unpackhi_ps(a4, a5);
    const __m256 b6 = _mm256_unpacklo_ps(a6, a7), b7 = _mm256_unpackhi_ps(a6, a7);
    const __m256 c0 = _mm256_shuffle_ps(b0, b2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 c1 = _mm256_shuffle_ps(b0, b2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 c2 = _mm256_shuffle_ps(b1, b3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 c3 = _mm256_shuffle_ps(b1, b3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 c4 = _mm256_shuffle_ps(b4, b6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 c5 = _mm256_shuffle_ps(b4, b6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 c6 = _mm256_shuffle_ps(b5, b7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 c7 = _mm256_shuffle_ps(b5, b7, _MM_SHUFFLE(3, 2, 3, 2));

    // Swap the 128-bit halves across the two groups of four rows.
    r[0] = _mm256_castps_si256(_mm256_permute2f128_ps(c0, c4, 0x20));
    r[1] = _mm256_castps_si256(_mm256_permute2f128_ps(c1, c5, 0x20));
    r[2] = _mm256_castps_si256(_mm256_permute2f128_ps(c2, c6, 0x20));
    r[3] = _mm256_castps_si256(_mm256_permute2f128_ps(c3, c7, 0x20));
    r[4] = _mm256_castps_si256(_mm256_permute2f128_ps(c0, c4, 0x31));
    r[5] = _mm256_castps_si256(_mm256_permute2f128_ps(c1, c5, 0x31));
    r[6] = _mm256_castps_si256(_mm256_permute2f128_ps(c2, c6, 0x31));
    r[7] = _mm256_castps_si256(_mm256_permute2f128_ps(c3, c7, 0x31));
}

} // namespace

} // namespace quanta::cpu::avx2

// AVX2 helpers shared by the *_avx2.cpp kernel files. Include it only from
// those files: everything here has internal linkage, so no copy compiled
// for AVX2 can leak into code that runs on other CPUs.
#pragma once

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

inline float half_to_float(const void* p)
{
    uint16_t bits;
    std::memcpy(&bits, p, sizeof(bits));
    return _cvtsh_ss(bits);
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

// AVX2 dequantizers (used for the embedding lookup). Each computes the same
// float operations in the same order as quant/reference.cpp, so the results
// are bit-identical; no_contract() keeps multiply and add separate.
#include "cpu/kernels.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

// Block sizes in bytes, as in quant/blocks.h (not included: its inline
// helpers must not be compiled for AVX2 here).
constexpr int kQ4_0Bytes = 18;
constexpr int kQ4_1Bytes = 20;
constexpr int kQ5_0Bytes = 22;
constexpr int kQ5_1Bytes = 24;
constexpr int kQ8_0Bytes = 34;
constexpr int kIq4NlBytes = 18;
constexpr int kQ4_GBytes = 20;
constexpr int kQ8_GBytes = 36;
constexpr int kQ2_KBytes = 84;
constexpr int kQ3_KBytes = 110;
constexpr int kQ4_KBytes = 144;
constexpr int kQ5_KBytes = 176;
constexpr int kQ6_KBytes = 210;
constexpr int kIq4XsBytes = 136;

// Stores 32 quants (bytes, signed when `is_signed`) as (q + bias) * d (+ m).
inline void store_block(__m256i q, bool is_signed, int bias, float d, const float* m, float* y)
{
    const __m128i halves[2] = {_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1)};
    const __m256 scale = _mm256_set1_ps(d);
#pragma GCC unroll 16
    for (int h = 0; h < 2; ++h) {
        const __m128i bytes[2] = {halves[h], _mm_srli_si128(halves[h], 8)};
#pragma GCC unroll 16
        for (int i = 0; i < 2; ++i) {
            __m256i ints = is_signed ? _mm256_cvtepi8_epi32(bytes[i]) : _mm256_cvtepu8_epi32(bytes[i]);
            ints = _mm256_add_epi32(ints, _mm256_set1_epi32(bias));
            __m256 value = _mm256_mul_ps(_mm256_cvtepi32_ps(ints), scale);
            if (m)
                value = _mm256_add_ps(no_contract(value), _mm256_set1_ps(*m));
            _mm256_storeu_ps(y + 16 * h + 8 * i, value);
        }
    }
}

void dequantize_legacy(GgmlType type, const uint8_t* src, float* y, int64_t n_blocks)
{
    for (int64_t b = 0; b < n_blocks; ++b, y += 32) {
        switch (type) {
        case GgmlType::Q4_0: {
            const uint8_t* block = src + b * kQ4_0Bytes;
            store_block(unpack_nibbles(block + 2), false, -8, half_to_float(block), nullptr, y);
            break;
        }
        case GgmlType::Q4_1: {
            const uint8_t* block = src + b * kQ4_1Bytes;
            const float m = half_to_float(block + 2);
            store_block(unpack_nibbles(block + 4), false, 0, half_to_float(block), &m, y);
            break;
        }
        case GgmlType::Q5_0: {
            const uint8_t* block = src + b * kQ5_0Bytes;
            const __m256i q = _mm256_or_si256(unpack_nibbles(block + 6), spread_bits_to_0x10(load_u32(block + 2)));
            store_block(q, false, -16, half_to_float(block), nullptr, y);
            break;
        }
        case GgmlType::Q5_1: {
            const uint8_t* block = src + b * kQ5_1Bytes;
            const float m = half_to_float(block + 2);
            const __m256i q = _mm256_or_si256(unpack_nibbles(block + 8), spread_bits_to_0x10(load_u32(block + 4)));
            store_block(q, false, 0, half_to_float(block), &m, y);
            break;
        }
        case GgmlType::Q8_0: {
            const uint8_t* block = src + b * kQ8_0Bytes;
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
            store_block(q, true, 0, half_to_float(block), nullptr, y);
            break;
        }
        case GgmlType::Q4_G: {
            const uint8_t* block = src + b * kQ4_GBytes;
            store_block(unpack_nibbles(block + 4), false, -load_i16(block + 2), half_to_float(block), nullptr, y);
            break;
        }
        case GgmlType::Q8_G: {
            const uint8_t* block = src + b * kQ8_GBytes;
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 4));
            store_block(q, true, -load_i16(block + 2), half_to_float(block), nullptr, y);
            break;
        }
        case GgmlType::IQ4_NL: {
            const uint8_t* block = src + b * kIq4NlBytes;
            store_block(iq4_grid_values(unpack_nibbles(block + 2)), true, 0, half_to_float(block), nullptr, y);
            break;
        }
        default:
            break;
        }
    }
}

// Stores a run of 32 unsigned quants as step * (q + bias) - offset, where
// elements 0-15 use step[0] and offset[0] and elements 16-31 step[1] and
// offset[1]. Without offsets (nullptr) the subtraction is left out.
inline void store_run_of_two_sub_blocks(__m256i q, int bias, const float step[2], const float* offset, float* y)
{
    const __m128i halves[2] = {_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1)};
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
        const __m128i bytes = i % 2 ? _mm_srli_si128(halves[i / 2], 8) : halves[i / 2];
        const __m256i ints = _mm256_add_epi32(_mm256_cvtepu8_epi32(bytes), _mm256_set1_epi32(bias));
        __m256 value = _mm256_mul_ps(_mm256_set1_ps(step[i / 2]), _mm256_cvtepi32_ps(ints));
        if (offset)
            value = _mm256_sub_ps(no_contract(value), _mm256_set1_ps(offset[i / 2]));
        _mm256_storeu_ps(y + 8 * i, value);
    }
}

void dequantize_q2_K(const uint8_t* src, float* y, int64_t n_blocks)
{
    for (int64_t s = 0; s < n_blocks; ++s, y += 256) {
        const uint8_t* block = src + s * kQ2_KBytes;
        const float d = half_to_float(block + 80);
        const float dmin = half_to_float(block + 82);
#pragma GCC unroll 16
        for (int run = 0; run < 8; ++run) {
            // Run 4h + k: bits 2k..2k+1 of qs[32h ..]; sub-blocks 2 run and 2 run + 1.
            const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16 + 32 * (run / 4)));
            float step[2];
            float offset[2];
#pragma GCC unroll 2
            for (int half = 0; half < 2; ++half) {
                const uint8_t sc = block[2 * run + half];
                step[half] = d * static_cast<float>(sc & 0x0F);
                offset[half] = dmin * static_cast<float>(sc >> 4);
            }
            store_run_of_two_sub_blocks(two_bit_field(qs, 2 * (run % 4)), 0, step, offset, y + 32 * run);
        }
    }
}

void dequantize_q3_K(const uint8_t* src, float* y, int64_t n_blocks)
{
    for (int64_t s = 0; s < n_blocks; ++s, y += 256) {
        const uint8_t* block = src + s * kQ3_KBytes;
        const float d = half_to_float(block + 108);
        alignas(16) int8_t scales[16];
        _mm_store_si128(reinterpret_cast<__m128i*>(scales), unpack_scales_q3_K(block + 96));
        const __m256i hmask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
#pragma GCC unroll 16
        for (int run = 0; run < 8; ++run) {
            // Low bits as in Q2_K, the top bit from bit `run` of hmask.
            const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 32 + 32 * (run / 4)));
            const __m256i q = _mm256_or_si256(two_bit_field(qs, 2 * (run % 4)), bit_field(hmask, run, 2));
            const float step[2] = {d * static_cast<float>(scales[2 * run]), d * static_cast<float>(scales[2 * run + 1])};
            store_run_of_two_sub_blocks(q, -4, step, nullptr, y + 32 * run);
        }
    }
}

// Q4_K, and Q5_K when `five_bits`: the same scales, mins and nibbles, with
// Q5_K's fifth bits in qh between the scales and the nibbles.
void dequantize_scale_min(const uint8_t* src, float* y, int64_t n_blocks, bool five_bits)
{
    const int block_bytes = five_bits ? kQ5_KBytes : kQ4_KBytes;
    for (int64_t s = 0; s < n_blocks; ++s, y += 256) {
        const uint8_t* block = src + s * block_bytes;
        const float d = half_to_float(block);
        const float dmin = half_to_float(block + 2);
        const uint8_t* scales = block + 4;
        const uint8_t* qs = block + (five_bits ? 48 : 16);
        const __m256i qh = five_bits ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16))
                                     : _mm256_setzero_si256();
#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            // The 6-bit scale and min of sub-block j (see block_q4_K).
            const int sc = j < 4 ? (scales[j] & 63) : ((scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4));
            const int mn = j < 4 ? (scales[j + 4] & 63) : ((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
            const float step = d * static_cast<float>(sc);
            const float offset = dmin * static_cast<float>(mn);
            const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * (j / 2)));
            const __m256i q = shift_right_bytes(packed, 4 * (j % 2));
            const __m256i nibbles = _mm256_or_si256(_mm256_and_si256(q, _mm256_set1_epi8(0x0F)), bit_field(qh, j, 4));
            const __m128i halves[2] = {_mm256_castsi256_si128(nibbles), _mm256_extracti128_si256(nibbles, 1)};
#pragma GCC unroll 16
            for (int i = 0; i < 4; ++i) {
                const __m128i bytes = i % 2 ? _mm_srli_si128(halves[i / 2], 8) : halves[i / 2];
                const __m256 value = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)), _mm256_set1_ps(step));
                _mm256_storeu_ps(y + 32 * j + 8 * i, _mm256_sub_ps(no_contract(value), _mm256_set1_ps(offset)));
            }
        }
    }
}

void dequantize_iq4_xs(const uint8_t* src, float* y, int64_t n_blocks)
{
    for (int64_t s = 0; s < n_blocks; ++s, y += 256) {
        const uint8_t* block = src + s * kIq4XsBytes;
        const float d = half_to_float(block);
        alignas(32) int32_t scales[8];
        _mm256_store_si256(reinterpret_cast<__m256i*>(scales), iq4_xs_scales_vector(block));
#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            const __m256i q = iq4_grid_values(unpack_nibbles(block + 8 + 16 * j));
            store_block(q, true, 0, d * static_cast<float>(scales[j]), nullptr, y + 32 * j);
        }
    }
}

void dequantize_q6_K(const uint8_t* src, float* y, int64_t n_blocks)
{
    for (int64_t s = 0; s < n_blocks; ++s, y += 256) {
        const uint8_t* block = src + s * kQ6_KBytes;
        const float d = half_to_float(block + 208);
        const auto* sc = reinterpret_cast<const int8_t*>(block + 192);
#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            // 32-element run j: half h, quarter k (see block_q6_K).
            const int h = j / 4;
            const int k = j % 4;
            const __m256i ql = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * h + 32 * (k % 2)));
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * h));
            const __m256i low = _mm256_and_si256(shift_right_bytes(ql, 4 * (k / 2)), _mm256_set1_epi8(0x0F));
            const __m256i high = _mm256_and_si256(shift_right_bytes(qh, 2 * k), _mm256_set1_epi8(0x03));
            const __m256i q = _mm256_or_si256(low, _mm256_slli_epi16(high, 4));
            const __m128i halves[2] = {_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1)};
#pragma GCC unroll 16
            for (int i = 0; i < 4; ++i) {
                const __m128i bytes = i % 2 ? _mm_srli_si128(halves[i / 2], 8) : halves[i / 2];
                const __m256i ints = _mm256_sub_epi32(_mm256_cvtepu8_epi32(bytes), _mm256_set1_epi32(32));
                // Elements 16..31 of the run use the next 16-element scale.
                const float step = d * static_cast<float>(sc[2 * j + i / 2]);
                _mm256_storeu_ps(y + 32 * j + 8 * i, _mm256_mul_ps(_mm256_set1_ps(step), _mm256_cvtepi32_ps(ints)));
            }
        }
    }
}

} // namespace

void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n)
{
    const auto* bytes = static_cast<const uint8_t*>(src);
    switch (type) {
    case GgmlType::F32:
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
        return;
    case GgmlType::F16:
    case GgmlType::BF16: {
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) {
            const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 2 * i));
            const __m256 value = type == GgmlType::F16
                                     ? _mm256_cvtph_ps(half)
                                     : _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
            _mm256_storeu_ps(dst + i, value);
        }
        for (; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, bytes + 2 * i, sizeof(h));
            dst[i] = type == GgmlType::F16 ? _cvtsh_ss(h) : _mm_cvtss_f32(_mm_castsi128_ps(_mm_cvtsi32_si128(static_cast<int>(static_cast<uint32_t>(h) << 16))));
        }
        return;
    }
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::IQ4_NL:
    case GgmlType::Q4_G:
    case GgmlType::Q8_G:
        dequantize_legacy(type, bytes, dst, n / 32);
        return;
    case GgmlType::Q2_K:
        dequantize_q2_K(bytes, dst, n / 256);
        return;
    case GgmlType::Q3_K:
        dequantize_q3_K(bytes, dst, n / 256);
        return;
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
        dequantize_scale_min(bytes, dst, n / 256, type == GgmlType::Q5_K);
        return;
    case GgmlType::IQ4_XS:
        dequantize_iq4_xs(bytes, dst, n / 256);
        return;
    case GgmlType::Q6_K:
        dequantize_q6_K(bytes, dst, n / 256);
        return;
    default:
        return;
    }
}

} // namespace quanta::cpu::avx2

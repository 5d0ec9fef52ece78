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
constexpr int kQ4_KBytes = 144;
constexpr int kQ6_KBytes = 210;

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
        default:
            break;
        }
    }
}

void dequantize_q4_K(const uint8_t* src, float* y, int64_t n_blocks)
{
    for (int64_t s = 0; s < n_blocks; ++s, y += 256) {
        const uint8_t* block = src + s * kQ4_KBytes;
        const float d = half_to_float(block);
        const float dmin = half_to_float(block + 2);
        const uint8_t* scales = block + 4;
        const uint8_t* qs = block + 16;
#pragma GCC unroll 16
        for (int j = 0; j < 8; ++j) {
            // The 6-bit scale and min of sub-block j (see block_q4_K).
            const int sc = j < 4 ? (scales[j] & 63) : ((scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4));
            const int mn = j < 4 ? (scales[j + 4] & 63) : ((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
            const float step = d * static_cast<float>(sc);
            const float offset = dmin * static_cast<float>(mn);
            const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * (j / 2)));
            const __m256i q = shift_right_bytes(packed, 4 * (j % 2));
            const __m256i nibbles = _mm256_and_si256(q, _mm256_set1_epi8(0x0F));
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
        dequantize_legacy(type, bytes, dst, n / 32);
        return;
    case GgmlType::Q4_K:
        dequantize_q4_K(bytes, dst, n / 256);
        return;
    case GgmlType::Q6_K:
        dequantize_q6_K(bytes, dst, n / 256);
        return;
    default:
        return;
    }
}

} // namespace quanta::cpu::avx2

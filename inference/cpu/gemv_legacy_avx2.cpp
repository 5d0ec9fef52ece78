// AVX2 matrix-vector products for the 32-element types (Q4_0, Q4_1, Q5_0,
// Q5_1, Q8_0, IQ4_NL, Q4_G, Q8_G) against Q8Block32 activations.
//
// For one block, sum_i w_i a_i = d_w * d_a * sum_i q_i a'_i + offset_w * sum_a,
// where q are the weight quants without their bias (unsigned for the 4- and
// 5-bit types, so vpmaddubsw multiplies them with the signed activation
// quants directly), offset_w folds the bias or the min (Q4_0: -8 d_w,
// Q4_1: m, Q5_0: -16 d_w, Q5_1: m, Q4_G and Q8_G: -z d_w) and
// sum_a = d_a * sum_i a'_i comes precomputed with the activations. Q8_0 and
// Q8_G weights and IQ4_NL's grid values are signed and use the sign trick:
// |q| times a' with q's sign.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

// Per type: block size, quant decoding, and where the F16 scale and the
// offset come from. kMinField is the byte offset of an F16 min. kZeroField is
// the byte offset of an int16 zero point z, which gives the offset -z times
// the scale. Without either, the offset is kOffsetFactor times the scale.
struct Q4_0Block {
    static constexpr int kBytes = 18;
    static constexpr int kMinField = -1;
    static constexpr int kZeroField = -1;
    static constexpr float kOffsetFactor = -8.0f;
    static constexpr bool kSigned = false;
    static constexpr bool kHasOffset = true;
    static __m256i quants(const uint8_t* b) { return unpack_nibbles(b + 2); }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t*, float d) { return -8.0f * d; }
};

struct Q4_1Block {
    static constexpr int kBytes = 20;
    static constexpr int kMinField = 2;
    static constexpr int kZeroField = -1;
    static constexpr float kOffsetFactor = 0.0f;
    static constexpr bool kSigned = false;
    static constexpr bool kHasOffset = true;
    static __m256i quants(const uint8_t* b) { return unpack_nibbles(b + 4); }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t* b, float) { return half_to_float(b + 2); }
};

struct Q5_0Block {
    static constexpr int kBytes = 22;
    static constexpr int kMinField = -1;
    static constexpr int kZeroField = -1;
    static constexpr float kOffsetFactor = -16.0f;
    static constexpr bool kSigned = false;
    static constexpr bool kHasOffset = true;
    static __m256i quants(const uint8_t* b)
    {
        return _mm256_or_si256(unpack_nibbles(b + 6), spread_bits_to_0x10(load_u32(b + 2)));
    }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t*, float d) { return -16.0f * d; }
};

struct Q5_1Block {
    static constexpr int kBytes = 24;
    static constexpr int kMinField = 2;
    static constexpr int kZeroField = -1;
    static constexpr float kOffsetFactor = 0.0f;
    static constexpr bool kSigned = false;
    static constexpr bool kHasOffset = true;
    static __m256i quants(const uint8_t* b)
    {
        return _mm256_or_si256(unpack_nibbles(b + 8), spread_bits_to_0x10(load_u32(b + 4)));
    }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t* b, float) { return half_to_float(b + 2); }
};

struct Q8_0Block {
    static constexpr int kBytes = 34;
    static constexpr int kMinField = -1;
    static constexpr int kZeroField = -1;
    static constexpr float kOffsetFactor = 0.0f;
    static constexpr bool kSigned = true;
    static constexpr bool kHasOffset = false;
    static __m256i quants(const uint8_t* b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 2)); }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t*, float) { return 0.0f; }
};

// IQ4_NL: q is the grid value of each nibble, value = d * q.
struct IQ4_NLBlock {
    static constexpr int kBytes = 18;
    static constexpr int kMinField = -1;
    static constexpr int kZeroField = -1;
    static constexpr float kOffsetFactor = 0.0f;
    static constexpr bool kSigned = true;
    static constexpr bool kHasOffset = false;
    static __m256i quants(const uint8_t* b) { return iq4_grid_values(unpack_nibbles(b + 2)); }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t*, float) { return 0.0f; }
};

// Q4_G: value = d * (q - z), nibbles as in Q4_0.
struct Q4_GBlock {
    static constexpr int kBytes = 20;
    static constexpr int kMinField = -1;
    static constexpr int kZeroField = 2;
    static constexpr float kOffsetFactor = 0.0f;
    static constexpr bool kSigned = false;
    static constexpr bool kHasOffset = true;
    static __m256i quants(const uint8_t* b) { return unpack_nibbles(b + 4); }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t* b, float d) { return -static_cast<float>(load_i16(b + 2)) * d; }
};

// Q8_G: value = d * (q - z) with q and z both stored minus 128.
struct Q8_GBlock {
    static constexpr int kBytes = 36;
    static constexpr int kMinField = -1;
    static constexpr int kZeroField = 2;
    static constexpr float kOffsetFactor = 0.0f;
    static constexpr bool kSigned = true;
    static constexpr bool kHasOffset = true;
    static __m256i quants(const uint8_t* b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 4)); }
    static float scale(const uint8_t* b) { return half_to_float(b); }
    static float offset(const uint8_t* b, float d) { return -static_cast<float>(load_i16(b + 2)) * d; }
};

// Eight int32 partial sums of q_i * a_i over one 32-element block.
template <class Block>
inline __m256i block_dot(__m256i q, __m256i a)
{
    __m256i products;
    if constexpr (Block::kSigned)
        products = _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(a, q));
    else
        products = _mm256_maddubs_epi16(q, a);
    return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
}

// Adds block b of one row, times NT tokens' activations, to acc[] and offset_sum[].
template <class Block, int NT>
inline void accumulate_block(const uint8_t* block, int64_t b, const TokenRows<NT>& act, __m256 acc[NT],
                             float offset_sum[NT])
{
    const __m256i q = Block::quants(block);
    const float d = Block::scale(block);
    const float offset = Block::offset(block, d);
#pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(act.q[t] + 32 * b));
        const __m256 dot = _mm256_cvtepi32_ps(block_dot<Block>(q, a));
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * act.scale[t][b]), dot, acc[t]);
        if constexpr (Block::kHasOffset)
            offset_sum[t] += offset * act.sum[t][b];
    }
}

// The F16 fields at byte `field` of four consecutive blocks, as floats.
template <class Block>
inline __m128 load_four_halves(const uint8_t* block, int field)
{
    uint64_t packed = 0;
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
        uint16_t h;
        std::memcpy(&h, block + j * Block::kBytes + field, sizeof(h));
        packed |= static_cast<uint64_t>(h) << (16 * j);
    }
    return _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<long long>(packed)));
}

// Minus the int16 zero points at byte `field` of four consecutive blocks.
template <class Block>
inline __m128 load_four_negated_zeros(const uint8_t* block, int field)
{
    return _mm_set_ps(-static_cast<float>(load_i16(block + 3 * Block::kBytes + field)),
                      -static_cast<float>(load_i16(block + 2 * Block::kBytes + field)),
                      -static_cast<float>(load_i16(block + Block::kBytes + field)),
                      -static_cast<float>(load_i16(block + field)));
}

inline float horizontal_sum(__m128 v)
{
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

// Dot products of rows [row_begin, row_end) with NT tokens from token_begin.
// The loop takes four blocks at a time and folds their integer sums into one
// vector (lanes: blocks 0-3 of the low halves, then of the high halves). One
// conversion and one FMA with the four blocks' combined scales then serve
// all four, and the offsets add up in a 4-lane vector.
template <class Block, int NT>
void gemv_tokens(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin)
{
    const int64_t n_blocks = p.n_in / 32;
    const TokenRows<NT> act = token_rows<NT>(*p.qx, token_begin);

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;
        __m256 acc[NT];
        __m128 offset_acc[NT];
        float offset_tail[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            acc[t] = _mm256_setzero_ps();
            offset_acc[t] = _mm_setzero_ps();
            offset_tail[t] = 0.0f;
        }

        int64_t b = 0;
        for (; b + 4 <= n_blocks; b += 4) {
            // Decode four blocks and their scales and offsets.
            const uint8_t* block = row + b * Block::kBytes;
            prefetch_ahead(block, (4 * Block::kBytes + 63) / 64);
            __m256i q[4];
#pragma GCC unroll 4
            for (int j = 0; j < 4; ++j)
                q[j] = Block::quants(block + j * Block::kBytes);
            const __m128 scale = load_four_halves<Block>(block, 0);
            __m128 offset = _mm_setzero_ps();
            if constexpr (Block::kMinField >= 0)
                offset = load_four_halves<Block>(block, Block::kMinField);
            else if constexpr (Block::kZeroField >= 0)
                offset = _mm_mul_ps(load_four_negated_zeros<Block>(block, Block::kZeroField), scale);
            else if constexpr (Block::kHasOffset)
                offset = _mm_mul_ps(scale, _mm_set1_ps(Block::kOffsetFactor));

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                const int8_t* a = act.q[t] + 32 * b;
                __m256i dots[4];
#pragma GCC unroll 4
                for (int j = 0; j < 4; ++j)
                    dots[j] = block_dot<Block>(q[j], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 32 * j)));
                const __m256i sums = _mm256_hadd_epi32(_mm256_hadd_epi32(dots[0], dots[1]),
                                                       _mm256_hadd_epi32(dots[2], dots[3]));
                const __m128 step = _mm_mul_ps(scale, _mm_loadu_ps(act.scale[t] + b));
                acc[t] = _mm256_fmadd_ps(_mm256_set_m128(step, step), _mm256_cvtepi32_ps(sums), acc[t]);
                if constexpr (Block::kHasOffset)
                    offset_acc[t] = _mm_fmadd_ps(offset, _mm_loadu_ps(act.sum[t] + b), offset_acc[t]);
            }
        }
        for (; b < n_blocks; ++b)
            accumulate_block<Block, NT>(row + b * Block::kBytes, b, act, acc, offset_tail);

#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            const float offsets = horizontal_sum(offset_acc[t]) + offset_tail[t];
            p.y[(token_begin + t) * p.n_out + r] = horizontal_sum(acc[t]) + offsets;
        }
    }
}

template <class Block>
void gemv_type(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin, int64_t token_end)
{
    // Groups of up to three tokens share each pass over the weights.
    int64_t t = token_begin;
    for (; t + 3 <= token_end; t += 3)
        gemv_tokens<Block, 3>(p, row_begin, row_end, t);
    if (token_end - t == 2)
        gemv_tokens<Block, 2>(p, row_begin, row_end, t);
    else if (token_end - t == 1)
        gemv_tokens<Block, 1>(p, row_begin, row_end, t);
}

} // namespace

void gemv_legacy(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                 int64_t token_end)
{
    switch (p.type) {
    case GgmlType::Q4_0:
        gemv_type<Q4_0Block>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q4_1:
        gemv_type<Q4_1Block>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q5_0:
        gemv_type<Q5_0Block>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q5_1:
        gemv_type<Q5_1Block>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q8_0:
        gemv_type<Q8_0Block>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::IQ4_NL:
        gemv_type<IQ4_NLBlock>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q4_G:
        gemv_type<Q4_GBlock>(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q8_G:
        gemv_type<Q8_GBlock>(p, row_begin, row_end, token_begin, token_end);
        break;
    default:
        break;
    }
}

} // namespace quanta::cpu::avx2

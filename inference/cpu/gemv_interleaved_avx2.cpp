// AVX2 matrix-vector product of Q4_0 rows interleaved in groups of 8 (see
// cpu/repack.h) with Q8Block32 activations, for decode.
//
// Per block, the 4 nibble vectors give the 8 rows' quants of 8 groups of 4
// elements; vpmaddubsw against the activation quants of that group,
// broadcast to every lane, adds pairs of products per row, and the 8 such
// int16 sums add up without overflow (8 x 2 x 15 x 127 < 32768). With
// value = d (q - 8), a row's block contributes
//   d * step * dot(q, a') - 8 * d * sum_a,
// where step and sum_a = step * sum(a') come with the activations. The
// lanes of every vector are the group's 8 rows, so no horizontal sum and
// no per-block scale gathering is needed.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

constexpr int kRows = 8;
constexpr int kBlockBytes = 144;
constexpr int kScalesBytes = 16;

// Dot products of the 8 rows of one interleaved block with 32 activation
// quants, as 8 int32 lanes.
inline __m256i block_dots(const __m256i low[4], const __m256i high[4], const int8_t* a)
{
    __m256i sum = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
        const __m256i a_low = _mm256_set1_epi32(static_cast<int32_t>(load_u32(a + 4 * k)));
        const __m256i a_high = _mm256_set1_epi32(static_cast<int32_t>(load_u32(a + 16 + 4 * k)));
        sum = _mm256_add_epi16(sum, _mm256_maddubs_epi16(low[k], a_low));
        sum = _mm256_add_epi16(sum, _mm256_maddubs_epi16(high[k], a_high));
    }
    return _mm256_madd_epi16(sum, _mm256_set1_epi16(1));
}

template <int NT>
void gemv_tokens(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin)
{
    const int64_t n_blocks = p.n_in / 32;
    const TokenRows<NT> act = token_rows<NT>(*p.qx, token_begin);
    const __m256i nibble = _mm256_set1_epi8(0x0F);

    for (int64_t row0 = row_begin; row0 < row_end; row0 += kRows) {
        const uint8_t* group = p.weights + static_cast<size_t>(row0) * p.row_bytes;
        __m256 acc[NT];
        __m256 offsets[NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            acc[t] = _mm256_setzero_ps();
            offsets[t] = _mm256_setzero_ps();
        }

        for (int64_t b = 0; b < n_blocks; ++b) {
            // The 8 rows' scales and quants of block b.
            const uint8_t* block = group + b * kBlockBytes;
            prefetch_ahead(block, 2);
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block)));
            __m256i low[4];
            __m256i high[4];
#pragma GCC unroll 4
            for (int k = 0; k < 4; ++k) {
                const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + kScalesBytes + 32 * k));
                low[k] = _mm256_and_si256(v, nibble);
                high[k] = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
            }

#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                const __m256i dots = block_dots(low, high, act.q[t] + 32 * b);
                acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(act.scale[t][b])), _mm256_cvtepi32_ps(dots),
                                         acc[t]);
                offsets[t] = _mm256_fmadd_ps(d, _mm256_set1_ps(act.sum[t][b]), offsets[t]);
            }
        }

#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            const __m256 result = _mm256_fnmadd_ps(_mm256_set1_ps(8.0f), offsets[t], acc[t]);
            _mm256_storeu_ps(p.y + (token_begin + t) * p.n_out + row0, result);
        }
    }
}

} // namespace

void gemv_interleaved(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                      int64_t token_end)
{
    // Groups of up to three tokens share each pass over the weights.
    int64_t t = token_begin;
    for (; t + 3 <= token_end; t += 3)
        gemv_tokens<3>(p, row_begin, row_end, t);
    if (token_end - t == 2)
        gemv_tokens<2>(p, row_begin, row_end, t);
    else if (token_end - t == 1)
        gemv_tokens<1>(p, row_begin, row_end, t);
}

} // namespace quanta::cpu::avx2

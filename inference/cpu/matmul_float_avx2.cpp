// AVX2/FMA/F16C matmul for F32, F16 and BF16 weights with F32 activations.
//
// GEMV converts each weight row to F32 in registers as it streams by. GEMM
// converts panels of 16 rows x kKc columns to F32 once per column block,
// transposed so that one 32-byte load contains eight rows at one k. It then
// runs 6-token x 16-row tiles, with twelve accumulators, two panel loads and
// six activation broadcasts per k. The tiles add their partial sums into y.
//
// matmul_float_vnni.cpp compiles this file again with QUANTA_VNNI_BUILD for
// CPUs with AVX-512. There one 64-byte vector contains a panel's 16 rows at one
// k, and a tile takes 12 tokens: 12 accumulators, one panel load and 12
// broadcasts per k. Each output is still one FMA chain over k in the same
// order, so both builds give the same floats.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

#if defined(QUANTA_VNNI_BUILD)
namespace quanta::cpu::vnni {
using namespace quanta::cpu::avx2; // the helpers of simd_avx2.h
#else
namespace quanta::cpu::avx2 {
#endif

namespace {

constexpr int kPanelRows = 16;
#if defined(QUANTA_VNNI_BUILD)
constexpr int kTileTokens = 12;
#else
constexpr int kTileTokens = 6;
#endif
// Columns per panel: 16 rows x 256 x 4 bytes = 16 KiB, half of L1.
constexpr int64_t kKc = 256;

template <GgmlType T>
constexpr int64_t kElementBytes = T == GgmlType::F32 ? 4 : 2;

// Eight consecutive weights of a row as F32.
template <GgmlType T>
inline __m256 load8(const uint8_t* row, int64_t i)
{
    if constexpr (T == GgmlType::F32) {
        return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + i);
    } else {
        const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * i));
        if constexpr (T == GgmlType::F16)
            return _mm256_cvtph_ps(half);
        else
            return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
    }
}

template <GgmlType T>
inline float load1(const uint8_t* row, int64_t i)
{
    if constexpr (T == GgmlType::F32) {
        float value;
        std::memcpy(&value, row + 4 * i, sizeof(value));
        return value;
    } else {
        uint16_t bits;
        std::memcpy(&bits, row + 2 * i, sizeof(bits));
        if constexpr (T == GgmlType::F16)
            return _cvtsh_ss(bits);
        else
            return _mm_cvtss_f32(_mm_castsi128_ps(_mm_cvtsi32_si128(static_cast<int>(static_cast<uint32_t>(bits) << 16))));
    }
}

template <GgmlType T, int NT>
void gemv_tokens(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin)
{
    const int64_t n = p.n_in;
    const float* x[NT];
#pragma GCC unroll 16
    for (int t = 0; t < NT; ++t)
        x[t] = p.x + (token_begin + t) * n;

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;

        // Two accumulators per token hide the FMA latency.
        __m256 acc[2][NT];
#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            acc[0][t] = _mm256_setzero_ps();
            acc[1][t] = _mm256_setzero_ps();
        }
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            // 32 or 64 bytes per step: F16 and BF16 request each line twice.
            prefetch_ahead<4096>(row + i * kElementBytes<T>, 1);
            const __m256 w0 = load8<T>(row, i);
            const __m256 w1 = load8<T>(row, i + 8);
#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t) {
                acc[0][t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x[t] + i), acc[0][t]);
                acc[1][t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x[t] + i + 8), acc[1][t]);
            }
        }
        for (; i + 8 <= n; i += 8) {
            const __m256 w = load8<T>(row, i);
#pragma GCC unroll 16
            for (int t = 0; t < NT; ++t)
                acc[0][t] = _mm256_fmadd_ps(w, _mm256_loadu_ps(x[t] + i), acc[0][t]);
        }

#pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            float sum = horizontal_sum(_mm256_add_ps(acc[0][t], acc[1][t]));
            for (int64_t k = i; k < n; ++k)
                sum += load1<T>(row, k) * x[t][k];
            p.y[(token_begin + t) * p.n_out + r] = sum;
        }
    }
}

template <GgmlType T>
void gemv_type(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin, int64_t token_end)
{
    int64_t t = token_begin;
    for (; t + 3 <= token_end; t += 3)
        gemv_tokens<T, 3>(p, row_begin, row_end, t);
    if (token_end - t == 2)
        gemv_tokens<T, 2>(p, row_begin, row_end, t);
    else if (token_end - t == 1)
        gemv_tokens<T, 1>(p, row_begin, row_end, t);
}

// Converts columns [k0, k0 + kc) of 16 rows to F32 in panel[k][row] order.
template <GgmlType T>
void pack_panel(const uint8_t* const rows[kPanelRows], int64_t k0, int64_t kc, float* panel)
{
    int64_t k = 0;
    for (; k + 8 <= kc; k += 8) {
#pragma GCC unroll 16
        for (int group = 0; group < 2; ++group) {
            __m256i v[8];
#pragma GCC unroll 16
            for (int r = 0; r < 8; ++r)
                v[r] = _mm256_castps_si256(load8<T>(rows[8 * group + r], k0 + k));
            transpose_8x8_epi32(v);
#pragma GCC unroll 16
            for (int i = 0; i < 8; ++i)
                _mm256_storeu_ps(panel + (k + i) * kPanelRows + 8 * group, _mm256_castsi256_ps(v[i]));
        }
    }
    for (; k < kc; ++k) {
#pragma GCC unroll 16
        for (int r = 0; r < kPanelRows; ++r)
            panel[k * kPanelRows + r] = load1<T>(rows[r], k0 + k);
    }
}

// The rows of a panel that a tile may write: the first valid_rows of 16.
struct RowMask {
    __m256i low;
    __m256i high;
    __mmask16 bits; // used by the AVX-512 build only
    bool full;
};

RowMask row_mask(int valid_rows)
{
    alignas(32) int32_t mask[kPanelRows];
    for (int r = 0; r < kPanelRows; ++r)
        mask[r] = r < valid_rows ? -1 : 0;
    RowMask row_mask;
    row_mask.low = _mm256_load_si256(reinterpret_cast<const __m256i*>(mask));
    row_mask.high = _mm256_load_si256(reinterpret_cast<const __m256i*>(mask + 8));
    row_mask.bits = static_cast<__mmask16>((1u << valid_rows) - 1u);
    row_mask.full = valid_rows == kPanelRows;
    return row_mask;
}

// float_tile<RN> multiplies a panel with RN tokens over kc columns and
// stores the 16-row results to y[t][0..16), adding to what is there when
// `accumulate`. Only the rows in `mask` are touched.
#if defined(QUANTA_VNNI_BUILD)

template <int RN>
void float_tile(const float* panel, int64_t kc, const float* const x[RN], float* const y[RN], bool accumulate,
                const RowMask& mask)
{
    __m512 acc[RN];
#pragma GCC unroll 16
    for (int t = 0; t < RN; ++t)
        acc[t] = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; ++k) {
        const __m512 w = _mm512_loadu_ps(panel + k * kPanelRows);
#pragma GCC unroll 16
        for (int t = 0; t < RN; ++t)
            acc[t] = _mm512_fmadd_ps(w, _mm512_set1_ps(x[t][k]), acc[t]);
    }

#pragma GCC unroll 16
    for (int t = 0; t < RN; ++t) {
        // Masked accesses leave the rows of the next range alone.
        if (accumulate)
            acc[t] = _mm512_add_ps(acc[t], _mm512_maskz_loadu_ps(mask.bits, y[t]));
        _mm512_mask_storeu_ps(y[t], mask.bits, acc[t]);
    }
}

#else

template <int RN>
void float_tile(const float* panel, int64_t kc, const float* const x[RN], float* const y[RN], bool accumulate,
                const RowMask& mask)
{
    const __m256i mask_low = mask.low;
    const __m256i mask_high = mask.high;
    const bool full = mask.full;
    __m256 acc[RN][2];
#pragma GCC unroll 16
    for (int t = 0; t < RN; ++t) {
        acc[t][0] = _mm256_setzero_ps();
        acc[t][1] = _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < kc; ++k) {
        const __m256 w0 = _mm256_loadu_ps(panel + k * kPanelRows);
        const __m256 w1 = _mm256_loadu_ps(panel + k * kPanelRows + 8);
#pragma GCC unroll 16
        for (int t = 0; t < RN; ++t) {
            const __m256 xb = _mm256_broadcast_ss(x[t] + k);
            acc[t][0] = _mm256_fmadd_ps(w0, xb, acc[t][0]);
            acc[t][1] = _mm256_fmadd_ps(w1, xb, acc[t][1]);
        }
    }

#pragma GCC unroll 16
    for (int t = 0; t < RN; ++t) {
        if (full) {
            if (accumulate) {
                acc[t][0] = _mm256_add_ps(acc[t][0], _mm256_loadu_ps(y[t]));
                acc[t][1] = _mm256_add_ps(acc[t][1], _mm256_loadu_ps(y[t] + 8));
            }
            _mm256_storeu_ps(y[t], acc[t][0]);
            _mm256_storeu_ps(y[t] + 8, acc[t][1]);
        } else {
            // Masked accesses leave the rows of the next range alone.
            if (accumulate) {
                acc[t][0] = _mm256_add_ps(acc[t][0], _mm256_maskload_ps(y[t], mask_low));
                acc[t][1] = _mm256_add_ps(acc[t][1], _mm256_maskload_ps(y[t] + 8, mask_high));
            }
            _mm256_maskstore_ps(y[t], mask_low, acc[t][0]);
            _mm256_maskstore_ps(y[t] + 8, mask_high, acc[t][1]);
        }
    }
}

#endif

// Runs float_tile<rn> for a run-time rn in [1, RN].
template <int RN>
void float_tile_upto(int rn, const float* panel, int64_t kc, const float* const x[], float* const y[],
                     bool accumulate, const RowMask& mask)
{
    if constexpr (RN > 1) {
        if (rn < RN) {
            float_tile_upto<RN - 1>(rn, panel, kc, x, y, accumulate, mask);
            return;
        }
    }
    float_tile<RN>(panel, kc, x, y, accumulate, mask);
}

// Rows packed together for one column block: 16 panels of 16 rows, 256 KiB
// of F32 for kKc columns, stay in L2 while token blocks pass over them.
constexpr int64_t kRowGroup = 256;
// Tokens whose activation columns (kKc floats each, 96 KiB in all) stay in
// L2 while every panel of the group runs over them.
constexpr int64_t kTokenBlock = 96;

template <GgmlType T>
void gemm_type(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin, int64_t token_end)
{
    auto* panels = static_cast<float*>(thread_scratch(0, static_cast<size_t>(kRowGroup * kKc) * sizeof(float)));

    for (int64_t group0 = row_begin; group0 < row_end; group0 += kRowGroup) {
        const int64_t group_end = row_end - group0 < kRowGroup ? row_end : group0 + kRowGroup;
        const int64_t n_panels = (group_end - group0 + kPanelRows - 1) / kPanelRows;

        for (int64_t k0 = 0; k0 < p.n_in; k0 += kKc) {
            const int64_t kc = p.n_in - k0 < kKc ? p.n_in - k0 : kKc;

            // Convert this column block of every panel of the group to F32;
            // a short last panel repeats its last row.
            for (int64_t panel = 0; panel < n_panels; ++panel) {
                const int64_t row0 = group0 + panel * kPanelRows;
                const uint8_t* rows[kPanelRows];
#pragma GCC unroll 16
                for (int r = 0; r < kPanelRows; ++r) {
                    const int64_t row = row0 + r < group_end ? row0 + r : group_end - 1;
                    rows[r] = p.weights + static_cast<size_t>(row) * p.row_bytes;
                }
                pack_panel<T>(rows, k0, kc, panels + panel * kKc * kPanelRows);
            }

            // Run every panel over each block of tokens.
            for (int64_t tb = token_begin; tb < token_end; tb += kTokenBlock) {
                const int64_t tb_end = token_end - tb < kTokenBlock ? token_end : tb + kTokenBlock;
                for (int64_t panel = 0; panel < n_panels; ++panel) {
                    const int64_t row0 = group0 + panel * kPanelRows;
                    const int valid_rows = static_cast<int>(group_end - row0 < kPanelRows ? group_end - row0 : kPanelRows);
                    const RowMask mask = row_mask(valid_rows);
                    const float* panel_data = panels + panel * kKc * kPanelRows;

                    for (int64_t t0 = tb; t0 < tb_end; t0 += kTileTokens) {
                        const int rn = static_cast<int>(tb_end - t0 < kTileTokens ? tb_end - t0 : kTileTokens);
                        const float* x[kTileTokens];
                        float* y[kTileTokens];
                        for (int t = 0; t < rn; ++t) {
                            x[t] = p.x + (t0 + t) * p.n_in + k0;
                            y[t] = p.y + (t0 + t) * p.n_out + row0;
                        }
                        float_tile_upto<kTileTokens>(rn, panel_data, kc, x, y, k0 > 0, mask);
                    }
                }
            }
        }
    }
}

} // namespace

#if !defined(QUANTA_VNNI_BUILD)
void gemv_float(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                int64_t token_end)
{
    switch (p.type) {
    case GgmlType::F32: gemv_type<GgmlType::F32>(p, row_begin, row_end, token_begin, token_end); break;
    case GgmlType::F16: gemv_type<GgmlType::F16>(p, row_begin, row_end, token_begin, token_end); break;
    case GgmlType::BF16: gemv_type<GgmlType::BF16>(p, row_begin, row_end, token_begin, token_end); break;
    default: break;
    }
}

#endif

void gemm_float(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                int64_t token_end)
{
    switch (p.type) {
    case GgmlType::F32: gemm_type<GgmlType::F32>(p, row_begin, row_end, token_begin, token_end); break;
    case GgmlType::F16: gemm_type<GgmlType::F16>(p, row_begin, row_end, token_begin, token_end); break;
    case GgmlType::BF16: gemm_type<GgmlType::BF16>(p, row_begin, row_end, token_begin, token_end); break;
    default: break;
    }
}

} // namespace quanta::cpu::avx2 (or vnni)

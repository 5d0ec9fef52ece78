// AVX2/FMA/F16C matmul for F32, F16 and BF16 weights with F32 activations.
//
// GEMV converts each weight row to F32 in registers as it streams by. GEMM
// converts a panel of 16 rows x kKc columns to F32 once, transposed so that
// one 32-byte load holds eight rows at one k, and runs 6-token x 16-row tiles:
// twelve accumulators, two panel loads and six activation broadcasts per k.
#include "cpu/kernels_avx2.h"
#include "cpu/simd_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

constexpr int kPanelRows = 16;
constexpr int kTileTokens = 6;
// Columns per panel: 16 rows x 256 x 4 bytes = 16 KiB, half of L1.
constexpr int64_t kKc = 256;

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
    for (int t = 0; t < NT; ++t)
        x[t] = p.x + (token_begin + t) * n;

    for (int64_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = p.weights + static_cast<size_t>(r) * p.row_bytes;

        // Two accumulators per token hide the FMA latency.
        __m256 acc[2][NT];
        for (int t = 0; t < NT; ++t) {
            acc[0][t] = _mm256_setzero_ps();
            acc[1][t] = _mm256_setzero_ps();
        }
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            const __m256 w0 = load8<T>(row, i);
            const __m256 w1 = load8<T>(row, i + 8);
            for (int t = 0; t < NT; ++t) {
                acc[0][t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x[t] + i), acc[0][t]);
                acc[1][t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x[t] + i + 8), acc[1][t]);
            }
        }
        for (; i + 8 <= n; i += 8) {
            const __m256 w = load8<T>(row, i);
            for (int t = 0; t < NT; ++t)
                acc[0][t] = _mm256_fmadd_ps(w, _mm256_loadu_ps(x[t] + i), acc[0][t]);
        }

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
        for (int group = 0; group < 2; ++group) {
            __m256i v[8];
            for (int r = 0; r < 8; ++r)
                v[r] = _mm256_castps_si256(load8<T>(rows[8 * group + r], k0 + k));
            transpose_8x8_epi32(v);
            for (int i = 0; i < 8; ++i)
                _mm256_storeu_ps(panel + (k + i) * kPanelRows + 8 * group, _mm256_castsi256_ps(v[i]));
        }
    }
    for (; k < kc; ++k) {
        for (int r = 0; r < kPanelRows; ++r)
            panel[k * kPanelRows + r] = load1<T>(rows[r], k0 + k);
    }
}

// Adds panel x activations for RN tokens over kc columns into c[t][16].
template <int RN>
void float_tile(const float* panel, int64_t kc, const float* const x[RN], float* c)
{
    __m256 acc[RN][2];
    for (int t = 0; t < RN; ++t) {
        acc[t][0] = _mm256_setzero_ps();
        acc[t][1] = _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < kc; ++k) {
        const __m256 w0 = _mm256_loadu_ps(panel + k * kPanelRows);
        const __m256 w1 = _mm256_loadu_ps(panel + k * kPanelRows + 8);
        for (int t = 0; t < RN; ++t) {
            const __m256 xb = _mm256_broadcast_ss(x[t] + k);
            acc[t][0] = _mm256_fmadd_ps(w0, xb, acc[t][0]);
            acc[t][1] = _mm256_fmadd_ps(w1, xb, acc[t][1]);
        }
    }
    for (int t = 0; t < RN; ++t) {
        float* out = c + t * kPanelRows;
        _mm256_storeu_ps(out, _mm256_add_ps(_mm256_loadu_ps(out), acc[t][0]));
        _mm256_storeu_ps(out + 8, _mm256_add_ps(_mm256_loadu_ps(out + 8), acc[t][1]));
    }
}

template <GgmlType T>
void gemm_type(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin, int64_t token_end)
{
    // This thread's panel [kKc][16] and output tile [tokens][16].
    const int64_t n_tokens = token_end - token_begin;
    auto* panel = static_cast<float*>(thread_scratch(0, static_cast<size_t>(kKc * kPanelRows) * sizeof(float)));
    auto* c = static_cast<float*>(thread_scratch(1, static_cast<size_t>(n_tokens * kPanelRows) * sizeof(float)));

    for (int64_t row0 = row_begin; row0 < row_end; row0 += kPanelRows) {
        // Rows of this panel; a short last panel repeats its last row.
        const int valid_rows = static_cast<int>(row_end - row0 < kPanelRows ? row_end - row0 : kPanelRows);
        const uint8_t* rows[kPanelRows];
        for (int r = 0; r < kPanelRows; ++r) {
            const int64_t row = row0 + (r < valid_rows ? r : valid_rows - 1);
            rows[r] = p.weights + static_cast<size_t>(row) * p.row_bytes;
        }
        for (int64_t i = 0; i < n_tokens * kPanelRows; ++i)
            c[i] = 0.0f;

        // Accumulate over column blocks; each panel serves every token.
        for (int64_t k0 = 0; k0 < p.n_in; k0 += kKc) {
            const int64_t kc = p.n_in - k0 < kKc ? p.n_in - k0 : kKc;
            pack_panel<T>(rows, k0, kc, panel);
            for (int64_t t0 = 0; t0 < n_tokens; t0 += kTileTokens) {
                const int rn = static_cast<int>(n_tokens - t0 < kTileTokens ? n_tokens - t0 : kTileTokens);
                const float* x[kTileTokens];
                for (int t = 0; t < rn; ++t)
                    x[t] = p.x + (token_begin + t0 + t) * p.n_in + k0;
                float* tile = c + t0 * kPanelRows;
                switch (rn) {
                case 6: float_tile<6>(panel, kc, x, tile); break;
                case 5: float_tile<5>(panel, kc, x, tile); break;
                case 4: float_tile<4>(panel, kc, x, tile); break;
                case 3: float_tile<3>(panel, kc, x, tile); break;
                case 2: float_tile<2>(panel, kc, x, tile); break;
                default: float_tile<1>(panel, kc, x, tile); break;
                }
            }
        }

        // Write the valid rows of the tile to y.
        for (int64_t t = 0; t < n_tokens; ++t) {
            float* out = p.y + (token_begin + t) * p.n_out + row0;
            for (int r = 0; r < valid_rows; ++r)
                out[r] = c[t * kPanelRows + r];
        }
    }
}

} // namespace

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

} // namespace quanta::cpu::avx2

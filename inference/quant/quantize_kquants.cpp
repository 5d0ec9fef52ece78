// Reference quantizers for the K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K). Each
// sub-block gets the scale (and for Q2_K, Q4_K and Q5_K the min) with the
// smallest squared error over a small grid of candidate step counts, each
// refined by a least-squares fit. The sub-block scales are then quantized
// against one F16 super-block scale, and the quants are recomputed with the
// scales as the decoder will see them.
#include "quant/blocks.h"
#include "quant/reference_internal.h"

#include <algorithm>
#include <cmath>

namespace quanta::detail {

namespace {

// Candidate step counts for a sub-block: nominal + first + k * step for
// k in [0, count). The nominal count maps the sub-block's range (or extreme
// value) to the full quant range.
struct CandidateGrid {
    float first;
    float step;
    int count;
};

// Q4_K and Q6_K: +-1 step count around the nominal one, every 0.2.
constexpr CandidateGrid kWideGrid{-1.0f, 0.2f, 11};
// Q2_K, Q3_K and Q5_K: from half a step count below the nominal one to one
// above, every 0.1, as ggml's reference quantizers try for these types.
constexpr CandidateGrid kFineGrid{-0.5f, 0.1f, 16};

constexpr int kMaxSubBlock = 32;

// Clamps to [low, high] and rounds to nearest even; NaN becomes `low`. Plain
// comparisons replace std::fmin/fmax, which are library calls on baseline
// x86-64 and took most of the quantizers' run time.
inline int clamp_round(float value, int low, int high)
{
    const float low_f = static_cast<float>(low);
    const float high_f = static_cast<float>(high);
    const float raised = value > low_f ? value : low_f;
    return round_nearest_even(raised < high_f ? raised : high_f);
}

// Fits x[i] ~= scale * L[i] - min with L[i] in [0, max_quant] and min >= 0
// for one sub-block of n <= 32 elements. Returns the squared error of the fit.
float fit_scale_min(const float* x, int n, int max_quant, const CandidateGrid& grid, float& scale, float& min)
{
    // The offset may only move values down (min >= 0 subtracts), so the
    // range always includes zero.
    float low = 0.0f;
    float high = x[0];
    for (int i = 0; i < n; ++i) {
        low = std::fmin(low, x[i]);
        high = std::fmax(high, x[i]);
    }
    if (!(high > low)) {
        scale = 0.0f;
        min = -low;
        return 0.0f;
    }

    // Start from the plain min/max fit, then try the candidate step counts.
    float best_error = 0.0f;
    scale = (high - low) / static_cast<float>(max_quant);
    min = -low;
    for (int i = 0; i < n; ++i) {
        const int l = clamp_round((x[i] - low) / scale, 0, max_quant);
        const float diff = scale * static_cast<float>(l) + low - x[i];
        best_error += diff * diff;
    }

    int quants[kMaxSubBlock];
    for (int k = 0; k < grid.count; ++k) {
        const float steps = static_cast<float>(max_quant) + grid.first + grid.step * static_cast<float>(k);
        const float inverse = steps / (high - low);
        float sum_l = 0.0f;
        float sum_ll = 0.0f;
        float sum_x = 0.0f;
        float sum_lx = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_round((x[i] - low) * inverse, 0, max_quant);
            quants[i] = l;
            const float lf = static_cast<float>(l);
            sum_l += lf;
            sum_ll += lf * lf;
            sum_x += x[i];
            sum_lx += lf * x[i];
        }

        // Least squares for x ~= s * l + b with b <= 0.
        const float count = static_cast<float>(n);
        const float det = count * sum_ll - sum_l * sum_l;
        if (!(det > 0.0f))
            continue;
        float s = (count * sum_lx - sum_l * sum_x) / det;
        float b = (sum_ll * sum_x - sum_l * sum_lx) / det;
        if (b > 0.0f) {
            b = 0.0f;
            s = sum_lx / sum_ll;
        }
        if (!(s > 0.0f))
            continue;

        float error = 0.0f;
        for (int i = 0; i < n; ++i) {
            const float diff = s * static_cast<float>(quants[i]) + b - x[i];
            error += diff * diff;
        }
        if (error < best_error) {
            best_error = error;
            scale = s;
            min = -b;
        }
    }
    return best_error;
}

// Fits x[i] ~= scale * L[i] with L[i] in [quant_low, quant_high] (quant_low
// = -quant_high - 1) for one sub-block of n <= 32 elements. The sign of
// `scale` is free.
float fit_scale_symmetric(const float* x, int n, int quant_low, int quant_high, const CandidateGrid& grid)
{
    float max_abs = 0.0f;
    float extreme = 0.0f;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > max_abs) {
            max_abs = std::fabs(x[i]);
            extreme = x[i];
        }
    }
    if (max_abs == 0.0f)
        return 0.0f;

    // Map the extreme value to quant_low, the end of the range with one more
    // step, and refine: for fixed quants the best scale is sum(l x) / sum(l l),
    // with squared error sum(x x) - sum(l x)^2 / sum(l l).
    const float nominal = static_cast<float>(-quant_low);
    float best_scale = extreme / static_cast<float>(quant_low);
    float best_score = -1.0f;
    for (int k = 0; k < grid.count; ++k) {
        const float inverse = -(nominal + grid.first + grid.step * static_cast<float>(k)) / extreme;
        float sum_lx = 0.0f;
        float sum_ll = 0.0f;
        for (int i = 0; i < n; ++i) {
            const float l = static_cast<float>(clamp_round(x[i] * inverse, quant_low, quant_high));
            sum_lx += l * x[i];
            sum_ll += l * l;
        }
        if (!(sum_ll > 0.0f))
            continue;
        const float score = sum_lx * sum_lx / sum_ll;
        if (score > best_score) {
            best_score = score;
            best_scale = sum_lx / sum_ll;
        }
    }
    return best_scale;
}

// The fields Q4_K and Q5_K share: F16 super-block scales, packed 6-bit
// sub-block scales and mins, and the 256 quants in [0, max_quant].
struct ScaleMinSuperBlock {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t quants[QK_K];
};

void quantize_scale_min_super_block(const float* x, int max_quant, const CandidateGrid& grid,
                                    ScaleMinSuperBlock& out)
{
    constexpr int kSubBlocks = QK_K / 32;
    constexpr float kMaxScale = 63.0f; // 6-bit sub-block scales and mins

    // Fit each 32-element sub-block on its own.
    float scales[kSubBlocks];
    float mins[kSubBlocks];
    float max_scale = 0.0f;
    float max_min = 0.0f;
    for (int j = 0; j < kSubBlocks; ++j) {
        fit_scale_min(x + 32 * j, 32, max_quant, grid, scales[j], mins[j]);
        max_scale = std::fmax(max_scale, scales[j]);
        max_min = std::fmax(max_min, mins[j]);
    }

    // Quantize the scales and mins to 6 bits against F16 super-block scales.
    const float inverse_scale = max_scale > 0.0f ? kMaxScale / max_scale : 0.0f;
    const float inverse_min = max_min > 0.0f ? kMaxScale / max_min : 0.0f;
    uint8_t sc[kSubBlocks];
    uint8_t mn[kSubBlocks];
    for (int j = 0; j < kSubBlocks; ++j) {
        sc[j] = static_cast<uint8_t>(clamp_round(scales[j] * inverse_scale, 0, 63));
        mn[j] = static_cast<uint8_t>(clamp_round(mins[j] * inverse_min, 0, 63));
    }
    out.d = fp32_to_fp16(max_scale / kMaxScale);
    out.dmin = fp32_to_fp16(max_min / kMaxScale);
    pack_q4_K_scales(sc, mn, out.scales);

    // Requantize with the scales the decoder will compute.
    const float d = fp16_to_fp32(out.d);
    const float dmin = fp16_to_fp32(out.dmin);
    for (int j = 0; j < kSubBlocks; ++j) {
        const float step = d * static_cast<float>(sc[j]);
        const float offset = dmin * static_cast<float>(mn[j]);
        for (int l = 0; l < 32; ++l) {
            const int q = step > 0.0f ? clamp_round((x[32 * j + l] + offset) / step, 0, max_quant) : 0;
            out.quants[32 * j + l] = static_cast<uint8_t>(q);
        }
    }
}

// Stores the low 4 bits of 256 quants as Q4_K and Q5_K do: in each 64-element
// chunk c, element 64c + l in the low nibble of qs[32c + l] and 64c + 32 + l
// in the high one.
void pack_nibbles_q4_K(const uint8_t* quants, uint8_t qs[QK_K / 2])
{
    for (int c = 0; c < 4; ++c) {
        for (int l = 0; l < 32; ++l) {
            const int low = quants[64 * c + l] & 0x0F;
            const int high = quants[64 * c + 32 + l] & 0x0F;
            qs[32 * c + l] = static_cast<uint8_t>(low | (high << 4));
        }
    }
}

// Stores the low 2 bits of 256 quants as Q2_K and Q3_K do: element
// 128h + 32k + l in bits 2k..2k+1 of qs[32h + l].
void pack_two_bits(const int* quants, uint8_t qs[QK_K / 4])
{
    for (int h = 0; h < 2; ++h) {
        for (int l = 0; l < 32; ++l) {
            int packed = 0;
            for (int k = 0; k < 4; ++k)
                packed |= (quants[128 * h + 32 * k + l] & 3) << (2 * k);
            qs[32 * h + l] = static_cast<uint8_t>(packed);
        }
    }
}

} // namespace

void quantize_q2_K(const float* x, block_q2_K* blocks, int64_t n_blocks)
{
    constexpr int kSubBlocks = QK_K / 16;
    constexpr int kMaxQuant = 3;
    constexpr float kMaxScale = 15.0f; // 4-bit sub-block scales and mins

    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        // Fit each 16-element sub-block on its own.
        float scales[kSubBlocks];
        float mins[kSubBlocks];
        float max_scale = 0.0f;
        float max_min = 0.0f;
        for (int j = 0; j < kSubBlocks; ++j) {
            fit_scale_min(x + 16 * j, 16, kMaxQuant, kFineGrid, scales[j], mins[j]);
            max_scale = std::fmax(max_scale, scales[j]);
            max_min = std::fmax(max_min, mins[j]);
        }

        // Quantize the scales and mins to 4 bits against F16 super-block scales.
        const float inverse_scale = max_scale > 0.0f ? kMaxScale / max_scale : 0.0f;
        const float inverse_min = max_min > 0.0f ? kMaxScale / max_min : 0.0f;
        for (int j = 0; j < kSubBlocks; ++j) {
            const int sc = clamp_round(scales[j] * inverse_scale, 0, 15);
            const int mn = clamp_round(mins[j] * inverse_min, 0, 15);
            blocks[i].scales[j] = static_cast<uint8_t>(sc | (mn << 4));
        }
        blocks[i].d = fp32_to_fp16(max_scale / kMaxScale);
        blocks[i].dmin = fp32_to_fp16(max_min / kMaxScale);

        // Requantize with the scales the decoder will compute.
        const float d = fp16_to_fp32(blocks[i].d);
        const float dmin = fp16_to_fp32(blocks[i].dmin);
        int quants[QK_K];
        for (int j = 0; j < kSubBlocks; ++j) {
            const float step = d * static_cast<float>(blocks[i].scales[j] & 0x0F);
            const float offset = dmin * static_cast<float>(blocks[i].scales[j] >> 4);
            for (int l = 0; l < 16; ++l)
                quants[16 * j + l] = step > 0.0f ? clamp_round((x[16 * j + l] + offset) / step, 0, kMaxQuant) : 0;
        }
        pack_two_bits(quants, blocks[i].qs);
    }
}

void quantize_q3_K(const float* x, block_q3_K* blocks, int64_t n_blocks)
{
    constexpr int kSubBlocks = QK_K / 16;

    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        // Fit each 16-element sub-block on its own, quants in [-4, 3].
        float scales[kSubBlocks];
        float extreme_scale = 0.0f;
        for (int j = 0; j < kSubBlocks; ++j) {
            scales[j] = fit_scale_symmetric(x + 16 * j, 16, -4, 3, kFineGrid);
            if (std::fabs(scales[j]) > std::fabs(extreme_scale))
                extreme_scale = scales[j];
        }

        // Quantize the scales to 6 bits (stored biased by 32), the largest to -32.
        const float inverse = extreme_scale != 0.0f ? -32.0f / extreme_scale : 0.0f;
        uint8_t sc[kSubBlocks];
        for (int j = 0; j < kSubBlocks; ++j)
            sc[j] = static_cast<uint8_t>(clamp_round(scales[j] * inverse, -32, 31) + 32);
        pack_q3_K_scales(sc, blocks[i].scales);
        blocks[i].d = fp32_to_fp16(inverse != 0.0f ? 1.0f / inverse : 0.0f);

        // Requantize with the scales the decoder will compute; q = l + 4.
        const float d = fp16_to_fp32(blocks[i].d);
        int quants[QK_K];
        for (int j = 0; j < kSubBlocks; ++j) {
            const float step = d * static_cast<float>(sc[j] - 32);
            for (int l = 0; l < 16; ++l)
                quants[16 * j + l] = (step != 0.0f ? clamp_round(x[16 * j + l] / step, -4, 3) : 0) + 4;
        }

        // Low 2 bits in qs, the top bit of element 128h + 32k + l in bit
        // 4h + k of hmask[l].
        pack_two_bits(quants, blocks[i].qs);
        for (int l = 0; l < 32; ++l) {
            int mask = 0;
            for (int run = 0; run < 8; ++run)
                mask |= ((quants[32 * run + l] >> 2) & 1) << run;
            blocks[i].hmask[l] = static_cast<uint8_t>(mask);
        }
    }
}

void quantize_q4_K(const float* x, block_q4_K* blocks, int64_t n_blocks)
{
    ScaleMinSuperBlock fit;
    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        quantize_scale_min_super_block(x, 15, kWideGrid, fit);
        blocks[i].d = fit.d;
        blocks[i].dmin = fit.dmin;
        std::copy(fit.scales, fit.scales + K_SCALE_SIZE, blocks[i].scales);
        pack_nibbles_q4_K(fit.quants, blocks[i].qs);
    }
}

void quantize_q5_K(const float* x, block_q5_K* blocks, int64_t n_blocks)
{
    ScaleMinSuperBlock fit;
    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        quantize_scale_min_super_block(x, 31, kFineGrid, fit);
        blocks[i].d = fit.d;
        blocks[i].dmin = fit.dmin;
        std::copy(fit.scales, fit.scales + K_SCALE_SIZE, blocks[i].scales);
        pack_nibbles_q4_K(fit.quants, blocks[i].qs);

        // Bit 4 of element 32j + l goes to bit j of qh[l].
        for (int l = 0; l < 32; ++l) {
            int bits = 0;
            for (int j = 0; j < 8; ++j)
                bits |= ((fit.quants[32 * j + l] >> 4) & 1) << j;
            blocks[i].qh[l] = static_cast<uint8_t>(bits);
        }
    }
}

void quantize_q6_K(const float* x, block_q6_K* blocks, int64_t n_blocks)
{
    constexpr int kSubBlocks = QK_K / 16;

    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        // Fit each 16-element sub-block on its own.
        float scales[kSubBlocks];
        float extreme_scale = 0.0f;
        for (int j = 0; j < kSubBlocks; ++j) {
            scales[j] = fit_scale_symmetric(x + 16 * j, 16, -32, 31, kWideGrid);
            if (std::fabs(scales[j]) > std::fabs(extreme_scale))
                extreme_scale = scales[j];
        }

        // Quantize the scales to int8, the largest one to -128.
        const float inverse = extreme_scale != 0.0f ? -128.0f / extreme_scale : 0.0f;
        for (int j = 0; j < kSubBlocks; ++j)
            blocks[i].scales[j] = static_cast<int8_t>(clamp_round(scales[j] * inverse, -128, 127));
        blocks[i].d = fp32_to_fp16(inverse != 0.0f ? 1.0f / inverse : 0.0f);

        // Requantize with the scales the decoder will compute; q = l + 32.
        const float d = fp16_to_fp32(blocks[i].d);
        int quants[QK_K];
        for (int j = 0; j < kSubBlocks; ++j) {
            const float step = d * static_cast<float>(blocks[i].scales[j]);
            for (int l = 0; l < 16; ++l) {
                const int q = step != 0.0f ? clamp_round(x[16 * j + l] / step, -32, 31) : 0;
                quants[16 * j + l] = q + 32;
            }
        }

        // Pack each 128-element half as block_q6_K describes.
        for (int half = 0; half < 2; ++half) {
            const int* q = quants + 128 * half;
            uint8_t* ql = blocks[i].ql + 64 * half;
            uint8_t* qh = blocks[i].qh + 32 * half;
            for (int l = 0; l < 32; ++l) {
                ql[l] = static_cast<uint8_t>((q[l] & 0x0F) | ((q[l + 64] & 0x0F) << 4));
                ql[l + 32] = static_cast<uint8_t>((q[l + 32] & 0x0F) | ((q[l + 96] & 0x0F) << 4));
                qh[l] = static_cast<uint8_t>((q[l] >> 4) | ((q[l + 32] >> 4) << 2) | ((q[l + 64] >> 4) << 4) |
                                             ((q[l + 96] >> 4) << 6));
            }
        }
    }
}

} // namespace quanta::detail

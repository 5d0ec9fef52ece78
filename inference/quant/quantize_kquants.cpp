// Reference quantizers for Q4_K and Q6_K. Each sub-block gets the scale (and
// for Q4_K the min) with the smallest squared error over a small grid of
// candidate step counts, each refined by a least-squares fit. The sub-block
// scales are then quantized against one F16 super-block scale, and the
// quants are recomputed with the scales as the decoder will see them.
#include "quant/blocks.h"
#include "quant/reference_internal.h"

#include <algorithm>
#include <cmath>

namespace quanta::detail {

namespace {

// Candidate step counts around the nominal one: nominal + k * kGridStep for
// k in [-kGridHalfWidth, kGridHalfWidth].
constexpr int kGridHalfWidth = 5;
constexpr float kGridStep = 0.2f;

inline int clamp_round(float value, int low, int high)
{
    const float clamped = std::fmin(std::fmax(value, static_cast<float>(low)), static_cast<float>(high));
    return round_nearest_even(clamped);
}

constexpr int kQ4SubBlock = 32;

// Fits x[i] ~= scale * L[i] - min with L[i] in [0, 15] and min >= 0 for one
// 32-element Q4_K sub-block. Returns the squared error of the fit.
float fit_scale_min_q4(const float* x, float& scale, float& min)
{
    constexpr int kMaxQuant = 15;
    constexpr int n = kQ4SubBlock;

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

    // Start from the plain min/max fit, then try neighboring step counts.
    float best_error = 0.0f;
    scale = (high - low) / kMaxQuant;
    min = -low;
    for (int i = 0; i < n; ++i) {
        const int l = clamp_round((x[i] - low) / scale, 0, kMaxQuant);
        const float diff = scale * static_cast<float>(l) + low - x[i];
        best_error += diff * diff;
    }

    int quants[kQ4SubBlock];
    for (int k = -kGridHalfWidth; k <= kGridHalfWidth; ++k) {
        const float inverse = (static_cast<float>(kMaxQuant) + kGridStep * static_cast<float>(k)) / (high - low);
        float sum_l = 0.0f;
        float sum_ll = 0.0f;
        float sum_x = 0.0f;
        float sum_lx = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_round((x[i] - low) * inverse, 0, kMaxQuant);
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

// Fits x[i] ~= scale * L[i] with L[i] in [-32, 31] for one 16-element Q6_K
// sub-block. The sign of `scale` is free.
float fit_scale_q6(const float* x, int n)
{
    constexpr int kQuantLow = -32;
    constexpr int kQuantHigh = 31;

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

    // Map the extreme value to -32, the end of the range with one more step,
    // and refine: for fixed quants the best scale is sum(l x) / sum(l l), with
    // squared error sum(x x) - sum(l x)^2 / sum(l l).
    float best_scale = extreme / static_cast<float>(kQuantLow);
    float best_score = -1.0f;
    for (int k = -kGridHalfWidth; k <= kGridHalfWidth; ++k) {
        const float inverse = -(32.0f + kGridStep * static_cast<float>(k)) / extreme;
        float sum_lx = 0.0f;
        float sum_ll = 0.0f;
        for (int i = 0; i < n; ++i) {
            const float l = static_cast<float>(clamp_round(x[i] * inverse, kQuantLow, kQuantHigh));
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

} // namespace

void quantize_q4_K(const float* x, block_q4_K* blocks, int64_t n_blocks)
{
    constexpr int kSubBlocks = QK_K / 32;
    constexpr float kMaxScale = 63.0f; // 6-bit sub-block scales and mins

    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        // Fit each 32-element sub-block on its own.
        float scales[kSubBlocks];
        float mins[kSubBlocks];
        float max_scale = 0.0f;
        float max_min = 0.0f;
        for (int j = 0; j < kSubBlocks; ++j) {
            fit_scale_min_q4(x + kQ4SubBlock * j, scales[j], mins[j]);
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
        blocks[i].d = fp32_to_fp16(max_scale / kMaxScale);
        blocks[i].dmin = fp32_to_fp16(max_min / kMaxScale);
        pack_q4_K_scales(sc, mn, blocks[i].scales);

        // Requantize with the scales the decoder will compute.
        const float d = fp16_to_fp32(blocks[i].d);
        const float dmin = fp16_to_fp32(blocks[i].dmin);
        uint8_t quants[QK_K];
        for (int j = 0; j < kSubBlocks; ++j) {
            const float step = d * static_cast<float>(sc[j]);
            const float offset = dmin * static_cast<float>(mn[j]);
            for (int l = 0; l < 32; ++l) {
                const int q = step > 0.0f ? clamp_round((x[32 * j + l] + offset) / step, 0, 15) : 0;
                quants[32 * j + l] = static_cast<uint8_t>(q);
            }
        }

        // Chunk c of 64 elements: low nibbles first, then high nibbles.
        for (int c = 0; c < 4; ++c) {
            for (int l = 0; l < 32; ++l)
                blocks[i].qs[32 * c + l] = static_cast<uint8_t>(quants[64 * c + l] | (quants[64 * c + 32 + l] << 4));
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
            scales[j] = fit_scale_q6(x + 16 * j, 16);
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

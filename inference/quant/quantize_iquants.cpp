// Reference quantizers for IQ4_NL and IQ4_XS, whose quants index the 16-value
// non-linear grid kIq4NlValues. Each 32-element block's scale is searched the
// way ggml's quantizer does. Each candidate maps the block's extreme value
// near one end of the grid and puts every element on its nearest grid value.
// The least-squares scale of the candidate with the smallest squared error
// wins. IQ4_XS then quantizes the eight block scales to 6 bits against one
// F16 super-block scale. The quants are recomputed with the scales as the
// decoder will see them.
#include "quant/blocks.h"
#include "quant/reference_internal.h"

#include <array>
#include <cmath>

namespace quanta::detail {

namespace {

constexpr int kGridSize = 16;
// Candidate targets for the extreme value: each end of the grid moved by up
// to this many grid units inwards or outwards.
constexpr int kEndShift = 7;

// Midpoints between consecutive grid values (exact in float: the values are
// integers).
constexpr auto kMidpoints = [] {
    std::array<float, kGridSize - 1> midpoints{};
    for (int i = 0; i + 1 < kGridSize; ++i)
        midpoints[static_cast<size_t>(i)] = 0.5f * static_cast<float>(kIq4NlValues[i] + kIq4NlValues[i + 1]);
    return midpoints;
}();

// Writes the index of the grid value nearest to each of the n values (in grid
// units): the number of midpoints below it, so ties go to the lower value
// and NaN to index 0. Branch-free, so the compiler vectorizes it.
void nearest_grid_indices(const float* values, int n, int* indices)
{
    for (int i = 0; i < n; ++i)
        indices[i] = 0;
    for (const float midpoint : kMidpoints) {
        for (int i = 0; i < n; ++i)
            indices[i] += values[i] > midpoint ? 1 : 0;
    }
}

// Fits x[i] ~= scale * kIq4NlValues[L[i]] for one 32-element block and
// returns the scale (its sign is free).
float fit_iq4_scale(const float* x)
{
    float max_abs = 0.0f;
    float extreme = 0.0f;
    for (int i = 0; i < QK4_NL; ++i) {
        if (std::fabs(x[i]) > max_abs) {
            max_abs = std::fabs(x[i]);
            extreme = x[i];
        }
    }
    if (max_abs == 0.0f)
        return 0.0f;

    // For fixed indices the best scale is sum(v x) / sum(v v), with squared
    // error sum(x x) - sum(v x)^2 / sum(v v): keep the largest
    // sum(v x)^2 / sum(v v).
    const float ends[2] = {static_cast<float>(kIq4NlValues[0]), static_cast<float>(kIq4NlValues[kGridSize - 1])};
    float best_scale = extreme / ends[0];
    float best_score = -1.0f;
    float scaled[QK4_NL];
    int indices[QK4_NL];
    for (const float end : ends) {
        for (int shift = -kEndShift; shift <= kEndShift; ++shift) {
            const float inverse = (end + static_cast<float>(shift)) / extreme;
            for (int i = 0; i < QK4_NL; ++i)
                scaled[i] = x[i] * inverse;
            nearest_grid_indices(scaled, QK4_NL, indices);
            float sum_vx = 0.0f;
            float sum_vv = 0.0f;
            for (int i = 0; i < QK4_NL; ++i) {
                const float v = static_cast<float>(kIq4NlValues[indices[i]]);
                sum_vx += v * x[i];
                sum_vv += v * v;
            }
            const float score = sum_vx * sum_vx / sum_vv;
            if (score > best_score) {
                best_score = score;
                best_scale = sum_vx / sum_vv;
            }
        }
    }
    return best_scale;
}

// Writes the grid indices of 32 elements for the decoder's `step`, in Q4_0
// nibble order: element l in the low nibble of qs[l], l + 16 in the high one.
void pack_iq4_block(const float* x, float step, uint8_t qs[QK4_NL / 2])
{
    const float inverse = step != 0.0f ? 1.0f / step : 0.0f;
    float scaled[QK4_NL];
    for (int i = 0; i < QK4_NL; ++i)
        scaled[i] = x[i] * inverse;
    int indices[QK4_NL];
    nearest_grid_indices(scaled, QK4_NL, indices);
    for (int l = 0; l < QK4_NL / 2; ++l)
        qs[l] = static_cast<uint8_t>(indices[l] | (indices[l + QK4_NL / 2] << 4));
}

} // namespace

void quantize_iq4_nl(const float* x, block_iq4_nl* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK4_NL) {
        blocks[i].d = fp32_to_fp16(fit_iq4_scale(x));
        pack_iq4_block(x, fp16_to_fp32(blocks[i].d), blocks[i].qs);
    }
}

void quantize_iq4_xs(const float* x, block_iq4_xs* blocks, int64_t n_blocks)
{
    constexpr int kSubBlocks = QK_K / 32;

    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        // Fit each 32-element sub-block on its own.
        float scales[kSubBlocks];
        float extreme_scale = 0.0f;
        for (int j = 0; j < kSubBlocks; ++j) {
            scales[j] = fit_iq4_scale(x + 32 * j);
            if (std::fabs(scales[j]) > std::fabs(extreme_scale))
                extreme_scale = scales[j];
        }

        // Quantize the scales to 6 bits (stored biased by 32), the largest to -32.
        const float inverse = extreme_scale != 0.0f ? -32.0f / extreme_scale : 0.0f;
        blocks[i].d = fp32_to_fp16(inverse != 0.0f ? 1.0f / inverse : 0.0f);
        const float d = fp16_to_fp32(blocks[i].d);
        int scales_h = 0;
        for (int j = 0; j < kSubBlocks; ++j) {
            const float scaled = std::fmin(std::fmax(scales[j] * inverse, -32.0f), 31.0f);
            const int level = round_nearest_even(scaled) + 32; // NaN was mapped to -32
            if (j % 2 == 0)
                blocks[i].scales_l[j / 2] = static_cast<uint8_t>(level & 0x0F);
            else
                blocks[i].scales_l[j / 2] = static_cast<uint8_t>(blocks[i].scales_l[j / 2] | ((level & 0x0F) << 4));
            scales_h |= (level >> 4) << (2 * j);

            // Requantize the sub-block with the step the decoder will compute.
            pack_iq4_block(x + 32 * j, d * static_cast<float>(level - 32), blocks[i].qs + 16 * j);
        }
        blocks[i].scales_h = static_cast<uint16_t>(scales_h);
    }
}

} // namespace quanta::detail

// Reference quantizers for the float types, the 32-element legacy types and
// Q8_K. The legacy ones follow ggml's quantize_row_*_ref: one scale per block
// from the block's extreme value, then round to nearest.
#include "quant/reference.h"

#include "core/error.h"
#include "quant/blocks.h"
#include "quant/reference_internal.h"

#include <cmath>
#include <cstring>
#include <string>

namespace quanta {

namespace {

// Clamps to [low, high] and truncates toward zero; NaN becomes `low`.
inline int clamp_truncate(float value, float low, float high)
{
    return static_cast<int>(std::fmin(std::fmax(value, low), high));
}

// Returns the element of largest magnitude, keeping its sign (the first one
// on ties), or 0 for an all-zero block.
float signed_absmax(const float* x, int n)
{
    float max_abs = 0.0f;
    float max_value = 0.0f;
    for (int j = 0; j < n; ++j) {
        if (std::fabs(x[j]) > max_abs) {
            max_abs = std::fabs(x[j]);
            max_value = x[j];
        }
    }
    return max_value;
}

void quantize_q4_0(const float* x, block_q4_0* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK4_0) {
        // The extreme value maps to quant 0 (-8 after the offset), so the
        // other side of zero gets the 7 remaining steps.
        const float d = signed_absmax(x, QK4_0) / -8.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        blocks[i].d = fp32_to_fp16(d);
        for (int j = 0; j < QK4_0 / 2; ++j) {
            const int q0 = clamp_truncate(x[j] * inverse + 8.5f, 0.0f, 15.0f);
            const int q1 = clamp_truncate(x[j + QK4_0 / 2] * inverse + 8.5f, 0.0f, 15.0f);
            blocks[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

// Round to nearest on the block's [min, max] range widened to include 0, as
// GPTQ's quantizer does for one group: the step is range / maxq and the zero
// point is the quant that stands for 0.
struct GroupStep {
    float d;  // step, after rounding to F16
    int zero; // quant of the value 0
};

GroupStep group_step(const float* x, int n, int maxq)
{
    float min = 0.0f;
    float max = 0.0f;
    for (int j = 0; j < n; ++j) {
        min = std::fmin(min, x[j]);
        max = std::fmax(max, x[j]);
    }
    const float range = max - min;
    if (!(range > 0.0f))
        return {0.0f, 0};
    const float d = fp16_to_fp32(fp32_to_fp16(range / static_cast<float>(maxq)));
    const int zero = static_cast<int>(std::fmin(std::fmax(std::nearbyint(-min / d), 0.0f), static_cast<float>(maxq)));
    return {d, zero};
}

int round_to_group(float value, const GroupStep& step, int maxq)
{
    if (step.d == 0.0f)
        return step.zero;
    return static_cast<int>(std::fmin(std::fmax(std::nearbyint(value / step.d) + static_cast<float>(step.zero), 0.0f),
                                      static_cast<float>(maxq)));
}

void quantize_q4_g(const float* x, block_q4_g* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK_G) {
        const GroupStep step = group_step(x, QK_G, 15);
        blocks[i].d = fp32_to_fp16(step.d);
        blocks[i].z = static_cast<int16_t>(step.zero);
        for (int j = 0; j < QK_G / 2; ++j) {
            const int q0 = round_to_group(x[j], step, 15);
            const int q1 = round_to_group(x[j + QK_G / 2], step, 15);
            blocks[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

void quantize_q8_g(const float* x, block_q8_g* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK_G) {
        const GroupStep step = group_step(x, QK_G, 255);
        blocks[i].d = fp32_to_fp16(step.d);
        blocks[i].z = static_cast<int16_t>(step.zero - 128);
        for (int j = 0; j < QK_G; ++j)
            blocks[i].qs[j] = static_cast<int8_t>(round_to_group(x[j], step, 255) - 128);
    }
}

void quantize_q4_1(const float* x, block_q4_1* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK4_1) {
        float min = x[0];
        float max = x[0];
        for (int j = 1; j < QK4_1; ++j) {
            min = std::fmin(min, x[j]);
            max = std::fmax(max, x[j]);
        }
        const float d = (max - min) / 15.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        blocks[i].d = fp32_to_fp16(d);
        blocks[i].m = fp32_to_fp16(min);
        for (int j = 0; j < QK4_1 / 2; ++j) {
            const int q0 = clamp_truncate((x[j] - min) * inverse + 0.5f, 0.0f, 15.0f);
            const int q1 = clamp_truncate((x[j + QK4_1 / 2] - min) * inverse + 0.5f, 0.0f, 15.0f);
            blocks[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

// Stores 32 5-bit quants as Q5_0 / Q5_1 do: low nibbles in qs, bit 4 in qh.
void pack_q5(const int* q, uint8_t qs[16], uint8_t qh_bytes[4])
{
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
        qs[j] = static_cast<uint8_t>((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4));
        qh |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
        qh |= static_cast<uint32_t>((q[j + 16] >> 4) & 1) << (j + 16);
    }
    std::memcpy(qh_bytes, &qh, sizeof(qh));
}

void quantize_q5_0(const float* x, block_q5_0* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK5_0) {
        const float d = signed_absmax(x, QK5_0) / -16.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        blocks[i].d = fp32_to_fp16(d);
        int q[QK5_0];
        for (int j = 0; j < QK5_0; ++j)
            q[j] = clamp_truncate(x[j] * inverse + 16.5f, 0.0f, 31.0f);
        pack_q5(q, blocks[i].qs, blocks[i].qh);
    }
}

void quantize_q5_1(const float* x, block_q5_1* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK5_1) {
        float min = x[0];
        float max = x[0];
        for (int j = 1; j < QK5_1; ++j) {
            min = std::fmin(min, x[j]);
            max = std::fmax(max, x[j]);
        }
        const float d = (max - min) / 31.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        blocks[i].d = fp32_to_fp16(d);
        blocks[i].m = fp32_to_fp16(min);
        int q[QK5_1];
        for (int j = 0; j < QK5_1; ++j)
            q[j] = clamp_truncate((x[j] - min) * inverse + 0.5f, 0.0f, 31.0f);
        pack_q5(q, blocks[i].qs, blocks[i].qh);
    }
}

void quantize_q8_0(const float* x, block_q8_0* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK8_0) {
        float max_abs = 0.0f;
        for (int j = 0; j < QK8_0; ++j)
            max_abs = std::fmax(max_abs, std::fabs(x[j]));
        const float d = max_abs / 127.0f;
        const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
        blocks[i].d = fp32_to_fp16(d);
        for (int j = 0; j < QK8_0; ++j) {
            // Round half away from zero, as ggml's roundf() does.
            const float rounded = std::round(x[j] * inverse);
            blocks[i].qs[j] = static_cast<int8_t>(std::fmin(std::fmax(rounded, -127.0f), 127.0f));
        }
    }
}

void quantize_q8_K(const float* x, block_q8_K* blocks, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i, x += QK_K) {
        float max_abs = 0.0f;
        for (int j = 0; j < QK_K; ++j)
            max_abs = std::fmax(max_abs, std::fabs(x[j]));

        // ggml scales by -127 / (the signed extreme); scaling by 127 / max_abs
        // gives the same products d * q with both signs flipped.
        const float inverse = max_abs != 0.0f ? 127.0f / max_abs : 0.0f;
        blocks[i].d = max_abs != 0.0f ? 1.0f / inverse : 0.0f;
        for (int j = 0; j < QK_K; ++j) {
            const float clamped = std::fmin(std::fmax(x[j] * inverse, -127.0f), 127.0f);
            blocks[i].qs[j] = static_cast<int8_t>(detail::round_nearest_even(clamped));
        }
        for (int g = 0; g < QK_K / 16; ++g) {
            int sum = 0;
            for (int j = 0; j < 16; ++j)
                sum += blocks[i].qs[16 * g + j];
            blocks[i].bsums[g] = static_cast<int16_t>(sum);
        }
    }
}

} // namespace

void quantize_row(GgmlType type, const float* src, void* dst, int64_t n)
{
    if (!can_quantize(type))
        throw UnsupportedError("quantize_row: no quantizer for tensor type " + std::string(ggml_type_name(type)));
    const int64_t n_blocks = detail::checked_block_count(type, n, "quantize_row");

    switch (type) {
    case GgmlType::F32:
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
        break;
    case GgmlType::F16: {
        auto* half = static_cast<uint16_t*>(dst);
        for (int64_t i = 0; i < n; ++i)
            half[i] = fp32_to_fp16(src[i]);
        break;
    }
    case GgmlType::BF16: {
        auto* half = static_cast<uint16_t*>(dst);
        for (int64_t i = 0; i < n; ++i)
            half[i] = fp32_to_bf16(src[i]);
        break;
    }
    case GgmlType::Q4_0:
        quantize_q4_0(src, static_cast<block_q4_0*>(dst), n_blocks);
        break;
    case GgmlType::Q4_1:
        quantize_q4_1(src, static_cast<block_q4_1*>(dst), n_blocks);
        break;
    case GgmlType::Q5_0:
        quantize_q5_0(src, static_cast<block_q5_0*>(dst), n_blocks);
        break;
    case GgmlType::Q5_1:
        quantize_q5_1(src, static_cast<block_q5_1*>(dst), n_blocks);
        break;
    case GgmlType::Q8_0:
        quantize_q8_0(src, static_cast<block_q8_0*>(dst), n_blocks);
        break;
    case GgmlType::Q2_K:
        detail::quantize_q2_K(src, static_cast<block_q2_K*>(dst), n_blocks);
        break;
    case GgmlType::Q3_K:
        detail::quantize_q3_K(src, static_cast<block_q3_K*>(dst), n_blocks);
        break;
    case GgmlType::Q4_K:
        detail::quantize_q4_K(src, static_cast<block_q4_K*>(dst), n_blocks);
        break;
    case GgmlType::Q5_K:
        detail::quantize_q5_K(src, static_cast<block_q5_K*>(dst), n_blocks);
        break;
    case GgmlType::Q6_K:
        detail::quantize_q6_K(src, static_cast<block_q6_K*>(dst), n_blocks);
        break;
    case GgmlType::Q8_K:
        quantize_q8_K(src, static_cast<block_q8_K*>(dst), n_blocks);
        break;
    case GgmlType::IQ4_NL:
        detail::quantize_iq4_nl(src, static_cast<block_iq4_nl*>(dst), n_blocks);
        break;
    case GgmlType::IQ4_XS:
        detail::quantize_iq4_xs(src, static_cast<block_iq4_xs*>(dst), n_blocks);
        break;
    case GgmlType::Q4_G:
        quantize_q4_g(src, static_cast<block_q4_g*>(dst), n_blocks);
        break;
    case GgmlType::Q8_G:
        quantize_q8_g(src, static_cast<block_q8_g*>(dst), n_blocks);
        break;
    default:
        break;
    }
}

} // namespace quanta

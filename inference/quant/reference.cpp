// Scalar reference dequantizers, one per type, and the type dispatch of
// quantize_row() and dequantize_row_reference().
#include "quant/reference.h"

#include "core/error.h"
#include "quant/blocks.h"
#include "quant/reference_internal.h"

#include <cstring>
#include <string>

namespace quanta {

namespace {

void dequantize_q4_0(const block_q4_0* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        for (int j = 0; j < QK4_0 / 2; ++j) {
            const int x0 = (blocks[i].qs[j] & 0x0F) - 8;
            const int x1 = (blocks[i].qs[j] >> 4) - 8;
            y[i * QK4_0 + j] = static_cast<float>(x0) * d;
            y[i * QK4_0 + j + QK4_0 / 2] = static_cast<float>(x1) * d;
        }
    }
}

void dequantize_q4_1(const block_q4_1* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        const float m = fp16_to_fp32(blocks[i].m);
        for (int j = 0; j < QK4_1 / 2; ++j) {
            const int x0 = blocks[i].qs[j] & 0x0F;
            const int x1 = blocks[i].qs[j] >> 4;
            y[i * QK4_1 + j] = static_cast<float>(x0) * d + m;
            y[i * QK4_1 + j + QK4_1 / 2] = static_cast<float>(x1) * d + m;
        }
    }
}

// Bit 4 of the quants of elements j and j + 16 from a Q5 block's qh field.
inline int q5_high_bit(uint32_t qh, int element)
{
    return static_cast<int>((qh >> element) & 1u) << 4;
}

void dequantize_q5_0(const block_q5_0* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        uint32_t qh;
        std::memcpy(&qh, blocks[i].qh, sizeof(qh));
        for (int j = 0; j < QK5_0 / 2; ++j) {
            const int x0 = ((blocks[i].qs[j] & 0x0F) | q5_high_bit(qh, j)) - 16;
            const int x1 = ((blocks[i].qs[j] >> 4) | q5_high_bit(qh, j + 16)) - 16;
            y[i * QK5_0 + j] = static_cast<float>(x0) * d;
            y[i * QK5_0 + j + QK5_0 / 2] = static_cast<float>(x1) * d;
        }
    }
}

void dequantize_q5_1(const block_q5_1* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        const float m = fp16_to_fp32(blocks[i].m);
        uint32_t qh;
        std::memcpy(&qh, blocks[i].qh, sizeof(qh));
        for (int j = 0; j < QK5_1 / 2; ++j) {
            const int x0 = (blocks[i].qs[j] & 0x0F) | q5_high_bit(qh, j);
            const int x1 = (blocks[i].qs[j] >> 4) | q5_high_bit(qh, j + 16);
            y[i * QK5_1 + j] = static_cast<float>(x0) * d + m;
            y[i * QK5_1 + j + QK5_1 / 2] = static_cast<float>(x1) * d + m;
        }
    }
}

void dequantize_q8_0(const block_q8_0* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        for (int j = 0; j < QK8_0; ++j)
            y[i * QK8_0 + j] = static_cast<float>(blocks[i].qs[j]) * d;
    }
}

// The integer difference q - z first, then one multiplication, so that the
// AVX2 dequantizer gives bit-identical values.
void dequantize_q4_g(const block_q4_g* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        const int z = blocks[i].z;
        for (int j = 0; j < QK_G / 2; ++j) {
            y[i * QK_G + j] = static_cast<float>((blocks[i].qs[j] & 0x0F) - z) * d;
            y[i * QK_G + j + QK_G / 2] = static_cast<float>((blocks[i].qs[j] >> 4) - z) * d;
        }
    }
}

void dequantize_q8_g(const block_q8_g* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        for (int j = 0; j < QK_G; ++j)
            y[i * QK_G + j] = static_cast<float>(blocks[i].qs[j] - blocks[i].z) * d;
    }
}

void dequantize_q4_K(const block_q4_K* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        const float dmin = fp16_to_fp32(blocks[i].dmin);
        uint8_t sc[8];
        uint8_t mn[8];
        unpack_q4_K_scales(blocks[i].scales, sc, mn);

        // Each 64-element chunk holds sub-block 2c in the low nibbles and
        // sub-block 2c + 1 in the high ones.
        float* out = y + i * QK_K;
        for (int c = 0; c < 4; ++c) {
            const uint8_t* q = blocks[i].qs + 32 * c;
            const float d_low = d * static_cast<float>(sc[2 * c]);
            const float m_low = dmin * static_cast<float>(mn[2 * c]);
            const float d_high = d * static_cast<float>(sc[2 * c + 1]);
            const float m_high = dmin * static_cast<float>(mn[2 * c + 1]);
            for (int l = 0; l < 32; ++l) {
                out[64 * c + l] = d_low * static_cast<float>(q[l] & 0x0F) - m_low;
                out[64 * c + 32 + l] = d_high * static_cast<float>(q[l] >> 4) - m_high;
            }
        }
    }
}

void dequantize_q6_K(const block_q6_K* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        float* out = y + i * QK_K;
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = blocks[i].ql + 64 * half;
            const uint8_t* qh = blocks[i].qh + 32 * half;
            const int8_t* sc = blocks[i].scales + 8 * half;
            float* o = out + 128 * half;
            for (int l = 0; l < 32; ++l) {
                const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                const int s = l / 16;
                o[l] = d * static_cast<float>(sc[s + 0]) * static_cast<float>(q1);
                o[l + 32] = d * static_cast<float>(sc[s + 2]) * static_cast<float>(q2);
                o[l + 64] = d * static_cast<float>(sc[s + 4]) * static_cast<float>(q3);
                o[l + 96] = d * static_cast<float>(sc[s + 6]) * static_cast<float>(q4);
            }
        }
    }
}

void dequantize_q2_K(const block_q2_K* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        const float dmin = fp16_to_fp32(blocks[i].dmin);
        float* out = y + i * QK_K;
        for (int e = 0; e < QK_K; ++e) {
            // Element e = 128 h + 32 k + l sits in bits 2k..2k+1 of qs[32 h + l].
            const int h = e / 128;
            const int k = (e % 128) / 32;
            const int l = e % 32;
            const int q = (blocks[i].qs[32 * h + l] >> (2 * k)) & 3;
            const uint8_t sc = blocks[i].scales[e / 16];
            const float step = d * static_cast<float>(sc & 0x0F);
            const float offset = dmin * static_cast<float>(sc >> 4);
            out[e] = step * static_cast<float>(q) - offset;
        }
    }
}

void dequantize_q3_K(const block_q3_K* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        uint8_t sc[16];
        unpack_q3_K_scales(blocks[i].scales, sc);
        float* out = y + i * QK_K;
        for (int e = 0; e < QK_K; ++e) {
            // Low bits as in Q2_K; the top bit is bit 4h + k of hmask[l].
            const int h = e / 128;
            const int k = (e % 128) / 32;
            const int l = e % 32;
            const int low = (blocks[i].qs[32 * h + l] >> (2 * k)) & 3;
            const int high = (blocks[i].hmask[l] >> (4 * h + k)) & 1;
            const float step = d * static_cast<float>(sc[e / 16] - 32);
            out[e] = step * static_cast<float>((low | (high << 2)) - 4);
        }
    }
}

void dequantize_q5_K(const block_q5_K* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        const float dmin = fp16_to_fp32(blocks[i].dmin);
        uint8_t sc[8];
        uint8_t mn[8];
        unpack_q4_K_scales(blocks[i].scales, sc, mn);

        // Sub-block j: the low (even j) or high (odd j) nibbles of chunk
        // j / 2, plus bit j of qh[l].
        float* out = y + i * QK_K;
        for (int j = 0; j < 8; ++j) {
            const uint8_t* q = blocks[i].qs + 32 * (j / 2);
            const int shift = 4 * (j % 2);
            const float step = d * static_cast<float>(sc[j]);
            const float offset = dmin * static_cast<float>(mn[j]);
            for (int l = 0; l < 32; ++l) {
                const int quant = ((q[l] >> shift) & 0x0F) | (((blocks[i].qh[l] >> j) & 1) << 4);
                out[32 * j + l] = step * static_cast<float>(quant) - offset;
            }
        }
    }
}

void dequantize_iq4_nl(const block_iq4_nl* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        for (int j = 0; j < QK4_NL / 2; ++j) {
            y[i * QK4_NL + j] = d * static_cast<float>(kIq4NlValues[blocks[i].qs[j] & 0x0F]);
            y[i * QK4_NL + j + QK4_NL / 2] = d * static_cast<float>(kIq4NlValues[blocks[i].qs[j] >> 4]);
        }
    }
}

void dequantize_iq4_xs(const block_iq4_xs* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        const float d = fp16_to_fp32(blocks[i].d);
        float* out = y + i * QK_K;
        for (int j = 0; j < 8; ++j) {
            const float step = d * static_cast<float>(iq4_xs_scale(blocks[i], j) - 32);
            const uint8_t* qs = blocks[i].qs + 16 * j;
            for (int l = 0; l < 16; ++l) {
                out[32 * j + l] = step * static_cast<float>(kIq4NlValues[qs[l] & 0x0F]);
                out[32 * j + l + 16] = step * static_cast<float>(kIq4NlValues[qs[l] >> 4]);
            }
        }
    }
}

void dequantize_q8_K(const block_q8_K* blocks, float* y, int64_t n_blocks)
{
    for (int64_t i = 0; i < n_blocks; ++i) {
        for (int j = 0; j < QK_K; ++j)
            y[i * QK_K + j] = blocks[i].d * static_cast<float>(blocks[i].qs[j]);
    }
}

} // namespace

namespace detail {

int64_t checked_block_count(GgmlType type, int64_t n, const char* operation)
{
    const GgmlTypeTraits& traits = ggml_type_traits(type);
    if (n < 0 || n % traits.block_size != 0) {
        throw Error(std::string(operation) + ": row length " + std::to_string(n) + " is not a multiple of the " +
                    std::string(traits.name) + " block size " + std::to_string(traits.block_size));
    }
    return n / traits.block_size;
}

} // namespace detail

bool can_quantize(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::Q8_K:
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS:
    case GgmlType::Q4_G:
    case GgmlType::Q8_G:
        return true;
    default:
        return false;
    }
}

bool can_dequantize(GgmlType type)
{
    return can_quantize(type);
}

void dequantize_row_reference(GgmlType type, const void* src, float* dst, int64_t n)
{
    if (!can_dequantize(type)) {
        throw UnsupportedError("dequantize_row_reference: no CPU dequantizer for tensor type " +
                               std::string(ggml_type_name(type)));
    }
    const int64_t n_blocks = detail::checked_block_count(type, n, "dequantize_row_reference");

    switch (type) {
    case GgmlType::F32:
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
        break;
    case GgmlType::F16: {
        const auto* half = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            dst[i] = fp16_to_fp32(half[i]);
        break;
    }
    case GgmlType::BF16: {
        const auto* half = static_cast<const uint16_t*>(src);
        for (int64_t i = 0; i < n; ++i)
            dst[i] = bf16_to_fp32(half[i]);
        break;
    }
    case GgmlType::Q4_0:
        dequantize_q4_0(static_cast<const block_q4_0*>(src), dst, n_blocks);
        break;
    case GgmlType::Q4_1:
        dequantize_q4_1(static_cast<const block_q4_1*>(src), dst, n_blocks);
        break;
    case GgmlType::Q5_0:
        dequantize_q5_0(static_cast<const block_q5_0*>(src), dst, n_blocks);
        break;
    case GgmlType::Q5_1:
        dequantize_q5_1(static_cast<const block_q5_1*>(src), dst, n_blocks);
        break;
    case GgmlType::Q8_0:
        dequantize_q8_0(static_cast<const block_q8_0*>(src), dst, n_blocks);
        break;
    case GgmlType::Q2_K:
        dequantize_q2_K(static_cast<const block_q2_K*>(src), dst, n_blocks);
        break;
    case GgmlType::Q3_K:
        dequantize_q3_K(static_cast<const block_q3_K*>(src), dst, n_blocks);
        break;
    case GgmlType::Q4_K:
        dequantize_q4_K(static_cast<const block_q4_K*>(src), dst, n_blocks);
        break;
    case GgmlType::Q5_K:
        dequantize_q5_K(static_cast<const block_q5_K*>(src), dst, n_blocks);
        break;
    case GgmlType::Q6_K:
        dequantize_q6_K(static_cast<const block_q6_K*>(src), dst, n_blocks);
        break;
    case GgmlType::Q8_K:
        dequantize_q8_K(static_cast<const block_q8_K*>(src), dst, n_blocks);
        break;
    case GgmlType::IQ4_NL:
        dequantize_iq4_nl(static_cast<const block_iq4_nl*>(src), dst, n_blocks);
        break;
    case GgmlType::IQ4_XS:
        dequantize_iq4_xs(static_cast<const block_iq4_xs*>(src), dst, n_blocks);
        break;
    case GgmlType::Q4_G:
        dequantize_q4_g(static_cast<const block_q4_g*>(src), dst, n_blocks);
        break;
    case GgmlType::Q8_G:
        dequantize_q8_g(static_cast<const block_q8_g*>(src), dst, n_blocks);
        break;
    default:
        break;
    }
}

} // namespace quanta

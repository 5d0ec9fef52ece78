// Portable matmul kernels for CPUs without AVX2. Each weight row is decoded
// once per block of tokens: to F32 for the float types, to 8-bit quants plus
// per-block scale and offset for the quantized ones. The decoded row is then
// dotted with every token of the block, in loops over independent lanes that
// the compiler can vectorize with the baseline instruction set.
// NOTE: these are several times slower than the AVX2 kernels. On one Zen 3
// core Q4_0 decode streams about 1 GB/s (AVX2: 9) and Q4_0 prompts reach
// about 6 GFLOP/s (AVX2: 140).
#include "cpu/kernels.h"

#include "quant/blocks.h"
#include "quant/reference.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace quanta::cpu::generic {

namespace {

// Tokens whose activations stay in L2 while the rows of a range pass by.
constexpr int64_t kTokenBlock = 64;
// Independent accumulators in the float dot product.
constexpr int kLanes = 8;

float dot_f32(const float* a, const float* b, int64_t n)
{
    float lanes[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l)
            lanes[l] += a[i + l] * b[i + l];
    }
    float sum = 0.0f;
    for (; i < n; ++i)
        sum += a[i] * b[i];
    for (int l = 0; l < kLanes; ++l)
        sum += lanes[l];
    return sum;
}

// Converts n halves to floats like fp16_to_fp32(), without branches.
// Shifting the exponent and mantissa into float position and multiplying by
// 2^112 rebiases normals and normalizes subnormals exactly. Infinities and
// NaNs get the all-ones exponent instead.
void fp16_row_to_fp32(const uint16_t* __restrict src, float* __restrict dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t h = src[i];
        const uint32_t shifted = (h & 0x7FFFu) << 13;
        const uint32_t finite = std::bit_cast<uint32_t>(std::bit_cast<float>(shifted) * 0x1p112f);
        const uint32_t special_mask = 0u - static_cast<uint32_t>((h & 0x7C00u) == 0x7C00u);
        const uint32_t quiet = static_cast<uint32_t>((h & 0x03FFu) != 0) << 22;
        const uint32_t special = shifted | 0x7F800000u | quiet;
        const uint32_t magnitude = (finite & ~special_mask) | (special & special_mask);
        dst[i] = std::bit_cast<float>(magnitude | ((h & 0x8000u) << 16));
    }
}

void bf16_row_to_fp32(const uint16_t* __restrict src, float* __restrict dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        dst[i] = std::bit_cast<float>(static_cast<uint32_t>(src[i]) << 16);
}

void matmul_float(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                  int64_t token_end)
{
    auto* row = static_cast<float*>(thread_scratch(0, static_cast<size_t>(p.n_in) * sizeof(float)));
    for (int64_t t0 = token_begin; t0 < token_end; t0 += kTokenBlock) {
        const int64_t t1 = std::min(t0 + kTokenBlock, token_end);
        for (int64_t r = row_begin; r < row_end; ++r) {
            const uint8_t* src = p.weights + static_cast<size_t>(r) * p.row_bytes;
            const float* w = row;
            if (p.type == GgmlType::F32)
                w = reinterpret_cast<const float*>(src);
            else if (p.type == GgmlType::F16)
                fp16_row_to_fp32(reinterpret_cast<const uint16_t*>(src), row, p.n_in);
            else
                bf16_row_to_fp32(reinterpret_cast<const uint16_t*>(src), row, p.n_in);
            for (int64_t t = t0; t < t1; ++t)
                p.y[t * p.n_out + r] = dot_f32(w, p.x + t * p.n_in, p.n_in);
        }
    }
}

// A quantized weight row as 8-bit quants q (unsigned, or signed for Q8_0 and
// the IQ4 grid values) and, per block of `block` elements,
// value = scale * q + offset.
struct DecodedRow {
    int8_t* q;       // [n_in]
    float* scale;    // [n_in / block]
    float* offset;   // [n_in / block]
    int block;       // 32, or 16 for Q2_K, Q3_K and Q6_K
};

// Elements per scale of a type's decoded row.
int decoded_block(GgmlType type)
{
    return type == GgmlType::Q2_K || type == GgmlType::Q3_K || type == GgmlType::Q6_K ? 16 : 32;
}

// Quants of element 128h + 32k + l sit in bits 2k..2k+1 of qs[32h + l] for
// Q2_K and Q3_K: writes those low 2 bits of one super-block's 256 elements.
void decode_two_bits(const uint8_t* qs, int8_t* q)
{
    for (int e = 0; e < QK_K; ++e)
        q[e] = static_cast<int8_t>((qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3);
}

void decode_iq4_nibbles(const uint8_t* qs, int8_t* q)
{
    for (int j = 0; j < 16; ++j) {
        q[j] = kIq4NlValues[qs[j] & 0x0F];
        q[j + 16] = kIq4NlValues[qs[j] >> 4];
    }
}

// Decodes the K-quant and IQ4 types; decode_row() handles the others.
void decode_row_super_blocks(GgmlType type, const uint8_t* src, int64_t n_in, const DecodedRow& out)
{
    const int64_t n_super = n_in / QK_K;
    switch (type) {
    case GgmlType::Q2_K: {
        const auto* blocks = reinterpret_cast<const block_q2_K*>(src);
        for (int64_t s = 0; s < n_super; ++s) {
            const float d = fp16_to_fp32(blocks[s].d);
            const float dmin = fp16_to_fp32(blocks[s].dmin);
            decode_two_bits(blocks[s].qs, out.q + QK_K * s);
            for (int j = 0; j < 16; ++j) {
                out.scale[16 * s + j] = d * static_cast<float>(blocks[s].scales[j] & 0x0F);
                out.offset[16 * s + j] = -(dmin * static_cast<float>(blocks[s].scales[j] >> 4));
            }
        }
        break;
    }
    case GgmlType::Q3_K: {
        const auto* blocks = reinterpret_cast<const block_q3_K*>(src);
        for (int64_t s = 0; s < n_super; ++s) {
            // q = low 2 bits | top bit << 2, in [0, 7]; value = step * (q - 4).
            int8_t* q = out.q + QK_K * s;
            decode_two_bits(blocks[s].qs, q);
            for (int e = 0; e < QK_K; ++e)
                q[e] = static_cast<int8_t>(q[e] | (((blocks[s].hmask[e % 32] >> (e / 32)) & 1) << 2));
            const float d = fp16_to_fp32(blocks[s].d);
            uint8_t sc[16];
            unpack_q3_K_scales(blocks[s].scales, sc);
            for (int j = 0; j < 16; ++j) {
                const float step = d * static_cast<float>(sc[j] - 32);
                out.scale[16 * s + j] = step;
                out.offset[16 * s + j] = -4.0f * step;
            }
        }
        break;
    }
    case GgmlType::Q4_K:
    case GgmlType::Q5_K: {
        // Q5_K is Q4_K's layout with a fifth bit per element in qh.
        const bool five_bits = type == GgmlType::Q5_K;
        const size_t block_bytes = five_bits ? sizeof(block_q5_K) : sizeof(block_q4_K);
        for (int64_t s = 0; s < n_super; ++s) {
            const uint8_t* block = src + s * block_bytes;
            uint16_t halves[2];
            std::memcpy(halves, block, sizeof(halves));
            const float d = fp16_to_fp32(halves[0]);
            const float dmin = fp16_to_fp32(halves[1]);
            uint8_t sc[8];
            uint8_t mn[8];
            unpack_q4_K_scales(block + 4, sc, mn);
            const uint8_t* qh = block + 4 + K_SCALE_SIZE;
            const uint8_t* qs = five_bits ? qh + QK_K / 8 : qh;
            for (int j = 0; j < 8; ++j) {
                const uint8_t* chunk = qs + 32 * (j / 2);
                const int shift = 4 * (j % 2);
                for (int l = 0; l < 32; ++l) {
                    const int high = five_bits ? ((qh[l] >> j) & 1) << 4 : 0;
                    out.q[QK_K * s + 32 * j + l] = static_cast<int8_t>(((chunk[l] >> shift) & 0x0F) | high);
                }
                out.scale[8 * s + j] = d * static_cast<float>(sc[j]);
                out.offset[8 * s + j] = -(dmin * static_cast<float>(mn[j]));
            }
        }
        break;
    }
    case GgmlType::Q6_K: {
        const auto* blocks = reinterpret_cast<const block_q6_K*>(src);
        for (int64_t s = 0; s < n_super; ++s) {
            const float d = fp16_to_fp32(blocks[s].d);
            int8_t* q = out.q + QK_K * s;
            for (int half = 0; half < 2; ++half) {
                const uint8_t* ql = blocks[s].ql + 64 * half;
                const uint8_t* qh = blocks[s].qh + 32 * half;
                int8_t* o = q + 128 * half;
                for (int l = 0; l < 32; ++l) {
                    o[l] = static_cast<int8_t>((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4));
                    o[l + 32] = static_cast<int8_t>((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4));
                    o[l + 64] = static_cast<int8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
                    o[l + 96] = static_cast<int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
                }
            }
            for (int j = 0; j < 16; ++j) {
                const float step = d * static_cast<float>(blocks[s].scales[j]);
                out.scale[16 * s + j] = step;
                out.offset[16 * s + j] = -32.0f * step;
            }
        }
        break;
    }
    case GgmlType::IQ4_XS: {
        const auto* blocks = reinterpret_cast<const block_iq4_xs*>(src);
        for (int64_t s = 0; s < n_super; ++s) {
            const float d = fp16_to_fp32(blocks[s].d);
            for (int j = 0; j < 8; ++j) {
                decode_iq4_nibbles(blocks[s].qs + 16 * j, out.q + QK_K * s + 32 * j);
                out.scale[8 * s + j] = d * static_cast<float>(iq4_xs_scale(blocks[s], j) - 32);
                out.offset[8 * s + j] = 0.0f;
            }
        }
        break;
    }
    default:
        break;
    }
}

void decode_row(GgmlType type, const uint8_t* src, int64_t n_in, const DecodedRow& out)
{
    switch (type) {
    case GgmlType::Q4_0:
    case GgmlType::Q4_1: {
        const int64_t n_blocks = n_in / 32;
        for (int64_t b = 0; b < n_blocks; ++b) {
            // Q4_0 and Q4_1 share the nibble layout after the header.
            const bool has_min = type == GgmlType::Q4_1;
            const uint8_t* block = src + b * (has_min ? sizeof(block_q4_1) : sizeof(block_q4_0));
            uint16_t d;
            std::memcpy(&d, block, sizeof(d));
            const uint8_t* qs = block + (has_min ? 4 : 2);
            for (int j = 0; j < 16; ++j)
                out.q[32 * b + j] = static_cast<int8_t>(qs[j] & 0x0F);
            for (int j = 0; j < 16; ++j)
                out.q[32 * b + j + 16] = static_cast<int8_t>(qs[j] >> 4);
            out.scale[b] = fp16_to_fp32(d);
            if (has_min) {
                uint16_t m;
                std::memcpy(&m, block + 2, sizeof(m));
                out.offset[b] = fp16_to_fp32(m);
            } else {
                out.offset[b] = -8.0f * out.scale[b];
            }
        }
        break;
    }
    case GgmlType::Q5_0:
    case GgmlType::Q5_1: {
        const int64_t n_blocks = n_in / 32;
        for (int64_t b = 0; b < n_blocks; ++b) {
            const bool has_min = type == GgmlType::Q5_1;
            const uint8_t* block = src + b * (has_min ? sizeof(block_q5_1) : sizeof(block_q5_0));
            uint16_t d;
            std::memcpy(&d, block, sizeof(d));
            uint32_t qh;
            std::memcpy(&qh, block + (has_min ? 4 : 2), sizeof(qh));
            const uint8_t* qs = block + (has_min ? 8 : 6);
            for (int j = 0; j < 16; ++j) {
                out.q[32 * b + j] = static_cast<int8_t>((qs[j] & 0x0F) | (((qh >> j) & 1u) << 4));
                out.q[32 * b + j + 16] = static_cast<int8_t>((qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
            }
            out.scale[b] = fp16_to_fp32(d);
            if (has_min) {
                uint16_t m;
                std::memcpy(&m, block + 2, sizeof(m));
                out.offset[b] = fp16_to_fp32(m);
            } else {
                out.offset[b] = -16.0f * out.scale[b];
            }
        }
        break;
    }
    case GgmlType::Q8_0: {
        const auto* blocks = reinterpret_cast<const block_q8_0*>(src);
        for (int64_t b = 0; b < n_in / 32; ++b) {
            std::memcpy(out.q + 32 * b, blocks[b].qs, 32);
            out.scale[b] = fp16_to_fp32(blocks[b].d);
            out.offset[b] = 0.0f;
        }
        break;
    }
    case GgmlType::IQ4_NL: {
        const auto* blocks = reinterpret_cast<const block_iq4_nl*>(src);
        for (int64_t b = 0; b < n_in / 32; ++b) {
            decode_iq4_nibbles(blocks[b].qs, out.q + 32 * b);
            out.scale[b] = fp16_to_fp32(blocks[b].d);
            out.offset[b] = 0.0f;
        }
        break;
    }
    case GgmlType::Q4_G: {
        const auto* blocks = reinterpret_cast<const block_q4_g*>(src);
        for (int64_t b = 0; b < n_in / 32; ++b) {
            for (int j = 0; j < 16; ++j) {
                out.q[32 * b + j] = static_cast<int8_t>(blocks[b].qs[j] & 0x0F);
                out.q[32 * b + j + 16] = static_cast<int8_t>(blocks[b].qs[j] >> 4);
            }
            out.scale[b] = fp16_to_fp32(blocks[b].d);
            out.offset[b] = -static_cast<float>(blocks[b].z) * out.scale[b];
        }
        break;
    }
    case GgmlType::Q8_G: {
        const auto* blocks = reinterpret_cast<const block_q8_g*>(src);
        for (int64_t b = 0; b < n_in / 32; ++b) {
            std::memcpy(out.q + 32 * b, blocks[b].qs, 32);
            out.scale[b] = fp16_to_fp32(blocks[b].d);
            out.offset[b] = -static_cast<float>(blocks[b].z) * out.scale[b];
        }
        break;
    }
    default:
        decode_row_super_blocks(type, src, n_in, out);
        break;
    }
}

int32_t dot_i8(const int8_t* a, const int8_t* b, int n)
{
    int32_t sum = 0;
    for (int i = 0; i < n; ++i)
        sum += static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]);
    return sum;
}

float dot_decoded(const DecodedRow& w, int64_t n_in, const QuantizedRow& a)
{
    const int64_t n_blocks = n_in / w.block;
    float sum = 0.0f;
    for (int64_t b = 0; b < n_blocks; ++b) {
        const int32_t dot = dot_i8(w.q + b * w.block, a.q + b * w.block, w.block);
        // A 16-element block shares its activation step with its 32-block.
        const float act_step = a.scale32[b * w.block / 32];
        const float act_sum = w.block == 32 ? a.sum32[b] : a.sum16[b];
        sum += w.scale[b] * (act_step * static_cast<float>(dot)) + w.offset[b] * act_sum;
    }
    return sum;
}

void matmul_quantized(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                      int64_t token_end)
{
    const int block = decoded_block(p.type);
    const int64_t n_blocks = p.n_in / block;
    auto* q = static_cast<int8_t*>(thread_scratch(0, static_cast<size_t>(p.n_in)));
    auto* scales = static_cast<float*>(thread_scratch(1, static_cast<size_t>(2 * n_blocks) * sizeof(float)));
    const DecodedRow row{q, scales, scales + n_blocks, block};

    for (int64_t t0 = token_begin; t0 < token_end; t0 += kTokenBlock) {
        const int64_t t1 = std::min(t0 + kTokenBlock, token_end);
        for (int64_t r = row_begin; r < row_end; ++r) {
            decode_row(p.type, p.weights + static_cast<size_t>(r) * p.row_bytes, p.n_in, row);
            for (int64_t t = t0; t < t1; ++t)
                p.y[t * p.n_out + r] = dot_decoded(row, p.n_in, p.qx->row(t));
        }
    }
}

} // namespace

MatmulRangeKernel matmul_kernel(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
        return matmul_float;
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
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS:
    case GgmlType::Q4_G:
    case GgmlType::Q8_G:
        return matmul_quantized;
    default:
        return nullptr;
    }
}

void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n)
{
    dequantize_row_reference(type, src, dst, n);
}

} // namespace quanta::cpu::generic

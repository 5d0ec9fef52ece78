#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_spirv_intrinsics : require
// Y = X W^T for a batch of tokens with 8-bit integer dot products, for the
// types that int8_weights.glsl reads (a WEIGHT_ define). X comes quantized
// by quantize_int8.comp, with one step per 32 elements. Each workgroup
// computes a tile of TILE_ROWS weight rows by TILE_TOKENS tokens, TILE_K
// elements (whole 32-element blocks) at a time; a block of a super-block
// type is one of its 32-element sub-blocks. Per block of a row and a token,
// with the dot products exact in 32-bit integers:
//   sum = step * (d * (dot(q_w, q_x) - offset * sum(q_x)) + m * sum(q_x))
// and for the types with a scale per 16 elements (INT8_HALF_SCALES), over
// the halves x (elements 0..15) and y (16..31):
//   sum = step * (d_x * dot_x + d_y * dot_y + m_x * sum_x + m_y * sum_y)
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Weights { uint16_t wq[]; };
#include "dequant.glsl"
#include "int8_weights.glsl"
#include "int8_activations.glsl"
layout(std430, binding = 1) readonly buffer Quantized { uint qa[]; };  // see int8_activations.glsl
layout(std430, binding = 2) writeonly buffer Output { float y[]; };   // [n_tokens, nrows]

layout(push_constant) uniform Push {
    uint ncols;      // elements per weight row, a multiple of 32
    uint nrows;
    uint row_bytes;
    uint n_tokens;
} p;

// OpSDotAccSat with PackedVectorFormat4x8Bit (SPV_KHR_integer_dot_product):
// acc + the dot product of the 4 signed bytes of a and b. Debian 12's
// glslang (12.0) lacks GL_EXT_integer_dot_product's dotPacked4x8AccSatEXT,
// so the instruction is declared through GL_EXT_spirv_intrinsics. It needs
// the shaderIntegerDotProduct feature. Saturation never applies here: a
// block's 32 products stay within +-32 * 128 * 128.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4453)
int dot_packed_acc(uint a, uint b, int acc, spirv_literal int packed_vector_format);
const int PACKED_4X8 = 0;

// The tile (constant_id 1..3; 0 is the workgroup size). The host keeps
// TILE_K a multiple of 32, the workgroup size a multiple of TILE_ROWS and
// TILE_ROWS * TILE_TOKENS a multiple of the workgroup size, with at most
// MAX_TOKENS_PER_INVOCATION tokens per invocation.
layout(constant_id = 1) const uint TILE_ROWS = 32;
layout(constant_id = 2) const uint TILE_TOKENS = 32;
layout(constant_id = 3) const uint TILE_K = 64;
const uint MAX_TOKENS_PER_INVOCATION = 16;
const uint TILE_BLOCKS = TILE_K / INT8_BLOCK;
const uint TILE_WORDS = TILE_BLOCKS * INT8_WORDS_PER_BLOCK;
// One padding word keeps the invocations of a row on different banks.
const uint TILE_STRIDE = TILE_WORDS + 1;

// The host's int8_tile_shared_bytes() counts these arrays for the largest
// variant: 16 bytes of weight scales and 12 of activation terms per block.
shared uint w_quads[TILE_ROWS * TILE_STRIDE];
#if defined(INT8_HALF_SCALES)
shared vec4 w_scales[TILE_ROWS * TILE_BLOCKS];   // d_x, d_y, m_x, m_y
#else
shared vec2 w_scales[TILE_ROWS * TILE_BLOCKS];   // d, m
shared int w_offsets[TILE_ROWS * TILE_BLOCKS];
#endif
shared uint x_quads[TILE_TOKENS * TILE_STRIDE];
shared vec2 x_blocks[TILE_TOKENS * TILE_BLOCKS]; // step, sum of the quants
#if defined(INT8_HALF_MINS)
shared float x_half_sums[TILE_TOKENS * TILE_BLOCKS];  // sum of the quants of elements 0..15
#endif

void main()
{
    const uint size = gl_WorkGroupSize.x;
    const uint tokens_per_invocation = TILE_TOKENS * TILE_ROWS / size;
    const uint lane = gl_LocalInvocationID.x;
    const uint row0 = gl_WorkGroupID.x * TILE_ROWS;
    const uint token0 = gl_WorkGroupID.y * TILE_TOKENS;
    const uint my_row = lane % TILE_ROWS;
    const uint my_token = (lane / TILE_ROWS) * tokens_per_invocation;
    const uint n_blocks = p.ncols / INT8_BLOCK;

    float sums[MAX_TOKENS_PER_INVOCATION];
    for (uint i = 0; i < tokens_per_invocation; ++i)
        sums[i] = 0.0;

    for (uint block0 = 0; block0 < n_blocks; block0 += TILE_BLOCKS) {
        // Weight quads: 4 pieces of 2 quads per block, and the block's
        // scales with the first piece; blocks past the matrix edges are zero.
        for (uint e = lane; e < TILE_ROWS * TILE_BLOCKS * 4; e += size) {
            const uint r = e / (TILE_BLOCKS * 4);
            const uint b = (e / 4) % TILE_BLOCKS;
            const uint piece = e % 4;
            uvec2 quads = uvec2(0);
#if defined(INT8_HALF_SCALES)
            vec4 scale = vec4(0.0);
#else
            vec2 scale = vec2(0.0);
            int offset = 0;
#endif
            if (row0 + r < p.nrows && block0 + b < n_blocks) {
                const uint base = (row0 + r) * p.row_bytes + ((block0 + b) / INT8_SUB_BLOCKS) * BLOCK_BYTES;
                const uint sub = (block0 + b) % INT8_SUB_BLOCKS;
                quads = int8_weight_quads(base, sub, piece);
                if (piece == 0) {
                    scale = int8_weight_scale(base, sub);
#if !defined(INT8_HALF_SCALES)
                    offset = int8_weight_offset(base);
#endif
                }
            }
            w_quads[r * TILE_STRIDE + b * INT8_WORDS_PER_BLOCK + piece] = quads.x;
            w_quads[r * TILE_STRIDE + b * INT8_WORDS_PER_BLOCK + piece + 4] = quads.y;
            if (piece == 0) {
                w_scales[r * TILE_BLOCKS + b] = scale;
#if !defined(INT8_HALF_SCALES)
                w_offsets[r * TILE_BLOCKS + b] = offset;
#endif
            }
        }

        // Activation quads and block steps and sums.
        for (uint e = lane; e < TILE_TOKENS * TILE_WORDS; e += size) {
            const uint t = e / TILE_WORDS;
            const uint w = e % TILE_WORDS;
            uint quad = 0;
            if (token0 + t < p.n_tokens && block0 + w / INT8_WORDS_PER_BLOCK < n_blocks)
                quad = qa[int8_quant_word(p.ncols, token0 + t, block0 * INT8_WORDS_PER_BLOCK + w)];
            x_quads[t * TILE_STRIDE + w] = quad;
        }
        for (uint e = lane; e < TILE_TOKENS * TILE_BLOCKS; e += size) {
            const uint t = e / TILE_BLOCKS;
            const uint b = e % TILE_BLOCKS;
            vec2 step_sum = vec2(0.0);
#if defined(INT8_HALF_MINS)
            int half_sum = 0;
#endif
            if (token0 + t < p.n_tokens && block0 + b < n_blocks) {
                const uint at = int8_block_word(p.n_tokens, p.ncols, token0 + t, block0 + b);
                step_sum = vec2(uintBitsToFloat(qa[at]), float(int(qa[at + 1])));
#if defined(INT8_HALF_MINS)
                // The x half's sum as dot products with 1 in every byte, once
                // per token and block here rather than once per row below.
                for (uint k = 0; k < INT8_WORDS_PER_BLOCK / 2; ++k) {
                    const uint word = int8_quant_word(p.ncols, token0 + t, (block0 + b) * INT8_WORDS_PER_BLOCK + k);
                    half_sum = dot_packed_acc(qa[word], 0x01010101u, half_sum, PACKED_4X8);
                }
#endif
            }
            x_blocks[t * TILE_BLOCKS + b] = step_sum;
#if defined(INT8_HALF_MINS)
            x_half_sums[t * TILE_BLOCKS + b] = float(half_sum);
#endif
        }
        barrier();

        // This invocation's row against its tokens, block by block.
        for (uint b = 0; b < TILE_BLOCKS; ++b) {
            uint w[INT8_WORDS_PER_BLOCK];
            for (uint k = 0; k < INT8_WORDS_PER_BLOCK; ++k)
                w[k] = w_quads[my_row * TILE_STRIDE + b * INT8_WORDS_PER_BLOCK + k];
            const uint block_word = b * INT8_WORDS_PER_BLOCK;
#if defined(INT8_HALF_SCALES)
            const vec4 scale = w_scales[my_row * TILE_BLOCKS + b];
            for (uint i = 0; i < tokens_per_invocation; ++i) {
                const uint t = my_token + i;
                int dot_x = 0;
                int dot_y = 0;
                for (uint k = 0; k < INT8_WORDS_PER_BLOCK / 2; ++k) {
                    dot_x = dot_packed_acc(w[k], x_quads[t * TILE_STRIDE + block_word + k], dot_x, PACKED_4X8);
                    dot_y = dot_packed_acc(w[k + 4], x_quads[t * TILE_STRIDE + block_word + k + 4], dot_y, PACKED_4X8);
                }
                const vec2 step_sum = x_blocks[t * TILE_BLOCKS + b];
                float block_sum = scale.x * float(dot_x) + scale.y * float(dot_y);
#if defined(INT8_HALF_MINS)
                const float sum_x = x_half_sums[t * TILE_BLOCKS + b];
                block_sum += scale.z * sum_x + scale.w * (step_sum.y - sum_x);
#endif
                sums[i] += step_sum.x * block_sum;
            }
#else
            const vec2 scale = w_scales[my_row * TILE_BLOCKS + b];
            const int offset = w_offsets[my_row * TILE_BLOCKS + b];
            for (uint i = 0; i < tokens_per_invocation; ++i) {
                const uint t = my_token + i;
                int dot = 0;
                for (uint k = 0; k < INT8_WORDS_PER_BLOCK; ++k)
                    dot = dot_packed_acc(w[k], x_quads[t * TILE_STRIDE + block_word + k], dot, PACKED_4X8);
                const vec2 step_sum = x_blocks[t * TILE_BLOCKS + b];
                dot -= offset * int(step_sum.y);
                sums[i] += step_sum.x * (scale.x * float(dot) + scale.y * step_sum.y);
            }
#endif
        }
        barrier();
    }

    const uint row = row0 + my_row;
    for (uint i = 0; i < tokens_per_invocation; ++i) {
        const uint token = token0 + my_token + i;
        if (row < p.nrows && token < p.n_tokens)
            y[token * p.nrows + row] = sums[i];
    }
}

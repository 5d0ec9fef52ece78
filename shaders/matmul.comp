#version 450
#extension GL_GOOGLE_include_directive : require
// Y = X W^T for a batch of tokens (prompt processing). Each workgroup of 64
// invocations computes a tile of 16 weight rows by 16 tokens. Weights are
// dequantized once per tile into shared memory and reused by all 16 tokens.
// The weight type is a define, as for matvec.comp.
#include "common.glsl"

#if defined(WEIGHT_F32)
layout(std430, binding = 0) readonly buffer Weights { float wf[]; };
#else
layout(std430, binding = 0) readonly buffer Weights { uint16_t wq[]; };
#include "dequant.glsl"
#endif
layout(std430, binding = 1) readonly buffer Input { float x[]; };   // [n_tokens, ncols]
layout(std430, binding = 2) writeonly buffer Output { float y[]; }; // [n_tokens, nrows]

layout(push_constant) uniform Push {
    uint ncols;
    uint nrows;
    uint row_bytes;
    uint n_tokens;
} p;

const uint TILE_ROWS = 16;
const uint TILE_TOKENS = 16;
const uint TILE_K = 32;
// The workgroup size must be 64 here: 4 tokens per invocation.
const uint TOKENS_PER_INVOCATION = TILE_TOKENS * TILE_ROWS / 64;

shared float w_tile[TILE_ROWS][TILE_K + 1];
shared float x_tile[TILE_TOKENS][TILE_K + 1];

float weight_element(uint row, uint k)
{
#if defined(WEIGHT_F32)
    return wf[row * (p.row_bytes / 4) + k];
#else
    return dequant(row * p.row_bytes + (k / BLOCK_ELEMS) * BLOCK_BYTES, k % BLOCK_ELEMS);
#endif
}

void main()
{
    const uint lane = gl_LocalInvocationID.x;
    const uint row0 = gl_WorkGroupID.x * TILE_ROWS;
    const uint token0 = gl_WorkGroupID.y * TILE_TOKENS;
    const uint my_row = lane % TILE_ROWS;
    const uint my_token = (lane / TILE_ROWS) * TOKENS_PER_INVOCATION;

    float sums[TOKENS_PER_INVOCATION];
    for (uint i = 0; i < TOKENS_PER_INVOCATION; ++i)
        sums[i] = 0.0;

    for (uint k0 = 0; k0 < p.ncols; k0 += TILE_K) {
        // Load the tiles; entries past the matrix edges are zero.
        for (uint e = lane; e < TILE_ROWS * TILE_K; e += 64) {
            const uint r = e / TILE_K;
            const uint kk = e % TILE_K;
            const bool inside = row0 + r < p.nrows && k0 + kk < p.ncols;
            w_tile[r][kk] = inside ? weight_element(row0 + r, k0 + kk) : 0.0;
        }
        for (uint e = lane; e < TILE_TOKENS * TILE_K; e += 64) {
            const uint t = e / TILE_K;
            const uint kk = e % TILE_K;
            const bool inside = token0 + t < p.n_tokens && k0 + kk < p.ncols;
            x_tile[t][kk] = inside ? x[(token0 + t) * p.ncols + k0 + kk] : 0.0;
        }
        barrier();
        for (uint kk = 0; kk < TILE_K; ++kk) {
            const float w = w_tile[my_row][kk];
            for (uint i = 0; i < TOKENS_PER_INVOCATION; ++i)
                sums[i] += w * x_tile[my_token + i][kk];
        }
        barrier();
    }

    const uint row = row0 + my_row;
    for (uint i = 0; i < TOKENS_PER_INVOCATION; ++i) {
        const uint token = token0 + my_token + i;
        if (row < p.nrows && token < p.n_tokens)
            y[token * p.nrows + row] = sums[i];
    }
}

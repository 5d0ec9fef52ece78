#version 450
#extension GL_GOOGLE_include_directive : require
// Y = X W^T for a batch of tokens (prompt processing). Each workgroup
// computes a tile of TILE_ROWS weight rows by TILE_TOKENS tokens, stepping
// TILE_K elements along the rows at a time. Weights are dequantized once
// per tile into shared memory and reused by all its tokens. The weight type
// is a define, as for matvec.comp.
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

// The tile (constant_id 1..3; 0 is the workgroup size). The host keeps
// the workgroup size a multiple of TILE_ROWS and TILE_ROWS * TILE_TOKENS a
// multiple of the workgroup size, with at most MAX_TOKENS_PER_INVOCATION
// tokens per invocation.
layout(constant_id = 1) const uint TILE_ROWS = 16;
layout(constant_id = 2) const uint TILE_TOKENS = 16;
layout(constant_id = 3) const uint TILE_K = 32;
const uint MAX_TOKENS_PER_INVOCATION = 16;
// One padding column keeps the invocations of a row on different banks.
const uint TILE_STRIDE = TILE_K + 1;

shared float w_tile[TILE_ROWS * TILE_STRIDE];
shared float x_tile[TILE_TOKENS * TILE_STRIDE];

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
    const uint size = gl_WorkGroupSize.x;
    const uint tokens_per_invocation = TILE_TOKENS * TILE_ROWS / size;
    const uint lane = gl_LocalInvocationID.x;
    const uint row0 = gl_WorkGroupID.x * TILE_ROWS;
    const uint token0 = gl_WorkGroupID.y * TILE_TOKENS;
    const uint my_row = lane % TILE_ROWS;
    const uint my_token = (lane / TILE_ROWS) * tokens_per_invocation;

    float sums[MAX_TOKENS_PER_INVOCATION];
    for (uint i = 0; i < tokens_per_invocation; ++i)
        sums[i] = 0.0;

    for (uint k0 = 0; k0 < p.ncols; k0 += TILE_K) {
        // Load the tiles; entries past the matrix edges are zero.
        for (uint e = lane; e < TILE_ROWS * TILE_K; e += size) {
            const uint r = e / TILE_K;
            const uint kk = e % TILE_K;
            const bool inside = row0 + r < p.nrows && k0 + kk < p.ncols;
            w_tile[r * TILE_STRIDE + kk] = inside ? weight_element(row0 + r, k0 + kk) : 0.0;
        }
        for (uint e = lane; e < TILE_TOKENS * TILE_K; e += size) {
            const uint t = e / TILE_K;
            const uint kk = e % TILE_K;
            const bool inside = token0 + t < p.n_tokens && k0 + kk < p.ncols;
            x_tile[t * TILE_STRIDE + kk] = inside ? x[(token0 + t) * p.ncols + k0 + kk] : 0.0;
        }
        barrier();
        for (uint kk = 0; kk < TILE_K; ++kk) {
            const float w = w_tile[my_row * TILE_STRIDE + kk];
            for (uint i = 0; i < tokens_per_invocation; ++i)
                sums[i] += w * x_tile[(my_token + i) * TILE_STRIDE + kk];
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

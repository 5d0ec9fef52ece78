#version 450
#extension GL_GOOGLE_include_directive : require
#if defined(REDUCE_SUBGROUP)
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
// y = W x for each of the batch's vectors: one workgroup per ROWS output
// rows and vector, its invocations striding over the rows' blocks. The weight type is
// chosen by a define: WEIGHT_F32 or one of those dequant.glsl reads.
// REDUCE_SUBGROUP sums the invocations' partial sums with subgroupAdd
// instead of a shared-memory tree; it needs subgroup arithmetic in compute.
#include "common.glsl"

#if defined(WEIGHT_F32)
layout(std430, binding = 0) readonly buffer Weights { float wf[]; };
#else
layout(std430, binding = 0) readonly buffer Weights { uint16_t wq[]; };
#include "dequant.glsl"
#endif
layout(std430, binding = 1) readonly buffer Input { float x[]; };
layout(std430, binding = 2) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push {
    uint ncols;      // elements per weight row (the input length)
    uint nrows;      // weight rows (the output length)
    uint row_bytes;  // bytes between weight rows
} p;

#if defined(WEIGHT_F32)
const uint BLOCK = 1;
float block_dot(uint row, uint block, uint xb)
{
    return wf[row * (p.row_bytes / 4) + block] * x[xb];
}
#elif defined(WEIGHT_Q8_0)
// Two quants per 16-bit word.
const uint BLOCK = 32;
float block_dot(uint row, uint block, uint xb)
{
    const uint base = row * p.row_bytes + block * 34;
    float sum = 0.0;
    for (uint i = 0; i < 16; ++i) {
        const uvec2 q = bytes_at(base + 2 + 2 * i);
        sum += float(sign_extend8(q.x)) * x[xb + 2 * i] + float(sign_extend8(q.y)) * x[xb + 2 * i + 1];
    }
    return sum * f16_at(base);
}
#elif defined(WEIGHT_Q4_0)
// Four nibbles per 16-bit word: elements j, j + 1, j + 16 and j + 17.
const uint BLOCK = 32;
float block_dot(uint row, uint block, uint xb)
{
    const uint base = row * p.row_bytes + block * 18;
    float sum = 0.0;
    for (uint i = 0; i < 8; ++i) {
        const uvec2 q = bytes_at(base + 2 + 2 * i);
        const uint j = 2 * i;
        sum += (float(q.x & 15u) - 8.0) * x[xb + j] + (float(q.y & 15u) - 8.0) * x[xb + j + 1];
        sum += (float(q.x >> 4) - 8.0) * x[xb + j + 16] + (float(q.y >> 4) - 8.0) * x[xb + j + 17];
    }
    return sum * f16_at(base);
}
#else
// Every other type through dequant.glsl, element by element.
const uint BLOCK = BLOCK_ELEMS;
float block_dot(uint row, uint block, uint xb)
{
    const uint base = row * p.row_bytes + block * BLOCK_BYTES;
    float sum = 0.0;
    for (uint j = 0; j < BLOCK_ELEMS; ++j)
        sum += dequant(base, j) * x[xb + j];
    return sum;
}
#endif

// Rows per workgroup (constant_id 1): the input is read once for all of
// them, and fewer, fuller workgroups suit both GPUs and lavapipe.
layout(constant_id = 1) const uint ROWS = 4;
const uint MAX_ROWS = 8;
#if defined(REDUCE_SUBGROUP)
// One total per row and subgroup. The workgroup has at most 64
// invocations, so at most 64 subgroups whatever size the driver picks.
shared float subgroup_sums[MAX_ROWS][64];
#else
shared float row_sums[MAX_ROWS][64];
#endif

void main()
{
    const uint first_row = gl_WorkGroupID.x * ROWS;
    const uint vector = gl_WorkGroupID.y;
    const uint lane = gl_LocalInvocationID.x;
    const uint x_base = vector * p.ncols;
    const uint n_blocks = p.ncols / BLOCK;

    float sums[MAX_ROWS];
    for (uint r = 0; r < ROWS; ++r)
        sums[r] = 0.0;
    for (uint b = lane; b < n_blocks; b += gl_WorkGroupSize.x) {
        for (uint r = 0; r < ROWS; ++r) {
            if (first_row + r < p.nrows)
                sums[r] += block_dot(first_row + r, b, x_base + b * BLOCK);
        }
    }

#if defined(REDUCE_SUBGROUP)
    // Each subgroup adds its invocations' sums, then the first ROWS
    // invocations add the subgroups' totals. gl_SubgroupID and
    // gl_NumSubgroups hold whatever subgroup size the driver chose.
    for (uint r = 0; r < ROWS; ++r) {
        const float total = subgroupAdd(sums[r]);
        if (subgroupElect())
            subgroup_sums[r][gl_SubgroupID] = total;
    }
    barrier();
    if (lane < ROWS && first_row + lane < p.nrows) {
        float sum = 0.0;
        for (uint g = 0; g < gl_NumSubgroups; ++g)
            sum += subgroup_sums[lane][g];
        y[vector * p.nrows + first_row + lane] = sum;
    }
#else
    // Tree reduction of each row's partial sums; the workgroup size is a
    // power of two of at most 64.
    for (uint r = 0; r < ROWS; ++r)
        row_sums[r][lane] = sums[r];
    barrier();
    for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
        if (lane < stride) {
            for (uint r = 0; r < ROWS; ++r)
                row_sums[r][lane] += row_sums[r][lane + stride];
        }
        barrier();
    }
    if (lane < ROWS && first_row + lane < p.nrows)
        y[vector * p.nrows + first_row + lane] = row_sums[lane][0];
#endif
}

#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup: out[r] = dequantized row ids[r] of the table. One
// workgroup per id. The table type is a define: WEIGHT_F32 or one of those
// dequant.glsl reads.
#include "common.glsl"

#if defined(WEIGHT_F32)
layout(std430, binding = 0) readonly buffer Table { float wf[]; };
#else
layout(std430, binding = 0) readonly buffer Table { uint16_t wq[]; };
#include "dequant.glsl"
#endif
layout(std430, binding = 1) readonly buffer Ids { int ids[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };

layout(push_constant) uniform Push {
    uint ncols;
    uint row_bytes;
} p;

float element(uint row, uint e)
{
#if defined(WEIGHT_F32)
    return wf[row * (p.row_bytes / 4) + e];
#else
    return dequant(row * p.row_bytes + (e / BLOCK_ELEMS) * BLOCK_BYTES, e % BLOCK_ELEMS);
#endif
}

void main()
{
    const uint r = gl_WorkGroupID.x;
    const uint row = uint(ids[r]);
    for (uint e = gl_LocalInvocationID.x; e < p.ncols; e += gl_WorkGroupSize.x)
        o[r * p.ncols + e] = element(row, e);
}

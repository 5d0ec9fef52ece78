#version 450
#extension GL_GOOGLE_include_directive : require
// dst[t][j] = src[t][offset + j] for j < width: splits the output of a fused
// projection (Q|K|V, gate|up) into separate arrays.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Src { float src[]; };
layout(std430, binding = 1) writeonly buffer Dst { float dst[]; };

layout(push_constant) uniform Push {
    uint n_tokens;
    uint src_width;
    uint offset;
    uint width;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= p.n_tokens * p.width)
        return;
    const uint t = i / p.width;
    const uint j = i % p.width;
    dst[i] = src[t * p.src_width + p.offset + j];
}

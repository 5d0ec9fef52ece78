#version 450
#extension GL_GOOGLE_include_directive : require
// dst[t][j] = src[t][perm[j]] for j < width: puts the activations in the
// column order of act-order GPTQ weights, whose repack sorts the input
// channels by quantization group.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Src { float src[]; };
layout(std430, binding = 1) readonly buffer Perm { int perm[]; };
layout(std430, binding = 2) writeonly buffer Dst { float dst[]; };

layout(push_constant) uniform Push {
    uint n_tokens;
    uint width;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= p.n_tokens * p.width)
        return;
    const uint t = i / p.width;
    const uint j = i % p.width;
    dst[i] = src[t * p.width + uint(perm[j])];
}

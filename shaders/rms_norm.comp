#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm fused with its weight: y = x / sqrt(mean(x^2) + eps) * w, one
// workgroup per row.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Input { float x[]; };
layout(std430, binding = 1) readonly buffer Weight { float w[]; };
layout(std430, binding = 2) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push {
    uint n;          // row length
    uint row_stride; // elements between rows of x and y
    float eps;
    uint x_offset;   // elements of x before its first row
} p;

void main()
{
    const uint row = gl_WorkGroupID.x;
    const uint base = row * p.row_stride;
    const uint x_base = p.x_offset + base;
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x)
        sum += x[x_base + i] * x[x_base + i];
    sum = workgroup_sum(sum);
    const float scale = inversesqrt(sum / float(p.n) + p.eps);
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += gl_WorkGroupSize.x)
        y[base + i] = x[x_base + i] * scale * w[i];
}

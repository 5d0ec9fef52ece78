#version 450
#extension GL_GOOGLE_include_directive : require
// Residual add in place: x[i] += y[i].
#include "common.glsl"

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
    uint n;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i < p.n)
        x[i] += y[i];
}

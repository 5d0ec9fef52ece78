#version 450
#extension GL_GOOGLE_include_directive : require
// Gated linear unit in place: gate[i] = act(gate[i]) * up[i], with act SiLU
// (GLU_SILU, SwiGLU) or GELU's tanh approximation (GLU_GELU, GeGLU).
#include "common.glsl"

layout(std430, binding = 0) buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };

layout(push_constant) uniform Push {
    uint n;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= p.n)
        return;
    const float g = gate[i];
#if defined(GLU_SILU)
    const float activated = g / (1.0 + exp(-g));
#elif defined(GLU_GELU)
    const float sqrt_2_over_pi = 0.7978845608028654;
    const float activated = 0.5 * g * (1.0 + tanh(sqrt_2_over_pi * g * (1.0 + 0.044715 * g * g)));
#else
#error "define GLU_SILU or GLU_GELU"
#endif
    gate[i] = activated * up[i];
}

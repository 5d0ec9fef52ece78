#version 450
#extension GL_GOOGLE_include_directive : require
// Small element-wise ops on x [n_tokens, width], chosen by a define:
//   OP_SCALE    x = x * factor
//   OP_SOFTCAP  x = factor * tanh(x / factor)
//   OP_BIAS     x[t][i] += b[i]
#include "common.glsl"

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };

layout(push_constant) uniform Push {
    uint n;       // elements of x
    uint width;   // row length, for OP_BIAS
    float factor;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= p.n)
        return;
#if defined(OP_SCALE)
    x[i] *= p.factor;
#elif defined(OP_SOFTCAP)
    x[i] = p.factor * tanh(x[i] / p.factor);
#elif defined(OP_BIAS)
    x[i] += b[i % p.width];
#else
#error "define the operation"
#endif
}

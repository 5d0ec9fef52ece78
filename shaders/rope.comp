#version 450
#extension GL_GOOGLE_include_directive : require
// Rotary position embedding in place on [n_tokens, n_heads, head_dim]. One
// invocation per rotated pair. theta is built by repeated multiplication, as
// the CPU reference does, so both round the same way.
#include "common.glsl"

layout(std430, binding = 0) buffer Values { float x[]; };
layout(std430, binding = 1) readonly buffer Factors { float freq_factors[]; };

layout(push_constant) uniform Push {
    uint n_tokens;
    uint n_heads;
    uint head_dim;
    uint n_rot;
    uint pos0;
    uint neox;         // 1: pairs (i, i + n_rot / 2); 0: pairs (2i, 2i + 1)
    uint has_factors;  // 1: divide each pair's angle by freq_factors[i]
    float freq_base;
    float freq_scale;
    float attn_factor;
} p;

void main()
{
    const uint n_pairs = p.n_rot / 2;
    const uint index = gl_GlobalInvocationID.x;
    if (index >= p.n_tokens * p.n_heads * n_pairs)
        return;
    const uint i = index % n_pairs;
    const uint head = (index / n_pairs) % p.n_heads;
    const uint token = index / (n_pairs * p.n_heads);

    const float theta_scale = pow(p.freq_base, -2.0 / float(p.n_rot));
    float theta = float(p.pos0 + token);
    for (uint k = 0; k < i; ++k)
        theta *= theta_scale;
    const float factor = p.has_factors != 0 ? freq_factors[i] : 1.0;
    const float angle = p.freq_scale * (theta / factor);
    const float c = cos(angle) * p.attn_factor;
    const float s = sin(angle) * p.attn_factor;

    const uint base = (token * p.n_heads + head) * p.head_dim;
    const uint first = base + (p.neox != 0 ? i : 2 * i);
    const uint second = first + (p.neox != 0 ? n_pairs : 1);
    const float x0 = x[first];
    const float x1 = x[second];
    x[first] = x0 * c - x1 * s;
    x[second] = x0 * s + x1 * c;
}

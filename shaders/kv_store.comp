#version 450
#extension GL_GOOGLE_include_directive : require
// Writes the keys and values of n_tokens new positions, starting at pos0,
// into a layer's F16 cache: k_cache and v_cache are [n_ctx, n_embd_kv].
#include "common.glsl"

layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) writeonly buffer KCache { float16_t k_cache[]; };
layout(std430, binding = 3) writeonly buffer VCache { float16_t v_cache[]; };

layout(push_constant) uniform Push {
    uint n_tokens;
    uint n_embd_kv;
    uint pos0;
} p;

void main()
{
    const uint i = gl_GlobalInvocationID.x;
    if (i >= p.n_tokens * p.n_embd_kv)
        return;
    const uint destination = p.pos0 * p.n_embd_kv + i;
    k_cache[destination] = float16_t(k[i]);
    v_cache[destination] = float16_t(v[i]);
}

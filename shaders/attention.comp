#version 450
#extension GL_GOOGLE_include_directive : require
// Causal grouped-query attention over a layer's F16 KV cache. One workgroup
// per (query head, token). Keys are visited in chunks of the workgroup size
// with an online softmax (running maximum and sum, output rescaled per
// chunk), so any context length fits in shared memory.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Q { float q[]; };              // [n_tokens, n_head * head_dim]
layout(std430, binding = 1) readonly buffer KCache { float16_t k_cache[]; }; // [n_ctx, n_head_kv * head_dim]
layout(std430, binding = 2) readonly buffer VCache { float16_t v_cache[]; };
layout(std430, binding = 3) writeonly buffer Out { float o[]; };           // like q

layout(push_constant) uniform Push {
    uint n_tokens;
    uint pos0;
    uint n_head;
    uint n_head_kv;
    uint head_dim;
    uint window;    // sliding window in positions; 0 for none
    float scale;    // multiplies q.k
    float softcap;  // when positive, score = softcap * tanh(score / softcap)
} p;

const uint MAX_HEAD_DIM = 256;
shared float q_shared[MAX_HEAD_DIM];
shared float acc[MAX_HEAD_DIM];
shared float weights[1024];

void main()
{
    const uint head = gl_WorkGroupID.x;
    const uint token = gl_WorkGroupID.y;
    const uint lane = gl_LocalInvocationID.x;
    const uint size = gl_WorkGroupSize.x;
    const uint kv_head = head / (p.n_head / p.n_head_kv);
    const uint n_embd_kv = p.n_head_kv * p.head_dim;
    const uint q_base = (token * p.n_head + head) * p.head_dim;
    const uint k_offset = kv_head * p.head_dim;

    for (uint d = lane; d < p.head_dim; d += size) {
        q_shared[d] = q[q_base + d];
        acc[d] = 0.0;
    }
    barrier();

    const uint pos = p.pos0 + token;
    // With a window, position j is seen when j > pos - window.
    const uint first = (p.window > 0 && pos + 1 > p.window) ? pos + 1 - p.window : 0;
    float running_max = -1.0 / 0.0;
    float running_sum = 0.0;

    for (uint start = first; start <= pos; start += size) {
        const uint j = start + lane;
        float score = -1.0 / 0.0;
        if (j <= pos) {
            const uint k_base = j * n_embd_kv + k_offset;
            float dot_qk = 0.0;
            for (uint d = 0; d < p.head_dim; ++d)
                dot_qk += q_shared[d] * float(k_cache[k_base + d]);
            score = dot_qk * p.scale;
            if (p.softcap > 0.0)
                score = p.softcap * tanh(score / p.softcap);
        }
        const float new_max = max(running_max, workgroup_max(score));
        const float weight = j <= pos ? exp(score - new_max) : 0.0;
        weights[lane] = weight;
        const float chunk_sum = workgroup_sum(weight);
        const float correction = exp(running_max - new_max);
        running_sum = running_sum * correction + chunk_sum;
        running_max = new_max;

        const uint count = min(size, pos + 1 - start);
        for (uint d = lane; d < p.head_dim; d += size) {
            float value = acc[d] * correction;
            for (uint c = 0; c < count; ++c)
                value += weights[c] * float(v_cache[(start + c) * n_embd_kv + k_offset + d]);
            acc[d] = value;
        }
        barrier();
    }

    for (uint d = lane; d < p.head_dim; d += size)
        o[q_base + d] = acc[d] / running_sum;
}

#version 450
#extension GL_GOOGLE_include_directive : require
// Quantizes F32 activations for matmul_int8.comp: each 32 values of a row
// become int8 quants round(x / step) with step = max|x| / 127, computed in
// the order the CPU's activation quantization uses, plus the step and the
// quants' sum (layout in int8_activations.glsl). Each invocation quantizes
// 4 values, so 8 invocations share a block; the workgroup size is a
// multiple of 8 and at most 256. Workgroups: (n_in / 4 / workgroup size,
// rounded up; n_tokens).
#include "common.glsl"
#include "int8_activations.glsl"

layout(std430, binding = 0) readonly buffer Input { float x[]; };      // [n_tokens, n_in]
layout(std430, binding = 1) writeonly buffer Quantized { uint qa[]; };

layout(push_constant) uniform Push {
    uint n_in;       // values per token, a multiple of 32
    uint n_tokens;
} p;

shared float quad_max[256];
shared int quad_sum[256];

void main()
{
    const uint lane = gl_LocalInvocationID.x;
    const uint token = gl_WorkGroupID.y;
    const uint word = gl_WorkGroupID.x * gl_WorkGroupSize.x + lane;
    const bool inside = word < p.n_in / 4;
    const uint first = token * p.n_in + 4 * word;

    // The block's max |x| over its 8 invocations.
    vec4 v = vec4(0.0);
    if (inside)
        v = vec4(x[first], x[first + 1], x[first + 2], x[first + 3]);
    const vec4 magnitude = abs(v);
    quad_max[lane] = max(max(magnitude.x, magnitude.y), max(magnitude.z, magnitude.w));
    barrier();
    const uint block_lane = lane & ~(INT8_WORDS_PER_BLOCK - 1);
    float block_max = 0.0;
    for (uint i = 0; i < INT8_WORDS_PER_BLOCK; ++i)
        block_max = max(block_max, quad_max[block_lane + i]);

    // Quantize and pack this invocation's 4 values, low byte first.
    const float inverse = block_max > 0.0 ? 127.0 / block_max : 0.0;
    const ivec4 q = ivec4(roundEven(clamp(v * inverse, -127.0, 127.0)));
    quad_sum[lane] = q.x + q.y + q.z + q.w;
    if (inside) {
        qa[int8_quant_word(p.n_in, token, word)] = (uint(q.x) & 0xFFu) | ((uint(q.y) & 0xFFu) << 8) |
                                                 ((uint(q.z) & 0xFFu) << 16) | (uint(q.w) << 24);
    }
    barrier();

    // The block's first invocation writes the step and the quants' sum.
    if (inside && lane == block_lane) {
        int sum = 0;
        for (uint i = 0; i < INT8_WORDS_PER_BLOCK; ++i)
            sum += quad_sum[block_lane + i];
        const uint at = int8_block_word(p.n_tokens, p.n_in, token, word / INT8_WORDS_PER_BLOCK);
        qa[at] = floatBitsToUint(block_max > 0.0 ? 1.0 / inverse : 0.0);
        qa[at + 1] = uint(sum);
    }
}

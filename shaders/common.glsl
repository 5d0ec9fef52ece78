// Definitions shared by every compute shader.
#ifndef QUANTA_COMMON_GLSL
#define QUANTA_COMMON_GLSL

#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : enable
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : enable

// Workgroup size, a specialization constant (constant_id 0) so the host can
// pick it per device.
layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;

// Sums `value` over the workgroup through shared memory. Every invocation
// must call it; all of them receive the sum.
shared float reduce_scratch[1024];

float workgroup_sum(float value)
{
    const uint lane = gl_LocalInvocationID.x;
    reduce_scratch[lane] = value;
    barrier();
    for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
        if (lane < stride)
            reduce_scratch[lane] += reduce_scratch[lane + stride];
        barrier();
    }
    const float sum = reduce_scratch[0];
    barrier();
    return sum;
}

float workgroup_max(float value)
{
    const uint lane = gl_LocalInvocationID.x;
    reduce_scratch[lane] = value;
    barrier();
    for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
        if (lane < stride)
            reduce_scratch[lane] = max(reduce_scratch[lane], reduce_scratch[lane + stride]);
        barrier();
    }
    const float result = reduce_scratch[0];
    barrier();
    return result;
}

#endif

// Weight blocks of the 32-element types (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
// IQ4_NL, Q4_G, Q8_G) as packed int8 quads for the integer dot product of
// matmul_int8.comp. Include after dequant.glsl, which reads the blocks.
//
// A block's value is d * (q - offset) + m per element, with the integer
// quants q as they are stored (each fits a signed byte). Per block:
// - int8_weight_quads(base, i): the quants of elements 4i..4i+3 (x) and
//   16+4i..16+4i+3 (y), i < 4, low byte first;
// - int8_weight_scale(base): d and m (m is 0 for the types without one);
// - int8_weight_offset(base): the integer offset (0 for Q8_0 and IQ4_NL).
// The shader subtracts offset * (sum of the activation quants) from the
// dot product, which stays exact for any int16 zero point.
#ifndef QUANTA_INT8_WEIGHTS_GLSL
#define QUANTA_INT8_WEIGHTS_GLSL

// The 4 bytes at the even `byte_offset`, the first in the low byte.
uint word32_at(uint byte_offset)
{
    const uint word = byte_offset >> 1;
    return uint(wq[word]) | (uint(wq[word + 1]) << 16);
}

int int16_at(uint byte_offset)
{
    return int(uint(wq[byte_offset >> 1]) << 16) >> 16;
}

// Bits 0..3 of `bits` moved to bit 4 of bytes 0..3.
uint fifth_bits(uint bits)
{
    return ((bits & 1u) | ((bits & 2u) << 7) | ((bits & 4u) << 14) | ((bits & 8u) << 21)) << 4;
}

#if defined(WEIGHT_Q8_0) || defined(WEIGHT_Q8_G)
// Signed 8-bit quants after a 2-byte (Q8_0) or 4-byte (Q8_G) header.
#if defined(WEIGHT_Q8_0)
const uint INT8_QS = 2;
#else
const uint INT8_QS = 4;
#endif
uvec2 int8_weight_quads(uint base, uint i)
{
    return uvec2(word32_at(base + INT8_QS + 4 * i), word32_at(base + INT8_QS + 16 + 4 * i));
}
#elif defined(WEIGHT_Q4_0) || defined(WEIGHT_Q4_1) || defined(WEIGHT_Q4_G) || defined(WEIGHT_IQ4_NL)
// Nibbles after the header: byte j holds element j (low) and j + 16 (high).
#if defined(WEIGHT_Q4_0) || defined(WEIGHT_IQ4_NL)
const uint INT8_QS = 2;
#else
const uint INT8_QS = 4;
#endif
#if defined(WEIGHT_IQ4_NL)
// The grid values of IQ4_NL as int8 (dequant.glsl's IQ4_GRID, in [-127, 113]).
const int IQ4_GRID_INT[16] = int[16](-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);

uint grid_quad(uint nibbles)
{
    uint quad = 0;
    for (uint b = 0; b < 4; ++b)
        quad |= (uint(IQ4_GRID_INT[(nibbles >> (8 * b)) & 15u]) & 0xFFu) << (8 * b);
    return quad;
}
#endif
uvec2 int8_weight_quads(uint base, uint i)
{
    const uint word = word32_at(base + INT8_QS + 4 * i);
    const uvec2 quads = uvec2(word & 0x0F0F0F0Fu, (word >> 4) & 0x0F0F0F0Fu);
#if defined(WEIGHT_IQ4_NL)
    return uvec2(grid_quad(quads.x), grid_quad(quads.y));
#else
    return quads;
#endif
}
#elif defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
// As Q4_0 with bit 4 of element j in bit j of the 32-bit word after the
// header (HEADER_BYTES, from dequant.glsl).
uvec2 int8_weight_quads(uint base, uint i)
{
    const uint high = word32_at(base + HEADER_BYTES);
    const uint word = word32_at(base + HEADER_BYTES + 4 + 4 * i);
    return uvec2((word & 0x0F0F0F0Fu) | fifth_bits(high >> (4 * i)),
                 ((word >> 4) & 0x0F0F0F0Fu) | fifth_bits(high >> (16 + 4 * i)));
}
#endif

vec2 int8_weight_scale(uint base)
{
#if defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_1)
    return vec2(f16_at(base), f16_at(base + 2));
#else
    return vec2(f16_at(base), 0.0);
#endif
}

int int8_weight_offset(uint base)
{
#if defined(WEIGHT_Q4_0)
    return 8;
#elif defined(WEIGHT_Q5_0)
    return 16;
#elif defined(WEIGHT_Q4_G) || defined(WEIGHT_Q8_G)
    return int16_at(base + 2);
#else
    return 0;
#endif
}

#endif

// Weight blocks as packed int8 quads for the integer dot product of
// matmul_int8.comp. Include after dequant.glsl, which reads the blocks and
// defines BLOCK_ELEMS and BLOCK_BYTES.
//
// The shader works on 32-element blocks. A type with 256-element
// super-blocks (the K-quants and IQ4_XS) has INT8_SUB_BLOCKS = 8 of them
// per super-block: `base` is the super-block's first byte and `sub` (0..7)
// the 32-element sub-block. For the 32-element types INT8_SUB_BLOCKS is 1
// and `sub` is always 0. In every block, elements 0..15 are the x half and
// 16..31 the y half. int8_weight_quads(base, sub, i), i < 4, returns the
// quants of elements 4i..4i+3 (x) and 16+4i..16+4i+3 (y), low byte first,
// each as a signed byte.
//
// Two forms of scaling:
// - One scale per block (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q4_G, Q8_G,
//   Q4_K, Q5_K, IQ4_XS): value = d * (q - offset) + m.
//   int8_weight_scale(base, sub) returns vec2(d, m), m being 0 for the
//   types without one, and int8_weight_offset(base) the integer offset
//   (8 for Q4_0, 16 for Q5_0, the zero point of Q4_G and Q8_G, else 0).
//   The shader subtracts offset * (sum of the activation quants) from the
//   dot product, which stays exact for any int16 zero point.
// - INT8_HALF_SCALES (Q2_K, Q3_K, Q6_K), one scale per 16 elements:
//   value = d_x * q + m_x on the x half and d_y * q + m_y on the y half.
//   int8_weight_scale(base, sub) returns vec4(d_x, d_y, m_x, m_y). Only
//   Q2_K has mins (INT8_HALF_MINS), for which the shader needs the sum of
//   the activation quants of each half.
#ifndef QUANTA_INT8_WEIGHTS_GLSL
#define QUANTA_INT8_WEIGHTS_GLSL

const uint INT8_SUB_BLOCKS = BLOCK_ELEMS / 32;

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

// Subtracts `c` from each byte of `quads`, whose bytes are in [0, 127],
// giving signed bytes. Setting bit 7 first keeps each byte's subtraction
// from borrowing from the next byte; the XOR clears it again.
uint subtract_bytes(uint quads, uint c)
{
    return ((quads | 0x80808080u) - c * 0x01010101u) ^ 0x80808080u;
}

#if defined(WEIGHT_IQ4_NL) || defined(WEIGHT_IQ4_XS)
// The grid values of IQ4_NL and IQ4_XS as int8 (dequant.glsl's IQ4_GRID,
// in [-127, 113]).
const int IQ4_GRID_INT[16] = int[16](-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);

// The grid values of the 4 indices in bytes 0..3 of `nibbles`.
uint grid_quad(uint nibbles)
{
    uint quad = 0;
    for (uint b = 0; b < 4; ++b)
        quad |= (uint(IQ4_GRID_INT[(nibbles >> (8 * b)) & 15u]) & 0xFFu) << (8 * b);
    return quad;
}
#endif

#if defined(WEIGHT_Q2_K) || defined(WEIGHT_Q3_K) || defined(WEIGHT_Q6_K)
#define INT8_HALF_SCALES
#endif
#if defined(WEIGHT_Q2_K)
#define INT8_HALF_MINS
#endif

// ---- The quants -----------------------------------------------------------

#if defined(WEIGHT_Q8_0) || defined(WEIGHT_Q8_G)
// Signed 8-bit quants after a 2-byte (Q8_0) or 4-byte (Q8_G) header.
#if defined(WEIGHT_Q8_0)
const uint INT8_QS = 2;
#else
const uint INT8_QS = 4;
#endif
uvec2 int8_weight_quads(uint base, uint sub, uint i)
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
uvec2 int8_weight_quads(uint base, uint sub, uint i)
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
uvec2 int8_weight_quads(uint base, uint sub, uint i)
{
    const uint high = word32_at(base + HEADER_BYTES);
    const uint word = word32_at(base + HEADER_BYTES + 4 + 4 * i);
    return uvec2((word & 0x0F0F0F0Fu) | fifth_bits(high >> (4 * i)),
                 ((word >> 4) & 0x0F0F0F0Fu) | fifth_bits(high >> (16 + 4 * i)));
}
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
// Sub-block s takes the low (even s) or high (odd s) nibbles of bytes
// 32 * (s / 2) .. + 31 of the quants at QS_OFFSET, one byte per element.
// Q5_K adds bit s of byte l of the 32 bytes at 16 as bit 4 of element l.
uvec2 int8_weight_quads(uint base, uint sub, uint i)
{
    const uint qs = base + QS_OFFSET + 32 * (sub / 2) + 4 * i;
    const uint shift = 4 * (sub % 2);
    uvec2 quads = uvec2((word32_at(qs) >> shift) & 0x0F0F0F0Fu, (word32_at(qs + 16) >> shift) & 0x0F0F0F0Fu);
#if defined(WEIGHT_Q5_K)
    const uint qh = base + 16 + 4 * i;
    quads |= uvec2((word32_at(qh) >> sub) & 0x01010101u, (word32_at(qh + 16) >> sub) & 0x01010101u) << 4;
#endif
    return quads;
}
#elif defined(WEIGHT_IQ4_XS)
// Sub-block s has 16 bytes of indices at 8 + 16s, laid out as IQ4_NL's.
uvec2 int8_weight_quads(uint base, uint sub, uint i)
{
    const uint word = word32_at(base + 8 + 16 * sub + 4 * i);
    return uvec2(grid_quad(word & 0x0F0F0F0Fu), grid_quad((word >> 4) & 0x0F0F0F0Fu));
}
#elif defined(WEIGHT_Q6_K)
// Sub-block s lies in 128-element half s / 4 at quarter s % 4. Element l of
// it has its low nibble in byte 64 * (s / 4) + 32 * (s % 2) + l (the high
// nibble for quarters 2 and 3) and its top two bits at bit 2 * (s % 4) of
// byte 128 + 32 * (s / 4) + l. The stored 6-bit q becomes q - 32.
uint q6_k_quad(uint base, uint sub, uint l)
{
    const uint half_index = sub / 4;
    const uint quarter = sub % 4;
    const uint low = (word32_at(base + 64 * half_index + 32 * (quarter % 2) + l) >> (4 * (quarter / 2))) & 0x0F0F0F0Fu;
    const uint high = (word32_at(base + 128 + 32 * half_index + l) >> (2 * quarter)) & 0x03030303u;
    return subtract_bytes(low | (high << 4), 32);
}

uvec2 int8_weight_quads(uint base, uint sub, uint i)
{
    return uvec2(q6_k_quad(base, sub, 4 * i), q6_k_quad(base, sub, 16 + 4 * i));
}
#elif defined(WEIGHT_Q3_K) || defined(WEIGHT_Q2_K)
// Sub-block s is element group k = s % 4 of 128-element half h = s / 4:
// element l has its low two bits at bit 2k of byte 32h + l of the 2-bit
// quants (at 32 in Q3_K, 16 in Q2_K). Q3_K adds bit 4h + k of byte l of the
// 32 bytes at 0 as bit 2, and the stored 3-bit q becomes q - 4.
#if defined(WEIGHT_Q3_K)
const uint INT8_QS = 32;
#else
const uint INT8_QS = 16;
#endif
uint low_bits_quad(uint base, uint sub, uint l)
{
    const uint h = sub / 4;
    const uint k = sub % 4;
    uint quad = (word32_at(base + INT8_QS + 32 * h + l) >> (2 * k)) & 0x03030303u;
#if defined(WEIGHT_Q3_K)
    quad |= ((word32_at(base + l) >> (4 * h + k)) & 0x01010101u) << 2;
    quad = subtract_bytes(quad, 4);
#endif
    return quad;
}

uvec2 int8_weight_quads(uint base, uint sub, uint i)
{
    return uvec2(low_bits_quad(base, sub, 4 * i), low_bits_quad(base, sub, 16 + 4 * i));
}
#endif

// ---- The scales -----------------------------------------------------------

#if defined(INT8_HALF_SCALES)
#if defined(WEIGHT_Q6_K)
// Signed 8-bit scales at 192, one per 16 elements, then d at 208.
vec4 int8_weight_scale(uint base, uint sub)
{
    const uvec2 scales = bytes_at(base + 192 + 8 * (sub / 4) + 2 * (sub % 4));
    const float d = f16_at(base + 208);
    return vec4(d * float(sign_extend8(scales.x)), d * float(sign_extend8(scales.y)), 0.0, 0.0);
}
#elif defined(WEIGHT_Q3_K)
// The 6-bit scale `index` (one per 16 elements) of the 12 bytes at 96:
// low nibbles in bytes 0..7 (indices 0..7, then their high nibbles for
// 8..15), top two bits at bit 2 * (index / 4) of byte 8 + index % 4,
// stored biased by 32.
int q3_k_scale(uint base, uint index)
{
    const uint low = index < 8 ? (byte_at(base + 96 + index) & 15u) : (byte_at(base + 96 + index - 8) >> 4);
    const uint high = (byte_at(base + 104 + index % 4) >> (2 * (index / 4))) & 3u;
    return int(low | (high << 4)) - 32;
}

// d at 108 times the scales of the sub-block's two halves.
vec4 int8_weight_scale(uint base, uint sub)
{
    const float d = f16_at(base + 108);
    return vec4(d * float(q3_k_scale(base, 2 * sub)), d * float(q3_k_scale(base, 2 * sub + 1)), 0.0, 0.0);
}
#else
// Q2_K: one byte per 16 elements at 0 (low nibble scale, high nibble min),
// d at 80 and dmin at 82. value = d * scale * q - dmin * min.
vec4 int8_weight_scale(uint base, uint sub)
{
    const uvec2 scale_min = bytes_at(base + 2 * sub);
    const float d = f16_at(base + 80);
    const float dmin = f16_at(base + 82);
    return vec4(d * float(scale_min.x & 15u), d * float(scale_min.y & 15u), -dmin * float(scale_min.x >> 4),
                -dmin * float(scale_min.y >> 4));
}
#endif
#else
vec2 int8_weight_scale(uint base, uint sub)
{
#if defined(WEIGHT_Q4_1) || defined(WEIGHT_Q5_1)
    return vec2(f16_at(base), f16_at(base + 2));
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
    // value = d * scale * q - dmin * min (k4_scale_min in dequant.glsl).
    const uvec2 scale_min = k4_scale_min(base + 4, sub);
    return vec2(f16_at(base) * float(scale_min.x), -f16_at(base + 2) * float(scale_min.y));
#elif defined(WEIGHT_IQ4_XS)
    // The 6-bit scale of sub-block s, biased by 32: low nibble s % 2 of
    // byte 4 + s / 2, top bits 2s..2s+1 of the 16-bit word at 2.
    const uint low = (byte_at(base + 4 + sub / 2) >> (4 * (sub % 2))) & 15u;
    const uint high = (uint(wq[(base + 2) >> 1]) >> (2 * sub)) & 3u;
    return vec2(f16_at(base) * float(int(low | (high << 4)) - 32), 0.0);
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

#endif

// ggml block layouts read from a buffer of 16-bit words, which needs only
// 16-bit storage. The including shader declares `uint16_t wq[]` and defines
// the weight type (WEIGHT_F16, WEIGHT_Q4_0, ...). Offsets are in bytes from
// the start of the buffer. Every block size is even, so each block starts on
// a 2-byte boundary.
#ifndef QUANTA_DEQUANT_GLSL
#define QUANTA_DEQUANT_GLSL

float f16_at(uint byte_offset)
{
    return unpackHalf2x16(uint(wq[byte_offset >> 1])).x;
}

// The two bytes of the 16-bit word at the even `byte_offset`, low byte first.
uvec2 bytes_at(uint byte_offset)
{
    const uint word = uint(wq[byte_offset >> 1]);
    return uvec2(word & 0xFFu, word >> 8);
}

uint byte_at(uint byte_offset)
{
    const uint word = uint(wq[byte_offset >> 1]);
    return (byte_offset & 1u) == 0 ? (word & 0xFFu) : (word >> 8);
}

int sign_extend8(uint byte_value)
{
    return int(byte_value << 24) >> 24;
}

// dequant(base, j): element j of the block that starts at byte `base`.
// BLOCK_ELEMS and BLOCK_BYTES give the block's shape.
#if defined(WEIGHT_F16)
const uint BLOCK_ELEMS = 1;
const uint BLOCK_BYTES = 2;
float dequant(uint base, uint j)
{
    return f16_at(base);
}
#elif defined(WEIGHT_Q8_0)
// 34 bytes: d, then 32 signed quants. value = d * q.
const uint BLOCK_ELEMS = 32;
const uint BLOCK_BYTES = 34;
float dequant(uint base, uint j)
{
    return f16_at(base) * float(sign_extend8(byte_at(base + 2 + j)));
}
#elif defined(WEIGHT_Q4_0)
// 18 bytes: d, then 16 bytes whose low nibbles are elements 0..15 and high
// nibbles 16..31. value = d * (q - 8).
const uint BLOCK_ELEMS = 32;
const uint BLOCK_BYTES = 18;
float dequant(uint base, uint j)
{
    const uint q = byte_at(base + 2 + (j % 16));
    return f16_at(base) * (float(j < 16 ? (q & 15u) : (q >> 4)) - 8.0);
}
#elif defined(WEIGHT_Q4_1)
// 20 bytes: d, m, then nibbles as in Q4_0. value = d * q + m.
const uint BLOCK_ELEMS = 32;
const uint BLOCK_BYTES = 20;
float dequant(uint base, uint j)
{
    const uint q = byte_at(base + 4 + (j % 16));
    return f16_at(base) * float(j < 16 ? (q & 15u) : (q >> 4)) + f16_at(base + 2);
}
#elif defined(WEIGHT_Q4_G)
// Quanta's repacked GPTQ/AWQ 4-bit block, 20 bytes: d, a signed 16-bit zero
// point z, then nibbles as in Q4_0. value = d * (q - z).
const uint BLOCK_ELEMS = 32;
const uint BLOCK_BYTES = 20;
float dequant(uint base, uint j)
{
    const uint q = byte_at(base + 4 + (j % 16));
    const int z = int(uint(wq[(base + 2) >> 1]) << 16) >> 16;
    return f16_at(base) * float(int(j < 16 ? (q & 15u) : (q >> 4)) - z);
}
#elif defined(WEIGHT_Q8_G)
// The 8-bit block, 36 bytes: d, z - 128 (signed 16-bit), then 32 quants
// stored minus 128 (signed). value = d * (q - z).
const uint BLOCK_ELEMS = 32;
const uint BLOCK_BYTES = 36;
float dequant(uint base, uint j)
{
    const int z = int(uint(wq[(base + 2) >> 1]) << 16) >> 16;
    return f16_at(base) * float(sign_extend8(byte_at(base + 4 + j)) - z);
}
#elif defined(WEIGHT_Q5_0) || defined(WEIGHT_Q5_1)
// d (and m for Q5_1), four bytes of fifth bits (bit j for element j), then
// nibbles as in Q4_0. Q5_0: value = d * (q - 16); Q5_1: value = d * q + m.
const uint BLOCK_ELEMS = 32;
#if defined(WEIGHT_Q5_0)
const uint BLOCK_BYTES = 22;
const uint HEADER_BYTES = 2;
#else
const uint BLOCK_BYTES = 24;
const uint HEADER_BYTES = 4;
#endif
float dequant(uint base, uint j)
{
    const uint high = (byte_at(base + HEADER_BYTES + j / 8) >> (j % 8)) & 1u;
    const uint low_byte = byte_at(base + HEADER_BYTES + 4 + (j % 16));
    const uint q = (j < 16 ? (low_byte & 15u) : (low_byte >> 4)) | (high << 4);
#if defined(WEIGHT_Q5_0)
    return f16_at(base) * (float(q) - 16.0);
#else
    return f16_at(base) * float(q) + f16_at(base + 2);
#endif
}
#elif defined(WEIGHT_Q4_K) || defined(WEIGHT_Q5_K)
// The packed 6-bit scale and min of sub-block `sub` (0..7) from the 12
// bytes at `scales`, as Q4_K and Q5_K store them.
uvec2 k4_scale_min(uint scales, uint sub)
{
    if (sub < 4)
        return uvec2(byte_at(scales + sub) & 63u, byte_at(scales + sub + 4) & 63u);
    return uvec2((byte_at(scales + sub + 4) & 15u) | ((byte_at(scales + sub - 4) >> 6) << 4),
                 (byte_at(scales + sub + 4) >> 4) | ((byte_at(scales + sub) >> 6) << 4));
}

const uint BLOCK_ELEMS = 256;
#if defined(WEIGHT_Q4_K)
// 144 bytes: d, dmin, 12 bytes of scales and mins, then 128 bytes of
// nibbles. The 64-element chunk c uses bytes 32c..32c+31, low nibbles first.
// value = d * scale * q - dmin * min.
const uint BLOCK_BYTES = 144;
const uint QS_OFFSET = 16;
#else
// 176 bytes: as Q4_K with 32 bytes of fifth bits (bit j of byte l for
// element 32j + l) between the scales and the nibbles.
const uint BLOCK_BYTES = 176;
const uint QS_OFFSET = 48;
#endif
float dequant(uint base, uint j)
{
    const uint chunk = j / 64;
    const uint within = j % 64;
    const uint sub = 2 * chunk + (within >= 32 ? 1u : 0u);
    const uint q_byte = byte_at(base + QS_OFFSET + 32 * chunk + within % 32);
    uint q = within < 32 ? (q_byte & 15u) : (q_byte >> 4);
#if defined(WEIGHT_Q5_K)
    q |= ((byte_at(base + 16 + j % 32) >> sub) & 1u) << 4;
#endif
    const uvec2 scale_min = k4_scale_min(base + 4, sub);
    return f16_at(base) * float(scale_min.x) * float(q) - f16_at(base + 2) * float(scale_min.y);
}
#elif defined(WEIGHT_Q2_K)
// 84 bytes: 16 scale bytes (low nibble scale, high nibble min), 64 bytes of
// 2-bit quants, d, dmin. Element 128h + 32k + l is bits 2k..2k+1 of byte
// 32h + l. value = d * scale * q - dmin * min.
const uint BLOCK_ELEMS = 256;
const uint BLOCK_BYTES = 84;
float dequant(uint base, uint j)
{
    const uint h = j / 128;
    const uint k = (j % 128) / 32;
    const uint l = j % 32;
    const uint q = (byte_at(base + 16 + 32 * h + l) >> (2 * k)) & 3u;
    const uint sc = byte_at(base + j / 16);
    return f16_at(base + 80) * float(sc & 15u) * float(q) - f16_at(base + 82) * float(sc >> 4);
}
#elif defined(WEIGHT_Q3_K)
// 110 bytes: 32 bytes of top bits, 64 bytes of low 2 bits (as Q2_K), 12
// bytes of packed 6-bit scales biased by 32, then d.
// value = d * (scale - 32) * (q - 4).
const uint BLOCK_ELEMS = 256;
const uint BLOCK_BYTES = 110;
float dequant(uint base, uint j)
{
    const uint h = j / 128;
    const uint k = (j % 128) / 32;
    const uint l = j % 32;
    const uint low = (byte_at(base + 32 + 32 * h + l) >> (2 * k)) & 3u;
    const uint high = (byte_at(base + l) >> (4 * h + k)) & 1u;
    const uint s = j / 16;
    const uint scale_low = s < 8 ? (byte_at(base + 96 + s) & 15u) : (byte_at(base + 96 + s - 8) >> 4);
    const uint scale_high = (byte_at(base + 96 + 8 + s % 4) >> (2 * (s / 4))) & 3u;
    const int scale = int(scale_low | (scale_high << 4)) - 32;
    return f16_at(base + 108) * float(scale) * float(int(low | (high << 2)) - 4);
}
#elif defined(WEIGHT_IQ4_NL) || defined(WEIGHT_IQ4_XS)
// 4-bit indices into a fixed non-linear grid of 16 values.
const float IQ4_GRID[16] = float[16](-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0,
                                     1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);
#if defined(WEIGHT_IQ4_NL)
// 18 bytes: d, then nibbles as in Q4_0. value = d * grid[q].
const uint BLOCK_ELEMS = 32;
const uint BLOCK_BYTES = 18;
float dequant(uint base, uint j)
{
    const uint q = byte_at(base + 2 + (j % 16));
    return f16_at(base) * IQ4_GRID[j < 16 ? (q & 15u) : (q >> 4)];
}
#else
// 136 bytes: d, 16 bits of high scale bits, 4 bytes of low scale nibbles,
// then 128 bytes of indices, 16 per 32-element sub-block.
// value = d * (scale - 32) * grid[q].
const uint BLOCK_ELEMS = 256;
const uint BLOCK_BYTES = 136;
float dequant(uint base, uint j)
{
    const uint sub = j / 32;
    const uint l = j % 32;
    const uint scale_low = (byte_at(base + 4 + sub / 2) >> (4 * (sub % 2))) & 15u;
    const uint scale_high = (uint(wq[(base + 2) >> 1]) >> (2 * sub)) & 3u;
    const int scale = int(scale_low | (scale_high << 4)) - 32;
    const uint q = byte_at(base + 8 + 16 * sub + l % 16);
    return f16_at(base) * float(scale) * IQ4_GRID[l < 16 ? (q & 15u) : (q >> 4)];
}
#endif
#elif defined(WEIGHT_Q6_K)
// 210 bytes: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16
// signed sub-block scales, then d. value = d * scale * (q - 32).
const uint BLOCK_ELEMS = 256;
const uint BLOCK_BYTES = 210;
float dequant(uint base, uint j)
{
    const uint half_index = j / 128;
    const uint l = j % 128;
    const uint quarter = l / 32;
    const uint lane = l % 32;
    const uint low_byte = byte_at(base + 64 * half_index + lane + (quarter % 2) * 32);
    const uint low = quarter < 2 ? (low_byte & 15u) : (low_byte >> 4);
    const uint high = (byte_at(base + 128 + 32 * half_index + lane) >> (2 * quarter)) & 3u;
    const int q = int(low | (high << 4)) - 32;
    const int scale = sign_extend8(byte_at(base + 192 + 8 * half_index + lane / 16 + 2 * quarter));
    return f16_at(base + 208) * float(scale) * float(q);
}
#endif

#endif

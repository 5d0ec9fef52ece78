// The activations of the int8 matrix-matrix path, as quantize_int8.comp
// writes them and matmul_int8.comp reads them, in one buffer of 32-bit
// words (`uint qa[]`, declared by the including shader):
// - words [0, n_tokens * n_in / 4): the int8 quants of token t, element k
//   in byte k % 4 of word t * n_in / 4 + k / 4 (the packed operand format
//   of the integer dot product, and the byte order of an int8_t array);
// - then two words per 32-element block b of token t, at
//   int8_block_word(t, b): the F32 step (value = step * quant) and the
//   signed sum of the block's 32 quants.
// n_in is a multiple of 32.
#ifndef QUANTA_INT8_ACTIVATIONS_GLSL
#define QUANTA_INT8_ACTIVATIONS_GLSL

const uint INT8_BLOCK = 32;
const uint INT8_WORDS_PER_BLOCK = INT8_BLOCK / 4;

uint int8_quant_word(uint n_in, uint token, uint word)
{
    return token * (n_in / 4) + word;
}

uint int8_block_word(uint n_tokens, uint n_in, uint token, uint block)
{
    return n_tokens * (n_in / 4) + 2 * (token * (n_in / INT8_BLOCK) + block);
}

#endif

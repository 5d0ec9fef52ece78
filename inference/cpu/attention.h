// Attention kernel over a layer's KV cache rows, shared by the graphs'
// attention op (model/ops.cpp) and its AVX2 implementation.
#pragma once

#include <cstdint>

namespace quanta {

class ThreadPool;

// One layer's attention problem. Keys and values are the cache rows of
// positions 0 .. pos0 + n_tokens - 1, each n_embd_kv elements of F32 or F16.
struct AttentionInput {
    const float* q = nullptr;   // [n_tokens, n_head * head_dim], RoPE applied
    float* out = nullptr;       // [n_tokens, n_head * head_dim]
    const void* keys = nullptr;
    const void* values = nullptr;
    bool f16 = false;           // cache rows are F16 (uint16_t) rather than F32
    int64_t n_tokens = 0;
    int pos0 = 0;               // position of the first query token
    int n_head = 0;
    int n_head_kv = 0;
    int head_dim = 0;
    int n_embd_kv = 0;          // elements per cache row
    float scale = 1.0f;         // applied to the scores before the softmax
};

// Replaces the n scores with exp(score - max) and returns 1 / their sum,
// so score * result is the softmax weight. The sum is taken in double.
float softmax_exponentiate(float* scores, int n);

namespace avx2 {
// True when the AVX2 kernel handles this head size.
bool attention_supported(int head_dim);
void attention(const AttentionInput& input, ThreadPool& pool);
} // namespace avx2

} // namespace quanta

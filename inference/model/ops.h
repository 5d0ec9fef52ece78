// Element-wise and attention operations of the transformer graphs, on F32
// activations. The matrix products live in cpu/matmul.h.
#pragma once

#include <cstdint>

namespace quanta {

class KvCache;
class ThreadPool;

// out[t] = x[t] / sqrt(mean(x[t]^2) + eps) * weight, for `n_tokens` rows of
// `n` values. `out` may alias `x`.
void rms_norm(const float* x, const float* weight, float* out, int64_t n_tokens, int64_t n, float eps);

// Rotary position embedding in the "normal" layout, where adjacent pairs
// rotate together. It works in place on `n_tokens` rows of `n_heads` heads of
// `head_dim` values, and only the first `n_rot` values of each head rotate.
// Token t is at position pos0 + t. `freq_factors` (n_rot / 2 values, may be
// null) divides each pair's frequency, as Llama 3.1's rope_freqs tensor does.
struct RopeParams {
    int n_rot = 0;
    float freq_base = 10000.0f;
    float freq_scale = 1.0f;
    const float* freq_factors = nullptr;
};
void rope(float* x, int64_t n_tokens, int n_heads, int head_dim, int pos0, const RopeParams& params);

// gate[i] = silu(gate[i]) * up[i] for n values (SwiGLU).
void swiglu(float* gate, const float* up, int64_t n);

// x[i] += y[i].
void add_in_place(float* x, const float* y, int64_t n);

// Causal grouped-query attention of `n_tokens` queries at positions pos0,
// pos0 + 1, ... over the keys and values of layer `layer` in `kv`, which
// already contains these tokens. q: [n_tokens, n_head * head_dim];
// out: [n_tokens, n_head * head_dim]. Query head h reads KV head
// h / (n_head / n_head_kv).
struct AttentionShape {
    int n_head = 0;
    int n_head_kv = 0;
    int head_dim = 0;
    float scale = 1.0f; // usually 1 / sqrt(head_dim)
};
void attention(const float* q, int64_t n_tokens, int pos0, int layer, const KvCache& kv, const AttentionShape& shape,
               float* out, ThreadPool& pool);

} // namespace quanta

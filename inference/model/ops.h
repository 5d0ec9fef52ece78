// Element-wise and attention operations of the transformer graphs, on F32
// activations. The matrix products live in cpu/matmul.h.
#pragma once

#include <cstdint>
#include <vector>

namespace quanta {

class KvCache;
class ThreadPool;

// out[t] = x[t] / sqrt(mean(x[t]^2) + eps) * weight, for `n_tokens` rows of
// `n` values. `out` may alias `x`.
void rms_norm(const float* x, const float* weight, float* out, int64_t n_tokens, int64_t n, float eps);

// Pairing of the head values that rotate together, named as llama.cpp's rope types.
enum class RopeMode {
    Normal, // adjacent pairs (x[2i], x[2i+1]): llama
    Neox,   // x[i] and x[i + n_rot / 2]: GPT-NeoX, Qwen2, Phi-3, Gemma
};

// Rotary position embedding. It works in place on `n_tokens` rows of
// `n_heads` heads of `head_dim` values, and only the first `n_rot` values of
// each head rotate. Token t is at position pos0 + t; pair i turns by
// pos * freq_scale * freq_base^(-2i / n_rot) / freq_factors[i].
struct RopeParams {
    RopeMode mode = RopeMode::Normal;
    int n_rot = 0;
    float freq_base = 10000.0f;
    float freq_scale = 1.0f;
    // Multiplies cos and sin, as LongRoPE's attention factor does.
    float attn_factor = 1.0f;
    // n_rot / 2 frequency divisors (Llama 3.1's rope_freqs, Phi-3's LongRoPE
    // factors), or null for none.
    const float* freq_factors = nullptr;
};
void rope(float* x, int64_t n_tokens, int n_heads, int head_dim, int pos0, const RopeParams& params);

// Llama 3.1's RoPE frequency divisors, n_rot / 2 of them, from the
// parameters of Meta's formula (apply_scaling in Meta's llama-models). A
// pair whose wavelength is below original_context / high_freq_factor keeps
// its frequency, one above original_context / low_freq_factor turns
// `factor` times slower, and those in between blend the two. llama.cpp's
// converter stores the same values as the rope_freqs tensor.
struct Llama3RopeScaling {
    float factor = 8.0f;
    float low_freq_factor = 1.0f;
    float high_freq_factor = 4.0f; // larger than low_freq_factor
    int original_context = 8192;
};
std::vector<float> llama3_rope_divisors(float freq_base, int n_rot, const Llama3RopeScaling& scaling);

// gate[i] = silu(gate[i]) * up[i] for n values (SwiGLU).
void swiglu(float* gate, const float* up, int64_t n);

// gate[i] = gelu(gate[i]) * up[i] for n values, with GELU's tanh
// approximation (GeGLU, Gemma's feed-forward).
void geglu(float* gate, const float* up, int64_t n);

// x[i] += y[i].
void add_in_place(float* x, const float* y, int64_t n);

// x[t][i] += bias[i] for `n_tokens` rows of `n` values.
void add_bias(float* x, const float* bias, int64_t n_tokens, int64_t n);

// x[i] *= factor.
void scale_in_place(float* x, int64_t n, float factor);

// x[i] = cap * tanh(x[i] / cap): Gemma 2's logit soft-capping.
void soft_cap(float* x, int64_t n, float cap);

// Causal grouped-query attention of `n_tokens` queries at positions pos0,
// pos0 + 1, ... over the keys and values of layer `layer` in `kv`, which
// already contains these tokens. q: [n_tokens, n_head * head_dim];
// out: [n_tokens, n_head * head_dim]. Query head h reads KV head
// h / (n_head / n_head_kv). A query at position p attends to the keys at p
// and before, and with a sliding window only to those after p - window.
struct AttentionShape {
    int n_head = 0;
    int n_head_kv = 0;
    int head_dim = 0;
    float scale = 1.0f;    // multiplies q.k; usually 1 / sqrt(head_dim)
    float softcap = 0.0f;  // when positive, scores become softcap * tanh(score / softcap)
    int window = 0;        // sliding-window size in positions; 0 for none
};
void attention(const float* q, int64_t n_tokens, int pos0, int layer, const KvCache& kv, const AttentionShape& shape,
               float* out, ThreadPool& pool);

} // namespace quanta

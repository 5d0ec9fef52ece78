// The forward pass that the decoder-only architectures share, and the
// loading of their common tensors.
//
// Each architecture's file (llama.cpp, qwen2.cpp, gemma2.cpp, gemma3.cpp,
// phi3.cpp) reads its own metadata, loads its tensors through the helpers
// here and fills in DecoderSettings. The pass below then takes each optional
// step (Q/K/V biases, per-head norms, post-norms, soft-capping, sliding
// windows, fused projections) only where a layer has the tensor or setting
// for it.
#pragma once

#include "core/huge_page_buffer.h"
#include "model/model_graph.h"
#include "model/ops.h"

#include <initializer_list>
#include <optional>
#include <vector>

namespace quanta {

// Activation of the gated feed-forward block: act(gate) * up.
enum class GateActivation {
    Silu,     // SwiGLU: llama, qwen2, phi3
    GeluTanh, // GeGLU with GELU's tanh approximation: gemma2, gemma3
};

// One transformer block. An optional vector is empty and an optional matrix
// has data == nullptr when the file has no such tensor.
struct DecoderLayer {
    // Attention.
    std::vector<float> attn_norm;      // [n_embd]
    WeightMatrix wq;                   // [n_embd -> n_embd_q]
    WeightMatrix wk;                   // [n_embd -> n_embd_kv]
    WeightMatrix wv;                   // [n_embd -> n_embd_kv]
    WeightMatrix wqkv;                 // [n_embd -> n_embd_q + 2 n_embd_kv] Q|K|V in one matrix; replaces wq/wk/wv
    std::vector<float> bq;             // [n_embd_q] query bias (qwen2)
    std::vector<float> bk;             // [n_embd_kv] key bias
    std::vector<float> bv;             // [n_embd_kv] value bias
    std::vector<float> q_norm;         // [head_dim] RMSNorm weight of every query head (gemma3)
    std::vector<float> k_norm;         // [head_dim] RMSNorm weight of every key head
    WeightMatrix wo;                   // [n_embd_q -> n_embd]
    std::vector<float> attn_post_norm; // [n_embd] RMSNorm of the attention output (gemma2/3)

    // Feed-forward.
    std::vector<float> ffn_norm;       // [n_embd]
    WeightMatrix w_gate;               // [n_embd -> n_ff]; absent when w_up contains both halves
    WeightMatrix w_up;                 // [n_embd -> n_ff], or [n_embd -> 2 n_ff] gate|up in one matrix (phi3)
    WeightMatrix w_down;               // [n_ff -> n_embd]
    std::vector<float> ffn_post_norm;  // [n_embd] RMSNorm of the feed-forward output (gemma2/3)

    // Attention settings of this layer.
    int window = 0;                    // sliding-window size in positions, 0 for full causal attention
    float rope_freq_base = 10000.0f;
    float rope_freq_scale = 1.0f;
};

// Optional per-layer tensors an architecture loads.
struct LayerTensors {
    bool allow_fused_qkv = false; // attn_qkv where the file has it, attn_q/k/v otherwise
    bool qkv_bias = false;        // attn_q/k/v.bias
    bool qk_norm = false;         // attn_q_norm, attn_k_norm
    bool post_norms = false;      // post_attention_norm, post_ffw_norm
    bool fused_gate_up = false;   // ffn_up contains gate and up, and there is no ffn_gate
};

// Settings of the forward pass that hold for the whole model.
struct DecoderSettings {
    RopeMode rope_mode = RopeMode::Normal;
    GateActivation activation = GateActivation::Silu;
    float embedding_scale = 1.0f;          // multiplies the token embeddings (gemma: sqrt(n_embd))
    float attention_scale = 0.0f;          // multiplies q.k; 0 means 1 / sqrt(head_dim)
    float attn_softcap = 0.0f;             // soft-capping of attention scores, 0 for none
    float final_softcap = 0.0f;            // soft-capping of the logits, 0 for none
    float rope_attn_factor = 1.0f;         // multiplies RoPE's cos and sin
    std::vector<float> rope_freqs;         // [n_rot / 2] frequency divisors for any context, or empty
    std::vector<float> rope_factors_short; // [n_rot / 2] LongRoPE divisors up to n_ctx_orig, or empty
    std::vector<float> rope_factors_long;  // [n_rot / 2] LongRoPE divisors beyond n_ctx_orig, or empty
};

class DecoderGraph : public ModelGraph {
public:
    void forward(std::span<const TokenId> tokens, int pos0, KvCache& kv, ForwardScratch& scratch, ThreadPool& pool,
                 float* logits, bool all_logits, LayerOffload* offload = nullptr) const final;

    // The loaded tensors and settings, which the GPU backend uploads.
    const DecoderSettings& settings() const { return settings_; }
    const std::vector<DecoderLayer>& layers() const { return layers_; }
    const WeightMatrix& token_embedding() const { return token_embd_; }
    const std::vector<float>& output_norm() const { return output_norm_; }
    const WeightMatrix& output() const { return output_; }
    CpuWeightCopies copy_cpu_weights(const CpuWeightCopyOptions& options) final;

    // The RoPE frequency divisors for a context of n_ctx positions, or null.
    const float* rope_factors(int n_ctx) const;
    // The attention score scale: the architecture's, or 1 / sqrt(head_dim).
    float attention_scale() const;

protected:
    // Reads the hyperparameters and loads token_embd, output_norm and output
    // (the embedding matrix when the file has no output.weight).
    void load_common(const GgufFile& file, KernelMode kernels);

    // Loads every block's tensors. Each layer starts with full attention and
    // the file's RoPE base and scale.
    void load_layers(const GgufFile& file, const LayerTensors& tensors);

    // Reads {arch}.attention.sliding_window in positions (0 for none).
    // Without the key it returns `fallback`, or throws FormatError naming
    // the file and key when there is none.
    int read_sliding_window(const GgufFile& file, std::optional<int> fallback) const;

    // Gives layer il a sliding window of `window` positions when
    // il % pattern < pattern - 1, as llama.cpp's SWA pattern does, so every
    // `pattern`-th layer keeps full attention. Pattern 0 windows every layer.
    void set_sliding_window(int window, int pattern);

    // Throws UnsupportedError naming the file, the architecture and the
    // scaling type unless hparams_.rope_scaling is one of `supported`.
    void check_rope_scaling(const GgufFile& file, std::initializer_list<RopeScalingType> supported) const;

    DecoderSettings settings_;
    std::vector<DecoderLayer> layers_;

private:
    void embed(std::span<const TokenId> tokens, ForwardScratch& s) const;
    // Q, K and V of s.norm into s.q, s.k, s.v, with biases where present.
    void project_qkv(const DecoderLayer& layer, ForwardScratch& s, int64_t n_tokens, ThreadPool& pool) const;
    // The gated feed-forward block of s.norm into s.proj.
    void feed_forward(const DecoderLayer& layer, ForwardScratch& s, int64_t n_tokens, ThreadPool& pool) const;
    WeightMatrix token_embd_;        // [n_embd] per token, n_vocab rows
    std::vector<float> output_norm_; // [n_embd]
    WeightMatrix output_;            // [n_embd -> n_vocab]; token_embd_ when tied
    // The storage of the matrices copy_cpu_weights() replaced.
    HugePageBuffer cpu_weights_;
};

} // namespace quanta

#include "model/decoder.h"

#include "core/error.h"
#include "core/thread_pool.h"
#include "gguf/gguf_reader.h"
#include "model/kv_cache.h"
#include "model/weights.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace quanta {

namespace {

// Largest sliding window accepted, the largest context read_hyperparams()
// accepts; it keeps hostile metadata from overflowing position arithmetic.
constexpr uint64_t kMaxWindow = 1u << 24;

// Copies `width` floats at `offset` of each of `n_tokens` rows of `src`
// (row length `src_width`) into the rows of `dst`.
void copy_columns(const float* src, int64_t src_width, int64_t offset, int64_t width, int64_t n_tokens, float* dst)
{
    for (int64_t t = 0; t < n_tokens; ++t)
        std::memcpy(dst + t * width, src + t * src_width + offset, static_cast<size_t>(width) * sizeof(float));
}

} // namespace

void DecoderGraph::load_common(const GgufFile& file, KernelMode kernels)
{
    kernels_ = kernels;
    hparams_ = read_hyperparams(file);
    Hyperparams& hp = hparams_;

    // The vocabulary size is the embedding matrix's row count.
    const GgufTensor& embd = file.tensor("token_embd.weight");
    if (embd.n_dims != 2 || embd.ne[0] != static_cast<uint64_t>(hp.n_embd) || embd.ne[1] == 0 ||
        embd.ne[1] > (1u << 24)) {
        throw FormatError(file.path() + ": tensor 'token_embd.weight' has " + std::to_string(embd.n_dims) +
                          " dimensions and ne[0] = " + std::to_string(embd.ne[0]) + ", expected {" +
                          std::to_string(hp.n_embd) + ", n_vocab}");
    }
    hp.n_vocab = static_cast<int>(embd.ne[1]);
    token_embd_ = load_matrix(file, "token_embd.weight", hp.n_embd, hp.n_vocab);

    output_norm_ = load_vector(file, "output_norm.weight", hp.n_embd);
    // Without output.weight the embedding matrix doubles as the output
    // projection (tied embeddings, as in Llama 3.2 1B/3B, small Qwen2.5
    // models and Gemma).
    output_ = has_tensor(file, "output.weight") ? load_matrix(file, "output.weight", hp.n_embd, hp.n_vocab)
                                                 : token_embd_;
}

void DecoderGraph::load_layers(const GgufFile& file, const LayerTensors& tensors)
{
    const Hyperparams& hp = hparams_;
    layers_.resize(static_cast<size_t>(hp.n_layer));
    for (int i = 0; i < hp.n_layer; ++i) {
        const std::string prefix = "blk." + std::to_string(i) + ".";
        DecoderLayer& layer = layers_[static_cast<size_t>(i)];

        // Attention.
        layer.attn_norm = load_vector(file, prefix + "attn_norm.weight", hp.n_embd);
        if (tensors.allow_fused_qkv && has_tensor(file, prefix + "attn_qkv.weight")) {
            const int width = hp.n_embd_q() + 2 * hp.n_embd_kv();
            layer.wqkv = load_matrix(file, prefix + "attn_qkv.weight", hp.n_embd, width);
            fused_width_ = std::max(fused_width_, width);
        } else {
            layer.wq = load_matrix(file, prefix + "attn_q.weight", hp.n_embd, hp.n_embd_q());
            layer.wk = load_matrix(file, prefix + "attn_k.weight", hp.n_embd, hp.n_embd_kv());
            layer.wv = load_matrix(file, prefix + "attn_v.weight", hp.n_embd, hp.n_embd_kv());
        }
        if (tensors.qkv_bias) {
            layer.bq = load_vector(file, prefix + "attn_q.bias", hp.n_embd_q());
            layer.bk = load_vector(file, prefix + "attn_k.bias", hp.n_embd_kv());
            layer.bv = load_vector(file, prefix + "attn_v.bias", hp.n_embd_kv());
        }
        if (tensors.qk_norm) {
            layer.q_norm = load_vector(file, prefix + "attn_q_norm.weight", hp.head_dim);
            layer.k_norm = load_vector(file, prefix + "attn_k_norm.weight", hp.head_dim);
        }
        layer.wo = load_matrix(file, prefix + "attn_output.weight", hp.n_embd_q(), hp.n_embd);
        if (tensors.post_norms)
            layer.attn_post_norm = load_vector(file, prefix + "post_attention_norm.weight", hp.n_embd);

        // Feed-forward.
        layer.ffn_norm = load_vector(file, prefix + "ffn_norm.weight", hp.n_embd);
        if (tensors.fused_gate_up) {
            layer.w_up = load_matrix(file, prefix + "ffn_up.weight", hp.n_embd, 2 * hp.n_ff);
            fused_width_ = std::max(fused_width_, 2 * hp.n_ff);
        } else {
            layer.w_gate = load_matrix(file, prefix + "ffn_gate.weight", hp.n_embd, hp.n_ff);
            layer.w_up = load_matrix(file, prefix + "ffn_up.weight", hp.n_embd, hp.n_ff);
        }
        layer.w_down = load_matrix(file, prefix + "ffn_down.weight", hp.n_ff, hp.n_embd);
        if (tensors.post_norms)
            layer.ffn_post_norm = load_vector(file, prefix + "post_ffw_norm.weight", hp.n_embd);

        layer.rope_freq_base = hp.rope_freq_base;
        layer.rope_freq_scale = hp.rope_freq_scale;
    }
}

int DecoderGraph::read_sliding_window(const GgufFile& file, std::optional<int> fallback) const
{
    const std::string key = hparams_.architecture + ".attention.sliding_window";
    if (!file.contains(key) && fallback)
        return *fallback;
    const uint64_t window = file.get_uint(key);
    if (window > kMaxWindow) {
        throw FormatError(file.path() + ": metadata '" + key + "' is " + std::to_string(window) +
                          ", expected a window of at most " + std::to_string(kMaxWindow) + " positions");
    }
    return static_cast<int>(window);
}

void DecoderGraph::set_sliding_window(int window, int pattern)
{
    for (size_t il = 0; il < layers_.size(); ++il) {
        const int index = static_cast<int>(il);
        const bool windowed = pattern == 0 || index % pattern < pattern - 1;
        layers_[il].window = windowed ? window : 0;
    }
}

void DecoderGraph::check_rope_scaling(const GgufFile& file, std::initializer_list<RopeScalingType> supported) const
{
    std::string names;
    for (RopeScalingType type : supported) {
        if (type == hparams_.rope_scaling)
            return;
        names += (names.empty() ? "" : ", ") + std::string(rope_scaling_name(type));
    }
    throw UnsupportedError(file.path() + ": RoPE scaling type '" + rope_scaling_name(hparams_.rope_scaling) +
                           "' is not supported for architecture '" + hparams_.architecture + "' (supported: " +
                           names + ")");
}

const float* DecoderGraph::rope_factors(int n_ctx) const
{
    // LongRoPE switches to the long factors when the context exceeds the
    // original one, as llama.cpp's get_rope_factors() does.
    if (!settings_.rope_freqs.empty())
        return settings_.rope_freqs.data();
    if (!settings_.rope_factors_long.empty() && n_ctx > hparams_.n_ctx_orig)
        return settings_.rope_factors_long.data();
    if (!settings_.rope_factors_short.empty())
        return settings_.rope_factors_short.data();
    return nullptr;
}

void DecoderGraph::embed(std::span<const TokenId> tokens, ForwardScratch& s) const
{
    const Hyperparams& hp = hparams_;
    const int64_t n_embd = hp.n_embd;
    const int64_t n = static_cast<int64_t>(tokens.size());
    for (int64_t t = 0; t < n; ++t) {
        const TokenId token = tokens[static_cast<size_t>(t)];
        if (token < 0 || token >= hp.n_vocab)
            throw Error("token id " + std::to_string(token) + " is outside the vocabulary (0.." +
                        std::to_string(hp.n_vocab - 1) + ")");
        dequantize_row(token_embd_, token, s.x.data() + t * n_embd, kernels_);
    }
    if (settings_.embedding_scale != 1.0f)
        scale_in_place(s.x.data(), n * n_embd, settings_.embedding_scale);
}

void DecoderGraph::project_qkv(const DecoderLayer& layer, ForwardScratch& s, int64_t n, ThreadPool& pool) const
{
    const int64_t n_embd_q = hparams_.n_embd_q();
    const int64_t n_embd_kv = hparams_.n_embd_kv();
    if (layer.wqkv.data) {
        // One product, then each token's Q|K|V row split into the three buffers.
        const int64_t width = n_embd_q + 2 * n_embd_kv;
        matmul(layer.wqkv, s.norm.data(), n, s.fused.data(), pool, kernels_);
        copy_columns(s.fused.data(), width, 0, n_embd_q, n, s.q.data());
        copy_columns(s.fused.data(), width, n_embd_q, n_embd_kv, n, s.k.data());
        copy_columns(s.fused.data(), width, n_embd_q + n_embd_kv, n_embd_kv, n, s.v.data());
    } else {
        matmul(layer.wq, s.norm.data(), n, s.q.data(), pool, kernels_);
        matmul(layer.wk, s.norm.data(), n, s.k.data(), pool, kernels_);
        matmul(layer.wv, s.norm.data(), n, s.v.data(), pool, kernels_);
    }
    if (!layer.bq.empty()) {
        add_bias(s.q.data(), layer.bq.data(), n, n_embd_q);
        add_bias(s.k.data(), layer.bk.data(), n, n_embd_kv);
        add_bias(s.v.data(), layer.bv.data(), n, n_embd_kv);
    }
}

void DecoderGraph::feed_forward(const DecoderLayer& layer, ForwardScratch& s, int64_t n, ThreadPool& pool) const
{
    const int64_t n_ff = hparams_.n_ff;
    if (layer.w_gate.data) {
        matmul(layer.w_gate, s.norm.data(), n, s.gate.data(), pool, kernels_);
        matmul(layer.w_up, s.norm.data(), n, s.up.data(), pool, kernels_);
    } else {
        // ffn_up's first n_ff outputs are the gate, the other n_ff are up.
        matmul(layer.w_up, s.norm.data(), n, s.fused.data(), pool, kernels_);
        copy_columns(s.fused.data(), 2 * n_ff, 0, n_ff, n, s.gate.data());
        copy_columns(s.fused.data(), 2 * n_ff, n_ff, n_ff, n, s.up.data());
    }
    if (settings_.activation == GateActivation::Silu)
        swiglu(s.gate.data(), s.up.data(), n * n_ff);
    else
        geglu(s.gate.data(), s.up.data(), n * n_ff);
    matmul(layer.w_down, s.gate.data(), n, s.proj.data(), pool, kernels_);
}

float DecoderGraph::attention_scale() const
{
    if (settings_.attention_scale > 0.0f)
        return settings_.attention_scale;
    return 1.0f / std::sqrt(static_cast<float>(hparams_.head_dim));
}

void DecoderGraph::forward(std::span<const TokenId> tokens, int pos0, KvCache& kv, ForwardScratch& s, ThreadPool& pool,
                           float* logits, bool all_logits, LayerOffload* offload) const
{
    const Hyperparams& hp = hparams_;
    const int64_t n = static_cast<int64_t>(tokens.size());
    const int64_t n_embd = hp.n_embd;
    const int64_t n_embd_kv = hp.n_embd_kv();
    reserve(s, static_cast<int>(n));

    // Token embeddings: one dequantized row per token, scaled where the
    // architecture scales them.
    embed(tokens, s);

    // Offloaded layers first; the GPU may finish the whole pass.
    int first_layer = 0;
    if (offload) {
        offload->forward(tokens, s.x.data(), pos0, s.x.data(), logits, all_logits);
        if (offload->runs_output())
            return;
        first_layer = offload->n_layers();
    }

    // RoPE and attention settings of every layer; the RoPE base and scale
    // and the window are set per layer below.
    RopeParams rope_params;
    rope_params.mode = settings_.rope_mode;
    rope_params.n_rot = hp.n_rot;
    rope_params.attn_factor = settings_.rope_attn_factor;
    rope_params.freq_factors = rope_factors(kv.n_ctx());

    AttentionShape shape;
    shape.n_head = hp.n_head;
    shape.n_head_kv = hp.n_head_kv;
    shape.head_dim = hp.head_dim;
    shape.scale = attention_scale();
    shape.softcap = settings_.attn_softcap;

    for (int il = first_layer; il < hp.n_layer; ++il) {
        const DecoderLayer& layer = layers_[static_cast<size_t>(il)];

        // Attention block: pre-norm, Q/K/V projections, per-head norms
        // where present, RoPE on Q and K.
        rms_norm(s.x.data(), layer.attn_norm.data(), s.norm.data(), n, n_embd, hp.rms_eps);
        project_qkv(layer, s, n, pool);
        if (!layer.q_norm.empty()) {
            rms_norm(s.q.data(), layer.q_norm.data(), s.q.data(), n * hp.n_head, hp.head_dim, hp.rms_eps);
            rms_norm(s.k.data(), layer.k_norm.data(), s.k.data(), n * hp.n_head_kv, hp.head_dim, hp.rms_eps);
        }
        rope_params.freq_base = layer.rope_freq_base;
        rope_params.freq_scale = layer.rope_freq_scale;
        rope(s.q.data(), n, hp.n_head, hp.head_dim, pos0, rope_params);
        rope(s.k.data(), n, hp.n_head_kv, hp.head_dim, pos0, rope_params);

        // Append this batch's keys and values, then attend causally within
        // the layer's window.
        for (int64_t t = 0; t < n; ++t)
            kv.store(il, pos0 + static_cast<int>(t), s.k.data() + t * n_embd_kv, s.v.data() + t * n_embd_kv);
        shape.window = layer.window;
        attention(s.q.data(), n, pos0, il, kv, shape, s.attn.data(), pool);

        // Output projection, post-norm where present, residual connection.
        matmul(layer.wo, s.attn.data(), n, s.proj.data(), pool, kernels_);
        if (!layer.attn_post_norm.empty())
            rms_norm(s.proj.data(), layer.attn_post_norm.data(), s.proj.data(), n, n_embd, hp.rms_eps);
        add_in_place(s.x.data(), s.proj.data(), n * n_embd);

        // Feed-forward block: pre-norm, gated activation, down projection,
        // post-norm where present, residual connection.
        rms_norm(s.x.data(), layer.ffn_norm.data(), s.norm.data(), n, n_embd, hp.rms_eps);
        feed_forward(layer, s, n, pool);
        if (!layer.ffn_post_norm.empty())
            rms_norm(s.proj.data(), layer.ffn_post_norm.data(), s.proj.data(), n, n_embd, hp.rms_eps);
        add_in_place(s.x.data(), s.proj.data(), n * n_embd);
    }

    // Final norm and the output projection, for every row or only the last,
    // then soft-capping where the architecture has it.
    const int64_t first = all_logits ? 0 : n - 1;
    const int64_t rows = n - first;
    rms_norm(s.x.data() + first * n_embd, output_norm_.data(), s.norm.data(), rows, n_embd, hp.rms_eps);
    matmul(output_, s.norm.data(), rows, logits, pool, kernels_);
    if (settings_.final_softcap > 0.0f)
        soft_cap(logits, rows * hp.n_vocab, settings_.final_softcap);
}

} // namespace quanta

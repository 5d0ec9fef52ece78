#include "model/llama.h"

#include "core/error.h"
#include "core/thread_pool.h"
#include "gguf/gguf_reader.h"
#include "model/kv_cache.h"
#include "model/ops.h"
#include "model/weights.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace quanta {

LlamaGraph::LlamaGraph(const GgufFile& file, KernelMode kernels)
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
    // projection (tied embeddings, as in Llama 3.2 1B/3B).
    output_ = has_tensor(file, "output.weight") ? load_matrix(file, "output.weight", hp.n_embd, hp.n_vocab)
                                                 : token_embd_;
    if (has_tensor(file, "rope_freqs.weight"))
        rope_freqs_ = load_vector(file, "rope_freqs.weight", hp.n_rot / 2);

    layers_.resize(static_cast<size_t>(hp.n_layer));
    for (int i = 0; i < hp.n_layer; ++i) {
        const std::string prefix = "blk." + std::to_string(i) + ".";
        Layer& layer = layers_[static_cast<size_t>(i)];
        layer.attn_norm = load_vector(file, prefix + "attn_norm.weight", hp.n_embd);
        layer.wq = load_matrix(file, prefix + "attn_q.weight", hp.n_embd, hp.n_embd_q());
        layer.wk = load_matrix(file, prefix + "attn_k.weight", hp.n_embd, hp.n_embd_kv());
        layer.wv = load_matrix(file, prefix + "attn_v.weight", hp.n_embd, hp.n_embd_kv());
        layer.wo = load_matrix(file, prefix + "attn_output.weight", hp.n_embd_q(), hp.n_embd);
        layer.ffn_norm = load_vector(file, prefix + "ffn_norm.weight", hp.n_embd);
        layer.w_gate = load_matrix(file, prefix + "ffn_gate.weight", hp.n_embd, hp.n_ff);
        layer.w_up = load_matrix(file, prefix + "ffn_up.weight", hp.n_embd, hp.n_ff);
        layer.w_down = load_matrix(file, prefix + "ffn_down.weight", hp.n_ff, hp.n_embd);
    }
}

void LlamaGraph::forward(std::span<const TokenId> tokens, int pos0, KvCache& kv, ForwardScratch& s, ThreadPool& pool,
                         float* logits, bool all_logits) const
{
    const Hyperparams& hp = hparams_;
    const int64_t n = static_cast<int64_t>(tokens.size());
    const int64_t n_embd = hp.n_embd;
    const int64_t n_embd_kv = hp.n_embd_kv();
    reserve(s, static_cast<int>(n));

    // Token embeddings: one dequantized row per token.
    for (int64_t t = 0; t < n; ++t) {
        const TokenId token = tokens[static_cast<size_t>(t)];
        if (token < 0 || token >= hp.n_vocab)
            throw Error("token id " + std::to_string(token) + " is outside the vocabulary (0.." +
                        std::to_string(hp.n_vocab - 1) + ")");
        dequantize_row(token_embd_, token, s.x.data() + t * n_embd, kernels_);
    }

    RopeParams rope_params;
    rope_params.n_rot = hp.n_rot;
    rope_params.freq_base = hp.rope_freq_base;
    rope_params.freq_scale = hp.rope_freq_scale;
    rope_params.freq_factors = rope_freqs_.empty() ? nullptr : rope_freqs_.data();

    AttentionShape shape;
    shape.n_head = hp.n_head;
    shape.n_head_kv = hp.n_head_kv;
    shape.head_dim = hp.head_dim;
    shape.scale = 1.0f / std::sqrt(static_cast<float>(hp.head_dim));

    for (int il = 0; il < hp.n_layer; ++il) {
        const Layer& layer = layers_[static_cast<size_t>(il)];

        // Attention block: pre-norm, Q/K/V projections, RoPE on Q and K.
        rms_norm(s.x.data(), layer.attn_norm.data(), s.norm.data(), n, n_embd, hp.rms_eps);
        matmul(layer.wq, s.norm.data(), n, s.q.data(), pool, kernels_);
        matmul(layer.wk, s.norm.data(), n, s.k.data(), pool, kernels_);
        matmul(layer.wv, s.norm.data(), n, s.v.data(), pool, kernels_);
        rope(s.q.data(), n, hp.n_head, hp.head_dim, pos0, rope_params);
        rope(s.k.data(), n, hp.n_head_kv, hp.head_dim, pos0, rope_params);

        // Append this batch's keys and values, then attend causally.
        for (int64_t t = 0; t < n; ++t)
            kv.store(il, pos0 + static_cast<int>(t), s.k.data() + t * n_embd_kv, s.v.data() + t * n_embd_kv);
        attention(s.q.data(), n, pos0, il, kv, shape, s.attn.data(), pool);

        // Output projection and residual connection.
        matmul(layer.wo, s.attn.data(), n, s.proj.data(), pool, kernels_);
        add_in_place(s.x.data(), s.proj.data(), n * n_embd);

        // Feed-forward block: pre-norm, SwiGLU, down projection, residual.
        rms_norm(s.x.data(), layer.ffn_norm.data(), s.norm.data(), n, n_embd, hp.rms_eps);
        matmul(layer.w_gate, s.norm.data(), n, s.gate.data(), pool, kernels_);
        matmul(layer.w_up, s.norm.data(), n, s.up.data(), pool, kernels_);
        swiglu(s.gate.data(), s.up.data(), n * hp.n_ff);
        matmul(layer.w_down, s.gate.data(), n, s.proj.data(), pool, kernels_);
        add_in_place(s.x.data(), s.proj.data(), n * n_embd);
    }

    // Final norm and the output projection, for every row or only the last.
    const int64_t first = all_logits ? 0 : n - 1;
    const int64_t rows = n - first;
    rms_norm(s.x.data() + first * n_embd, output_norm_.data(), s.norm.data(), rows, n_embd, hp.rms_eps);
    matmul(output_, s.norm.data(), rows, logits, pool, kernels_);
}

} // namespace quanta

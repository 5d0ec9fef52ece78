// A plain scalar forward pass of the decoder architectures, written for the
// tests independently of the engine's graphs. It reads tensors with the GGUF
// reader and dequantizes them with the scalar reference dequantizers. Then
// it runs naive double-precision loops over the whole sequence, with no KV
// cache. It follows the architectures as Hugging Face transformers and
// llama.cpp define them, with the per-architecture facts written out again.
#pragma once

#include "gguf/gguf_reader.h"
#include "quant/reference.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace quanta::test {

// A weight tensor as doubles: n_out rows of n_in values (GGUF shape {n_in, n_out}).
struct ReferenceMatrix {
    int64_t n_in = 0;
    int64_t n_out = 0;
    std::vector<double> values; // [n_out][n_in]
};

inline ReferenceMatrix read_reference_tensor(const GgufFile& file, const std::string& name)
{
    const GgufTensor& tensor = file.tensor(name);
    ReferenceMatrix matrix;
    matrix.n_in = static_cast<int64_t>(tensor.ne[0]);
    matrix.n_out = static_cast<int64_t>(tensor.n_elements / tensor.ne[0]);
    const uint64_t row_bytes = *ggml_row_bytes(tensor.type, tensor.ne[0]);
    std::vector<float> row(static_cast<size_t>(matrix.n_in));
    for (int64_t r = 0; r < matrix.n_out; ++r) {
        dequantize_row_reference(tensor.type, tensor.data + static_cast<uint64_t>(r) * row_bytes, row.data(),
                                 matrix.n_in);
        matrix.values.insert(matrix.values.end(), row.begin(), row.end());
    }
    return matrix;
}

// The facts of one file the reference needs, read from its metadata.
struct ReferenceConfig {
    std::string arch;
    int n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0, n_ff = 0, n_rot = 0;
    double eps = 1e-5;
    bool neox = false;                // RoPE pairs (i, i + n_rot/2) rather than (2i, 2i + 1)
    double embedding_scale = 1.0;
    double attn_softcap = 0.0;        // 0: none
    double final_softcap = 0.0;       // 0: none
    double rope_attn_factor = 1.0;    // multiplies cos and sin
    std::vector<int> window;          // per layer, 0 for full attention
    std::vector<double> rope_base;    // per layer
    std::vector<double> rope_scale;   // per layer, multiplies positions
    std::vector<double> inv_freq_div; // per RoPE pair, divides the inverse frequency
};

inline ReferenceConfig read_reference_config(const GgufFile& file, int n_ctx)
{
    ReferenceConfig c;
    c.arch = file.get_string("general.architecture");
    const std::string a = c.arch + ".";
    c.n_embd = static_cast<int>(file.get_uint(a + "embedding_length"));
    c.n_layer = static_cast<int>(file.get_uint(a + "block_count"));
    c.n_head = static_cast<int>(file.get_uint(a + "attention.head_count"));
    c.n_head_kv = static_cast<int>(file.get_uint(a + "attention.head_count_kv"));
    c.n_ff = static_cast<int>(file.get_uint(a + "feed_forward_length"));
    c.head_dim = static_cast<int>(file.get_uint(a + "attention.key_length", uint64_t(c.n_embd / c.n_head)));
    c.n_rot = static_cast<int>(file.get_uint(a + "rope.dimension_count", uint64_t(c.head_dim)));
    c.n_vocab = static_cast<int>(file.tensor("token_embd.weight").ne[1]);
    c.eps = file.get_float(a + "attention.layer_norm_rms_epsilon");
    c.neox = c.arch != "llama";
    const bool gemma = c.arch == "gemma2" || c.arch == "gemma3";
    if (gemma)
        c.embedding_scale = std::sqrt(double(c.n_embd));
    if (c.arch == "gemma2") {
        c.attn_softcap = file.get_float(a + "attn_logit_softcapping");
        c.final_softcap = file.get_float(a + "final_logit_softcapping");
    }

    // Linear scaling divides positions by the factor.
    const std::string scaling = file.get_string(a + "rope.scaling.type", "none");
    const double factor = file.get_float(a + "rope.scaling.factor", 1.0);
    const double position_scale = scaling == "linear" ? 1.0 / factor : 1.0;
    const double base = file.get_float(a + "rope.freq_base", 10000.0);

    // Sliding windows: Gemma 2 on even layers, Gemma 3 on five of every six,
    // Phi-3 on all when the window is set.
    const int window = static_cast<int>(file.get_uint(a + "attention.sliding_window", 0));
    for (int layer = 0; layer < c.n_layer; ++layer) {
        bool local = false;
        if (c.arch == "gemma2")
            local = layer % 2 == 0;
        else if (c.arch == "gemma3")
            local = layer % 6 != 5;
        else if (c.arch == "phi3")
            local = window > 0;
        c.window.push_back(local ? window : 0);
        // Gemma 3's local layers use base 10000 and no scaling.
        const bool gemma3_local = c.arch == "gemma3" && local;
        c.rope_base.push_back(gemma3_local ? 10000.0 : base);
        c.rope_scale.push_back(gemma3_local ? 1.0 : position_scale);
    }

    // Per-pair divisors: a rope_freqs tensor, Llama 3.1's formula from
    // metadata (as transformers' _compute_llama3_parameters writes it), or
    // Phi-3's LongRoPE factors chosen by the context length.
    c.inv_freq_div.assign(static_cast<size_t>(c.n_rot / 2), 1.0);
    const int original = static_cast<int>(file.get_uint(a + "rope.scaling.original_context_length", 0));
    if (file.find_tensor("rope_freqs.weight")) {
        c.inv_freq_div = read_reference_tensor(file, "rope_freqs.weight").values;
    } else if (scaling == "llama3") {
        const double low = file.get_float(a + "rope.scaling.low_freq_factor");
        const double high = file.get_float(a + "rope.scaling.high_freq_factor");
        for (int i = 0; i < c.n_rot / 2; ++i) {
            const double inv_freq = 1.0 / std::pow(base, 2.0 * i / c.n_rot);
            const double wavelength = 2.0 * M_PI / inv_freq;
            double scaled = inv_freq;
            if (wavelength > original / low) {
                scaled = inv_freq / factor;
            } else if (wavelength >= original / high) {
                const double smooth = (original / wavelength - low) / (high - low);
                scaled = (1.0 - smooth) * inv_freq / factor + smooth * inv_freq;
            }
            c.inv_freq_div[static_cast<size_t>(i)] = inv_freq / scaled;
        }
    } else if (file.find_tensor("rope_factors_long.weight")) {
        const char* name = n_ctx > original ? "rope_factors_long.weight" : "rope_factors_short.weight";
        c.inv_freq_div = read_reference_tensor(file, name).values;
        c.rope_attn_factor = file.get_float(a + "rope.scaling.attn_factor", 1.0);
    }
    return c;
}

class ReferenceForward {
public:
    // `n_ctx` is the session's context size, which picks Phi-3's LongRoPE factors.
    ReferenceForward(const GgufFile& file, int n_ctx)
        : file_(file)
        , c_(read_reference_config(file, n_ctx))
    {
    }

    const ReferenceConfig& config() const { return c_; }

    // Logits of every position, [tokens.size()][n_vocab].
    std::vector<std::vector<double>> logits(const std::vector<int>& tokens)
    {
        const size_t n = tokens.size();
        const int q_width = c_.n_head * c_.head_dim;
        const int kv_width = c_.n_head_kv * c_.head_dim;
        const ReferenceMatrix& embd = weight("token_embd.weight");

        // Embeddings.
        std::vector<std::vector<double>> x(n);
        for (size_t t = 0; t < n; ++t) {
            const double* row = &embd.values[static_cast<size_t>(tokens[t]) * static_cast<size_t>(c_.n_embd)];
            for (int i = 0; i < c_.n_embd; ++i)
                x[t].push_back(row[i] * c_.embedding_scale);
        }

        for (int layer = 0; layer < c_.n_layer; ++layer) {
            const std::string p = "blk." + std::to_string(layer) + ".";

            // Q, K, V of every position, with biases, head norms and RoPE.
            std::vector<std::vector<double>> q(n), k(n), v(n);
            for (size_t t = 0; t < n; ++t) {
                const std::vector<double> h = norm(x[t], vec(p + "attn_norm.weight"));
                if (has(p + "attn_qkv.weight")) {
                    const std::vector<double> qkv = apply(weight(p + "attn_qkv.weight"), h);
                    q[t].assign(qkv.begin(), qkv.begin() + q_width);
                    k[t].assign(qkv.begin() + q_width, qkv.begin() + q_width + kv_width);
                    v[t].assign(qkv.begin() + q_width + kv_width, qkv.end());
                } else {
                    q[t] = apply(weight(p + "attn_q.weight"), h);
                    k[t] = apply(weight(p + "attn_k.weight"), h);
                    v[t] = apply(weight(p + "attn_v.weight"), h);
                }
                if (has(p + "attn_q.bias")) {
                    add(q[t], vec(p + "attn_q.bias"));
                    add(k[t], vec(p + "attn_k.bias"));
                    add(v[t], vec(p + "attn_v.bias"));
                }
                if (has(p + "attn_q_norm.weight")) {
                    norm_heads(q[t], vec(p + "attn_q_norm.weight"));
                    norm_heads(k[t], vec(p + "attn_k_norm.weight"));
                }
                for (int h_index = 0; h_index < c_.n_head; ++h_index)
                    rotate(&q[t][static_cast<size_t>(h_index * c_.head_dim)], static_cast<int>(t), layer);
                for (int h_index = 0; h_index < c_.n_head_kv; ++h_index)
                    rotate(&k[t][static_cast<size_t>(h_index * c_.head_dim)], static_cast<int>(t), layer);
            }

            // Causal attention within the layer's window, then the output
            // projection, the post-norm and the residual.
            const double scale = 1.0 / std::sqrt(double(c_.head_dim));
            for (size_t t = 0; t < n; ++t) {
                std::vector<double> heads(static_cast<size_t>(q_width), 0.0);
                for (int h_index = 0; h_index < c_.n_head; ++h_index) {
                    const int kv_head = h_index / (c_.n_head / c_.n_head_kv);
                    std::vector<double> scores;
                    std::vector<size_t> keys;
                    for (size_t j = 0; j <= t; ++j) {
                        if (c_.window[static_cast<size_t>(layer)] > 0 &&
                            t - j >= static_cast<size_t>(c_.window[static_cast<size_t>(layer)]))
                            continue;
                        double dot = 0.0;
                        for (int d = 0; d < c_.head_dim; ++d)
                            dot += q[t][static_cast<size_t>(h_index * c_.head_dim + d)] *
                                   k[j][static_cast<size_t>(kv_head * c_.head_dim + d)];
                        double score = dot * scale;
                        if (c_.attn_softcap > 0.0)
                            score = c_.attn_softcap * std::tanh(score / c_.attn_softcap);
                        scores.push_back(score);
                        keys.push_back(j);
                    }
                    double max_score = -INFINITY;
                    for (double score : scores)
                        max_score = std::max(max_score, score);
                    double sum = 0.0;
                    for (double& score : scores) {
                        score = std::exp(score - max_score);
                        sum += score;
                    }
                    for (size_t index = 0; index < keys.size(); ++index)
                        for (int d = 0; d < c_.head_dim; ++d)
                            heads[static_cast<size_t>(h_index * c_.head_dim + d)] +=
                                scores[index] / sum * v[keys[index]][static_cast<size_t>(kv_head * c_.head_dim + d)];
                }
                std::vector<double> out = apply(weight(p + "attn_output.weight"), heads);
                if (has(p + "post_attention_norm.weight"))
                    out = norm(out, vec(p + "post_attention_norm.weight"));
                add(x[t], out);
            }

            // Gated feed-forward, post-norm and residual.
            for (size_t t = 0; t < n; ++t) {
                const std::vector<double> h = norm(x[t], vec(p + "ffn_norm.weight"));
                std::vector<double> gate, up;
                if (has(p + "ffn_gate.weight")) {
                    gate = apply(weight(p + "ffn_gate.weight"), h);
                    up = apply(weight(p + "ffn_up.weight"), h);
                } else {
                    const std::vector<double> both = apply(weight(p + "ffn_up.weight"), h);
                    gate.assign(both.begin(), both.begin() + c_.n_ff);
                    up.assign(both.begin() + c_.n_ff, both.end());
                }
                for (size_t i = 0; i < gate.size(); ++i)
                    gate[i] = activation(gate[i]) * up[i];
                std::vector<double> out = apply(weight(p + "ffn_down.weight"), gate);
                if (has(p + "post_ffw_norm.weight"))
                    out = norm(out, vec(p + "post_ffw_norm.weight"));
                add(x[t], out);
            }
        }

        // Final norm, output projection (the embeddings when tied), soft-cap.
        const ReferenceMatrix& output = has("output.weight") ? weight("output.weight") : embd;
        std::vector<std::vector<double>> result(n);
        for (size_t t = 0; t < n; ++t) {
            result[t] = apply(output, norm(x[t], vec("output_norm.weight")));
            if (c_.final_softcap > 0.0)
                for (double& logit : result[t])
                    logit = c_.final_softcap * std::tanh(logit / c_.final_softcap);
        }
        return result;
    }

private:
    bool has(const std::string& name) const { return file_.find_tensor(name) != nullptr; }

    const ReferenceMatrix& weight(const std::string& name)
    {
        auto found = cache_.find(name);
        if (found == cache_.end())
            found = cache_.emplace(name, read_reference_tensor(file_, name)).first;
        return found->second;
    }

    const std::vector<double>& vec(const std::string& name) { return weight(name).values; }

    static std::vector<double> apply(const ReferenceMatrix& w, const std::vector<double>& x)
    {
        if (static_cast<int64_t>(x.size()) != w.n_in)
            throw std::logic_error("reference: input size mismatch");
        std::vector<double> y(static_cast<size_t>(w.n_out), 0.0);
        for (int64_t o = 0; o < w.n_out; ++o)
            for (int64_t i = 0; i < w.n_in; ++i)
                y[static_cast<size_t>(o)] += w.values[static_cast<size_t>(o * w.n_in + i)] * x[static_cast<size_t>(i)];
        return y;
    }

    static void add(std::vector<double>& x, const std::vector<double>& y)
    {
        for (size_t i = 0; i < x.size(); ++i)
            x[i] += y[i];
    }

    std::vector<double> norm(const std::vector<double>& x, const std::vector<double>& weight) const
    {
        double sum = 0.0;
        for (double value : x)
            sum += value * value;
        const double inverse = 1.0 / std::sqrt(sum / double(x.size()) + c_.eps);
        std::vector<double> y(x.size());
        for (size_t i = 0; i < x.size(); ++i)
            y[i] = x[i] * inverse * weight[i];
        return y;
    }

    void norm_heads(std::vector<double>& x, const std::vector<double>& weight) const
    {
        const size_t head = static_cast<size_t>(c_.head_dim);
        for (size_t begin = 0; begin < x.size(); begin += head) {
            const std::vector<double> slice(x.begin() + static_cast<std::ptrdiff_t>(begin),
                                            x.begin() + static_cast<std::ptrdiff_t>(begin + head));
            const std::vector<double> normed = norm(slice, weight);
            std::copy(normed.begin(), normed.end(), x.begin() + static_cast<std::ptrdiff_t>(begin));
        }
    }

    void rotate(double* head, int position, int layer) const
    {
        const int half = c_.n_rot / 2;
        for (int i = 0; i < half; ++i) {
            const double inv_freq = std::pow(c_.rope_base[static_cast<size_t>(layer)], -2.0 * i / c_.n_rot) /
                                    c_.inv_freq_div[static_cast<size_t>(i)];
            const double angle = position * c_.rope_scale[static_cast<size_t>(layer)] * inv_freq;
            const double cosine = std::cos(angle) * c_.rope_attn_factor;
            const double sine = std::sin(angle) * c_.rope_attn_factor;
            double& a = head[c_.neox ? i : 2 * i];
            double& b = head[c_.neox ? i + half : 2 * i + 1];
            const double a0 = a;
            const double b0 = b;
            a = a0 * cosine - b0 * sine;
            b = a0 * sine + b0 * cosine;
        }
    }

    double activation(double g) const
    {
        if (c_.arch == "gemma2" || c_.arch == "gemma3")
            return 0.5 * g * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (g + 0.044715 * g * g * g)));
        return g / (1.0 + std::exp(-g));
    }

    const GgufFile& file_;
    ReferenceConfig c_;
    std::map<std::string, ReferenceMatrix> cache_;
};

} // namespace quanta::test

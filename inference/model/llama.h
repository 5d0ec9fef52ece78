// The llama architecture as GGUF describes it: Llama 2 and 3, TinyLlama,
// Mistral-style files and other models converted with
// general.architecture = "llama".
#pragma once

#include "model/model_graph.h"

#include <vector>

namespace quanta {

class LlamaGraph : public ModelGraph {
public:
    LlamaGraph(const GgufFile& file, KernelMode kernels);

    void forward(std::span<const TokenId> tokens, int pos0, KvCache& kv, ForwardScratch& scratch, ThreadPool& pool,
                 float* logits, bool all_logits) const override;

private:
    struct Layer {
        std::vector<float> attn_norm; // [n_embd]
        WeightMatrix wq;              // [n_embd -> n_head * head_dim]
        WeightMatrix wk;              // [n_embd -> n_head_kv * head_dim]
        WeightMatrix wv;              // [n_embd -> n_head_kv * head_dim]
        WeightMatrix wo;              // [n_head * head_dim -> n_embd]
        std::vector<float> ffn_norm;  // [n_embd]
        WeightMatrix w_gate;          // [n_embd -> n_ff]
        WeightMatrix w_up;            // [n_embd -> n_ff]
        WeightMatrix w_down;          // [n_ff -> n_embd]
    };

    WeightMatrix token_embd_;         // [n_embd] per token, n_vocab rows
    std::vector<float> output_norm_;  // [n_embd]
    WeightMatrix output_;             // [n_embd -> n_vocab]; token_embd_ when tied
    std::vector<float> rope_freqs_;   // [n_rot / 2] frequency divisors, empty when absent
    std::vector<Layer> layers_;
};

} // namespace quanta

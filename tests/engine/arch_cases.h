// Tiny random models of every supported architecture, one case each for the
// features that distinguish them, shared by the CPU and Vulkan suites.
#pragma once

#include "gguf/ggml_type.h"
#include "model/synthetic.h"

#include <cmath>
#include <vector>

namespace quanta::test {

struct ArchCase {
    const char* name;
    SyntheticModelOptions options;
    int n_ctx = 64;
};

inline SyntheticModelOptions tiny(const char* architecture, int n_embd, int n_head, int n_head_kv, int n_ff, int n_layer)
{
    SyntheticModelOptions o;
    o.architecture = architecture;
    o.n_vocab = 300;
    o.n_ctx = 64;
    o.n_embd = n_embd;
    o.n_layer = n_layer;
    o.n_head = n_head;
    o.n_head_kv = n_head_kv;
    o.n_ff = n_ff;
    o.type = GgmlType::F32;
    o.weight_std = 1.0f / std::sqrt(static_cast<float>(n_embd));
    o.norm_std = 0.2f;
    o.rms_eps = 1e-6f;
    o.seed = 7;
    return o;
}

// Odd sizes, grouped-query attention and head sizes with and without the
// AVX2 attention kernel (a multiple of 8), and windows shorter than the
// prompt.
inline std::vector<ArchCase> arch_cases()
{
    std::vector<ArchCase> cases;

    ArchCase llama{"llama", tiny("llama", 48, 6, 2, 72, 3)};
    cases.push_back(llama);

    ArchCase llama_tied{"llama tied, head 10", tiny("llama", 40, 4, 2, 52, 2)};
    llama_tied.options.tied_embeddings = true;
    llama_tied.options.rope_freq_base = 500000.0f;
    cases.push_back(llama_tied);

    ArchCase mistral{"mistral as llama", tiny("llama", 64, 4, 1, 88, 2)};
    mistral.options.rope_freq_base = 1000000.0f;
    cases.push_back(mistral);

    ArchCase llama_q8{"llama Q8_0", tiny("llama", 64, 4, 2, 96, 2)};
    llama_q8.options.type = GgmlType::Q8_0;
    cases.push_back(llama_q8);

    ArchCase qwen2{"qwen2 tied, head 12", tiny("qwen2", 48, 4, 2, 68, 3)};
    qwen2.options.tied_embeddings = true;
    qwen2.options.rope_freq_base = 1000000.0f;
    cases.push_back(qwen2);

    ArchCase qwen2_16{"qwen2, head 16", tiny("qwen2", 64, 4, 1, 60, 2)};
    cases.push_back(qwen2_16);

    ArchCase gemma2{"gemma2", tiny("gemma2", 40, 4, 2, 56, 4)};
    gemma2.options.head_dim = 16;
    gemma2.options.tied_embeddings = true;
    gemma2.options.sliding_window = 5;
    gemma2.options.attn_softcap = 2.5f;
    gemma2.options.final_softcap = 3.0f;
    cases.push_back(gemma2);

    ArchCase gemma3{"gemma3", tiny("gemma3", 44, 4, 2, 60, 7)};
    gemma3.options.head_dim = 16;
    gemma3.options.tied_embeddings = true;
    gemma3.options.sliding_window = 4;
    gemma3.options.rope_freq_base = 1000000.0f;
    gemma3.options.rope_scaling = "linear";
    gemma3.options.rope_scaling_factor = 4.0f;
    cases.push_back(gemma3);

    ArchCase gemma3_q8{"gemma3 Q8_0, head 12", tiny("gemma3", 64, 8, 2, 96, 6)};
    gemma3_q8.options.head_dim = 12;
    gemma3_q8.options.type = GgmlType::Q8_0;
    gemma3_q8.options.tied_embeddings = true;
    gemma3_q8.options.sliding_window = 3;
    cases.push_back(gemma3_q8);

    ArchCase phi3{"phi3 LongRoPE long, partial RoPE", tiny("phi3", 48, 4, 2, 64, 3)};
    phi3.options.n_rot = 8;
    phi3.options.sliding_window = 6;
    phi3.options.longrope = true;
    phi3.options.rope_original_context = 32;
    phi3.n_ctx = 64;
    cases.push_back(phi3);

    ArchCase phi3_short{"phi3 LongRoPE short, head 16", tiny("phi3", 64, 4, 4, 72, 2)};
    phi3_short.options.longrope = true;
    phi3_short.options.rope_original_context = 32;
    phi3_short.options.tied_embeddings = true;
    phi3_short.n_ctx = 32;
    cases.push_back(phi3_short);

    return cases;
}

} // namespace quanta::test

// The llama architecture as GGUF describes it: Llama 2 and 3.x, TinyLlama,
// SmolLM, Mistral 7B and Nemo, and other models that llama.cpp's converter
// writes with general.architecture = "llama". Pre-norm blocks with RMSNorm,
// RoPE on adjacent pairs, grouped-query attention and a SwiGLU feed-forward;
// Llama 3.1 and later add per-frequency RoPE divisors, and Llama 3.2 1B/3B
// tie the output projection to the embeddings.
#include "model/architectures.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "model/decoder.h"
#include "model/weights.h"

namespace quanta {

namespace {

Llama3RopeScaling llama3_scaling(const Hyperparams& hp)
{
    Llama3RopeScaling scaling;
    scaling.factor = hp.rope_scaling_factor;
    scaling.low_freq_factor = hp.rope_low_freq_factor;
    scaling.high_freq_factor = hp.rope_high_freq_factor;
    scaling.original_context = hp.n_ctx_orig;
    return scaling;
}

class LlamaGraph final : public DecoderGraph {
public:
    LlamaGraph(const GgufFile& file, KernelMode kernels)
    {
        load_common(file, kernels);
        const Hyperparams& hp = hparams_;

        // Mixtral-style files are llama files with expert tensors in place
        // of ffn_gate/ffn_up/ffn_down.
        const uint64_t n_expert = file.get_uint(hp.architecture + ".expert_count", 0);
        if (n_expert > 0) {
            throw UnsupportedError(file.path() + ": mixture-of-experts llama models (metadata '" + hp.architecture +
                                   ".expert_count' = " + std::to_string(n_expert) +
                                   ", as in Mixtral) are not supported");
        }
        check_rope_scaling(file, {RopeScalingType::None, RopeScalingType::Linear, RopeScalingType::Llama3});
        load_layers(file, LayerTensors{});

        // Llama 3.1 and later: the divisors from rope_freqs.weight, or from
        // the formula's parameters where a file stores only those.
        if (has_tensor(file, "rope_freqs.weight"))
            settings_.rope_freqs = load_vector(file, "rope_freqs.weight", hp.n_rot / 2);
        else if (hp.rope_scaling == RopeScalingType::Llama3)
            settings_.rope_freqs = llama3_rope_divisors(hp.rope_freq_base, hp.n_rot, llama3_scaling(hp));
    }
};

} // namespace

std::unique_ptr<ModelGraph> create_llama_graph(const GgufFile& file, KernelMode kernels)
{
    return std::make_unique<LlamaGraph>(file, kernels);
}

} // namespace quanta

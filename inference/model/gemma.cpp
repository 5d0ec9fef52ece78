#include "model/gemma.h"

#include <cmath>

namespace quanta {

void GemmaGraph::load_gemma(const GgufFile& file, KernelMode kernels, LayerTensors tensors, int layers_27b)
{
    load_common(file, kernels);
    const Hyperparams& hp = hparams_;
    check_rope_scaling(file, {RopeScalingType::None, RopeScalingType::Linear});

    tensors.post_norms = true;
    load_layers(file, tensors);

    settings_.rope_mode = RopeMode::Neox;
    settings_.activation = GateActivation::GeluTanh;
    settings_.embedding_scale = std::sqrt(static_cast<float>(hp.n_embd));
    const int query_pre_attn_scalar = hp.n_layer == layers_27b ? hp.n_embd / hp.n_head : hp.head_dim;
    settings_.attention_scale = 1.0f / std::sqrt(static_cast<float>(query_pre_attn_scalar));
}

} // namespace quanta

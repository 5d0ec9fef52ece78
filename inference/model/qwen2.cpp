// The qwen2 architecture (Qwen2, Qwen2.5): llama's block with biases on the
// Q, K and V projections and RoPE in the NeoX layout, where the two halves
// of each head rotate together. The small models tie the output projection
// to the embeddings.
#include "model/architectures.h"

#include "model/decoder.h"

namespace quanta {

namespace {

class Qwen2Graph final : public DecoderGraph {
public:
    Qwen2Graph(const GgufFile& file, KernelMode kernels)
    {
        load_common(file, kernels);
        check_rope_scaling(file, {RopeScalingType::None, RopeScalingType::Linear});

        LayerTensors tensors;
        tensors.qkv_bias = true;
        load_layers(file, tensors);
        settings_.rope_mode = RopeMode::Neox;
    }
};

} // namespace

std::unique_ptr<ModelGraph> create_qwen2_graph(const GgufFile& file, KernelMode kernels)
{
    return std::make_unique<Qwen2Graph>(file, kernels);
}

} // namespace quanta

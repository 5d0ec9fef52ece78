// The phi3 architecture (Phi-3, Phi-3.5 and Phi-4-mini): llama's block with
// Q, K and V in one matrix (attn_qkv) and the feed-forward gate and up
// halves in one matrix (ffn_up), and RoPE in the NeoX layout. In Phi-4-mini
// RoPE covers only part of each head (rope.dimension_count).
//
// The 128k-context models use LongRoPE: per-frequency divisors,
// rope_factors_short up to the original context and rope_factors_long for
// longer contexts (chosen by the session's context size, as llama.cpp
// does), and rope.scaling.attn_factor on cos and sin.
#include "model/architectures.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "model/decoder.h"
#include "model/weights.h"

namespace quanta {

namespace {

class Phi3Graph final : public DecoderGraph {
public:
    Phi3Graph(const GgufFile& file, KernelMode kernels)
    {
        load_common(file, kernels);
        const Hyperparams& hp = hparams_;
        check_rope_scaling(file, {RopeScalingType::None, RopeScalingType::Linear, RopeScalingType::LongRope});

        LayerTensors tensors;
        tensors.allow_fused_qkv = true;
        tensors.fused_gate_up = true;
        load_layers(file, tensors);
        settings_.rope_mode = RopeMode::Neox;
        settings_.rope_attn_factor = hp.rope_attn_factor;

        // LongRoPE divisors come as a pair of tensors.
        const char* const long_name = "rope_factors_long.weight";
        const char* const short_name = "rope_factors_short.weight";
        const bool has_long = has_tensor(file, long_name);
        const bool has_short = has_tensor(file, short_name);
        if (has_long != has_short) {
            throw FormatError(file.path() + ": tensor '" + (has_long ? long_name : short_name) +
                              "' is present but '" + (has_long ? short_name : long_name) +
                              "' is missing; LongRoPE needs both");
        }
        if (has_long) {
            settings_.rope_factors_long = load_vector(file, long_name, hp.n_rot / 2);
            settings_.rope_factors_short = load_vector(file, short_name, hp.n_rot / 2);
        } else if (hp.rope_scaling == RopeScalingType::LongRope) {
            throw FormatError(file.path() + ": RoPE scaling type 'longrope' needs the tensors '" + long_name +
                              "' and '" + short_name + "', which are missing");
        }

        // NOTE: llama.cpp has ignored Phi-3's sliding window (with a warning)
        // since its pull request 13676 in 2025. Here every layer uses the
        // window the file states (0 for none, as in Phi-4-mini), so results
        // differ from llama.cpp's only past the window (2047 positions in
        // Phi-3-mini-4k).
        set_sliding_window(read_sliding_window(file, 0), 0);
    }
};

} // namespace

std::unique_ptr<ModelGraph> create_phi3_graph(const GgufFile& file, KernelMode kernels)
{
    return std::make_unique<Phi3Graph>(file, kernels);
}

} // namespace quanta

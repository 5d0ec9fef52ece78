// The gemma2 architecture (Gemma 2): the Gemma block (gemma.h) with
// soft-capped attention scores and logits, and a sliding window on every
// other layer (the even ones).
#include "model/architectures.h"

#include "model/gemma.h"

namespace quanta {

namespace {

// Gemma 2's values where a file lacks the keys, as in llama.cpp.
constexpr int kDefaultWindow = 4096;
constexpr float kDefaultAttnSoftcap = 50.0f;
constexpr float kDefaultFinalSoftcap = 30.0f;
// Every second layer keeps full attention.
constexpr int kWindowPattern = 2;
// Block count of Gemma 2 27B.
constexpr int kLayers27B = 46;

class Gemma2Graph final : public GemmaGraph {
public:
    Gemma2Graph(const GgufFile& file, KernelMode kernels)
    {
        load_gemma(file, kernels, LayerTensors{}, kLayers27B);
        const std::string& arch = hparams_.architecture;
        settings_.attn_softcap = read_positive_float(file, arch + ".attn_logit_softcapping", kDefaultAttnSoftcap);
        settings_.final_softcap = read_positive_float(file, arch + ".final_logit_softcapping", kDefaultFinalSoftcap);
        set_sliding_window(read_sliding_window(file, kDefaultWindow), kWindowPattern);
    }
};

} // namespace

std::unique_ptr<ModelGraph> create_gemma2_graph(const GgufFile& file, KernelMode kernels)
{
    return std::make_unique<Gemma2Graph>(file, kernels);
}

} // namespace quanta

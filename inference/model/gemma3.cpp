// The gemma3 architecture (Gemma 3 text models): the Gemma block (gemma.h)
// without soft-capping, with an RMSNorm on every query and key head before
// RoPE (llama.cpp's converter has added 1 to those weights too). Five
// sliding-window layers alternate with one full-attention layer. The
// windowed layers use RoPE base 10000 without scaling, the full-attention
// layers the file's base and RoPE scaling (linear, factor 8 in the 4B to
// 27B models).
#include "model/architectures.h"

#include "model/gemma.h"

namespace quanta {

namespace {

// Every sixth layer keeps full attention.
constexpr int kWindowPattern = 6;
// RoPE base of the sliding-window layers, fixed by the model rather than
// stored in the file.
constexpr float kWindowRopeBase = 10000.0f;
// Block count of Gemma 3 27B.
constexpr int kLayers27B = 62;

class Gemma3Graph final : public GemmaGraph {
public:
    Gemma3Graph(const GgufFile& file, KernelMode kernels)
    {
        LayerTensors tensors;
        tensors.qk_norm = true;
        load_gemma(file, kernels, tensors, kLayers27B);

        // The window is required, as in llama.cpp.
        set_sliding_window(read_sliding_window(file, std::nullopt), kWindowPattern);
        for (DecoderLayer& layer : layers_) {
            if (layer.window > 0) {
                layer.rope_freq_base = kWindowRopeBase;
                layer.rope_freq_scale = 1.0f;
            }
        }
    }
};

} // namespace

std::unique_ptr<ModelGraph> create_gemma3_graph(const GgufFile& file, KernelMode kernels)
{
    return std::make_unique<Gemma3Graph>(file, kernels);
}

} // namespace quanta

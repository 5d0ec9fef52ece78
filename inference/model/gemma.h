// Shared base of the gemma2 and gemma3 graphs: embeddings scaled by
// sqrt(n_embd), RMSNorm before and after both the attention and the
// feed-forward block, a GeGLU feed-forward and RoPE in the NeoX layout.
//
// Gemma's RMSNorm scales by (1 + weight). llama.cpp's converter adds the 1
// to every *norm.weight tensor when it writes the GGUF file, so the norms
// here are plain RMSNorm. Gemma files have no output.weight: the output
// projection is the embedding matrix.
#pragma once

#include "model/decoder.h"

namespace quanta {

class GemmaGraph : public DecoderGraph {
protected:
    // Loads the file with the post-norms plus the optional `tensors` and
    // sets the shared settings. Queries scale by 1 / sqrt(query_pre_attn_scalar),
    // which GGUF files do not store: as in llama.cpp, it is n_embd / n_head
    // for the model with `layers_27b` blocks (the 27B size) and head_dim
    // for the others.
    void load_gemma(const GgufFile& file, KernelMode kernels, LayerTensors tensors, int layers_27b);
};

} // namespace quanta

// The forward pass of one model architecture on the CPU.
#pragma once

#include "cpu/matmul.h"
#include "model/hparams.h"
#include "tokenizer/tokenizer.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace quanta {

class GgufFile;
class KvCache;
class ThreadPool;

// Activation buffers for one batch, reused across calls. Sized by the graph.
struct ForwardScratch {
    int capacity = 0;          // tokens the buffers hold
    std::vector<float> x;      // [tokens, n_embd] residual stream
    std::vector<float> norm;   // [tokens, n_embd] normalised input of a block
    std::vector<float> q;      // [tokens, n_head * head_dim]
    std::vector<float> k;      // [tokens, n_head_kv * head_dim]
    std::vector<float> v;      // [tokens, n_head_kv * head_dim]
    std::vector<float> attn;   // [tokens, n_head * head_dim] attention output
    std::vector<float> proj;   // [tokens, n_embd] output of attn_output / ffn_down
    std::vector<float> gate;   // [tokens, n_ff]
    std::vector<float> up;     // [tokens, n_ff]
    std::vector<float> fused;  // [tokens, fused width] output of a fused projection (Phi-3), else empty
};

// Runs the first layers of a forward pass on another backend (the Vulkan
// GPU backend), with that backend's own KV cache for those layers.
class LayerOffload {
public:
    virtual ~LayerOffload() = default;

    // Layers 0 .. n_layers() - 1 run there.
    virtual int n_layers() const = 0;
    // True when the output norm and projection run there too, which needs
    // every layer offloaded.
    virtual bool runs_output() const = 0;

    // Embeds `tokens` at positions pos0, pos0 + 1, ... and runs the offloaded
    // layers. With runs_output(), writes logits as ModelGraph::forward() does;
    // otherwise writes the residual stream after the last offloaded layer to
    // `x` ([tokens.size(), n_embd]). `embedded` contains the token embeddings
    // ([tokens.size(), n_embd]) computed on the CPU.
    virtual void forward(std::span<const TokenId> tokens, const float* embedded, int pos0, float* x, float* logits,
                         bool all_logits) = 0;
};

// Options of copy_cpu_weights(). It copies the matrices of layers
// [first_layer, n_layer), and with `output` the output projection unless it
// is the token embedding (whose rows the embedding lookup reads).
struct CpuWeightCopyOptions {
    int first_layer = 0;
    bool output = true;
    // Q4_0 matrices go into the 8-row groups of the AVX2 decode kernel
    // (cpu/repack.h).
    bool interleave = false;
    // The copies are advised into huge pages.
    bool huge_pages = false;
    // Every other matrix that `releasable` accepts is copied as it is, for
    // the huge pages alone. It accepts the matrices whose originals
    // `release` can free: mapped pages, or buffers the model file owns.
    bool copy_all = false;
    std::function<bool(const void* data, size_t bytes)> releasable;
    // Bytes all copies together may take; above it only the interleaved
    // matrices are copied.
    uint64_t budget = UINT64_MAX;
    // Called with each original's data and size after it is copied.
    std::function<void(const void*, size_t)> release;
};

struct CpuWeightCopies {
    uint64_t copied = 0;       // bytes of all copied matrices
    uint64_t interleaved = 0;  // the part of `copied` in interleaved Q4_0
    bool huge_pages = false;   // the kernel accepted the huge page advice
    // Reasons why some requested matrices stay where they were: all the
    // copies together exceed the budget, or reserving the memory failed.
    bool over_budget = false;
    bool reservation_failed = false;
    uint64_t requested = 0;  // bytes of all requested copies, before any was dropped
};

class ModelGraph {
public:
    virtual ~ModelGraph() = default;

    // Builds the graph for the file's architecture. Throws UnsupportedError
    // naming the architecture and the supported ones for an unknown one, and
    // FormatError for missing or misshapen tensors.
    static std::unique_ptr<ModelGraph> create(const GgufFile& file, KernelMode kernels);

    // Names of the architectures create() accepts.
    static std::vector<std::string> supported_architectures();

    const Hyperparams& hparams() const { return hparams_; }
    int n_vocab() const { return hparams_.n_vocab; }

    // Runs `tokens` at positions pos0, pos0 + 1, ... Stores their keys and
    // values in `kv` and writes logits to `logits`: every position's
    // ([tokens.size(), n_vocab]) when `all_logits`, otherwise only the last
    // one's (n_vocab floats). With `offload`, its layers run there and the
    // CPU runs the rest (`kv` then holds only the CPU layers).
    virtual void forward(std::span<const TokenId> tokens, int pos0, KvCache& kv, ForwardScratch& scratch,
                         ThreadPool& pool, float* logits, bool all_logits, LayerOffload* offload = nullptr) const = 0;

    // Sizes `scratch` for up to `n_tokens` tokens per call.
    void reserve(ForwardScratch& scratch, int n_tokens) const;

    // Replaces the weight matrices the CPU reads with copies in one buffer
    // of huge pages (core/huge_page_buffer.h); see CpuWeightCopyOptions.
    // Call once, after the GPU has taken its copies of the layers before
    // first_layer.
    virtual CpuWeightCopies copy_cpu_weights(const CpuWeightCopyOptions& options)
    {
        (void)options;
        return {};
    }

protected:
    Hyperparams hparams_;
    KernelMode kernels_ = KernelMode::Fast;
    // Outputs per token of the widest fused projection, 0 when there is none.
    int fused_width_ = 0;
};

} // namespace quanta

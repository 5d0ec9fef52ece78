// The memory a model needs, worked out before it is loaded. The plan gives
// its weights per layer, the KV cache, the activation buffers and the upload
// staging buffer, on the GPU and in host RAM, and how many layers fit a
// device's budget.
//
// describe_model_memory() reads only metadata and tensor infos (a GGUF
// header, or a Hugging Face folder's config.json and safetensors headers),
// and plan_memory() allocates nothing. Loading chooses its GPU layer count
// with the same plan (engine/gpu_offload.h), so the estimate shown before a
// load is the one the load acts on. docs/memory.md describes the counting.
#pragma once

#include "engine/session.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quanta {

class GgufFile;

// The weights of one part of the model: a transformer layer, the token
// embedding, the output (norm and projection), or the RoPE divisors.
struct WeightGroupMemory {
    // Bytes of each device buffer that uploading the part allocates, before
    // the allocator rounds it up: matrices as stored, 1-D tensors as F32,
    // act-order input orders as int32.
    std::vector<uint64_t> gpu_buffers;
    // Bytes the CPU reads in place from the file mapping (file-backed pages).
    uint64_t host_mapped = 0;
    // The part of host_mapped in Q4_0 matrices that a CPU with AVX2 copies
    // into 8-row groups (cpu/repack.h) when it runs the part: the copies
    // are anonymous pages, and the file pages are released.
    uint64_t host_interleaved = 0;
    // Bytes the loader copies into process memory (anonymous pages): 1-D
    // tensors converted to F32, repacked GPTQ/AWQ matrices, reordered rows.
    uint64_t host_heap = 0;
    // Widest input of a matrix that the GPU's int8 path reads; 0 when none.
    uint32_t int8_width = 0;
    // Widest input of a matrix with an act-order input order; 0 when none.
    uint32_t permuted_width = 0;
    // The shaders read every matrix type of the part.
    bool gpu_supported = true;
    // The part's weights as loaded: matrices as stored, 1-D tensors as F32,
    // input orders. A tied output projection adds nothing to `output`.
    uint64_t loaded_bytes = 0;
};

// What a model's memory depends on, read from its file before loading.
struct ModelMemoryLayout {
    std::string path;
    std::string architecture;
    int n_layer = 0;
    int n_embd = 0;
    int n_embd_q = 0;    // n_head * head_dim
    int n_embd_kv = 0;   // n_head_kv * head_dim: keys (and values) per token and layer
    int n_head = 0;
    int n_head_kv = 0;
    int head_dim = 0;
    int n_ff = 0;
    int n_vocab = 0;
    int n_ctx_train = 0;
    int fused_width = 0; // outputs per token of the widest fused projection, 0 when none

    std::vector<WeightGroupMemory> layers;  // [n_layer]
    WeightGroupMemory embedding;            // token_embd: read on the CPU only
    // Output norm and projection; on the GPU only with every layer. When the
    // projection is the embedding matrix (tied), its pages count under
    // `embedding` on the host.
    WeightGroupMemory output;
    // RoPE frequency divisors and the one-value placeholder the shaders bind
    // where a model has none; uploaded with any GPU layer.
    WeightGroupMemory rope;
    // Bytes of the mapped files. Loading touches every page once, and the
    // kernel can drop the pages the CPU does not read again.
    uint64_t mapped_bytes = 0;
    // The tensors are one mapped GGUF file, whose matrices the CPU may copy
    // into huge pages (false for a Hugging Face folder).
    bool gguf_mapping = false;
    // The GPTQ/AWQ layers of a Hugging Face folder described before loading:
    // their repacked size is predicted from config.json (docs/memory.md).
    bool repacked = false;
};

// Reads the layout of an opened GGUF file, or of a Hugging Face folder as
// open_hf_model() assembled it (then the host fields count every tensor as
// mapped, which only place_on_gpu(), reading the GPU fields, relies on).
// Throws FormatError naming the file and key or tensor for invalid metadata,
// and UnsupportedError for an architecture no graph runs.
ModelMemoryLayout describe_model_memory(const GgufFile& file);

// Reads the layout of a GGUF file (its header) or a Hugging Face folder
// (config.json and the safetensors headers; GPTQ/AWQ layers are described as
// the loader would repack them, without unpacking them). Throws IoError,
// FormatError or UnsupportedError naming the file.
ModelMemoryLayout describe_model_memory(const std::string& path);

struct MemoryPlanRequest {
    // Device memory the model may take, in bytes; nullopt plans for the CPU
    // alone.
    std::optional<uint64_t> gpu_budget;
    int gpu_layers = -1;   // -1: as many as fit gpu_budget; 0: none; N: the first N
    int n_ctx = 0;         // context in tokens; 0: min(training context, 4096), as Session picks
    KvCacheType kv_type = KvCacheType::F16;  // the CPU layers' cache; GPU layers always store F16
    int n_batch = 512;     // prompt tokens per forward pass; at most n_ctx
    // The device's minStorageBufferOffsetAlignment, to which the allocator
    // rounds every device-local buffer up.
    uint64_t gpu_alignment = 256;
    // The alignment of host-visible (upload and read-back) buffers: the
    // larger of that and nonCoherentAtomSize.
    uint64_t gpu_host_alignment = 256;
    // The device runs the int8 prompt path, whose quantized activations need
    // a buffer of their own.
    bool gpu_int8_activations = true;
    // Host memory available, in bytes; nullopt does not check it.
    std::optional<uint64_t> ram_budget;
};

struct MemoryPlan {
    int n_ctx = 0;
    int n_batch = 0;
    int n_layer = 0;
    int gpu_supported_layers = 0;  // layers the shaders can run, counted from layer 0
    int gpu_layers = 0;            // layers 0 .. gpu_layers - 1 run on the GPU
    bool gpu_output = false;       // the output norm and projection run there too

    // The model's weights as loaded, wherever they run: each layer's, and
    // those outside the layers (embedding, output, RoPE divisors; a tied
    // output projection counted once).
    std::vector<uint64_t> weights_by_layer;  // [n_layer]
    uint64_t weights_outside_layers = 0;
    uint64_t weights_total = 0;

    // Device memory, rounded up per buffer as the allocator rounds it.
    std::vector<uint64_t> gpu_weights_by_layer;  // [gpu_layers]
    uint64_t gpu_weights_outside_layers = 0;     // output (with every layer) and RoPE divisors
    uint64_t gpu_weights = 0;
    uint64_t gpu_kv_cache = 0;  // F16 keys and values of the GPU layers
    uint64_t gpu_scratch = 0;   // one session's activations, upload and read-back buffers
    uint64_t gpu_staging = 0;   // the upload staging buffer, during loading only
    uint64_t gpu_total = 0;     // after loading, with one session: weights + KV cache + scratch
    uint64_t gpu_peak = 0;      // the larger of gpu_total and weights + staging while loading

    // Host memory. Weights read through the file mapping are file-backed:
    // the kernel may drop and reread those pages, unlike the copies.
    uint64_t ram_weights_heap = 0;    // copies: F32 norms and biases, repacked GPTQ/AWQ layers
    uint64_t ram_weights_mapped = 0;  // mapped weights the CPU reads: the CPU layers, embedding, output
    uint64_t ram_mapped_total = 0;    // all mapped files, which loading reads once
    uint64_t ram_kv_cache = 0;        // keys and values of the CPU layers
    uint64_t ram_scratch = 0;         // one session's activation buffers and logits
    uint64_t ram_total = 0;           // heap + mapped weights read + KV cache + scratch

    uint64_t kv_cache = 0;  // GPU and CPU together
    uint64_t scratch = 0;   // GPU and CPU together

    std::optional<uint64_t> gpu_budget;
    std::optional<uint64_t> ram_budget;
    bool fits_gpu = true;   // gpu_peak is within gpu_budget (true without a GPU part)
    bool fits_ram = true;   // ram_total is within ram_budget (true without one)
    bool fits() const { return fits_gpu && fits_ram; }
};

// Plans `layout` for `request`. With gpu_layers -1 the GPU gets the most
// layers, from layer 0, whose gpu_peak fits the budget. A requested count is
// kept (capped by the layers the shaders can run) even when it does not fit,
// and fits_gpu is then false. Throws Error naming the model and the value for an
// invalid request (a context above 16,777,216 tokens, a negative count) and
// for sizes that overflow 64 bits.
MemoryPlan plan_memory(const ModelMemoryLayout& layout, const MemoryPlanRequest& request);

// How the CPU keeps the weight matrices it runs: the rules Model::load
// applies and plan_memory() counts (docs/memory.md).
struct CpuWeightPolicy {
    bool interleave = false;  // Q4_0 matrices are copied into 8-row groups for the AVX2 kernels
    bool huge_pages = false;  // copies are advised into huge pages
    bool copy_all = false;    // every other mapped matrix is copied too, where the RAM left allows
    // The address-space limit (ulimit -v) under which nothing is copied,
    // because the copies would count beside the mapping.
    std::optional<uint64_t> address_limit;
};

// Reads the policy from the CPU features, QUANTA_HUGE_PAGES, the THP mode
// and the address-space limit, for the fast kernels.
CpuWeightPolicy cpu_weight_policy();

} // namespace quanta

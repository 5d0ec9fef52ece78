#include "engine/memory_plan.h"

#include "core/checked.h"
#include "core/error.h"
#include "core/system_memory.h"
#include "cpu/cpu_features.h"
#include "vulkan/vulkan_decoder.h"
#include "vulkan/vulkan_kernels.h"

#include <algorithm>

namespace quanta {

namespace {

// The largest context read_hyperparams() accepts for a model.
constexpr uint64_t kMaxContext = 1u << 24;
// The staging buffer packs each tensor at a 16-byte boundary.
constexpr uint64_t kStagingPacking = 16;

// Overflow-checked sums and products that name the model and the quantity.
class Bytes {
public:
    explicit Bytes(const std::string& path) : path_(path) {}

    uint64_t add(uint64_t a, uint64_t b, const char* what) const
    {
        const std::optional<uint64_t> sum = checked_add(a, b);
        if (!sum)
            throw overflow(what);
        return *sum;
    }

    uint64_t mul(std::initializer_list<uint64_t> factors, const char* what) const
    {
        uint64_t product = 1;
        for (uint64_t factor : factors) {
            const std::optional<uint64_t> next = checked_mul(product, factor);
            if (!next)
                throw overflow(what);
            product = *next;
        }
        return product;
    }

    uint64_t align(uint64_t bytes, uint64_t alignment, const char* what) const
    {
        const std::optional<uint64_t> aligned = checked_align_up(bytes == 0 ? 1 : bytes, alignment);
        if (!aligned)
            throw overflow(what);
        return *aligned;
    }

private:
    Error overflow(const char* what) const
    {
        return Error(path_ + ": the " + std::string(what) +
                     " would take more than 2^64 bytes; the model's metadata or the requested context is invalid");
    }

    const std::string& path_;
};

// Device memory with `n_layers` layers on the GPU.
struct DeviceFigures {
    std::vector<uint64_t> weights_by_layer;
    uint64_t weights_outside_layers = 0;
    uint64_t weights = 0;
    uint64_t kv_cache = 0;
    uint64_t scratch = 0;
    uint64_t staging = 0;
    bool output = false;

    uint64_t total() const { return weights + kv_cache + scratch; }
    uint64_t peak() const { return std::max(total(), weights + staging); }
};

// The buffers of one weight group as the allocator rounds them, and their
// total as the staging buffer packs them.
void add_group(const WeightGroupMemory& group, uint64_t alignment, const Bytes& bytes, uint64_t& aligned,
               uint64_t& packed)
{
    for (uint64_t buffer : group.gpu_buffers) {
        aligned = bytes.add(aligned, bytes.align(buffer, alignment, "GPU weights"), "GPU weights");
        packed = bytes.add(packed, bytes.align(buffer, kStagingPacking, "upload"), "upload");
    }
}

// What vk::GpuModel and vk::GpuSession allocate for `n_layers` layers.
DeviceFigures device_figures(const ModelMemoryLayout& layout, int n_layers, int n_ctx, int n_batch,
                             const MemoryPlanRequest& request)
{
    DeviceFigures figures;
    if (n_layers <= 0)
        return figures;
    const Bytes bytes(layout.path);
    const uint64_t device_alignment = std::max<uint64_t>(request.gpu_alignment, 1);
    const uint64_t host_alignment = std::max<uint64_t>(request.gpu_host_alignment, 1);
    figures.output = n_layers == layout.n_layer && layout.output.gpu_supported;

    // Weights: the layers, the RoPE divisors, and the output with every layer.
    uint64_t packed = 0;
    uint32_t int8_width = 0;
    uint32_t permuted_width = 0;
    for (int il = 0; il < n_layers; ++il) {
        const WeightGroupMemory& layer = layout.layers[static_cast<size_t>(il)];
        uint64_t aligned = 0;
        add_group(layer, device_alignment, bytes, aligned, packed);
        figures.weights_by_layer.push_back(aligned);
        figures.weights = bytes.add(figures.weights, aligned, "GPU weights");
        int8_width = std::max(int8_width, layer.int8_width);
        permuted_width = std::max(permuted_width, layer.permuted_width);
    }
    add_group(layout.rope, device_alignment, bytes, figures.weights_outside_layers, packed);
    if (figures.output) {
        add_group(layout.output, device_alignment, bytes, figures.weights_outside_layers, packed);
        int8_width = std::max(int8_width, layout.output.int8_width);
        permuted_width = std::max(permuted_width, layout.output.permuted_width);
    }
    figures.weights = bytes.add(figures.weights, figures.weights_outside_layers, "GPU weights");
    figures.staging = bytes.align(vk::staging_buffer_bytes(packed), host_alignment, "staging buffer");

    // KV cache: F16 keys and values, one buffer each per layer.
    const uint64_t kv_buffer = bytes.align(
        bytes.mul({static_cast<uint64_t>(n_ctx), static_cast<uint64_t>(layout.n_embd_kv), 2}, "KV cache"),
        device_alignment, "KV cache");
    figures.kv_cache = bytes.mul({kv_buffer, 2, static_cast<uint64_t>(n_layers)}, "KV cache");

    // Activations of one batch, as vk::GpuSession allocates them.
    const uint64_t tokens = static_cast<uint64_t>(n_batch);
    uint64_t scratch = 0;
    const auto device_buffer = [&](uint64_t floats) {
        const uint64_t size = bytes.mul({tokens, floats, sizeof(float)}, "GPU activations");
        scratch = bytes.add(scratch, bytes.align(size, device_alignment, "GPU activations"), "GPU activations");
    };
    const uint64_t n_embd = static_cast<uint64_t>(layout.n_embd);
    const uint64_t n_embd_q = static_cast<uint64_t>(layout.n_embd_q);
    const uint64_t n_embd_kv = static_cast<uint64_t>(layout.n_embd_kv);
    const uint64_t n_ff = static_cast<uint64_t>(layout.n_ff);
    const uint64_t n_vocab = static_cast<uint64_t>(layout.n_vocab);
    for (uint64_t floats : {n_embd, n_embd, n_embd, n_embd_q, n_embd_q, n_embd_kv, n_embd_kv, n_ff, n_ff})
        device_buffer(floats);
    device_buffer(static_cast<uint64_t>(std::max(layout.fused_width, 1)));
    if (permuted_width > 0)
        device_buffer(permuted_width);
    if (request.gpu_int8_activations && int8_width > 0) {
        const uint64_t int8_bytes = vk::Kernels::int8_activation_bytes(static_cast<uint32_t>(n_batch), int8_width);
        scratch = bytes.add(scratch, bytes.align(int8_bytes, device_alignment, "GPU activations"), "GPU activations");
    }
    const uint64_t upload = bytes.mul({tokens, n_embd, sizeof(float)}, "GPU activations");
    const uint64_t readback = bytes.mul({std::max(tokens * n_embd, n_vocab), sizeof(float)}, "GPU activations");
    const uint64_t logits = bytes.mul({n_vocab, sizeof(float)}, "GPU activations");
    scratch = bytes.add(scratch, bytes.align(upload, host_alignment, "GPU activations"), "GPU activations");
    scratch = bytes.add(scratch, bytes.align(readback, host_alignment, "GPU activations"), "GPU activations");
    scratch = bytes.add(scratch, bytes.align(logits, device_alignment, "GPU activations"), "GPU activations");
    figures.scratch = scratch;
    return figures;
}

void check_request(const ModelMemoryLayout& layout, const MemoryPlanRequest& request)
{
    if (layout.n_layer <= 0 || layout.layers.size() != static_cast<size_t>(layout.n_layer))
        throw Error(layout.path + ": the model has no layers to plan for");
    if (request.n_ctx < 0 || static_cast<uint64_t>(request.n_ctx) > kMaxContext) {
        throw Error(layout.path + ": a context of " + std::to_string(request.n_ctx) +
                    " tokens is outside the supported range of 1 to " + std::to_string(kMaxContext) +
                    " tokens; choose a smaller context (the model was trained for " +
                    std::to_string(layout.n_ctx_train) + ")");
    }
    if (request.gpu_layers < -1) {
        throw Error(layout.path + ": " + std::to_string(request.gpu_layers) +
                    " GPU layers requested; expected -1 (as many as fit) or a count from 0");
    }
    if (request.n_batch < 0)
        throw Error(layout.path + ": a batch of " + std::to_string(request.n_batch) + " tokens requested");
}

} // namespace

MemoryPlan plan_memory(const ModelMemoryLayout& layout, const MemoryPlanRequest& request)
{
    // Step 1: the context and batch, settled as Session settles them.
    check_request(layout, request);
    const Bytes bytes(layout.path);
    MemoryPlan plan;
    plan.n_layer = layout.n_layer;
    plan.n_ctx = request.n_ctx > 0 ? request.n_ctx : std::min(layout.n_ctx_train, kDefaultSessionContext);
    plan.n_batch = std::min(request.n_batch > 0 ? request.n_batch : kDefaultSessionBatch, plan.n_ctx);
    plan.gpu_budget = request.gpu_budget;
    plan.ram_budget = request.ram_budget;

    // Step 2: the weights as loaded, wherever they run.
    for (const WeightGroupMemory& layer : layout.layers) {
        plan.weights_by_layer.push_back(layer.loaded_bytes);
        plan.weights_total = bytes.add(plan.weights_total, layer.loaded_bytes, "weights");
    }
    for (const WeightGroupMemory* group : {&layout.embedding, &layout.output, &layout.rope})
        plan.weights_outside_layers = bytes.add(plan.weights_outside_layers, group->loaded_bytes, "weights");
    plan.weights_total = bytes.add(plan.weights_total, plan.weights_outside_layers, "weights");

    // Step 3: the layers on the GPU. The shaders run the layers before the
    // first one with a type they cannot read; "as many as fit" then drops
    // layers until the peak fits the budget.
    while (plan.gpu_supported_layers < layout.n_layer &&
           layout.layers[static_cast<size_t>(plan.gpu_supported_layers)].gpu_supported)
        ++plan.gpu_supported_layers;
    int n_gpu = 0;
    if (request.gpu_budget && request.gpu_layers != 0) {
        n_gpu = request.gpu_layers < 0 ? layout.n_layer : std::min(request.gpu_layers, layout.n_layer);
        n_gpu = std::min(n_gpu, plan.gpu_supported_layers);
        if (request.gpu_layers < 0) {
            while (n_gpu > 0 &&
                   device_figures(layout, n_gpu, plan.n_ctx, plan.n_batch, request).peak() > *request.gpu_budget)
                --n_gpu;
        }
    }
    const DeviceFigures device = device_figures(layout, n_gpu, plan.n_ctx, plan.n_batch, request);
    plan.gpu_layers = n_gpu;
    plan.gpu_output = device.output;
    plan.gpu_weights_by_layer = device.weights_by_layer;
    plan.gpu_weights_outside_layers = device.weights_outside_layers;
    plan.gpu_weights = device.weights;
    plan.gpu_kv_cache = device.kv_cache;
    plan.gpu_scratch = device.scratch;
    plan.gpu_staging = device.staging;
    plan.gpu_total = device.total();
    plan.gpu_peak = device.peak();

    // Step 4: host memory. Every copy stays, because the CPU graph keeps it.
    // Of the mapped weights the CPU reads the embedding, its own layers, and
    // the output unless the GPU runs it. Of those, cpu_weight_policy()
    // decides which the CPU copies: the Q4_0 ones into interleaved groups,
    // and where huge pages are on, every matrix of a GGUF file within the
    // RAM budget.
    const CpuWeightPolicy policy = cpu_weight_policy();
    uint64_t cpu_matrices = plan.gpu_output ? 0 : layout.output.host_mapped;
    for (int il = n_gpu; il < layout.n_layer; ++il)
        cpu_matrices = bytes.add(cpu_matrices, layout.layers[static_cast<size_t>(il)].host_mapped, "mapped weights");
    const bool copy_all = layout.gguf_mapping && policy.copy_all &&
                          (!request.ram_budget || cpu_matrices <= *request.ram_budget);
    const auto add_cpu_part = [&](const WeightGroupMemory& group) {
        uint64_t copied = 0;
        if (copy_all)
            copied = group.host_mapped;
        else if (policy.interleave)
            copied = group.host_interleaved;
        plan.ram_weights_heap = bytes.add(plan.ram_weights_heap, copied, "weights in memory");
        plan.ram_weights_mapped = bytes.add(plan.ram_weights_mapped, group.host_mapped - copied, "mapped weights");
    };
    for (int il = 0; il < layout.n_layer; ++il) {
        const WeightGroupMemory& layer = layout.layers[static_cast<size_t>(il)];
        plan.ram_weights_heap = bytes.add(plan.ram_weights_heap, layer.host_heap, "weights in memory");
        if (il >= n_gpu)
            add_cpu_part(layer);
    }
    for (const WeightGroupMemory* group : {&layout.embedding, &layout.output, &layout.rope})
        plan.ram_weights_heap = bytes.add(plan.ram_weights_heap, group->host_heap, "weights in memory");
    plan.ram_weights_mapped = bytes.add(plan.ram_weights_mapped, layout.embedding.host_mapped, "mapped weights");
    if (!plan.gpu_output)
        add_cpu_part(layout.output);
    plan.ram_mapped_total = layout.mapped_bytes;

    // Step 5: the CPU layers' KV cache and one session's activations, as
    // KvCache and ForwardScratch size them.
    const uint64_t element = request.kv_type == KvCacheType::F16 ? 2 : 4;
    plan.ram_kv_cache = bytes.mul({static_cast<uint64_t>(layout.n_layer - n_gpu), 2, static_cast<uint64_t>(plan.n_ctx),
                                   static_cast<uint64_t>(layout.n_embd_kv), element},
                                  "KV cache");
    const uint64_t floats_per_token = 3ull * static_cast<uint64_t>(layout.n_embd) +
                                      2ull * static_cast<uint64_t>(layout.n_embd_q) +
                                      2ull * static_cast<uint64_t>(layout.n_embd_kv) +
                                      2ull * static_cast<uint64_t>(layout.n_ff) +
                                      static_cast<uint64_t>(layout.fused_width);
    plan.ram_scratch = bytes.add(bytes.mul({static_cast<uint64_t>(plan.n_batch), floats_per_token, sizeof(float)},
                                           "activations"),
                                 bytes.mul({static_cast<uint64_t>(layout.n_vocab), sizeof(float)}, "activations"),
                                 "activations");
    plan.ram_total = bytes.add(bytes.add(plan.ram_weights_heap, plan.ram_weights_mapped, "RAM"),
                               bytes.add(plan.ram_kv_cache, plan.ram_scratch, "RAM"), "RAM");
    plan.kv_cache = bytes.add(plan.gpu_kv_cache, plan.ram_kv_cache, "KV cache");
    plan.scratch = bytes.add(plan.gpu_scratch, plan.ram_scratch, "activations");

    // Step 6: whether it fits.
    plan.fits_gpu = n_gpu == 0 || !request.gpu_budget || plan.gpu_peak <= *request.gpu_budget;
    plan.fits_ram = !request.ram_budget || plan.ram_total <= *request.ram_budget;
    return plan;
}

CpuWeightPolicy cpu_weight_policy()
{
    CpuWeightPolicy policy;
    policy.address_limit = address_space_limit();
    policy.huge_pages = huge_pages_enabled();
    policy.interleave = cpu::uses_avx2(cpu::active_kernel_set()) && !policy.address_limit;
    policy.copy_all = policy.huge_pages && !policy.address_limit;
    return policy;
}

} // namespace quanta

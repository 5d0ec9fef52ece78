#include "engine/model.h"

#include "core/error.h"
#include "core/log.h"
#include "core/system_memory.h"
#include "core/thread_pool.h"
#include "cpu/cpu_features.h"
#include "engine/gpu_offload.h"
#include "engine/memory_plan.h"
#include "engine/model_summary.h"
#include "gguf/gguf_reader.h"
#include "hf/hf_model.h"
#include "model/model_graph.h"
#include "vulkan/vulkan_decoder.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace quanta {

namespace {

// Page size used to touch the mapping while loading, so the first token does
// not stall on page faults and the progress bar reflects the disk read.
constexpr uint64_t kTouchStride = 4096;
// Progress is reported after each chunk of this many bytes.
constexpr uint64_t kProgressChunk = 64ull << 20;

void check_cancel(const LoadOptions& options, const std::string& path)
{
    if (options.cancel && options.cancel->load(std::memory_order_acquire))
        throw CancelledError(path + ": loading cancelled");
}

// Copies the matrices of the CPU layers (from info.gpu_layers on) as
// cpu_weight_policy() decides, records the bytes in `info` and logs them.
void copy_weights_for_cpu(ModelGraph& graph, const GgufFile& file, ModelInfo& info)
{
    const std::string& path = info.path;
    const CpuWeightPolicy policy = cpu_weight_policy();
    if (policy.address_limit) {
        QUANTA_LOG_INFO("%s: the process has an address-space limit (ulimit -v, %.1f MiB), so the CPU reads the "
                        "weights from the file mapping and copies none",
                        path.c_str(), static_cast<double>(*policy.address_limit) / (1 << 20));
    }

    CpuWeightCopyOptions copy;
    copy.first_layer = info.gpu_layers;
    copy.output = !info.gpu_output;
    copy.interleave = policy.interleave;
    copy.huge_pages = policy.huge_pages;
    copy.copy_all = policy.copy_all;
    copy.releasable = [&file](const void* data, size_t bytes) {
        return file.maps(data, bytes) || file.owns_buffer(data);
    };
    copy.release = [&file](const void* data, size_t bytes) { file.release(data, bytes); };
    // Mapped pages can be dropped and read again, but copies cannot. Where
    // they would not fit in the memory left, the weights stay mapped.
    copy.budget = memory_available_bytes().value_or(UINT64_MAX);
    const CpuWeightCopies copies = graph.copy_cpu_weights(copy);
#ifdef __GLIBC__
    // The freed heap copies of an assembled model would otherwise stay in
    // glibc's arenas, and the process would keep them resident.
    if (copies.copied > 0 && !file.is_mapped())
        ::malloc_trim(0);
#endif

    info.interleaved_bytes = copies.interleaved;
    info.copied_weight_bytes = copies.copied;
    info.weights_in_huge_pages = copies.copied > 0 && copies.huge_pages;
    if (copies.copied > 0) {
        QUANTA_LOG_INFO("%s: %.1f MiB of weights copied for the CPU (%.1f MiB of Q4_0 interleaved), %s", path.c_str(),
                        static_cast<double>(copies.copied) / (1 << 20),
                        static_cast<double>(copies.interleaved) / (1 << 20),
                        copies.huge_pages ? "in huge pages" : "in small pages");
    }
    if (copies.over_budget) {
        QUANTA_LOG_WARN("%s: the weight copies (%.1f MiB) do not fit in the memory available (%.1f MiB), so the CPU "
                        "reads the file mapping",
                        path.c_str(), static_cast<double>(copies.requested) / (1 << 20),
                        static_cast<double>(copy.budget) / (1 << 20));
    }
    if (copies.reservation_failed) {
        QUANTA_LOG_WARN("%s: reserving %.1f MiB for the weight copies failed, so the CPU reads the file mapping "
                        "instead",
                        path.c_str(), static_cast<double>(copies.requested) / (1 << 20));
    }
}

} // namespace

Model::~Model() = default;

std::shared_ptr<Model> Model::load(const std::string& path, const LoadOptions& options)
{
    const auto start = std::chrono::steady_clock::now();
    std::shared_ptr<Model> model(new Model());
    model->kernels_ = options.kernels;
    model->n_threads_ = options.n_threads > 0 ? options.n_threads : ThreadPool::default_threads();
    if (model->n_threads_ > ThreadPool::hardware_threads()) {
        // More spinning workers than cores only makes them wait for each other.
        QUANTA_LOG_WARN("%d threads requested but the CPU has %d; using %d", model->n_threads_,
                        ThreadPool::hardware_threads(), ThreadPool::hardware_threads());
        model->n_threads_ = ThreadPool::hardware_threads();
    }

    // Parse and validate the header, then build the tokenizer and the graph.
    QUANTA_LOG_INFO("loading model %s", path.c_str());
    check_cancel(options, path);
    std::error_code folder_error;
    const bool hf_folder = std::filesystem::is_directory(path, folder_error);
    HfLoadOptions hf_options;
    hf_options.cancel = options.cancel;
    if (options.on_progress) {
        // Repacking a folder's weights is the first half of the bar.
        hf_options.on_progress = [&](float progress) { options.on_progress(0.5f * progress); };
    }
    model->file_ = open_model_path(path, hf_options);
    const GgufFile& file = *model->file_;
    model->tokenizer_ = hf_folder ? Tokenizer::from_hf_dir(path) : Tokenizer::from_gguf(file);
    model->graph_ = ModelGraph::create(file, options.kernels);
    const Hyperparams& hp = model->graph_->hparams();
    // NOTE: Hugging Face checkpoints often pad the embedding rows past the
    // tokenizer's vocabulary (Qwen2). The tokenizer never produces those ids,
    // but sampling may pick one, because their logits are not masked.
    const bool padded = hf_folder && model->tokenizer_->vocab_size() < hp.n_vocab;
    if (model->tokenizer_->vocab_size() != hp.n_vocab && !padded) {
        throw FormatError(path + ": the vocabulary has " + std::to_string(model->tokenizer_->vocab_size()) +
                          " tokens but tensor 'token_embd.weight' has " + std::to_string(hp.n_vocab) + " rows");
    }

    // Describe the model.
    ModelInfo& info = model->info_;
    const ModelSummary summary = summarize_model_file(file);
    info.path = path;
    info.name = summary.name;
    info.architecture = hp.architecture;
    info.file_type = summary.file_type;
    info.chat_template = file.get_string("tokenizer.chat_template", "");
    info.file_size = file.file_size();
    info.weight_bytes = summary.weight_bytes;
    info.n_params = summary.n_params;
    info.n_ctx_train = hp.n_ctx_train;
    info.n_embd = hp.n_embd;
    info.n_layer = hp.n_layer;
    info.n_head = hp.n_head;
    info.n_head_kv = hp.n_head_kv;
    info.n_ff = hp.n_ff;
    info.n_vocab = hp.n_vocab;

    // Touch every page of the tensor data once, reporting progress.
    const uint64_t total = info.weight_bytes;
    uint64_t done = 0;
    uint64_t next_report = 0;
    volatile uint8_t sink = 0;
    const float base = hf_folder ? 0.5f : 0.0f;
    if (options.on_progress)
        options.on_progress(base);
    for (const GgufTensor& tensor : file.tensors()) {
        for (uint64_t offset = 0; offset < tensor.n_bytes; offset += kTouchStride)
            sink = sink + tensor.data[offset];
        done += tensor.n_bytes;
        if (done >= next_report) {
            check_cancel(options, path);
            if (options.on_progress && total > 0)
                options.on_progress(base + (1.0f - base) * static_cast<float>(static_cast<double>(done) /
                                                                              static_cast<double>(total)));
            next_report = done + kProgressChunk;
        }
    }
    // The GPU part: as many layers as requested and fit, or none, with the
    // reason logged and kept for the UI.
    GpuRequest gpu_request;
    gpu_request.device = options.device;
    gpu_request.gpu_layers = options.gpu_layers;
    gpu_request.n_ctx = options.n_ctx > 0 ? std::min(options.n_ctx, hp.n_ctx_train) : hp.n_ctx_train;
    gpu_request.n_batch = options.n_batch;
    gpu_request.memory_limit = options.gpu_memory_limit;
    gpu_request.fail_allocation_at = options.fail_gpu_allocation_at;
    gpu_request.fail_later_allocations = options.fail_later_gpu_allocations;
    gpu_request.cancel = options.cancel;
    GpuPlacement placement = place_on_gpu(*model->graph_, describe_model_memory(file), gpu_request);
    model->gpu_memory_ = std::move(placement.memory);
    model->gpu_ = std::move(placement.model);
    info.gpu_device = model->gpu_ ? placement.device_name : std::string();
    info.gpu_layers = model->gpu_ ? placement.n_layers : 0;
    info.gpu_output = model->gpu_ && model->gpu_->runs_output();
    info.gpu_fallback_reason = placement.fallback_reason;
    if (!info.gpu_fallback_reason.empty())
        QUANTA_LOG_WARN("%s: %s; %d of %d layers run on the GPU", path.c_str(), info.gpu_fallback_reason.c_str(),
                        info.gpu_layers, hp.n_layer);

    // The CPU layers' matrices in one buffer of huge pages, Q4_0 ones in the
    // layout of the AVX2 decode kernel. The copies replace the file's pages,
    // which the OS may then drop.
    if (options.kernels == KernelMode::Fast)
        copy_weights_for_cpu(*model->graph_, file, info);

    if (options.on_progress)
        options.on_progress(1.0f);

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QUANTA_LOG_INFO("loaded %s: %s %s, %d layers (%d on %s), n_embd %d, %.1f M parameters, %.1f MiB, %d threads, "
                    "%s kernels, %.2f s",
                    info.name.c_str(), info.architecture.c_str(), info.file_type.c_str(), info.n_layer,
                    info.gpu_layers, info.gpu_layers > 0 ? info.gpu_device.c_str() : "the GPU", info.n_embd,
                    static_cast<double>(info.n_params) / 1e6, static_cast<double>(info.weight_bytes) / (1 << 20),
                    model->n_threads_, options.kernels == KernelMode::Fast ? cpu_kernel_name() : "reference", seconds);
    return model;
}

} // namespace quanta

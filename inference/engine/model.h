// A loaded model: weights, hyperparameters and tokenizer. Shared read-only by
// any number of sessions.
#pragma once

#include "cpu/matmul.h"
#include "tokenizer/tokenizer.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace quanta {

class GgufFile;
class ModelGraph;

namespace vk {
class DeviceMemory;
class GpuModel;
} // namespace vk

struct ModelInfo {
    std::string path;
    std::string name;           // general.name, or the file name
    std::string architecture;   // general.architecture
    std::string file_type;      // dominant weight type, e.g. "Q4_K_M" or "F16"
    std::string chat_template;  // tokenizer.chat_template, empty when absent
    uint64_t file_size = 0;     // bytes
    uint64_t weight_bytes = 0;  // bytes of all tensors
    uint64_t n_params = 0;      // elements of all tensors
    int n_ctx_train = 0;
    int n_embd = 0;
    int n_layer = 0;
    int n_head = 0;
    int n_head_kv = 0;
    int n_ff = 0;
    int n_vocab = 0;

    // Placement of the layers.
    std::string gpu_device;     // Vulkan device name; empty when none is used
    int gpu_layers = 0;         // layers 0 .. gpu_layers - 1 run there
    bool gpu_output = false;    // the output projection runs there too
    // Bytes of Q4_0 matrices copied into 8-row groups for the AVX2 kernels
    // (cpu/repack.h); 0 on other CPUs and with the reference kernels.
    uint64_t interleaved_bytes = 0;
    // Bytes of all matrices the CPU reads from a copy in huge pages instead
    // of the file mapping, interleaved_bytes included (docs/memory.md).
    uint64_t copied_weight_bytes = 0;
    bool weights_in_huge_pages = false;  // the copies were advised into huge pages
    // Reason the GPU runs fewer layers than requested, or none (no Vulkan
    // loader, no device, not enough memory, ...); empty otherwise.
    std::string gpu_fallback_reason;
};

struct LoadOptions {
    // Threads for this model's kernels; 0 picks ThreadPool::default_threads().
    int n_threads = 0;
    KernelMode kernels = KernelMode::Fast;
    // Called with 0..1 while loading, from the loading thread.
    std::function<void(float progress)> on_progress;
    // Checked while loading; when set, load() throws CancelledError.
    const std::atomic<bool>* cancel = nullptr;

    // The Vulkan device: "auto" (the best GPU; a software driver such as
    // lavapipe only when named), "cpu" for none, or an index, name or UUID.
    std::string device = "auto";
    // Layers on the GPU: -1 for as many as fit its memory budget.
    int gpu_layers = -1;
    // Context and batch the memory plan reserves room for.
    int n_ctx = 4096;
    int n_batch = 512;
    // Device memory the model may take, in bytes, when that is less than
    // the share of the device's budget it takes otherwise; 0 for no limit.
    uint64_t gpu_memory_limit = 0;
    // Test hook: the N-th device memory block allocation fails (0: off),
    // and with fail_later_gpu_allocations every one after it too.
    int fail_gpu_allocation_at = 0;
    bool fail_later_gpu_allocations = false;
};

class Model {
public:
    // Opens and validates `path` and prepares the weights. Throws IoError,
    // FormatError, UnsupportedError or CancelledError; the message names the
    // file and the problem.
    static std::shared_ptr<Model> load(const std::string& path, const LoadOptions& options = {});
    ~Model();

    const ModelInfo& info() const { return info_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    const GgufFile& file() const { return *file_; }
    const ModelGraph& graph() const { return *graph_; }
    int n_threads() const { return n_threads_; }
    KernelMode kernels() const { return kernels_; }

    // The GPU part, or null when the model runs on the CPU alone.
    const std::shared_ptr<vk::GpuModel>& gpu() const { return gpu_; }
    // The device memory the GPU part allocates from, with its accounting
    // (vk::DeviceMemory::report()); null without a GPU part.
    const std::shared_ptr<vk::DeviceMemory>& gpu_memory() const { return gpu_memory_; }

private:
    Model() = default;

    ModelInfo info_;
    std::unique_ptr<GgufFile> file_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<ModelGraph> graph_;
    int n_threads_ = 1;
    KernelMode kernels_ = KernelMode::Fast;
    std::shared_ptr<vk::DeviceMemory> gpu_memory_;
    std::shared_ptr<vk::GpuModel> gpu_;
};

} // namespace quanta

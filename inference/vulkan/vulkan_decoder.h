// The decoder-only transformer (model/decoder.h) on a Vulkan device. The
// weights of the first N layers, and of the output when every layer is
// there, are uploaded once. Each session has a KV cache and activations in
// device memory, and records each forward pass into one command buffer.
#pragma once

#include "model/decoder.h"
#include "vulkan/vulkan_kernels.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace quanta::vk {

// Upper bound of the staging buffer that uploads go through; larger uploads
// go in pieces.
inline constexpr uint64_t kMaxStagingBytes = 64ull << 20;

// Bytes of the staging buffer for an upload of `upload_bytes` (its tensors
// each rounded up to 16 bytes): the whole upload when it is smaller than
// kMaxStagingBytes, so that a small model does not take 64 MiB for it.
uint64_t staging_buffer_bytes(uint64_t upload_bytes);

class GpuModel {
public:
    // Uploads layers 0 .. n_layers - 1 of `graph` (and the output when
    // n_layers is every layer) through a staging buffer. Throws
    // OutOfDeviceMemoryError when the device runs out, DeviceError for
    // other device failures, and CancelledError when `cancel` is set.
    GpuModel(std::shared_ptr<Context> context, std::shared_ptr<DeviceMemory> memory, const DecoderGraph& graph,
             int n_layers, const std::atomic<bool>* cancel = nullptr);

    const DecoderGraph& graph() const { return graph_; }
    int n_layers() const { return n_layers_; }
    bool runs_output() const { return runs_output_; }
    Context& context() { return *context_; }
    DeviceMemory& memory() { return *memory_; }
    Kernels& kernels() { return kernels_; }
    // Serializes submissions to the device's queue across sessions.
    std::mutex& queue_mutex() { return queue_mutex_; }

    struct Layer {
        Buffer attn_norm, bq, bk, bv, q_norm, k_norm, attn_post_norm;
        Buffer ffn_norm, ffn_post_norm;
        GpuMatrix wq, wk, wv, wqkv, wo;
        GpuMatrix w_gate, w_up, w_down;
    };
    const std::vector<Layer>& layers() const { return layers_; }
    const Buffer& output_norm() const { return output_norm_; }
    const GpuMatrix& output() const { return output_; }
    // The device copy of the RoPE divisors `host` points to (one of the
    // graph's settings vectors), or an empty buffer.
    const Buffer& rope_factors(const float* host) const;

private:
    class Uploader;

    std::shared_ptr<Context> context_;
    std::shared_ptr<DeviceMemory> memory_;
    const DecoderGraph& graph_;
    Kernels kernels_;
    std::mutex queue_mutex_;
    int n_layers_ = 0;
    bool runs_output_ = false;
    std::vector<Layer> layers_;
    Buffer output_norm_;
    GpuMatrix output_;
    Buffer rope_freqs_, rope_short_, rope_long_;
    Buffer no_factors_;  // bound where a layer has no divisors
};

// One session's state on the device, and its part of each forward pass.
class GpuSession : public LayerOffload {
public:
    GpuSession(std::shared_ptr<GpuModel> model, int n_ctx, int n_batch);

    int n_layers() const override { return model_->n_layers(); }
    bool runs_output() const override { return model_->runs_output(); }
    void forward(std::span<const TokenId> tokens, const float* embedded, int pos0, float* x, float* logits,
                 bool all_logits) override;

private:
    void record_layer(int il, uint32_t n, uint32_t pos0);
    void record_output(uint32_t n, bool all_logits);
    // Records y = W x for n tokens, through permuted_ when W has an input
    // order and through int8_x_ when the int8 path runs W. Pass `quantized`
    // true when int8_x_ already contains x quantized by an earlier call on
    // the same unchanged x, so that matrices sharing an input (Q, K and V,
    // or gate and up) quantize it once. Returns whether int8_x_ contains x
    // quantized after the call.
    bool matmul(const GpuMatrix& w, BufferRange x, BufferRange y, uint32_t n, bool quantized = false);

    std::shared_ptr<GpuModel> model_;
    int n_ctx_;
    int n_batch_;
    Recorder recorder_;
    std::vector<Buffer> k_cache_, v_cache_;
    Buffer x_, norm_, q_, k_, v_, attn_, proj_, gate_, up_, fused_, logits_;
    Buffer upload_, readback_;
    Buffer permuted_;  // [n_batch, widest input] activations in act-order column order; only when needed
    // [n_batch, widest input of the int8 path's types] activations quantized
    // by Kernels::quantize_int8(), allocated only when the device runs that path.
    Buffer int8_x_;
    const Buffer* rope_factors_ = nullptr;
    bool has_rope_factors_ = false;
};

} // namespace quanta::vk

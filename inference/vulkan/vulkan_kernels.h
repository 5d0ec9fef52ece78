// The compute shaders as operations: each call records one dispatch into a
// Recorder with the right pipeline, push constants and workgroup count.
// Pipelines are built on first use and kept.
#pragma once

#include "gguf/ggml_type.h"
#include "vulkan/vulkan_pipeline.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace quanta::vk {

// A weight matrix in device memory: `n_out` rows of `n_in` elements of
// `type`, each `row_bytes` long, as in the GGUF file.
struct GpuMatrix {
    Buffer buffer;
    GgmlType type = GgmlType::F32;
    uint32_t n_in = 0;
    uint32_t n_out = 0;
    uint32_t row_bytes = 0;
    // int32 [n_in] for act-order GPTQ weights (WeightMatrix::in_perm): stored
    // column j multiplies input perm[j]. Empty otherwise.
    Buffer perm;

    explicit operator bool() const { return static_cast<bool>(buffer); }
};

// True when the shaders can read `type`.
bool gpu_supports_type(GgmlType type);

class Kernels {
public:
    explicit Kernels(Context& context);

    Context& context() { return context_; }

    // y = x / rms(x) * w over `rows` rows of `n` values, `stride` apart; x
    // starts `x_offset` elements into its buffer.
    void rms_norm(Recorder& r, BufferRange x, BufferRange w, BufferRange y, uint32_t n, uint32_t rows,
                  uint32_t stride, float eps, uint32_t x_offset = 0);
    // y[t] = W x[t] for n_tokens tokens: matrix-vector shaders for a few
    // tokens, the tiled matrix-matrix shader for more. x must already be in
    // the stored column order when w has a perm (see gather_columns).
    void matmul(Recorder& r, const GpuMatrix& w, BufferRange x, BufferRange y, uint32_t n_tokens);
    // out[i] = row ids[i] of `table`, dequantized.
    void get_rows(Recorder& r, const GpuMatrix& table, BufferRange ids, BufferRange out, uint32_t n_ids);
    void rope(Recorder& r, BufferRange x, BufferRange factors, bool has_factors, uint32_t n_tokens, uint32_t n_heads,
              uint32_t head_dim, uint32_t n_rot, uint32_t pos0, bool neox, float freq_base, float freq_scale,
              float attn_factor);
    // gate = act(gate) * up, with SiLU or GELU (tanh).
    void glu(Recorder& r, BufferRange gate, BufferRange up, uint32_t n, bool gelu);
    void add(Recorder& r, BufferRange x, BufferRange y, uint32_t n);
    void scale(Recorder& r, BufferRange x, uint32_t n, float factor);
    void softcap(Recorder& r, BufferRange x, uint32_t n, float cap);
    void add_bias(Recorder& r, BufferRange x, BufferRange bias, uint32_t n_tokens, uint32_t width);
    void copy_columns(Recorder& r, BufferRange src, BufferRange dst, uint32_t n_tokens, uint32_t src_width,
                      uint32_t offset, uint32_t width);
    // dst[t][j] = src[t][perm[j]] for j < width.
    void gather_columns(Recorder& r, BufferRange src, BufferRange perm, BufferRange dst, uint32_t n_tokens,
                        uint32_t width);
    void kv_store(Recorder& r, BufferRange k, BufferRange v, BufferRange k_cache, BufferRange v_cache,
                  uint32_t n_tokens, uint32_t n_embd_kv, uint32_t pos0);
    void attention(Recorder& r, BufferRange q, BufferRange k_cache, BufferRange v_cache, BufferRange out,
                   uint32_t n_tokens, uint32_t pos0, uint32_t n_head, uint32_t n_head_kv, uint32_t head_dim,
                   uint32_t window, float scale, float softcap);

private:
    // The pipeline of shader `name` with these specialization constants
    // (constant_id 0 is the workgroup size), built on first use.
    const Pipeline& pipeline(const std::string& name, uint32_t n_buffers, uint32_t push_size,
                             std::vector<uint32_t> specialization);

    Context& context_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Pipeline>> pipelines_;
};

} // namespace quanta::vk

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

// True for the types that the int8 path reads: the 32-element block types
// Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q4_G and Q8_G, and the 256-element
// super-block types Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_XS. F32 and F16
// stay on the dequantizing tiled shader.
bool int8_path_supports_type(GgmlType type);

// The tile of a tiled matrix-matrix shader, its specialization constants
// 0..3.
struct MatmulTile {
    uint32_t workgroup = 64;  // invocations
    uint32_t rows = 16;       // weight rows per workgroup
    uint32_t tokens = 16;     // tokens per workgroup
    uint32_t depth = 32;      // elements along a row per step; a multiple of 32 for the int8 shader

    bool operator==(const MatmulTile&) const = default;
};

// The shaders each matrix product runs on one device.
struct KernelPaths {
    // Decode: the matrix-vector shader sums its invocations' partial sums
    // with subgroupAdd (subgroup arithmetic), else in a shared-memory tree.
    bool subgroup_matvec = false;
    uint32_t matvec_workgroup = 32;  // invocations, a power of two of at most 64
    uint32_t matvec_rows = 4;        // output rows per workgroup, at most 8
    // Prompt processing of the quantized types (int8_path_supports_type()):
    // 8-bit integer dot products on quantized activations, else the
    // dequantizing tiled shader.
    bool int8_matmul = false;
    MatmulTile matmul_tile;
    MatmulTile int8_tile{64, 32, 32, 64};

    bool operator==(const KernelPaths&) const = default;
};

// The paths that need only Vulkan 1.1 and 16-bit storage.
KernelPaths plain_kernel_paths();

// The best paths that `device.features` allow. Pass Context::info(), whose
// features are those enabled on the device.
KernelPaths best_kernel_paths(const DeviceInfo& device);

// Throws UnsupportedError naming the device and the path when `paths` uses
// a feature that `device` lacks, and Error when a tile or workgroup size is
// invalid or exceeds the device's limits.
void check_kernel_paths(const KernelPaths& paths, const DeviceInfo& device);

// One line naming each path, for the log.
std::string describe_kernel_paths(const KernelPaths& paths);

// Applies the QUANTA_VK_PATHS value `setting` to `best`: "" or "auto"
// keeps it, "plain" turns every optional path off, and a comma-separated
// list of "subgroup" and "int8" keeps only those. Unknown words are logged
// and ignored.
KernelPaths apply_paths_setting(const KernelPaths& best, const std::string& setting);

class Kernels {
public:
    // Uses the best paths the device allows, limited by the environment
    // variable QUANTA_VK_PATHS (see apply_paths_setting()), and logs them.
    explicit Kernels(Context& context);
    // Uses `paths` as they are, for tests. Throws as check_kernel_paths().
    Kernels(Context& context, const KernelPaths& paths);

    Context& context() { return context_; }
    const KernelPaths& paths() const { return paths_; }

    // True when matmul() of `w` over n_tokens tokens runs the int8 path,
    // given activations quantized by quantize_int8().
    bool uses_int8_input(const GpuMatrix& w, uint32_t n_tokens) const;
    // Bytes that quantize_int8() writes for n_tokens rows of n_in values.
    static uint64_t int8_activation_bytes(uint32_t n_tokens, uint32_t n_in);
    // x_int8 = x ([n_tokens, n_in] F32, n_in a multiple of 32) as int8
    // quants with one step and quant sum per 32 values, the input of the
    // int8 path (layout in shaders/int8_activations.glsl).
    void quantize_int8(Recorder& r, BufferRange x, BufferRange x_int8, uint32_t n_tokens, uint32_t n_in);

    // y = x / rms(x) * w over `rows` rows of `n` values, `stride` apart; x
    // starts `x_offset` elements into its buffer.
    void rms_norm(Recorder& r, BufferRange x, BufferRange w, BufferRange y, uint32_t n, uint32_t rows,
                  uint32_t stride, float eps, uint32_t x_offset = 0);
    // y[t] = W x[t] for n_tokens tokens: matrix-vector shaders for a few
    // tokens, a tiled matrix-matrix shader for more. x must already be in
    // the stored column order when w has a perm (see gather_columns). When
    // uses_int8_input() is true and x_int8 contains x quantized by
    // quantize_int8() (recorded before a barrier), the int8 shader reads
    // x_int8 instead of x. Otherwise x_int8 is ignored.
    void matmul(Recorder& r, const GpuMatrix& w, BufferRange x, BufferRange y, uint32_t n_tokens,
                BufferRange x_int8 = {});
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
    KernelPaths paths_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Pipeline>> pipelines_;
};

} // namespace quanta::vk

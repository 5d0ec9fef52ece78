#include "vulkan/vulkan_kernels.h"

#include "core/error.h"
#include "vulkan/push_constants.h"

#include <algorithm>
#include <cctype>

namespace quanta::vk {

namespace {

// Workgroup size of every shader but the tiled matmul's. Vulkan 1.1 requires
// maxComputeWorkGroupInvocations of at least 128, so 64 fits every device.
constexpr uint32_t kWorkgroup = 64;
// The matrix-vector shader: invocations per workgroup and output rows per
// workgroup (at most 8).
constexpr uint32_t kMatvecWorkgroup = 32;
constexpr uint32_t kMatvecRows = 4;
// Above this many tokens the tiled matrix-matrix shader is used.
constexpr uint32_t kMatvecMaxTokens = 4;

uint32_t groups_for(uint32_t n)
{
    return (n + kWorkgroup - 1) / kWorkgroup;
}

std::string type_suffix(GgmlType type)
{
    std::string name(ggml_type_name(type));
    for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

} // namespace

bool gpu_supports_type(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::IQ4_NL:
    case GgmlType::IQ4_XS:
    case GgmlType::Q4_G:
    case GgmlType::Q8_G:
        return true;
    default:
        return false;
    }
}

Kernels::Kernels(Context& context) : context_(context) {}

const Pipeline& Kernels::pipeline(const std::string& name, uint32_t n_buffers, uint32_t push_size,
                                  std::vector<uint32_t> specialization)
{
    std::string key = name;
    for (uint32_t value : specialization) {
        key.push_back('/');
        key.append(std::to_string(value));
    }
    std::lock_guard lock(mutex_);
    auto& slot = pipelines_[key];
    if (!slot)
        slot = std::make_unique<Pipeline>(context_, name, n_buffers, push_size, std::move(specialization));
    return *slot;
}

void Kernels::rms_norm(Recorder& r, BufferRange x, BufferRange w, BufferRange y, uint32_t n, uint32_t rows,
                       uint32_t stride, float eps, uint32_t x_offset)
{
    r.dispatch(pipeline("rms_norm", 3, sizeof(RmsNormPush), {kWorkgroup}), {x, w, y},
               RmsNormPush{n, stride, eps, x_offset}, rows);
}

void Kernels::matmul(Recorder& r, const GpuMatrix& w, BufferRange x, BufferRange y, uint32_t n_tokens)
{
    if (!gpu_supports_type(w.type))
        throw UnsupportedError("the Vulkan backend has no shader for tensor type " +
                               std::string(ggml_type_name(w.type)));
    const std::string suffix = type_suffix(w.type);
    if (n_tokens <= kMatvecMaxTokens) {
        r.dispatch(pipeline("matvec_" + suffix, 3, sizeof(MatvecPush), {kMatvecWorkgroup, kMatvecRows}),
                   {w.buffer, x, y}, MatvecPush{w.n_in, w.n_out, w.row_bytes},
                   (w.n_out + kMatvecRows - 1) / kMatvecRows, n_tokens);
        return;
    }
    // The tiled shader is written for 64 invocations.
    r.dispatch(pipeline("matmul_" + suffix, 3, sizeof(MatmulPush), {64}), {w.buffer, x, y},
               MatmulPush{w.n_in, w.n_out, w.row_bytes, n_tokens}, (w.n_out + 15) / 16, (n_tokens + 15) / 16);
}

void Kernels::get_rows(Recorder& r, const GpuMatrix& table, BufferRange ids, BufferRange out, uint32_t n_ids)
{
    if (!gpu_supports_type(table.type))
        throw UnsupportedError("the Vulkan backend has no shader for tensor type " +
                               std::string(ggml_type_name(table.type)));
    r.dispatch(pipeline("get_rows_" + type_suffix(table.type), 3, sizeof(GetRowsPush), {kWorkgroup}),
               {table.buffer, ids, out}, GetRowsPush{table.n_in, table.row_bytes}, n_ids);
}

void Kernels::rope(Recorder& r, BufferRange x, BufferRange factors, bool has_factors, uint32_t n_tokens,
                   uint32_t n_heads, uint32_t head_dim, uint32_t n_rot, uint32_t pos0, bool neox, float freq_base,
                   float freq_scale, float attn_factor)
{
    const uint32_t n_pairs = n_tokens * n_heads * (n_rot / 2);
    r.dispatch(pipeline("rope", 2, sizeof(RopePush), {kWorkgroup}), {x, factors},
               RopePush{n_tokens, n_heads, head_dim, n_rot, pos0, neox ? 1u : 0u, has_factors ? 1u : 0u, freq_base,
                        freq_scale, attn_factor},
               groups_for(n_pairs));
}

void Kernels::glu(Recorder& r, BufferRange gate, BufferRange up, uint32_t n, bool gelu)
{
    r.dispatch(pipeline(gelu ? "glu_gelu" : "glu_silu", 2, sizeof(ElementwisePush), {kWorkgroup}), {gate, up},
               ElementwisePush{n}, groups_for(n));
}

void Kernels::add(Recorder& r, BufferRange x, BufferRange y, uint32_t n)
{
    r.dispatch(pipeline("add", 2, sizeof(ElementwisePush), {kWorkgroup}), {x, y}, ElementwisePush{n}, groups_for(n));
}

void Kernels::scale(Recorder& r, BufferRange x, uint32_t n, float factor)
{
    r.dispatch(pipeline("scale", 2, sizeof(ScalarOpPush), {kWorkgroup}), {x, x}, ScalarOpPush{n, 1, factor},
               groups_for(n));
}

void Kernels::softcap(Recorder& r, BufferRange x, uint32_t n, float cap)
{
    r.dispatch(pipeline("softcap", 2, sizeof(ScalarOpPush), {kWorkgroup}), {x, x}, ScalarOpPush{n, 1, cap},
               groups_for(n));
}

void Kernels::add_bias(Recorder& r, BufferRange x, BufferRange bias, uint32_t n_tokens, uint32_t width)
{
    r.dispatch(pipeline("add_bias", 2, sizeof(ScalarOpPush), {kWorkgroup}), {x, bias},
               ScalarOpPush{n_tokens * width, width, 0.0f}, groups_for(n_tokens * width));
}

void Kernels::copy_columns(Recorder& r, BufferRange src, BufferRange dst, uint32_t n_tokens, uint32_t src_width,
                           uint32_t offset, uint32_t width)
{
    r.dispatch(pipeline("copy_columns", 2, sizeof(CopyColumnsPush), {kWorkgroup}), {src, dst},
               CopyColumnsPush{n_tokens, src_width, offset, width}, groups_for(n_tokens * width));
}

void Kernels::gather_columns(Recorder& r, BufferRange src, BufferRange perm, BufferRange dst, uint32_t n_tokens,
                             uint32_t width)
{
    r.dispatch(pipeline("gather_columns", 3, sizeof(GatherColumnsPush), {kWorkgroup}), {src, perm, dst},
               GatherColumnsPush{n_tokens, width}, groups_for(n_tokens * width));
}

void Kernels::kv_store(Recorder& r, BufferRange k, BufferRange v, BufferRange k_cache, BufferRange v_cache,
                       uint32_t n_tokens, uint32_t n_embd_kv, uint32_t pos0)
{
    r.dispatch(pipeline("kv_store", 4, sizeof(KvStorePush), {kWorkgroup}), {k, v, k_cache, v_cache},
               KvStorePush{n_tokens, n_embd_kv, pos0}, groups_for(n_tokens * n_embd_kv));
}

void Kernels::attention(Recorder& r, BufferRange q, BufferRange k_cache, BufferRange v_cache, BufferRange out,
                        uint32_t n_tokens, uint32_t pos0, uint32_t n_head, uint32_t n_head_kv, uint32_t head_dim,
                        uint32_t window, float scale, float softcap)
{
    if (head_dim > 256)
        throw UnsupportedError("the Vulkan attention shader supports heads of up to 256 values, not " +
                               std::to_string(head_dim));
    r.dispatch(pipeline("attention", 4, sizeof(AttentionPush), {kWorkgroup}), {q, k_cache, v_cache, out},
               AttentionPush{n_tokens, pos0, n_head, n_head_kv, head_dim, window, scale, softcap}, n_head, n_tokens);
}

} // namespace quanta::vk

#include "vulkan/vulkan_kernels.h"

#include "core/error.h"
#include "core/log.h"
#include "vulkan/push_constants.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>

namespace quanta::vk {

namespace {

// Workgroup size of every shader but the matrix shaders'. Vulkan 1.1
// requires maxComputeWorkGroupInvocations of at least 128, so 64 fits every
// device.
constexpr uint32_t kWorkgroup = 64;
// Above this many tokens a tiled matrix-matrix shader is used.
constexpr uint32_t kMatvecMaxTokens = 4;
// Limits of matvec.comp's shared arrays and per-invocation sums.
constexpr uint32_t kMatvecMaxWorkgroup = 64;
constexpr uint32_t kMatvecMaxRows = 8;
// MAX_TOKENS_PER_INVOCATION of matmul.comp and matmul_int8.comp.
constexpr uint32_t kMaxTokensPerInvocation = 16;
// Elements per block of the int8 path's weights and activations.
constexpr uint32_t kInt8Block = 32;
// The types with a matmul_int8_<type> variant (shaders/variants.cmake), in
// the order the log lists them.
constexpr GgmlType kInt8Types[] = {
    GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,
    GgmlType::IQ4_NL, GgmlType::Q4_G, GgmlType::Q8_G, GgmlType::Q2_K, GgmlType::Q3_K,
    GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_XS,
};
// common.glsl's reduction scratch (1024 floats), counted against the
// shared memory of every shader in case the driver keeps it.
constexpr uint64_t kCommonSharedBytes = 1024 * sizeof(float);

uint32_t groups_for(uint32_t n)
{
    return (n + kWorkgroup - 1) / kWorkgroup;
}

uint32_t ceil_div(uint32_t n, uint32_t d)
{
    return (n + d - 1) / d;
}

bool is_power_of_two(uint32_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

std::string type_suffix(GgmlType type)
{
    std::string name(ggml_type_name(type));
    for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

std::vector<uint32_t> tile_specialization(const MatmulTile& tile)
{
    return {tile.workgroup, tile.rows, tile.tokens, tile.depth};
}

std::string tile_text(const MatmulTile& tile)
{
    return std::to_string(tile.rows) + " rows x " + std::to_string(tile.tokens) + " tokens x " +
           std::to_string(tile.depth) + " deep, " + std::to_string(tile.workgroup) + " invocations";
}

// Shared memory of each tiled shader's arrays for `tile`.
uint64_t plain_tile_shared_bytes(const MatmulTile& tile)
{
    return (uint64_t{tile.rows} + tile.tokens) * (uint64_t{tile.depth} + 1) * sizeof(float);
}

// Shared memory of the largest matmul_int8.comp variant. Per block, a
// weight row takes at most a vec4 of scales (Q2_K, Q3_K and Q6_K). A token
// takes its step and quant sum, plus the first half's sum for Q2_K.
uint64_t int8_tile_shared_bytes(const MatmulTile& tile)
{
    const uint64_t blocks = tile.depth / kInt8Block;
    const uint64_t stride = blocks * (kInt8Block / 4) + 1;
    const uint64_t quads = (uint64_t{tile.rows} + tile.tokens) * stride * sizeof(uint32_t);
    const uint64_t weight_blocks = tile.rows * blocks * 4 * sizeof(float);
    const uint64_t token_blocks = tile.tokens * blocks * 3 * sizeof(float);
    return quads + weight_blocks + token_blocks;
}

// The reason `tile` cannot run on `device`, or "" when it can.
std::string tile_problem(const MatmulTile& tile, bool int8, const DeviceInfo& device)
{
    if (tile.workgroup == 0 || tile.rows == 0 || tile.tokens == 0 || tile.depth == 0)
        return "every size must be positive";
    if (tile.workgroup % tile.rows != 0)
        return "the workgroup size must be a multiple of the rows";
    if ((uint64_t{tile.rows} * tile.tokens) % tile.workgroup != 0)
        return "rows x tokens must be a multiple of the workgroup size";
    if (uint64_t{tile.rows} * tile.tokens / tile.workgroup > kMaxTokensPerInvocation)
        return "more than " + std::to_string(kMaxTokensPerInvocation) + " tokens per invocation";
    if (int8 && tile.depth % kInt8Block != 0)
        return "the depth must be a multiple of 32";
    if (tile.workgroup > device.max_workgroup_invocations)
        return "the device allows " + std::to_string(device.max_workgroup_invocations) + " invocations";
    const uint64_t shared = (int8 ? int8_tile_shared_bytes(tile) : plain_tile_shared_bytes(tile)) + kCommonSharedBytes;
    if (shared > device.max_shared_memory)
        return "it needs " + std::to_string(shared) + " bytes of shared memory and the device allows " +
               std::to_string(device.max_shared_memory);
    return {};
}

std::string lowercase_trimmed(std::string text)
{
    const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
    text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), space));
    text.erase(std::find_if_not(text.rbegin(), text.rend(), space).base(), text.end());
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
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

bool int8_path_supports_type(GgmlType type)
{
    return std::find(std::begin(kInt8Types), std::end(kInt8Types), type) != std::end(kInt8Types);
}

KernelPaths plain_kernel_paths()
{
    return KernelPaths{};
}

KernelPaths best_kernel_paths(const DeviceInfo& device)
{
    const DeviceFeatures& features = device.features;
    KernelPaths paths = plain_kernel_paths();

    // A power-of-two subgroup size of at most 64 divides a workgroup of
    // max(32, size), so a wave of 64 fills one workgroup.
    if (features.subgroup_arithmetic && is_power_of_two(features.subgroup_size) &&
        features.subgroup_size <= kMatvecMaxWorkgroup) {
        paths.subgroup_matvec = true;
        paths.matvec_workgroup = std::max(paths.matvec_workgroup, features.subgroup_size);
    }

    // Int8 dot products, where the tile fits the device.
    paths.int8_matmul = features.int_dot_product && tile_problem(paths.int8_tile, true, device).empty();
    return paths;
}

void check_kernel_paths(const KernelPaths& paths, const DeviceInfo& device)
{
    const DeviceFeatures& features = device.features;
    if (paths.subgroup_matvec && !features.subgroup_arithmetic)
        throw UnsupportedError("the subgroup matrix-vector path needs subgroup arithmetic in compute shaders, which "
                               "Vulkan device " + device.name + " does not have");
    if (paths.int8_matmul && !features.int_dot_product)
        throw UnsupportedError("the int8 matrix-matrix path needs the shaderIntegerDotProduct feature "
                               "(VK_KHR_shader_integer_dot_product), which Vulkan device " + device.name +
                               " does not have");
    if (!is_power_of_two(paths.matvec_workgroup) || paths.matvec_workgroup > kMatvecMaxWorkgroup)
        throw Error("invalid matrix-vector workgroup size " + std::to_string(paths.matvec_workgroup) +
                    ": expected a power of two of at most " + std::to_string(kMatvecMaxWorkgroup));
    if (paths.matvec_rows == 0 || paths.matvec_rows > kMatvecMaxRows)
        throw Error("invalid matrix-vector rows per workgroup " + std::to_string(paths.matvec_rows) +
                    ": expected 1 to " + std::to_string(kMatvecMaxRows));
    if (const std::string problem = tile_problem(paths.matmul_tile, false, device); !problem.empty())
        throw Error("invalid matrix-matrix tile (" + tile_text(paths.matmul_tile) + ") on " + device.name + ": " +
                    problem);
    if (paths.int8_matmul) {
        if (const std::string problem = tile_problem(paths.int8_tile, true, device); !problem.empty())
            throw Error("invalid int8 matrix-matrix tile (" + tile_text(paths.int8_tile) + ") on " + device.name +
                        ": " + problem);
    }
}

std::string describe_kernel_paths(const KernelPaths& paths)
{
    std::string text = "decode: matrix-vector with ";
    text += paths.subgroup_matvec ? "subgroupAdd" : "a shared-memory tree";
    text += " (" + std::to_string(paths.matvec_workgroup) + " invocations, " + std::to_string(paths.matvec_rows) +
            " rows); prompt: ";
    if (paths.int8_matmul) {
        text += "int8 dot products for ";
        for (size_t i = 0; i < std::size(kInt8Types); ++i)
            text += (i > 0 ? ", " : "") + std::string(ggml_type_name(kInt8Types[i]));
        text += " (" + tile_text(paths.int8_tile) + "), dequantizing tiles for the other types";
    } else {
        text += "dequantizing tiles for every type";
    }
    text += " (" + tile_text(paths.matmul_tile) + ")";
    return text;
}

KernelPaths apply_paths_setting(const KernelPaths& best, const std::string& setting)
{
    const std::string value = lowercase_trimmed(setting);
    if (value.empty() || value == "auto")
        return best;

    // Start from the plain paths and add back each one named.
    KernelPaths paths = plain_kernel_paths();
    size_t start = 0;
    while (start <= value.size()) {
        const size_t comma = std::min(value.find(',', start), value.size());
        const std::string word = lowercase_trimmed(value.substr(start, comma - start));
        start = comma + 1;
        if (word.empty() || word == "plain")
            continue;
        if (word == "subgroup" && best.subgroup_matvec) {
            paths.subgroup_matvec = true;
            paths.matvec_workgroup = best.matvec_workgroup;
        } else if (word == "int8" && best.int8_matmul) {
            paths.int8_matmul = true;
        } else if (word == "subgroup" || word == "int8") {
            QUANTA_LOG_WARN("QUANTA_VK_PATHS names the %s path, which this device cannot run; it stays off",
                            word.c_str());
        } else {
            QUANTA_LOG_WARN("QUANTA_VK_PATHS: unknown path \"%s\" ignored; expected auto, plain, subgroup or int8",
                            word.c_str());
        }
    }
    return paths;
}

Kernels::Kernels(Context& context) : context_(context)
{
    const char* setting = std::getenv("QUANTA_VK_PATHS");
    paths_ = apply_paths_setting(best_kernel_paths(context.info()), setting ? setting : "");
    check_kernel_paths(paths_, context.info());
    QUANTA_LOG_INFO("Vulkan kernel paths on %s%s%s: %s", context.info().name.c_str(),
                    setting ? " with QUANTA_VK_PATHS=" : "", setting ? setting : "",
                    describe_kernel_paths(paths_).c_str());
}

Kernels::Kernels(Context& context, const KernelPaths& paths) : context_(context), paths_(paths)
{
    check_kernel_paths(paths_, context.info());
}

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

bool Kernels::uses_int8_input(const GpuMatrix& w, uint32_t n_tokens) const
{
    return paths_.int8_matmul && n_tokens > kMatvecMaxTokens && int8_path_supports_type(w.type);
}

uint64_t Kernels::int8_activation_bytes(uint32_t n_tokens, uint32_t n_in)
{
    // One byte per quant, then a 4-byte step and a 4-byte sum per block.
    const uint64_t blocks = n_in / kInt8Block;
    return uint64_t{n_tokens} * (uint64_t{n_in} + blocks * 8);
}

void Kernels::quantize_int8(Recorder& r, BufferRange x, BufferRange x_int8, uint32_t n_tokens, uint32_t n_in)
{
    if (n_in % kInt8Block != 0)
        throw Error("int8 activation quantization needs rows of a multiple of 32 values, not " + std::to_string(n_in));
    const uint64_t needed = int8_activation_bytes(n_tokens, n_in);
    if (x_int8.size < needed)
        throw Error("int8 activation buffer of " + std::to_string(x_int8.size) + " bytes is too small for " +
                    std::to_string(n_tokens) + " tokens of " + std::to_string(n_in) + " values; it needs " +
                    std::to_string(needed));
    r.dispatch(pipeline("quantize_int8", 2, sizeof(QuantizeInt8Push), {kWorkgroup}), {x, x_int8},
               QuantizeInt8Push{n_in, n_tokens}, groups_for(n_in / 4), n_tokens);
}

void Kernels::rms_norm(Recorder& r, BufferRange x, BufferRange w, BufferRange y, uint32_t n, uint32_t rows,
                       uint32_t stride, float eps, uint32_t x_offset)
{
    r.dispatch(pipeline("rms_norm", 3, sizeof(RmsNormPush), {kWorkgroup}), {x, w, y},
               RmsNormPush{n, stride, eps, x_offset}, rows);
}

void Kernels::matmul(Recorder& r, const GpuMatrix& w, BufferRange x, BufferRange y, uint32_t n_tokens,
                     BufferRange x_int8)
{
    if (!gpu_supports_type(w.type))
        throw UnsupportedError("the Vulkan backend has no shader for tensor type " +
                               std::string(ggml_type_name(w.type)));
    const std::string suffix = type_suffix(w.type);
    const MatmulPush push{w.n_in, w.n_out, w.row_bytes, n_tokens};

    // Decode: matrix-vector products.
    if (n_tokens <= kMatvecMaxTokens) {
        const std::string name = (paths_.subgroup_matvec ? "matvec_subgroup_" : "matvec_") + suffix;
        r.dispatch(pipeline(name, 3, sizeof(MatvecPush), {paths_.matvec_workgroup, paths_.matvec_rows}),
                   {w.buffer, x, y}, MatvecPush{w.n_in, w.n_out, w.row_bytes}, ceil_div(w.n_out, paths_.matvec_rows),
                   n_tokens);
        return;
    }

    // Prompt processing with int8 dot products on the quantized input.
    if (x_int8.buffer != VK_NULL_HANDLE && uses_int8_input(w, n_tokens)) {
        const uint64_t needed = int8_activation_bytes(n_tokens, w.n_in);
        if (x_int8.size < needed)
            throw Error("int8 activation buffer of " + std::to_string(x_int8.size) + " bytes is too small for " +
                        std::to_string(n_tokens) + " tokens of " + std::to_string(w.n_in) + " values; it needs " +
                        std::to_string(needed));
        const MatmulTile& tile = paths_.int8_tile;
        r.dispatch(pipeline("matmul_int8_" + suffix, 3, sizeof(MatmulPush), tile_specialization(tile)),
                   {w.buffer, x_int8, y}, push, ceil_div(w.n_out, tile.rows), ceil_div(n_tokens, tile.tokens));
        return;
    }

    // Prompt processing with weights dequantized to F32.
    const MatmulTile& tile = paths_.matmul_tile;
    r.dispatch(pipeline("matmul_" + suffix, 3, sizeof(MatmulPush), tile_specialization(tile)), {w.buffer, x, y}, push,
               ceil_div(w.n_out, tile.rows), ceil_div(n_tokens, tile.tokens));
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

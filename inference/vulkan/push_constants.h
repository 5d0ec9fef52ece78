// Host mirrors of the shaders' push-constant blocks. Each size is checked
// against the GLSL layout (std430 scalars, no padding between them).
#pragma once

#include <cstdint>

namespace quanta::vk {

// shaders/rms_norm.comp
struct RmsNormPush {
    uint32_t n;
    uint32_t row_stride;
    float eps;
    uint32_t x_offset;
};
static_assert(sizeof(RmsNormPush) == 16);

// shaders/matvec.comp
struct MatvecPush {
    uint32_t ncols;
    uint32_t nrows;
    uint32_t row_bytes;
};
static_assert(sizeof(MatvecPush) == 12);

// shaders/matmul.comp and shaders/matmul_int8.comp
struct MatmulPush {
    uint32_t ncols;
    uint32_t nrows;
    uint32_t row_bytes;
    uint32_t n_tokens;
};
static_assert(sizeof(MatmulPush) == 16);

// shaders/quantize_int8.comp
struct QuantizeInt8Push {
    uint32_t n_in;      // values per token, a multiple of 32
    uint32_t n_tokens;
};
static_assert(sizeof(QuantizeInt8Push) == 8);

// shaders/elementwise.comp (scale, softcap, add_bias)
struct ScalarOpPush {
    uint32_t n;
    uint32_t width;
    float factor;
};
static_assert(sizeof(ScalarOpPush) == 12);

// shaders/copy_columns.comp
struct CopyColumnsPush {
    uint32_t n_tokens;
    uint32_t src_width;
    uint32_t offset;
    uint32_t width;
};
static_assert(sizeof(CopyColumnsPush) == 16);

// shaders/gather_columns.comp
struct GatherColumnsPush {
    uint32_t n_tokens;
    uint32_t width;
};
static_assert(sizeof(GatherColumnsPush) == 8);

// shaders/get_rows.comp
struct GetRowsPush {
    uint32_t ncols;
    uint32_t row_bytes;
};
static_assert(sizeof(GetRowsPush) == 8);

// shaders/rope.comp
struct RopePush {
    uint32_t n_tokens;
    uint32_t n_heads;
    uint32_t head_dim;
    uint32_t n_rot;
    uint32_t pos0;
    uint32_t neox;
    uint32_t has_factors;
    float freq_base;
    float freq_scale;
    float attn_factor;
};
static_assert(sizeof(RopePush) == 40);

// shaders/glu.comp and shaders/add.comp
struct ElementwisePush {
    uint32_t n;
};
static_assert(sizeof(ElementwisePush) == 4);

// shaders/kv_store.comp
struct KvStorePush {
    uint32_t n_tokens;
    uint32_t n_embd_kv;
    uint32_t pos0;
};
static_assert(sizeof(KvStorePush) == 12);

// shaders/attention.comp
struct AttentionPush {
    uint32_t n_tokens;
    uint32_t pos0;
    uint32_t n_head;
    uint32_t n_head_kv;
    uint32_t head_dim;
    uint32_t window;
    float scale;
    float softcap;
};
static_assert(sizeof(AttentionPush) == 32);

} // namespace quanta::vk

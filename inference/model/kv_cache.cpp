#include "model/kv_cache.h"

#include "core/system_memory.h"
#include "engine/session.h"
#include "quant/blocks.h"

#include <algorithm>
#include <cstring>

namespace quanta {

KvCache::KvCache(int n_layer, int n_ctx, int n_embd_kv, KvCacheType type, int first_layer)
    : n_layer_(n_layer)
    , first_layer_(std::clamp(first_layer, 0, n_layer))
    , n_ctx_(n_ctx)
    , n_embd_kv_(n_embd_kv)
    , type_(type)
    , element_bytes_(type == KvCacheType::F32 ? sizeof(float) : sizeof(uint16_t))
{
    storage_ = HugePageBuffer(static_cast<size_t>(n_layer_ - first_layer_) * 2 * static_cast<size_t>(n_ctx_) *
                                  static_cast<size_t>(n_embd_kv_) * element_bytes_,
                              huge_pages_enabled());
}

size_t KvCache::row_offset(int layer, int position, bool value) const
{
    const size_t row = (static_cast<size_t>(layer - first_layer_) * 2 + (value ? 1 : 0)) * static_cast<size_t>(n_ctx_) +
                       static_cast<size_t>(position);
    return row * static_cast<size_t>(n_embd_kv_) * element_bytes_;
}

void KvCache::store(int layer, int position, const float* key, const float* value)
{
    uint8_t* key_dst = storage_.data() + row_offset(layer, position, false);
    uint8_t* value_dst = storage_.data() + row_offset(layer, position, true);
    if (type_ == KvCacheType::F32) {
        std::memcpy(key_dst, key, static_cast<size_t>(n_embd_kv_) * sizeof(float));
        std::memcpy(value_dst, value, static_cast<size_t>(n_embd_kv_) * sizeof(float));
        return;
    }
    auto* key_half = reinterpret_cast<uint16_t*>(key_dst);
    auto* value_half = reinterpret_cast<uint16_t*>(value_dst);
    for (int i = 0; i < n_embd_kv_; ++i) {
        key_half[i] = fp32_to_fp16(key[i]);
        value_half[i] = fp32_to_fp16(value[i]);
    }
}

const void* KvCache::key_row(int layer, int position) const
{
    return storage_.data() + row_offset(layer, position, false);
}

const void* KvCache::value_row(int layer, int position) const
{
    return storage_.data() + row_offset(layer, position, true);
}

} // namespace quanta

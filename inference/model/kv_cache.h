// Keys and values of past positions, per layer.
#pragma once

#include "core/huge_page_buffer.h"

#include <cstddef>
#include <cstdint>

namespace quanta {

enum class KvCacheType;

class KvCache {
public:
    // n_ctx positions of n_embd_kv (= n_head_kv * head_dim) values per layer,
    // stored as F32 or F16, for layers first_layer .. n_layer - 1. The layers
    // before first_layer run on the GPU, which keeps their cache there.
    KvCache(int n_layer, int n_ctx, int n_embd_kv, KvCacheType type, int first_layer = 0);

    int n_ctx() const { return n_ctx_; }
    int n_embd_kv() const { return n_embd_kv_; }
    KvCacheType type() const { return type_; }
    size_t bytes() const { return storage_.size(); }

    // Stores the keys and values of one position (n_embd_kv floats each).
    void store(int layer, int position, const float* key, const float* value);

    // Row pointers for the attention kernels: n_embd_kv elements of F32 or
    // F16 (uint16_t bits). A layer's rows for consecutive positions are
    // contiguous, so key_row(layer, 0) starts an [n_ctx, n_embd_kv] array.
    const void* key_row(int layer, int position) const;
    const void* value_row(int layer, int position) const;

private:
    size_t row_offset(int layer, int position, bool value) const;

    int n_layer_;
    int first_layer_;
    int n_ctx_;
    int n_embd_kv_;
    KvCacheType type_;
    size_t element_bytes_;
    // Layout: [layer][key|value][position][n_embd_kv]. Attention streams a
    // layer's rows once per token, so they sit in huge pages like the
    // weights. Pages are committed as positions are written.
    HugePageBuffer storage_;
};

} // namespace quanta

// AVX2/FMA attention over the KV cache, for head sizes that are a multiple
// of 8. Called only after a run-time CPU check (see model/ops.cpp).
//
// Each task takes one KV head and a range of query tokens. It copies that
// head's keys into a transposed F32 panel Kt[head_dim][n_keys] and its values
// into V[n_keys][head_dim], so the scores of eight keys come from one FMA
// per dimension, with no horizontal sums and no F16 conversion in the loop.
#include "cpu/attention.h"

#include "core/thread_pool.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

namespace quanta::avx2 {

namespace {

float load_element(const AttentionInput& in, const void* base, size_t index)
{
    return in.f16 ? _cvtsh_ss(static_cast<const uint16_t*>(base)[index]) : static_cast<const float*>(base)[index];
}

// Scores of NV * 8 consecutive keys: the dot products of `query` with the
// key panel's columns, times `scale`.
template <int NV>
inline void score_key_vectors(const float* query, const float* keys, int padded_keys, int head_dim, float scale,
                              float* out)
{
    __m256 acc[NV];
    for (int v = 0; v < NV; ++v)
        acc[v] = _mm256_setzero_ps();
    for (int d = 0; d < head_dim; ++d) {
        const __m256 q = _mm256_set1_ps(query[d]);
        const float* row = keys + static_cast<size_t>(d) * static_cast<size_t>(padded_keys);
        for (int v = 0; v < NV; ++v)
            acc[v] = _mm256_fmadd_ps(q, _mm256_loadu_ps(row + 8 * v), acc[v]);
    }
    for (int v = 0; v < NV; ++v)
        _mm256_storeu_ps(out + 8 * v, _mm256_mul_ps(acc[v], _mm256_set1_ps(scale)));
}

void score_keys(int vectors, const float* query, const float* keys, int padded_keys, int head_dim, float scale,
                float* out)
{
    switch (vectors) {
    case 8: score_key_vectors<8>(query, keys, padded_keys, head_dim, scale, out); break;
    case 7: score_key_vectors<7>(query, keys, padded_keys, head_dim, scale, out); break;
    case 6: score_key_vectors<6>(query, keys, padded_keys, head_dim, scale, out); break;
    case 5: score_key_vectors<5>(query, keys, padded_keys, head_dim, scale, out); break;
    case 4: score_key_vectors<4>(query, keys, padded_keys, head_dim, scale, out); break;
    case 3: score_key_vectors<3>(query, keys, padded_keys, head_dim, scale, out); break;
    case 2: score_key_vectors<2>(query, keys, padded_keys, head_dim, scale, out); break;
    default: score_key_vectors<1>(query, keys, padded_keys, head_dim, scale, out); break;
    }
}

// result[0 .. NV * 8) = sum over j < visible of scores[j] * inverse_sum *
// values[j * stride ..], with the NV accumulators in registers.
template <int NV>
inline void sum_value_vectors(const float* scores, float inverse_sum, int visible, const float* values, int stride,
                              float* result)
{
    __m256 acc[NV];
    for (int v = 0; v < NV; ++v)
        acc[v] = _mm256_setzero_ps();
    for (int j = 0; j < visible; ++j) {
        const __m256 weight = _mm256_set1_ps(scores[j] * inverse_sum);
        const float* value = values + static_cast<size_t>(j) * static_cast<size_t>(stride);
        for (int v = 0; v < NV; ++v)
            acc[v] = _mm256_fmadd_ps(weight, _mm256_loadu_ps(value + 8 * v), acc[v]);
    }
    for (int v = 0; v < NV; ++v)
        _mm256_storeu_ps(result + 8 * v, acc[v]);
}

void sum_values(int vectors, const float* scores, float inverse_sum, int visible, const float* values, int stride,
                float* result)
{
    switch (vectors) {
    case 8: sum_value_vectors<8>(scores, inverse_sum, visible, values, stride, result); break;
    case 7: sum_value_vectors<7>(scores, inverse_sum, visible, values, stride, result); break;
    case 6: sum_value_vectors<6>(scores, inverse_sum, visible, values, stride, result); break;
    case 5: sum_value_vectors<5>(scores, inverse_sum, visible, values, stride, result); break;
    case 4: sum_value_vectors<4>(scores, inverse_sum, visible, values, stride, result); break;
    case 3: sum_value_vectors<3>(scores, inverse_sum, visible, values, stride, result); break;
    case 2: sum_value_vectors<2>(scores, inverse_sum, visible, values, stride, result); break;
    default: sum_value_vectors<1>(scores, inverse_sum, visible, values, stride, result); break;
    }
}

void attend_range(const AttentionInput& in, int kv_head, int64_t token_begin, int64_t token_end,
                  std::vector<float>& key_panel, std::vector<float>& value_panel, std::vector<float>& scores)
{
    const int head_dim = in.head_dim;
    const int group = in.n_head / in.n_head_kv;
    const int n_keys = in.pos0 + static_cast<int>(token_end);
    const int padded_keys = (n_keys + 7) / 8 * 8;
    const size_t kv_offset = static_cast<size_t>(kv_head) * static_cast<size_t>(head_dim);

    // Gather this head's keys (transposed, zero-padded to 8) and values as F32.
    key_panel.assign(static_cast<size_t>(head_dim) * static_cast<size_t>(padded_keys), 0.0f);
    value_panel.resize(static_cast<size_t>(n_keys) * static_cast<size_t>(head_dim));
    for (int j = 0; j < n_keys; ++j) {
        const size_t row = static_cast<size_t>(j) * static_cast<size_t>(in.n_embd_kv) + kv_offset;
        for (int d = 0; d < head_dim; ++d) {
            key_panel[static_cast<size_t>(d) * static_cast<size_t>(padded_keys) + static_cast<size_t>(j)] =
                load_element(in, in.keys, row + static_cast<size_t>(d));
            value_panel[static_cast<size_t>(j) * static_cast<size_t>(head_dim) + static_cast<size_t>(d)] =
                load_element(in, in.values, row + static_cast<size_t>(d));
        }
    }
    scores.resize(static_cast<size_t>(padded_keys));

    for (int64_t t = token_begin; t < token_end; ++t) {
        const int visible = in.pos0 + static_cast<int>(t) + 1; // causal: up to and including itself
        for (int h = kv_head * group; h < (kv_head + 1) * group; ++h) {
            const float* query = in.q + t * in.n_head * head_dim + h * head_dim;
            float* result = in.out + t * in.n_head * head_dim + h * head_dim;

            // Scores of eight keys per vector, up to eight vectors at a time
            // so that independent FMA chains hide the FMA latency.
            for (int j = 0; j < visible; j += 64) {
                const int vectors = std::min(8, (visible - j + 7) / 8);
                score_keys(vectors, query, key_panel.data() + j, padded_keys, head_dim, in.scale,
                           &scores[static_cast<size_t>(j)]);
            }

            // Softmax over the visible keys.
            const float inverse_sum = softmax_exponentiate(scores.data(), visible);

            // Weighted sum of the values, 64 dimensions at a time in registers.
            for (int d0 = 0; d0 < head_dim; d0 += 64) {
                const int vectors = std::min(8, (head_dim - d0) / 8);
                sum_values(vectors, scores.data(), inverse_sum, visible, value_panel.data() + d0, head_dim, result + d0);
            }
        }
    }
}

} // namespace

bool attention_supported(int head_dim)
{
    return head_dim > 0 && head_dim % 8 == 0;
}

void attention(const AttentionInput& in, ThreadPool& pool)
{
    // Tasks: every KV head, with the tokens split so both threads stay busy
    // when there are few KV heads.
    const int64_t token_blocks = std::max<int64_t>(1, std::min<int64_t>(in.n_tokens, (pool.size() * 4 + in.n_head_kv - 1) / in.n_head_kv));
    const int64_t block = (in.n_tokens + token_blocks - 1) / token_blocks;
    const int64_t n_tasks = static_cast<int64_t>(in.n_head_kv) * token_blocks;

    pool.parallel_for(n_tasks, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> key_panel;
        std::vector<float> value_panel;
        std::vector<float> scores;
        for (int64_t task = begin; task < end; ++task) {
            const int kv_head = static_cast<int>(task % in.n_head_kv);
            const int64_t token_begin = (task / in.n_head_kv) * block;
            const int64_t token_end = std::min(in.n_tokens, token_begin + block);
            if (token_begin < token_end)
                attend_range(in, kv_head, token_begin, token_end, key_panel, value_panel, scores);
        }
    });
}

} // namespace quanta::avx2

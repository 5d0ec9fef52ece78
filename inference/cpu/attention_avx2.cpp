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

// Largest head size the value accumulators keep in registers.
constexpr int kMaxHeadDim = 256;

float load_element(const AttentionInput& in, const void* base, size_t index)
{
    return in.f16 ? _cvtsh_ss(static_cast<const uint16_t*>(base)[index]) : static_cast<const float*>(base)[index];
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

            // Scores of eight keys at a time.
            for (int j = 0; j < visible; j += 8) {
                __m256 acc = _mm256_setzero_ps();
                for (int d = 0; d < head_dim; ++d) {
                    const __m256 keys = _mm256_loadu_ps(&key_panel[static_cast<size_t>(d) * padded_keys + j]);
                    acc = _mm256_fmadd_ps(_mm256_set1_ps(query[d]), keys, acc);
                }
                _mm256_storeu_ps(&scores[static_cast<size_t>(j)], _mm256_mul_ps(acc, _mm256_set1_ps(in.scale)));
            }

            // Softmax over the visible keys.
            const float inverse_sum = softmax_exponentiate(scores.data(), visible);

            // Weighted sum of the values, head_dim / 8 accumulators.
            __m256 acc[kMaxHeadDim / 8];
            const int chunks = head_dim / 8;
            for (int c = 0; c < chunks; ++c)
                acc[c] = _mm256_setzero_ps();
            for (int j = 0; j < visible; ++j) {
                const __m256 weight = _mm256_set1_ps(scores[static_cast<size_t>(j)] * inverse_sum);
                const float* value = &value_panel[static_cast<size_t>(j) * static_cast<size_t>(head_dim)];
                for (int c = 0; c < chunks; ++c)
                    acc[c] = _mm256_fmadd_ps(weight, _mm256_loadu_ps(value + 8 * c), acc[c]);
            }
            for (int c = 0; c < chunks; ++c)
                _mm256_storeu_ps(result + 8 * c, acc[c]);
        }
    }
}

} // namespace

bool attention_supported(int head_dim)
{
    return head_dim % 8 == 0 && head_dim <= kMaxHeadDim;
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

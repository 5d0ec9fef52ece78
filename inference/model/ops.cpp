#include "model/ops.h"

#include "core/thread_pool.h"
#include "cpu/attention.h"
#include "cpu/cpu_features.h"
#include "cpu/vec_f16.h"
#include "engine/session.h"
#include "model/kv_cache.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace quanta {

void rms_norm(const float* x, const float* weight, float* out, int64_t n_tokens, int64_t n, float eps)
{
    for (int64_t t = 0; t < n_tokens; ++t) {
        const float* row = x + t * n;
        float* dst = out + t * n;

        // Sum in double, as llama.cpp does, so long rows keep their precision.
        double sum = 0.0;
        for (int64_t i = 0; i < n; ++i)
            sum += static_cast<double>(row[i]) * row[i];
        const float mean = static_cast<float>(sum / static_cast<double>(n));
        const float scale = 1.0f / std::sqrt(mean + eps);

        for (int64_t i = 0; i < n; ++i)
            dst[i] = row[i] * scale * weight[i];
    }
}

void rope(float* x, int64_t n_tokens, int n_heads, int head_dim, int pos0, const RopeParams& params)
{
    // theta_i = pos * freq_scale * base^(-2i / n_rot), built by repeated
    // multiplication in float like llama.cpp's rope cache, so positions
    // match it bit for bit in the common case.
    const float theta_scale = std::pow(params.freq_base, -2.0f / static_cast<float>(params.n_rot));
    std::vector<float> cos_table(static_cast<size_t>(params.n_rot / 2));
    std::vector<float> sin_table(static_cast<size_t>(params.n_rot / 2));

    for (int64_t t = 0; t < n_tokens; ++t) {
        float theta = static_cast<float>(pos0 + t);
        for (int i = 0; i < params.n_rot / 2; ++i) {
            const float factor = params.freq_factors ? params.freq_factors[i] : 1.0f;
            const float angle = params.freq_scale * (theta / factor);
            cos_table[static_cast<size_t>(i)] = std::cos(angle);
            sin_table[static_cast<size_t>(i)] = std::sin(angle);
            theta *= theta_scale;
        }

        for (int h = 0; h < n_heads; ++h) {
            float* head = x + (t * n_heads + h) * head_dim;
            for (int i = 0; i < params.n_rot / 2; ++i) {
                const float x0 = head[2 * i];
                const float x1 = head[2 * i + 1];
                head[2 * i] = x0 * cos_table[static_cast<size_t>(i)] - x1 * sin_table[static_cast<size_t>(i)];
                head[2 * i + 1] = x0 * sin_table[static_cast<size_t>(i)] + x1 * cos_table[static_cast<size_t>(i)];
            }
        }
    }
}

void swiglu(float* gate, const float* up, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
}

void add_in_place(float* x, const float* y, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        x[i] += y[i];
}

float softmax_exponentiate(float* scores, int n)
{
    float max_score = -INFINITY;
    for (int j = 0; j < n; ++j)
        max_score = std::max(max_score, scores[j]);
    double sum = 0.0;
    for (int j = 0; j < n; ++j) {
        scores[j] = std::exp(scores[j] - max_score);
        sum += scores[j];
    }
    return static_cast<float>(1.0 / sum);
}

void attention(const float* q, int64_t n_tokens, int pos0, int layer, const KvCache& kv, const AttentionShape& shape,
               float* out, ThreadPool& pool)
{
    // The AVX2 kernel batches the keys of a head; the loop below is the
    // plain reference it is tested against.
    if (cpu::active_kernel_set() == cpu::KernelSet::Avx2 && avx2::attention_supported(shape.head_dim)) {
        AttentionInput input;
        input.q = q;
        input.out = out;
        input.keys = kv.key_row(layer, 0);
        input.values = kv.value_row(layer, 0);
        input.f16 = kv.type() == KvCacheType::F16;
        input.n_tokens = n_tokens;
        input.pos0 = pos0;
        input.n_head = shape.n_head;
        input.n_head_kv = shape.n_head_kv;
        input.head_dim = shape.head_dim;
        input.n_embd_kv = kv.n_embd_kv();
        input.scale = shape.scale;
        avx2::attention(input, pool);
        return;
    }

    const int group = shape.n_head / shape.n_head_kv;
    const int64_t n_tasks = n_tokens * shape.n_head;
    const int n_embd_q = shape.n_head * shape.head_dim;
    const bool half = kv.type() == KvCacheType::F16;

    pool.parallel_for(n_tasks, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> scores(static_cast<size_t>(pos0 + n_tokens));

        for (int64_t task = begin; task < end; ++task) {
            const int64_t t = task / shape.n_head;
            const int h = static_cast<int>(task % shape.n_head);
            const int kv_offset = (h / group) * shape.head_dim;
            const float* query = q + t * n_embd_q + h * shape.head_dim;
            float* result = out + t * n_embd_q + h * shape.head_dim;
            const int n_keys = pos0 + static_cast<int>(t) + 1; // causal: up to and including itself

            // Scores against every visible key, then a numerically stable softmax.
            for (int j = 0; j < n_keys; ++j) {
                const void* key_row = kv.key_row(layer, j);
                const float dot = half ? dot_f16_f32(static_cast<const uint16_t*>(key_row) + kv_offset, query,
                                                     shape.head_dim)
                                       : dot_f32(static_cast<const float*>(key_row) + kv_offset, query,
                                                 shape.head_dim);
                scores[static_cast<size_t>(j)] = dot * shape.scale;
            }
            const float inverse_sum = softmax_exponentiate(scores.data(), n_keys);

            // Weighted sum of the values.
            std::fill(result, result + shape.head_dim, 0.0f);
            for (int j = 0; j < n_keys; ++j) {
                const float weight = scores[static_cast<size_t>(j)] * inverse_sum;
                const void* value_row = kv.value_row(layer, j);
                if (half)
                    axpy_f16(weight, static_cast<const uint16_t*>(value_row) + kv_offset, result, shape.head_dim);
                else
                    axpy_f32(weight, static_cast<const float*>(value_row) + kv_offset, result, shape.head_dim);
            }
        }
    });
}

} // namespace quanta

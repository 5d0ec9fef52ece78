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

namespace {

// sqrt(2 / pi), the constant of GELU's tanh approximation.
constexpr float kGeluSqrt2OverPi = 0.7978845608028654f;
// Coefficient of the cubic term in GELU's tanh approximation.
constexpr float kGeluCubic = 0.044715f;

// Position of the first key that a query at `position` attends to.
int first_visible_key(int position, int window)
{
    return window > 0 ? std::max(0, position - window + 1) : 0;
}

// The plain loop over every (token, head) pair: the reference the AVX2
// kernel is tested against, and the path for what that kernel lacks
// (soft-capping, head sizes that are not a multiple of 8).
void attention_plain(const float* q, int64_t n_tokens, int pos0, int layer, const KvCache& kv,
                     const AttentionShape& shape, float* out, ThreadPool& pool)
{
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
            const int position = pos0 + static_cast<int>(t);
            const int first = first_visible_key(position, shape.window);
            const int n_keys = position - first + 1; // causal: up to and including itself

            // Scores against every visible key, then a numerically stable softmax.
            for (int j = 0; j < n_keys; ++j) {
                const void* key_row = kv.key_row(layer, first + j);
                const float dot = half ? dot_f16_f32(static_cast<const uint16_t*>(key_row) + kv_offset, query,
                                                     shape.head_dim)
                                       : dot_f32(static_cast<const float*>(key_row) + kv_offset, query,
                                                 shape.head_dim);
                scores[static_cast<size_t>(j)] = dot * shape.scale;
            }
            if (shape.softcap > 0.0f)
                soft_cap(scores.data(), n_keys, shape.softcap);
            const float inverse_sum = softmax_exponentiate(scores.data(), n_keys);

            // Weighted sum of the values.
            std::fill(result, result + shape.head_dim, 0.0f);
            for (int j = 0; j < n_keys; ++j) {
                const float weight = scores[static_cast<size_t>(j)] * inverse_sum;
                const void* value_row = kv.value_row(layer, first + j);
                if (half)
                    axpy_f16(weight, static_cast<const uint16_t*>(value_row) + kv_offset, result, shape.head_dim);
                else
                    axpy_f32(weight, static_cast<const float*>(value_row) + kv_offset, result, shape.head_dim);
            }
        }
    });
}

// Runs the AVX2 kernel for tokens that all see the keys from `first_key` on.
// The kernel counts positions from its first key row, so the cache rows and
// pos0 shift by first_key.
void attention_avx2(const float* q, int64_t n_tokens, int pos0, int first_key, int layer, const KvCache& kv,
                    const AttentionShape& shape, float* out, ThreadPool& pool)
{
    AttentionInput input;
    input.q = q;
    input.out = out;
    input.keys = kv.key_row(layer, first_key);
    input.values = kv.value_row(layer, first_key);
    input.f16 = kv.type() == KvCacheType::F16;
    input.n_tokens = n_tokens;
    input.pos0 = pos0 - first_key;
    input.n_head = shape.n_head;
    input.n_head_kv = shape.n_head_kv;
    input.head_dim = shape.head_dim;
    input.n_embd_kv = kv.n_embd_kv();
    input.scale = shape.scale;
    avx2::attention(input, pool);
}

} // namespace

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
    const int n_pairs = params.n_rot / 2;
    const float theta_scale = std::pow(params.freq_base, -2.0f / static_cast<float>(params.n_rot));
    std::vector<float> cos_table(static_cast<size_t>(n_pairs));
    std::vector<float> sin_table(static_cast<size_t>(n_pairs));

    // Pair i is (2i, 2i + 1) in the normal layout and (i, i + n_rot / 2) in
    // the NeoX one.
    const int pair_stride = params.mode == RopeMode::Neox ? 1 : 2;
    const int partner_offset = params.mode == RopeMode::Neox ? n_pairs : 1;

    for (int64_t t = 0; t < n_tokens; ++t) {
        float theta = static_cast<float>(pos0 + t);
        for (int i = 0; i < n_pairs; ++i) {
            const float factor = params.freq_factors ? params.freq_factors[i] : 1.0f;
            const float angle = params.freq_scale * (theta / factor);
            cos_table[static_cast<size_t>(i)] = std::cos(angle) * params.attn_factor;
            sin_table[static_cast<size_t>(i)] = std::sin(angle) * params.attn_factor;
            theta *= theta_scale;
        }

        for (int h = 0; h < n_heads; ++h) {
            float* head = x + (t * n_heads + h) * head_dim;
            for (int i = 0; i < n_pairs; ++i) {
                float* first = head + i * pair_stride;
                float* second = first + partner_offset;
                const float x0 = *first;
                const float x1 = *second;
                *first = x0 * cos_table[static_cast<size_t>(i)] - x1 * sin_table[static_cast<size_t>(i)];
                *second = x0 * sin_table[static_cast<size_t>(i)] + x1 * cos_table[static_cast<size_t>(i)];
            }
        }
    }
}

std::vector<float> llama3_rope_divisors(float freq_base, int n_rot, const Llama3RopeScaling& scaling)
{
    const double factor = scaling.factor;
    const double low_freq_factor = scaling.low_freq_factor;
    const double high_freq_factor = scaling.high_freq_factor;
    const double old_context = scaling.original_context;
    const double low_freq_wavelength = old_context / low_freq_factor;
    const double high_freq_wavelength = old_context / high_freq_factor;

    std::vector<float> divisors(static_cast<size_t>(n_rot / 2));
    for (size_t i = 0; i < divisors.size(); ++i) {
        const double exponent = -2.0 * static_cast<double>(i) / n_rot;
        const double wavelength = 2.0 * M_PI / std::pow(static_cast<double>(freq_base), exponent);
        double divisor = 1.0;
        if (wavelength > low_freq_wavelength) {
            divisor = factor;
        } else if (wavelength >= high_freq_wavelength) {
            const double smooth = (old_context / wavelength - low_freq_factor) / (high_freq_factor - low_freq_factor);
            divisor = 1.0 / ((1.0 - smooth) / factor + smooth);
        }
        divisors[i] = static_cast<float>(divisor);
    }
    return divisors;
}

void swiglu(float* gate, const float* up, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
}

void geglu(float* gate, const float* up, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        const float g = gate[i];
        const float inner = kGeluSqrt2OverPi * g * (1.0f + kGeluCubic * g * g);
        gate[i] = 0.5f * g * (1.0f + std::tanh(inner)) * up[i];
    }
}

void add_in_place(float* x, const float* y, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        x[i] += y[i];
}

void add_bias(float* x, const float* bias, int64_t n_tokens, int64_t n)
{
    for (int64_t t = 0; t < n_tokens; ++t)
        add_in_place(x + t * n, bias, n);
}

void scale_in_place(float* x, int64_t n, float factor)
{
    for (int64_t i = 0; i < n; ++i)
        x[i] *= factor;
}

void soft_cap(float* x, int64_t n, float cap)
{
    const float inverse = 1.0f / cap;
    for (int64_t i = 0; i < n; ++i)
        x[i] = cap * std::tanh(x[i] * inverse);
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
    // NOTE: the AVX2 kernel has no soft-capping, so Gemma 2's layers take
    // the plain loop.
    const bool use_avx2 = cpu::uses_avx2(cpu::active_kernel_set()) &&
                          avx2::attention_supported(shape.head_dim) && shape.softcap <= 0.0f;
    if (!use_avx2) {
        attention_plain(q, n_tokens, pos0, layer, kv, shape, out, pool);
        return;
    }
    if (shape.window <= 0) {
        attention_avx2(q, n_tokens, pos0, 0, layer, kv, shape, out, pool);
        return;
    }

    // With a sliding window, the tokens whose window still reaches back to
    // position 0 run as one batch. Each later token has its own first key
    // and runs alone.
    const int64_t n_embd_q = static_cast<int64_t>(shape.n_head) * shape.head_dim;
    const int64_t n_from_start = std::clamp<int64_t>(static_cast<int64_t>(shape.window) - pos0, 0, n_tokens);
    if (n_from_start > 0)
        attention_avx2(q, n_from_start, pos0, 0, layer, kv, shape, out, pool);
    for (int64_t t = n_from_start; t < n_tokens; ++t) {
        const int position = pos0 + static_cast<int>(t);
        attention_avx2(q + t * n_embd_q, 1, position, first_visible_key(position, shape.window), layer, kv, shape,
                       out + t * n_embd_q, pool);
    }
}

} // namespace quanta

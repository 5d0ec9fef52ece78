#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace quanta {

Sampler::Sampler(const SamplingParams& params)
    : params_(params)
    , seed_(params.seed != 0 ? params.seed : std::random_device{}())
    , rng_(seed_)
{
}

int32_t Sampler::argmax(std::span<const float> logits)
{
    int32_t best = 0;
    for (size_t i = 1; i < logits.size(); ++i) {
        if (logits[i] > logits[static_cast<size_t>(best)])
            best = static_cast<int32_t>(i);
    }
    return best;
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history)
{
    // Candidates in llama.cpp's default order: repetition penalty, top-k,
    // top-p, min-p, temperature, then a draw from the distribution.
    candidates_.resize(logits.size());
    for (size_t i = 0; i < logits.size(); ++i)
        candidates_[i] = {logits[i], static_cast<int32_t>(i)};

    // Repetition penalty over the last repeat_last_n tokens, each once.
    if (params_.repeat_penalty > 0.0f && params_.repeat_penalty != 1.0f && params_.repeat_last_n != 0 &&
        !history.empty()) {
        const size_t window = params_.repeat_last_n < 0
                                  ? history.size()
                                  : std::min(history.size(), static_cast<size_t>(params_.repeat_last_n));
        std::unordered_set<int32_t> seen(history.end() - static_cast<std::ptrdiff_t>(window), history.end());
        for (const int32_t id : seen) {
            if (id < 0 || static_cast<size_t>(id) >= candidates_.size())
                continue;
            float& logit = candidates_[static_cast<size_t>(id)].first;
            logit = logit > 0.0f ? logit / params_.repeat_penalty : logit * params_.repeat_penalty;
        }
    }

    if (params_.temperature <= 0.0f) {
        auto best = std::max_element(candidates_.begin(), candidates_.end(), [](const auto& a, const auto& b) {
            return a.first < b.first || (a.first == b.first && a.second > b.second);
        });
        return best->second;
    }

    // Sort descending (only the top k when k limits the set).
    auto by_logit = [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    size_t keep = candidates_.size();
    if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < keep)
        keep = static_cast<size_t>(params_.top_k);
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(keep), candidates_.end(),
                      by_logit);
    candidates_.resize(keep);

    // Probabilities at temperature 1 for the top-p and min-p filters.
    std::vector<float> probs(keep);
    const float max_logit = candidates_[0].first;
    double sum = 0.0;
    for (size_t i = 0; i < keep; ++i) {
        probs[i] = std::exp(candidates_[i].first - max_logit);
        sum += probs[i];
    }
    for (float& p : probs)
        p = static_cast<float>(p / sum);

    // Top-p: the smallest prefix whose mass reaches top_p.
    if (params_.top_p < 1.0f) {
        double mass = 0.0;
        size_t cut = keep;
        for (size_t i = 0; i < keep; ++i) {
            mass += probs[i];
            if (mass >= params_.top_p) {
                cut = i + 1;
                break;
            }
        }
        keep = cut;
    }

    // Min-p: drop tokens less likely than min_p times the best one.
    if (params_.min_p > 0.0f) {
        const float threshold = params_.min_p * probs[0];
        size_t cut = 1;
        while (cut < keep && probs[cut] >= threshold)
            ++cut;
        keep = cut;
    }
    candidates_.resize(keep);

    // Temperature, then draw.
    std::vector<double> weights(keep);
    for (size_t i = 0; i < keep; ++i)
        weights[i] = std::exp(static_cast<double>(candidates_[i].first - max_logit) / params_.temperature);
    std::discrete_distribution<size_t> distribution(weights.begin(), weights.end());
    return candidates_[distribution(rng_)].second;
}

} // namespace quanta

// Token sampling from a logit vector.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace quanta {

struct SamplingParams {
    float temperature = 0.8f;    // <= 0 picks the most likely token (greedy)
    int top_k = 40;              // keep the k most likely tokens; <= 0 keeps all
    float top_p = 0.95f;         // nucleus: keep the smallest set with this mass; 1 disables
    float min_p = 0.05f;         // drop tokens below min_p * p(most likely); 0 disables
    float repeat_penalty = 1.1f; // divide positive logits (multiply negative) of recent tokens; 1 (or <= 0) disables
    int repeat_last_n = 64;      // how many recent tokens the penalty looks at
    uint64_t seed = 0;           // 0 picks a random seed
};

// Stateful sampler: it owns the random generator, so a fixed seed gives the
// same sequence for the same logits.
class Sampler {
public:
    explicit Sampler(const SamplingParams& params);

    // Picks a token from `logits` (one per vocab entry). `history` is the
    // context so far, for the repetition penalty. The logits are copied.
    int32_t sample(std::span<const float> logits, std::span<const int32_t> history);

    const SamplingParams& params() const { return params_; }
    uint64_t seed() const { return seed_; }

    // Greedy pick: the highest logit, lowest id on ties.
    static int32_t argmax(std::span<const float> logits);

private:
    SamplingParams params_;
    uint64_t seed_;
    std::mt19937_64 rng_;
    std::vector<std::pair<float, int32_t>> candidates_;
};

} // namespace quanta

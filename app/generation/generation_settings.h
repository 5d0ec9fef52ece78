// Everything that shapes a reply, in one place, so that a settings page can
// expose it later.
#pragma once

#include "sampling/sampler.h"

#include <QString>

namespace quanta {

struct GenerationSettings {
    SamplingParams sampling{
        .temperature = 0.7f,
        .top_k = 40,
        .top_p = 0.95f,
        .min_p = 0.05f,
        .repeat_penalty = 1.1f,
    };
    int maxTokens = 512;   // reply length limit, in tokens
    QString systemPrompt;  // sent first in every chat; empty sends none
};

} // namespace quanta

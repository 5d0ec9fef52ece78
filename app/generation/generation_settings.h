// Everything that shapes a reply, in one place: the app's defaults, and a
// chat's own settings stored over them as JSON.
#pragma once

#include "sampling/sampler.h"

#include <QString>
#include <QVariantMap>

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

// The sampling settings as a map with the keys temperature, topK, topP,
// minP, repeatPenalty, maxTokens and seed (0: random), for QML and for a
// chat's JSON.
QVariantMap samplingToMap(const GenerationSettings& settings);

// `base` with the values of `overrides` (keys as samplingToMap's) over it.
// Unknown keys are ignored and values are clamped to their valid ranges, so
// a hand-edited or damaged value cannot break generation.
GenerationSettings applySamplingOverrides(GenerationSettings base, const QVariantMap& overrides);

// A chat's stored settings: a JSON object, or empty for none. Text that is
// not a JSON object reads as none.
QVariantMap parseSamplingJson(const QString& json);
QString samplingToJson(const QVariantMap& overrides);

} // namespace quanta

#include "generation/generation_settings.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace quanta {

namespace {

// Reads a finite number from `map[key]` clamped to [low, high], or returns
// `fallback` when the key is missing or the value is not a number.
double clampedNumber(const QVariantMap& map, const char* key, double fallback, double low, double high)
{
    const auto it = map.constFind(QLatin1String(key));
    if (it == map.constEnd())
        return fallback;
    bool ok = false;
    const double value = it->toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return fallback;
    return std::clamp(value, low, high);
}

} // namespace

QVariantMap samplingToMap(const GenerationSettings& settings)
{
    const SamplingParams& sampling = settings.sampling;
    return {
        {QStringLiteral("temperature"), static_cast<double>(sampling.temperature)},
        {QStringLiteral("topK"), sampling.top_k},
        {QStringLiteral("topP"), static_cast<double>(sampling.top_p)},
        {QStringLiteral("minP"), static_cast<double>(sampling.min_p)},
        {QStringLiteral("repeatPenalty"), static_cast<double>(sampling.repeat_penalty)},
        {QStringLiteral("maxTokens"), settings.maxTokens},
        {QStringLiteral("seed"), static_cast<double>(sampling.seed)},
    };
}

GenerationSettings applySamplingOverrides(GenerationSettings base, const QVariantMap& overrides)
{
    SamplingParams& sampling = base.sampling;
    sampling.temperature = static_cast<float>(clampedNumber(overrides, "temperature", sampling.temperature, 0.0, 5.0));
    sampling.top_k = static_cast<int>(clampedNumber(overrides, "topK", sampling.top_k, 0, 1000));
    sampling.top_p = static_cast<float>(clampedNumber(overrides, "topP", sampling.top_p, 0.0, 1.0));
    sampling.min_p = static_cast<float>(clampedNumber(overrides, "minP", sampling.min_p, 0.0, 1.0));
    sampling.repeat_penalty =
        static_cast<float>(clampedNumber(overrides, "repeatPenalty", sampling.repeat_penalty, 1.0, 2.0));
    base.maxTokens = static_cast<int>(clampedNumber(overrides, "maxTokens", base.maxTokens, 1, 32768));
    // Seeds are kept below 2^53 so that they survive JSON and QML numbers.
    sampling.seed = static_cast<uint64_t>(clampedNumber(overrides, "seed", static_cast<double>(sampling.seed), 0,
                                                        9007199254740991.0));
    return base;
}

QVariantMap parseSamplingJson(const QString& json)
{
    if (json.trimmed().isEmpty())
        return {};
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8());
    return document.isObject() ? document.object().toVariantMap() : QVariantMap();
}

QString samplingToJson(const QVariantMap& overrides)
{
    if (overrides.isEmpty())
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(overrides)).toJson(QJsonDocument::Compact));
}

} // namespace quanta

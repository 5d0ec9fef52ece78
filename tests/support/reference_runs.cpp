#include "reference_runs.h"

#include "test_support.h"

#include <QFile>
#include <QJsonDocument>

namespace quanta::test {

QJsonObject read_json(const std::string& relative)
{
    QFile file(QString::fromStdString(shared_path(relative)));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

std::vector<TokenId> to_ids(const QJsonArray& array)
{
    std::vector<TokenId> ids;
    for (const QJsonValue& value : array)
        ids.push_back(value.toInt());
    return ids;
}

std::vector<TokenId> greedy(Session& session, const std::vector<TokenId>& prompt, int n)
{
    GenerationRequest request;
    request.prompt = prompt;
    request.max_tokens = n;
    request.sampling.temperature = 0.0f;
    request.sampling.repeat_penalty = 1.0f;
    return session.generate(request).tokens;
}

int comparable_steps(const QJsonArray& top5_per_step, double min_gap)
{
    int steps = 0;
    for (const QJsonValue& step : top5_per_step) {
        const QJsonArray top = step.toArray();
        const double gap = top[0].toArray()[1].toDouble() - top[1].toArray()[1].toDouble();
        if (gap < min_gap)
            break;
        ++steps;
    }
    return steps;
}

std::vector<float> prompt_logits(const std::shared_ptr<Model>& model, const std::vector<TokenId>& prompt,
                                 KvCacheType kv_type)
{
    SessionOptions options;
    options.kv_type = kv_type;
    options.n_ctx = 256;
    Session session(model, options);
    std::vector<float> logits;
    session.decode(prompt, &logits);
    return logits;
}

} // namespace quanta::test

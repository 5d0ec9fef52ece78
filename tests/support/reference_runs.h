// Helpers for comparing the engine with the reference outputs in the shared
// folder: reading their JSON, running greedy generations and prompt logits.
#pragma once

#include "engine/model.h"
#include "engine/session.h"

#include <QJsonArray>
#include <QJsonObject>

#include <memory>
#include <string>
#include <vector>

namespace quanta::test {

// Parses a JSON file under the shared folder; an empty object when missing.
QJsonObject read_json(const std::string& relative);

std::vector<TokenId> to_ids(const QJsonArray& array);

// Greedy decoding of `n` tokens after `prompt` (which includes BOS).
std::vector<TokenId> greedy(Session& session, const std::vector<TokenId>& prompt, int n);

// Number of leading steps of a reference run that are safe to compare: up
// to the first step whose top-two logit gap is below `min_gap`, where
// different but correct arithmetic may pick the other token.
int comparable_steps(const QJsonArray& top5_per_step, double min_gap);

// Logits of every prompt position, from a fresh session with a 256-token
// context and the given KV cache type.
std::vector<float> prompt_logits(const std::shared_ptr<Model>& model, const std::vector<TokenId>& prompt,
                                 KvCacheType kv_type);

} // namespace quanta::test

// Sampler filters and the streamed-text stop-string handling.
#include "engine/text_stream.h"
#include "sampling/sampler.h"

#include <QtTest>

#include <map>
#include <set>

using namespace quanta;

class SamplingTest : public QObject {
    Q_OBJECT

private slots:
    void greedyPicksLowestIdOnTies();
    void temperatureZeroIsGreedy();
    void fixedSeedRepeats();
    void topKLimitsCandidates();
    void topPKeepsNucleus();
    void minPDropsUnlikely();
    void repeatPenaltyLowersRecentTokens();
    void distributionFollowsSoftmax();
    void textStreamHoldsStopPrefix();
    void textStreamNeverSplitsUtf8();
    void textStreamFinishReplacesTruncatedCharacter();
};

void SamplingTest::greedyPicksLowestIdOnTies()
{
    const std::vector<float> logits = {0.5f, 2.0f, 2.0f, -1.0f};
    QCOMPARE(Sampler::argmax(logits), 1);
}

void SamplingTest::temperatureZeroIsGreedy()
{
    SamplingParams params;
    params.temperature = 0.0f;
    params.repeat_penalty = 1.0f;
    Sampler sampler(params);
    const std::vector<float> logits = {0.1f, 0.3f, 5.0f, 0.2f};
    for (int i = 0; i < 10; ++i)
        QCOMPARE(sampler.sample(logits, {}), 2);
}

void SamplingTest::fixedSeedRepeats()
{
    SamplingParams params;
    params.temperature = 1.0f;
    params.top_k = 0;
    params.top_p = 1.0f;
    params.min_p = 0.0f;
    params.seed = 1234;
    std::vector<float> logits(50);
    for (size_t i = 0; i < logits.size(); ++i)
        logits[i] = static_cast<float>(i % 7) * 0.3f;
    Sampler first(params);
    Sampler second(params);
    std::vector<int32_t> a;
    std::vector<int32_t> b;
    for (int i = 0; i < 100; ++i) {
        a.push_back(first.sample(logits, {}));
        b.push_back(second.sample(logits, {}));
    }
    QCOMPARE(a, b);
    QVERIFY(std::set<int32_t>(a.begin(), a.end()).size() > 5);
}

void SamplingTest::topKLimitsCandidates()
{
    SamplingParams params;
    params.temperature = 5.0f;
    params.top_k = 2;
    params.top_p = 1.0f;
    params.min_p = 0.0f;
    params.seed = 9;
    Sampler sampler(params);
    const std::vector<float> logits = {1.0f, 3.0f, 0.0f, 2.9f, -2.0f};
    for (int i = 0; i < 200; ++i) {
        const int32_t token = sampler.sample(logits, {});
        QVERIFY(token == 1 || token == 3);
    }
}

void SamplingTest::topPKeepsNucleus()
{
    // Probabilities at T=1: about 0.64, 0.24, 0.09, 0.03.
    SamplingParams params;
    params.temperature = 1.0f;
    params.top_k = 0;
    params.top_p = 0.8f;
    params.min_p = 0.0f;
    params.seed = 3;
    Sampler sampler(params);
    const std::vector<float> logits = {3.0f, 2.0f, 1.0f, 0.0f};
    std::set<int32_t> seen;
    for (int i = 0; i < 500; ++i)
        seen.insert(sampler.sample(logits, {}));
    QCOMPARE(seen, (std::set<int32_t>{0, 1}));
}

void SamplingTest::minPDropsUnlikely()
{
    SamplingParams params;
    params.temperature = 1.0f;
    params.top_k = 0;
    params.top_p = 1.0f;
    params.min_p = 0.3f; // keeps tokens with p >= 0.3 * p_max
    params.seed = 5;
    Sampler sampler(params);
    const std::vector<float> logits = {3.0f, 2.0f, 1.0f, 0.0f}; // ratios 1, 0.37, 0.14, 0.05
    std::set<int32_t> seen;
    for (int i = 0; i < 500; ++i)
        seen.insert(sampler.sample(logits, {}));
    QCOMPARE(seen, (std::set<int32_t>{0, 1}));
}

void SamplingTest::repeatPenaltyLowersRecentTokens()
{
    SamplingParams params;
    params.temperature = 0.0f;
    params.repeat_penalty = 2.0f;
    params.repeat_last_n = 4;
    Sampler sampler(params);
    const std::vector<float> logits = {2.0f, 1.5f, -1.0f};
    const std::vector<int32_t> history = {0};
    // 2.0 / 2 = 1.0 < 1.5, so token 1 wins.
    QCOMPARE(sampler.sample(logits, history), 1);
    // Outside the window the penalty does not apply.
    const std::vector<int32_t> old_history = {0, 2, 2, 2, 2};
    QCOMPARE(sampler.sample(logits, old_history), 0);
}

void SamplingTest::distributionFollowsSoftmax()
{
    SamplingParams params;
    params.temperature = 1.0f;
    params.top_k = 0;
    params.top_p = 1.0f;
    params.min_p = 0.0f;
    params.repeat_penalty = 1.0f;
    params.seed = 42;
    Sampler sampler(params);
    const std::vector<float> logits = {std::log(0.5f), std::log(0.3f), std::log(0.2f)};
    std::map<int32_t, int> counts;
    const int draws = 20000;
    for (int i = 0; i < draws; ++i)
        ++counts[sampler.sample(logits, {})];
    QVERIFY(std::abs(counts[0] / double(draws) - 0.5) < 0.02);
    QVERIFY(std::abs(counts[1] / double(draws) - 0.3) < 0.02);
    QVERIFY(std::abs(counts[2] / double(draws) - 0.2) < 0.02);
}

void SamplingTest::textStreamHoldsStopPrefix()
{
    TextStream stream({"<|im_end|>"});
    QCOMPARE(QString::fromStdString(stream.push("Hello")), QStringLiteral("Hello"));
    QCOMPARE(QString::fromStdString(stream.push(" <|im")), QStringLiteral(" "));
    QVERIFY(!stream.stopped());
    QCOMPARE(QString::fromStdString(stream.push("_end|> tail")), QString());
    QVERIFY(stream.stopped());
    QCOMPARE(QString::fromStdString(stream.text()), QStringLiteral("Hello "));

    // A held-back tail that turns out not to be a stop string is released.
    TextStream other({"STOP"});
    QCOMPARE(QString::fromStdString(other.push("ab ST")), QStringLiteral("ab "));
    QCOMPARE(QString::fromStdString(other.push("ILL")), QStringLiteral("STILL"));
    QCOMPARE(QString::fromStdString(other.finish()), QString());
}

void SamplingTest::textStreamNeverSplitsUtf8()
{
    // "你" is E4 BD A0: fed one byte at a time it appears only when complete.
    TextStream stream({});
    QCOMPARE(stream.push("\xE4"), std::string());
    QCOMPARE(stream.push("\xBD"), std::string());
    QCOMPARE(stream.push("\xA0"), std::string("\xE4\xBD\xA0"));
    // A four-byte emoji split 1 + 3.
    QCOMPARE(stream.push("a\xF0"), std::string("a"));
    QCOMPARE(stream.push("\x9F\x98\x80"), std::string("\xF0\x9F\x98\x80"));
}

void SamplingTest::textStreamFinishReplacesTruncatedCharacter()
{
    TextStream stream({});
    QCOMPARE(stream.push("ok\xE4\xBD"), std::string("ok"));
    QCOMPARE(stream.finish(), std::string("\xEF\xBF\xBD"));
    QCOMPARE(stream.text(), std::string("ok\xEF\xBF\xBD"));
}

QTEST_APPLESS_MAIN(SamplingTest)
#include "test_sampling.moc"

// End-to-end checks of the llama graph against llama.cpp's outputs for the
// real stories260K model and its widened, quantized copies: greedy token ids
// and prompt logits.
#include "core/error.h"
#include "engine/model.h"
#include "engine/session.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

using namespace quanta;

namespace {

QJsonObject read_json(const std::string& relative)
{
    QFile file(QString::fromStdString(test::shared_path(relative)));
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

// Greedy decoding of `n` tokens after `prompt` (which includes BOS).
std::vector<TokenId> greedy(Session& session, const std::vector<TokenId>& prompt, int n)
{
    GenerationRequest request;
    request.prompt = prompt;
    request.max_tokens = n;
    request.sampling.temperature = 0.0f;
    request.sampling.repeat_penalty = 1.0f;
    return session.generate(request).tokens;
}

// How many leading steps of a reference run are safe to compare: up to the
// first step whose top-two logit gap is below `min_gap`, where different
// but correct arithmetic may pick the other token.
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

// Largest gap between llama.cpp's own arithmetic (F16 KV cache, 8-bit
// activations) and exact F32 results on these files, per weight type. A
// fast path that rounds like llama.cpp should stay within the same bound.
double fast_path_bound(const QString& type)
{
    static const QHash<QString, double> bounds = {
        {"F32", 0.019}, {"F16", 0.020}, {"Q8_0", 0.30}, {"Q4_0", 0.33},
        {"Q4_1", 0.30}, {"Q5_0", 0.40}, {"Q4_K_M", 0.37}, {"Q6_K", 0.41},
    };
    return bounds.value(type, 0.0);
}

} // namespace

class GenerationTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void storiesGreedyIds_data();
    void storiesGreedyIds();
    void storiesPromptLogits_data();
    void storiesPromptLogits();
    void wideTypes_data();
    void wideTypes();
    void unsupportedTypeIsNamed_data();
    void unsupportedTypeIsNamed();
    void streamsTextAndStops();
    void cancelFromAnotherThread();
    void contextFullStops();
    void truncateKeepsPrefix();
    void smallBatchesMatchOneBatch();
};

void GenerationTest::initTestCase()
{
    if (!test::shared_available())
        QSKIP("the shared models folder is not available");
}

void GenerationTest::storiesGreedyIds_data()
{
    QTest::addColumn<int>("kernels");
    QTest::addColumn<int>("kv");
    QTest::newRow("fast, F16 KV") << int(KernelMode::Fast) << int(KvCacheType::F16);
    QTest::newRow("fast, F32 KV") << int(KernelMode::Fast) << int(KvCacheType::F32);
    QTest::newRow("reference, F32 KV") << int(KernelMode::Reference) << int(KvCacheType::F32);
}

void GenerationTest::storiesGreedyIds()
{
    QFETCH(int, kernels);
    QFETCH(int, kv);
    const QJsonObject reference = read_json("reference/stories260K-greedy.json");
    QVERIFY(!reference.isEmpty());

    LoadOptions load;
    load.kernels = KernelMode(kernels);
    load.n_threads = 2;
    const auto model = Model::load(test::shared_path("models/stories260K.gguf"), load);
    SessionOptions options;
    options.kv_type = KvCacheType(kv);
    options.n_ctx = 256;

    for (const QJsonValue& value : reference["prompts"].toArray()) {
        const QJsonObject prompt = value.toObject();
        const std::vector<TokenId> prompt_ids =
            model->tokenizer().encode(prompt["prompt"].toString().toStdString(), true, true);
        QCOMPARE(prompt_ids, to_ids(prompt["prompt_ids"].toArray()));

        Session session(model, options);
        const std::vector<TokenId> expected = to_ids(prompt["generated_ids"].toArray());
        const std::vector<TokenId> generated = greedy(session, prompt_ids, static_cast<int>(expected.size()));
        QCOMPARE(generated, expected);
        QCOMPARE(QString::fromStdString(model->tokenizer().decode(generated, false)),
                 prompt["generated_text"].toString());
    }
}

void GenerationTest::storiesPromptLogits_data()
{
    QTest::addColumn<int>("kernels");
    QTest::newRow("reference") << int(KernelMode::Reference);
    QTest::newRow("fast") << int(KernelMode::Fast);
}

void GenerationTest::storiesPromptLogits()
{
    QFETCH(int, kernels);
    const QJsonObject reference = read_json("reference/stories260K-greedy.json");
    LoadOptions load;
    load.kernels = KernelMode(kernels);
    const auto model = Model::load(test::shared_path("models/stories260K.gguf"), load);

    int index = 0;
    for (const QJsonValue& value : reference["prompts"].toArray()) {
        const QJsonObject prompt = value.toObject();
        const std::vector<TokenId> ids = to_ids(prompt["prompt_ids"].toArray());
        const std::vector<float> expected = test::read_f32_file(
            test::shared_path("reference/stories260K-logits/prompt" + std::to_string(index++) + ".kv-f32.f32"));
        const std::vector<float> logits = prompt_logits(model, ids, KvCacheType::F32);
        QCOMPARE(logits.size(), expected.size());
        const float difference = test::max_abs_diff(logits.data(), expected.data(), logits.size());
        QVERIFY2(difference <= 1e-4f, qPrintable(QStringLiteral("max |difference| %1").arg(difference)));
    }
}

void GenerationTest::wideTypes_data()
{
    QTest::addColumn<QString>("type");
    for (const char* type : {"F32", "F16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q4_K_M", "Q6_K"})
        QTest::newRow(type) << QString::fromLatin1(type);
}

void GenerationTest::wideTypes()
{
    QFETCH(QString, type);
    const QJsonObject reference = read_json("reference/stories260K-wide/greedy.json");
    const QString file_name = "stories260K-wide-" + type + ".gguf";
    const QJsonObject entry = reference["models"].toObject()[file_name].toObject();
    QVERIFY(!entry.isEmpty());
    const std::string path = test::shared_path("models/stories260K-wide/" + file_name.toStdString());

    LoadOptions reference_load;
    reference_load.kernels = KernelMode::Reference;
    const auto reference_model = Model::load(path, reference_load);
    const auto fast_model = Model::load(path, {});
    const bool exact_type = type == "F32" || type == "F16";
    const double id_gap = exact_type ? 0.05 : 0.5;

    int index = 0;
    for (const QJsonValue& value : entry["prompts"].toArray()) {
        const QJsonObject prompt = value.toObject();
        const std::vector<TokenId> ids = to_ids(prompt["prompt_ids"].toArray());
        const std::string stem = "reference/stories260K-wide/logits/" + type.toStdString();
        const std::vector<float> dequantized =
            test::read_f32_file(test::shared_path(stem + ".dequant-f32.prompt" + std::to_string(index) + ".f32"));
        ++index;

        // The scalar reference path computes in F32 on dequantized weights.
        const std::vector<float> exact = prompt_logits(reference_model, ids, KvCacheType::F32);
        QCOMPARE(exact.size(), dequantized.size());
        const float exact_difference = test::max_abs_diff(exact.data(), dequantized.data(), exact.size());
        QVERIFY2(exact_difference <= 1e-4f,
                 qPrintable(QStringLiteral("reference path: max |difference| %1").arg(exact_difference)));

        // The fast path may round activations like llama.cpp does.
        const std::vector<float> fast = prompt_logits(fast_model, ids, KvCacheType::F32);
        const float fast_difference = test::max_abs_diff(fast.data(), dequantized.data(), fast.size());
        QVERIFY2(fast_difference <= fast_path_bound(type),
                 qPrintable(QStringLiteral("fast path: max |difference| %1, bound %2")
                                .arg(fast_difference)
                                .arg(fast_path_bound(type))));

        // Greedy ids up to the first near-tie of llama.cpp's run.
        const std::vector<TokenId> expected = to_ids(prompt["generated_ids"].toArray());
        const int steps = comparable_steps(prompt["top5_per_step"].toArray(), id_gap);
        SessionOptions options;
        options.n_ctx = 256;
        Session session(fast_model, options);
        const std::vector<TokenId> generated = greedy(session, ids, static_cast<int>(expected.size()));
        QVERIFY(generated.size() >= static_cast<size_t>(steps));
        for (int step = 0; step < steps; ++step)
            QCOMPARE(generated[static_cast<size_t>(step)], expected[static_cast<size_t>(step)]);
    }
}

void GenerationTest::unsupportedTypeIsNamed_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("tensor_type");
    QTest::newRow("Q2_K") << "Q2_K" << "Q[23]_K";
    QTest::newRow("Q5_K_M") << "Q5_K_M" << "Q5_K";
    QTest::newRow("IQ4_NL") << "IQ4_NL" << "IQ4_NL";
}

void GenerationTest::unsupportedTypeIsNamed()
{
    QFETCH(QString, type);
    QFETCH(QString, tensor_type);
    const std::string path = test::shared_path("models/stories260K-wide/stories260K-wide-" + type.toStdString() + ".gguf");
    try {
        Model::load(path, {});
        QFAIL("loading should fail");
    } catch (const UnsupportedError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
        QVERIFY2(message.contains("tensor '"), qPrintable(message));
        QVERIFY2(message.contains(QRegularExpression(tensor_type)), qPrintable(message));
    }
}

void GenerationTest::streamsTextAndStops()
{
    const auto model = Model::load(test::shared_path("models/stories260K.gguf"), {});
    Session session(model);
    GenerationRequest request;
    request.prompt = model->tokenizer().encode("Once upon a time", true, true);
    request.max_tokens = 48;
    request.sampling.temperature = 0.0f;
    request.sampling.repeat_penalty = 1.0f;
    request.stop_strings = {"Lily"};

    QStringList pieces;
    const GenerationResult result =
        session.generate(request, [&](std::string_view text, TokenId) { pieces << QString::fromUtf8(text.data(), int(text.size())); });
    // The greedy story reads ", there was a little girl named Lily. ..."
    QCOMPARE(result.reason, StopReason::StopString);
    QCOMPARE(QString::fromStdString(result.text), QStringLiteral(", there was a little girl named "));
    QCOMPARE(pieces.join(QString()), QString::fromStdString(result.text));
    QVERIFY(pieces.size() > 3);
}

void GenerationTest::cancelFromAnotherThread()
{
    const auto model = Model::load(test::shared_path("models/stories260K.gguf"), {});
    Session session(model);
    GenerationRequest request;
    request.prompt = model->tokenizer().encode("Once upon a time", true, true);
    request.max_tokens = 1000000;
    request.sampling.seed = 7;
    std::atomic<int> tokens{0};
    std::thread canceller([&] {
        while (tokens.load() < 5)
            std::this_thread::yield();
        session.cancel();
    });
    const GenerationResult result = session.generate(request, [&](std::string_view, TokenId) { ++tokens; });
    canceller.join();
    QCOMPARE(result.reason, StopReason::Cancelled);
    QVERIFY(result.tokens.size() >= 5);
    QVERIFY(result.tokens.size() < 2000);
}

void GenerationTest::contextFullStops()
{
    const auto model = Model::load(test::shared_path("models/stories260K.gguf"), {});
    SessionOptions options;
    options.n_ctx = 16;
    Session session(model, options);
    GenerationRequest request;
    request.prompt = model->tokenizer().encode("Once upon a time", true, true);
    request.max_tokens = 100;
    request.sampling.temperature = 0.0f;
    const GenerationResult result = session.generate(request);
    QCOMPARE(result.reason, StopReason::ContextFull);
    QCOMPARE(session.n_past(), 16);

    // A prompt longer than the context is an error, not a crash.
    Session small(model, options);
    request.prompt = model->tokenizer().encode(std::string(200, 'a'), true, true);
    QVERIFY_THROWS_EXCEPTION(Error, small.generate(request));
}

void GenerationTest::truncateKeepsPrefix()
{
    // Generating after truncate() to a shared prefix equals generating from scratch.
    const auto model = Model::load(test::shared_path("models/stories260K.gguf"), {});
    const std::vector<TokenId> first = model->tokenizer().encode("Once upon a time", true, true);
    const std::vector<TokenId> second = model->tokenizer().encode("Once upon a dog", true, true);

    Session fresh(model);
    const std::vector<TokenId> expected = greedy(fresh, second, 16);

    Session reused(model);
    greedy(reused, first, 8);
    size_t common = 0;
    while (common < first.size() && first[common] == second[common])
        ++common;
    reused.truncate(static_cast<int>(common));
    QCOMPARE(reused.n_past(), static_cast<int>(common));
    const std::vector<TokenId> rest(second.begin() + static_cast<std::ptrdiff_t>(common), second.end());
    QCOMPARE(greedy(reused, rest, 16), expected);
}

void GenerationTest::smallBatchesMatchOneBatch()
{
    // A prompt split into batches of 2 gives the same logits as one batch.
    const auto model = Model::load(test::shared_path("models/stories260K.gguf"), {});
    const std::vector<TokenId> prompt = model->tokenizer().encode("Once upon a time, there was a dog", true, true);
    QVERIFY(prompt.size() > 4);

    SessionOptions whole_options;
    whole_options.kv_type = KvCacheType::F32;
    Session whole(model, whole_options);
    std::vector<float> whole_logits;
    const std::span<const float> whole_span = whole.decode(prompt, &whole_logits);
    const std::vector<float> whole_last(whole_span.begin(), whole_span.end());

    SessionOptions split_options = whole_options;
    split_options.n_batch = 2;
    Session split(model, split_options);
    std::vector<float> split_logits;
    split.decode(prompt, &split_logits);
    QCOMPARE(split_logits.size(), whole_logits.size());
    QVERIFY(test::max_abs_diff(split_logits.data(), whole_logits.data(), whole_logits.size()) < 1e-4f);

    // Without all_logits, only the last row is returned.
    Session split_last(model, split_options);
    const std::span<const float> last = split_last.decode(prompt);
    QCOMPARE(last.size(), whole_last.size());
    QVERIFY(test::max_abs_diff(last.data(), whole_last.data(), last.size()) < 1e-4f);
}

QTEST_APPLESS_MAIN(GenerationTest)
#include "test_generation.moc"

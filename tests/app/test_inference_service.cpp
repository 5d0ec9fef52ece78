// InferenceService and its worker thread with stories260K.gguf: load
// progress and errors, streaming, stop, KV-cache reuse between turns, and
// shutdown while a reply is running. Also a Hugging Face GPTQ folder, which
// loads through the same path.

#include "generation/inference_service.h"
#include "test_support.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace quanta;

namespace {

constexpr int kTimeoutMs = 60000;

QString sharedModel()
{
    return QString::fromStdString(test::shared_path("models/stories260K.gguf"));
}

// Runs one generation to its end and returns the outcome and the text.
struct Reply {
    GenerationOutcome outcome;
    QString text;
    bool finished = false;
    QString error;
};

Reply generate(InferenceService& service, std::vector<ChatMessage> messages, const GenerationSettings& settings = {})
{
    Reply reply;
    const quint64 requestId = service.startGeneration(std::move(messages), settings);
    if (requestId == 0) {
        reply.error = QStringLiteral("startGeneration returned 0");
        return reply;
    }
    QObject context;
    QObject::connect(&service, &InferenceService::textGenerated, &context, [&](quint64 id, const QString& text) {
        if (id == requestId)
            reply.text += text;
    });
    QObject::connect(&service, &InferenceService::generationFinished, &context,
                     [&](quint64 id, const GenerationOutcome& outcome) {
                         if (id == requestId) {
                             reply.outcome = outcome;
                             reply.finished = true;
                         }
                     });
    QObject::connect(&service, &InferenceService::generationFailed, &context, [&](quint64 id, const QString& message) {
        if (id == requestId) {
            reply.error = message;
            reply.finished = true;
        }
    });
    if (!QTest::qWaitFor([&] { return reply.finished; }, kTimeoutMs))
        reply.error = QStringLiteral("no end of generation within %1 ms").arg(kTimeoutMs);
    return reply;
}

} // namespace

class TestInferenceService : public QObject {
    Q_OBJECT

private slots:
    void init();

    void loadReportsProgressAndModel();
    void missingFileFailsWithItsName();
    void gptqFolderLoadsAndStreams();
    void folderWithoutConfigFailsWithItsName();
    void nothingStartsWithoutModel();
    void replyStreamsInPieces();
    void stopRightAfterStartCancels();
    void nextTurnReusesCache();
    void sameConversationReusesAllButOneToken();
    void shutdownWhileGenerating();

private:
    void loadSharedModel(InferenceService& service);
};

void TestInferenceService::init()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
}

void TestInferenceService::loadSharedModel(InferenceService& service)
{
    service.loadModel(sharedModel());
    QVERIFY(service.loading());
    QTRY_VERIFY_WITH_TIMEOUT(!service.loading(), kTimeoutMs);
    QVERIFY(service.modelLoaded());
}

void TestInferenceService::loadReportsProgressAndModel()
{
    InferenceService service;
    QList<double> progress;
    connect(&service, &InferenceService::loadProgressChanged, this,
            [&] { progress.append(service.loadProgress()); });
    QSignalSpy failed(&service, &InferenceService::modelLoadFailed);

    loadSharedModel(service);
    QCOMPARE(failed.count(), 0);

    // Progress only grows, within [0, 1].
    QVERIFY(!progress.isEmpty());
    QVERIFY(std::is_sorted(progress.begin(), progress.end()));
    QVERIFY(progress.first() >= 0.0);
    QVERIFY(progress.last() <= 1.0);

    const ModelSummary& model = service.model();
    QCOMPARE(model.path, QFileInfo(sharedModel()).absoluteFilePath());
    QCOMPARE(service.modelFileName(), QStringLiteral("stories260K"));
    QCOMPARE(model.architecture, QStringLiteral("llama"));
    QCOMPARE(model.fileSizeBytes, QFileInfo(sharedModel()).size());
    QCOMPARE(model.chatFormat, QStringLiteral("plain"));
    QVERIFY(model.contextSize > 0);
    QVERIFY(model.parameterCount > 0);
    QVERIFY(!service.modelSizeText().isEmpty());
}

void TestInferenceService::missingFileFailsWithItsName()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("no-such-model.gguf"));
    InferenceService service;
    QSignalSpy failed(&service, &InferenceService::modelLoadFailed);
    service.loadModel(missing);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
    QCOMPARE(failed.first().at(0).toString(), missing);
    const QString message = failed.first().at(1).toString();
    QVERIFY2(message.contains(QStringLiteral("no-such-model.gguf")), qPrintable(message));
    QVERIFY(!service.loading());
    QVERIFY(!service.modelLoaded());
}

void TestInferenceService::gptqFolderLoadsAndStreams()
{
    const QString folder =
        QString::fromStdString(test::shared_path("models/hf/stories260K-wide-gptq-4bit-g128"));
    InferenceService service;
    QList<double> progress;
    connect(&service, &InferenceService::loadProgressChanged, this,
            [&] { progress.append(service.loadProgress()); });
    QSignalSpy failed(&service, &InferenceService::modelLoadFailed);

    // A trailing '/' as a folder dialog may add it does not change the path.
    service.loadModel(folder + QLatin1Char('/'));
    QCOMPARE(service.loadingName(), QStringLiteral("stories260K-wide-gptq-4bit-g128"));
    QTRY_VERIFY_WITH_TIMEOUT(!service.loading(), kTimeoutMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
    QVERIFY(service.modelLoaded());
    QVERIFY(std::is_sorted(progress.begin(), progress.end()));

    QCOMPARE(service.modelPath(), folder);
    QCOMPARE(service.modelFileName(), QStringLiteral("stories260K-wide-gptq-4bit-g128"));
    QCOMPARE(service.modelArchitecture(), QStringLiteral("llama"));
    QCOMPARE(service.modelFileType(), QStringLiteral("GPTQ 4-bit, group 128"));
    QVERIFY(service.modelSizeBytes() >= QFileInfo(folder + QStringLiteral("/model.safetensors")).size());

    // The reply streams as from a GGUF file.
    int pieces = 0;
    connect(&service, &InferenceService::textGenerated, this, [&] { ++pieces; });
    const Reply reply = generate(service, {{"user", "Once upon a time"}});
    QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
    QVERIFY(reply.finished);
    QVERIFY(!reply.text.isEmpty());
    QVERIFY(pieces >= 3);
    QVERIFY(reply.outcome.promptTokens > 1);
}

void TestInferenceService::folderWithoutConfigFailsWithItsName()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    InferenceService service;
    QSignalSpy failed(&service, &InferenceService::modelLoadFailed);
    service.loadModel(dir.path());
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
    QCOMPARE(failed.first().at(0).toString(), dir.path());
    const QString message = failed.first().at(1).toString();
    QVERIFY2(message.contains(dir.path()), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("config.json")), qPrintable(message));
    QVERIFY(!service.loading());
    QVERIFY(!service.modelLoaded());
}

void TestInferenceService::nothingStartsWithoutModel()
{
    InferenceService service;
    QCOMPARE(service.startGeneration({{"user", "Hi"}}, GenerationSettings{}), quint64(0));
    QVERIFY(!service.generating());
}

void TestInferenceService::replyStreamsInPieces()
{
    InferenceService service;
    loadSharedModel(service);

    int pieces = 0;
    connect(&service, &InferenceService::textGenerated, this, [&] { ++pieces; });
    QSignalSpy generatingChanged(&service, &InferenceService::generatingChanged);
    const Reply reply = generate(service, {{"user", "Once upon a time"}});
    QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
    QVERIFY(reply.finished);
    QVERIFY(!reply.text.isEmpty());
    QVERIFY(pieces >= 3);
    QVERIFY(reply.outcome.generatedTokens >= pieces / 2);
    QVERIFY(reply.outcome.generatedTokens <= GenerationSettings{}.maxTokens);
    QCOMPARE(reply.outcome.reusedTokens, 0);
    QVERIFY(reply.outcome.promptTokens > 1);
    QVERIFY(!service.generating());
    QCOMPARE(generatingChanged.count(), 2); // on at the start, off at the end
}

void TestInferenceService::stopRightAfterStartCancels()
{
    InferenceService service;
    loadSharedModel(service);

    // Whether the stop arrives before the worker starts, while the prompt
    // runs or after the first token, the reply ends as cancelled.
    GenerationSettings settings;
    settings.maxTokens = 400;
    bool finished = false;
    GenerationOutcome outcome;
    connect(&service, &InferenceService::generationFinished, this, [&](quint64, const GenerationOutcome& result) {
        outcome = result;
        finished = true;
    });
    const quint64 requestId = service.startGeneration({{"user", "Once upon a time"}}, settings);
    QVERIFY(requestId != 0);
    service.stopGeneration();
    QTRY_VERIFY_WITH_TIMEOUT(finished, kTimeoutMs);
    QCOMPARE(outcome.reason, StopReason::Cancelled);
    QVERIFY(outcome.generatedTokens < settings.maxTokens);
    QVERIFY(!service.generating());

    // The next reply is not affected by the earlier stop.
    const Reply next = generate(service, {{"user", "Once upon a time"}});
    QVERIFY2(next.error.isEmpty(), qPrintable(next.error));
    QVERIFY(next.finished);
    QVERIFY(next.outcome.reason != StopReason::Cancelled);
    QVERIFY(!next.text.isEmpty());
}

void TestInferenceService::nextTurnReusesCache()
{
    InferenceService service;
    loadSharedModel(service);

    const Reply first = generate(service, {{"user", "Once upon a time"}});
    QVERIFY(first.finished);
    QVERIFY2(first.error.isEmpty(), qPrintable(first.error));

    // The second prompt starts with the first, so its tokens come from the
    // cache and only the rest is evaluated.
    const Reply second = generate(service, {{"user", "Once upon a time"},
                                            {"assistant", first.text.toStdString()},
                                            {"user", "The next day"}});
    QVERIFY(second.finished);
    QVERIFY2(second.error.isEmpty(), qPrintable(second.error));
    QVERIFY2(second.outcome.reusedTokens >= first.outcome.promptTokens,
             qPrintable(QStringLiteral("reused %1 of %2, first prompt %3")
                            .arg(second.outcome.reusedTokens)
                            .arg(second.outcome.promptTokens)
                            .arg(first.outcome.promptTokens)));
    QVERIFY(second.outcome.reusedTokens < second.outcome.promptTokens);
}

void TestInferenceService::sameConversationReusesAllButOneToken()
{
    InferenceService service;
    loadSharedModel(service);
    const std::vector<ChatMessage> conversation{{"user", "Once upon a time there was a dog"}};

    const Reply first = generate(service, conversation);
    QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
    QVERIFY(first.finished);
    const Reply again = generate(service, conversation);
    QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
    QVERIFY(again.finished);
    QCOMPARE(again.outcome.promptTokens, first.outcome.promptTokens);
    QCOMPARE(again.outcome.reusedTokens, again.outcome.promptTokens - 1);
}

void TestInferenceService::shutdownWhileGenerating()
{
    // Destroying the service cancels the reply and waits for the thread. The
    // test fails by crashing or hanging.
    auto service = std::make_unique<InferenceService>();
    loadSharedModel(*service);
    GenerationSettings settings;
    settings.maxTokens = 1000;
    bool sawText = false;
    connect(service.get(), &InferenceService::textGenerated, this, [&] { sawText = true; });
    QVERIFY(service->startGeneration({{"user", "Once upon a time"}}, settings) != 0);
    QTRY_VERIFY_WITH_TIMEOUT(sawText, kTimeoutMs);
    service.reset();
}

QTEST_GUILESS_MAIN(TestInferenceService)
#include "test_inference_service.moc"

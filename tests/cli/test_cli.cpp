// quanta-cli end to end: every subcommand as a user runs it, including the
// exit codes and messages for bad input.
#include "test_support.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

namespace {

struct Result {
    int exit_code = -1;
    QString out;
    QString err;
};

Result run_cli(const QStringList& arguments, int timeout_ms = 300000)
{
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), arguments);
    Result result;
    if (!process.waitForFinished(timeout_ms)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("timed out");
        return result;
    }
    result.exit_code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString stories()
{
    return QString::fromStdString(quanta::test::shared_path("models/stories260K.gguf"));
}

} // namespace

class CliTest : public QObject {
    Q_OBJECT

private slots:
    void version();
    void unknownCommandIsUsageError();
    void inspectPrintsMetadataAndTensors();
    void tokenizePrintsIds();
    void runGreedyMatchesReference();
    void runDumpsPromptLogits();
    void runMissingFileFails();
    void runBadOptionIsUsageError();
    void synthThenRunAndBench();
    void specialFilesAreRejected();
    void errorsEscapeControlBytes();
};

void CliTest::version()
{
    const Result result = run_cli({"--version"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.startsWith("quanta-cli "));
}

void CliTest::unknownCommandIsUsageError()
{
    const Result result = run_cli({"frobnicate"});
    QCOMPARE(result.exit_code, 2);
    QVERIFY(result.err.contains("unknown command 'frobnicate'"));
}

void CliTest::inspectPrintsMetadataAndTensors()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    const Result result = run_cli({"inspect", stories()});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.contains("general.architecture"));
    QVERIFY(result.out.contains("llama"));
    QVERIFY(result.out.contains("blk.4.ffn_down.weight"));
    QVERIFY(result.out.contains("tokenizer.ggml.tokens"));
}

void CliTest::tokenizePrintsIds()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    const Result result = run_cli({"tokenize", "-m", stories(), "-p", "Once upon a time"});
    QCOMPARE(result.exit_code, 0);
    QCOMPARE(result.out.trimmed(), QStringLiteral("1 403 407 261 378"));
}

void CliTest::runGreedyMatchesReference()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    const Result result = run_cli({"run", "-m", stories(), "-p", "Once upon a time", "-n", "48", "--temp", "0",
                                   "--threads", "2"});
    QCOMPARE(result.exit_code, 0);
    // llama.cpp's greedy continuation of this prompt (reference/stories260K-greedy.json).
    QVERIFY2(result.out.startsWith("Once upon a time, there was a little girl named Lily. She loved to play outside"),
             qPrintable(result.out));
    QVERIFY(result.err.contains("generation: 48 tokens"));
}

void CliTest::runDumpsPromptLogits()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    QTemporaryDir dir;
    const QString path = dir.filePath("logits.f32");
    const Result result = run_cli({"run", "-m", stories(), "-p", "Once upon a time", "-n", "1", "--kv-type", "f32",
                                   "--dump-logits", path});
    QCOMPARE(result.exit_code, 0);
    const std::vector<float> logits = quanta::test::read_f32_file(path.toStdString());
    const std::vector<float> expected =
        quanta::test::read_f32_file(quanta::test::shared_path("reference/stories260K-logits/prompt0.kv-f32.f32"));
    QCOMPARE(logits.size(), size_t(5 * 512));
    QCOMPARE(logits.size(), expected.size());
    QVERIFY(quanta::test::max_abs_diff(logits.data(), expected.data(), logits.size()) <= 1e-4f);
}

void CliTest::runMissingFileFails()
{
    const Result result = run_cli({"run", "-m", "/nonexistent/model.gguf", "-p", "hi"});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("/nonexistent/model.gguf"), qPrintable(result.err));
}

void CliTest::runBadOptionIsUsageError()
{
    Result result = run_cli({"run", "-m", stories(), "-p", "hi", "--temp", "warm"});
    QCOMPARE(result.exit_code, 2);
    QVERIFY(result.err.contains("--temp"));
    result = run_cli({"run", "-p", "hi"});
    QCOMPARE(result.exit_code, 2);
    QVERIFY(result.err.contains("-m"));
}

void CliTest::synthThenRunAndBench()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("synth.gguf");
    Result result = run_cli({"synth", "-o", path, "--type", "Q4_0", "--n-embd", "128", "--n-layer", "2", "--n-head",
                             "4", "--n-head-kv", "2", "--n-ff", "256", "--n-vocab", "1000"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(QFileInfo::exists(path));

    result = run_cli({"inspect", path});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.contains("Q4_0"));

    result = run_cli({"run", "-m", path, "-p", "hello", "-n", "8", "--seed", "1"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.err.contains("generation: 8 tokens"));

    result = run_cli({"bench", "-m", path, "-p", "32", "-n", "8", "-r", "1", "--threads", "2"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.contains("pp32"));
    QVERIFY(result.out.contains("tg8"));
    QVERIFY(result.out.contains("memory read bandwidth"));
    QVERIFY(result.out.contains("decode roofline"));

    // A type whose blocks do not fit the shape is a clear error.
    result = run_cli({"synth", "-o", dir.filePath("bad.gguf"), "--type", "Q4_K", "--n-embd", "128"});
    QCOMPARE(result.exit_code, 1);
    QVERIFY(result.err.contains("256"));
}

void CliTest::specialFilesAreRejected()
{
    // A FIFO must not block the reader, and the writer must not replace a
    // FIFO (or a device) with a regular file.
    QTemporaryDir dir;
    const QString fifo = dir.filePath("model.gguf");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);

    Result result = run_cli({"inspect", fifo}, 30000);
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("not a regular file"), qPrintable(result.err));

    result = run_cli({"synth", "-o", fifo, "--type", "F32", "--n-embd", "64", "--n-layer", "1", "--n-head", "1",
                      "--n-head-kv", "1", "--n-ff", "64", "--n-vocab", "300"},
                     30000);
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("not a regular file"), qPrintable(result.err));
    QVERIFY(QFileInfo(fifo).isFile() == false);
}

void CliTest::errorsEscapeControlBytes()
{
    QTemporaryDir dir;
    const Result result = run_cli({"inspect", dir.filePath(QString::fromUtf8("bad\x1b]0;title\x07.gguf"))});
    QCOMPARE(result.exit_code, 1);
    QVERIFY(!result.err.contains(QChar(0x1b)));
    QVERIFY2(result.err.contains("\\x1B"), qPrintable(result.err));

    const Result penalty = run_cli({"run", "-m", stories(), "-p", "hi", "--repeat-penalty", "0"});
    QCOMPARE(penalty.exit_code, 2);
    QVERIFY(penalty.err.contains("--repeat-penalty"));
}

QTEST_GUILESS_MAIN(CliTest)
#include "test_cli.moc"

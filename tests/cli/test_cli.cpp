// quanta-cli end to end: every subcommand as a user runs it, including the
// exit codes and messages for bad input.
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>

#include <sys/stat.h>

namespace {

struct Result {
    int exit_code = -1;
    QString out;
    QString err;
};

Result run_program(const QString& program, const QStringList& arguments, int timeout_ms,
                   const QProcessEnvironment& environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
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

Result run_cli(const QStringList& arguments, int timeout_ms = 300000,
               const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    return run_program(QStringLiteral(QUANTA_CLI_PATH), arguments, timeout_ms, environment);
}

QString stories()
{
    return QString::fromStdString(quanta::test::shared_path("models/stories260K.gguf"));
}

QString stories_wide(const QString& type)
{
    return QString::fromStdString(
        quanta::test::shared_path("models/stories260K-wide/stories260K-wide-" + type.toStdString() + ".gguf"));
}

QString hf_folder(const QString& name)
{
    return QString::fromStdString(quanta::test::shared_path("models/hf/" + name.toStdString()));
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
    void kernelOverrideTrimsValue();
    void kernelOverrideQuotesBadValue();
    void hugePagesSettingKeepsText();
    void addressSpaceLimitKeepsMapping();
    void runBadOptionIsUsageError();
    void synthThenRunAndBench();
    void specialFilesAreRejected();
    void errorsEscapeControlBytes();
    void templateRendersModelTemplate();
    void templateRendersFileWithVariables();
    void templateErrorsExitWithFailure();
    void quantizeThenInspectShowsMix();
    void quantizeBadTypeIsUsageError();
    void quantizeErrorsExitWithFailure();
    void runGptqFolderMatchesReference();
    void inspectFolderShowsFormat();
    void tokenizeAndBenchTakeFolder();
    void templateRendersFolderTemplate();
    void folderWithoutConfigFails();
    void perplexityPrintsFiniteValue();
    void perplexityOwnLogitsGiveZeroKl();
    void perplexityMissingTextFails();
    void perplexityUsageErrors();
    void perplexityInterruptWritesNoLogits();
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

// Runs a short bench of stories260K with QUANTA_CPU_KERNELS set to `value`.
static Result bench_with_kernels(const QString& value)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QUANTA_CPU_KERNELS"), value);
    return run_cli({"bench", "-m", stories(), "-p", "8", "-n", "2", "-r", "1", "--device", "cpu"}, 300000,
                   environment);
}

// Runs greedy `run` on a wide stories260K model with QUANTA_HUGE_PAGES set
// to `value` (unset when null), with the engine's log on stderr.
static Result run_with_huge_pages(const char* value)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("QUANTA_HUGE_PAGES"));
    if (value)
        environment.insert(QStringLiteral("QUANTA_HUGE_PAGES"), QString::fromUtf8(value));
    environment.insert(QStringLiteral("QUANTA_LOG"), QStringLiteral("debug"));
    return run_cli({"run", "-m", stories_wide("Q8_0"), "-p", "Once upon a time", "-n", "24", "--temp", "0", "--device",
                    "cpu"},
                   300000, environment);
}

void CliTest::hugePagesSettingKeepsText()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    const Result normal = run_with_huge_pages(nullptr);
    QCOMPARE(normal.exit_code, 0);
    QVERIFY(!normal.out.isEmpty());

    // Off in any letter case: no copy, and the same text.
    const Result off = run_with_huge_pages(" OFF ");
    QCOMPARE(off.exit_code, 0);
    QCOMPARE(off.out, normal.out);
    QVERIFY2(!off.err.contains("copied for the CPU"), qPrintable(off.err));

    // An unknown value warns, quotes the value with its control bytes
    // escaped, and counts as auto.
    const Result unknown = run_with_huge_pages("Some\ttimes");
    QCOMPARE(unknown.exit_code, 0);
    QCOMPARE(unknown.out, normal.out);
    QVERIFY2(unknown.err.contains("QUANTA_HUGE_PAGES=\"Some\\x09times\" is not one of auto, on, off"),
             qPrintable(unknown.err));
}

// Runs quanta-cli with `arguments` under `ulimit -v` of `kib` KiB, with
// the engine's log on stderr.
static Result run_cli_limited(int kib, const QStringList& arguments)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("QUANTA_HUGE_PAGES"));
    environment.insert(QStringLiteral("QUANTA_LOG"), QStringLiteral("debug"));
    QStringList shell_arguments = {QStringLiteral("-c"), QStringLiteral("ulimit -v %1 && exec \"$@\"").arg(kib),
                                   QStringLiteral("sh"), QStringLiteral(QUANTA_CLI_PATH)};
    shell_arguments += arguments;
    return run_program(QStringLiteral("/bin/sh"), shell_arguments, 300000, environment);
}

void CliTest::addressSpaceLimitKeepsMapping()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    // Under `ulimit -v` the copies would count beside the mapping, so the
    // CPU reads the mapping and copies nothing, Q4_0 included.
    const Result normal = run_with_huge_pages(nullptr);
    QCOMPARE(normal.exit_code, 0);
    const QStringList run = {"run", "-p", "Once upon a time", "-n", "24", "--temp", "0", "--device", "cpu", "-m"};
    const Result q8 = run_cli_limited(4000000, run + QStringList{stories_wide("Q8_0")});
    QCOMPARE(q8.exit_code, 0);
    QCOMPARE(q8.out, normal.out);
    QVERIFY2(q8.err.contains("address-space limit"), qPrintable(q8.err));
    QVERIFY2(!q8.err.contains("copied for the CPU"), qPrintable(q8.err));

    const Result q4 = run_cli_limited(4000000, run + QStringList{stories_wide("Q4_0")});
    QCOMPARE(q4.exit_code, 0);
    QVERIFY(!q4.out.isEmpty());
    QVERIFY2(!q4.err.contains("copied for the CPU"), qPrintable(q4.err));

    // Below the 1 GiB bandwidth buffer, bench still reports its speeds.
    const Result bench = run_cli_limited(800000, {"bench", "-m", stories(), "-p", "8", "-n", "2", "-r", "1",
                                                  "--device", "cpu"});
    QCOMPARE(bench.exit_code, 0);
    QVERIFY2(bench.out.contains("memory read bandwidth: not measured"), qPrintable(bench.out + bench.err));
    QVERIFY2(bench.out.contains("pp t/s"), qPrintable(bench.out));
}

void CliTest::kernelOverrideTrimsValue()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    // Surrounding whitespace and letter case do not matter.
    const Result result = bench_with_kernels(QStringLiteral(" Generic\n"));
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.out.contains("kernels: generic"), qPrintable(result.out));
    QVERIFY2(!result.err.contains("warning"), qPrintable(result.err));

    // `run` names the kernel set with the placement.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QUANTA_CPU_KERNELS"), QStringLiteral("generic"));
    const Result run = run_cli({"run", "-m", stories(), "-p", "Once", "-n", "2", "--device", "cpu"}, 300000, environment);
    QCOMPARE(run.exit_code, 0);
    QVERIFY2(run.err.contains("running on CPU with generic kernels"), qPrintable(run.err));
}

void CliTest::kernelOverrideQuotesBadValue()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    // An unknown value warns with the value quoted and keeps the default.
    const Result result = bench_with_kernels(QStringLiteral("avx 2"));
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.err.contains("QUANTA_CPU_KERNELS=\"avx 2\" is not one of"), qPrintable(result.err));
    QVERIFY2(result.err.contains("using auto"), qPrintable(result.err));
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

    // The follow-up test times a chat's next turn with and without the kept
    // KV cache.
    result = run_cli({"bench", "-m", path, "--follow-up", "64", "-r", "1", "--threads", "2", "--device", "cpu"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.contains("follow-up after 64 history tokens"));
    QVERIFY(result.out.contains("history processed again"));
    QVERIFY(result.out.contains("history KV cache kept"));

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

void CliTest::quantizeThenInspectShowsMix()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    QTemporaryDir dir;
    const QString path = dir.filePath("q4_k_m.gguf");
    Result result = run_cli({"quantize", stories_wide("F32"), path, "q4_k_m", "--threads", "2"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.out.startsWith("wrote " + path + ": Q4_K_M, 48 tensors (37 converted"), qPrintable(result.out));
    QVERIFY2(result.out.contains("4.84 bits per weight"), qPrintable(result.out));
    // One progress line per tensor on stderr.
    QVERIFY2(result.err.contains(QRegularExpression(R"(\[ 3/48\] output\.weight +F32 -> Q6_K)")),
             qPrintable(result.err));
    QVERIFY2(result.err.contains(QRegularExpression(R"(\[24/48\] blk\.2\.attn_v\.weight +F32 -> Q6_K)")),
             qPrintable(result.err));
    QVERIFY2(result.err.contains(QRegularExpression(R"(\[ 2/48\] output_norm\.weight +F32, copied)")),
             qPrintable(result.err));

    // inspect shows the mix: bytes and share per type, parameters and bits
    // per weight.
    result = run_cli({"inspect", path});
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.out.contains("quantization mix:"), qPrintable(result.out));
    QVERIFY2(result.out.contains(QRegularExpression(R"(Q4_K +32 +1900544 \(1\.90 M\) +1069056 \(1\.02 MiB\) +79\.2%)")),
             qPrintable(result.out));
    const QRegularExpression q6_k_row(R"(Q6_K +5 +327680 \(327\.68 K\) +268800 \(262\.50 KiB\) +19\.9%)");
    QVERIFY2(result.out.contains(q6_k_row), qPrintable(result.out));
    QVERIFY(result.out.contains(QRegularExpression(R"(F32 +11 +2816 .* +0\.8%)")));
    QVERIFY(result.out.contains("file type:       Q4_K_M (15)"));
    QVERIFY(result.out.contains("parameters:      2231040 (2.23 M)"));
    QVERIFY(result.out.contains("bits per weight: 4.84"));

    // The quantized model runs.
    result = run_cli({"run", "-m", path, "-p", "Once upon a time", "-n", "8", "--temp", "0", "--threads", "2"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.err.contains("generation: 8 tokens"), qPrintable(result.err));
}

void CliTest::quantizeBadTypeIsUsageError()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("out.gguf");
    Result result = run_cli({"quantize", stories_wide("F32"), path, "Q4_K_X"});
    QCOMPARE(result.exit_code, 2);
    QVERIFY2(result.err.contains("unknown TYPE 'Q4_K_X'"), qPrintable(result.err));
    QVERIFY(result.err.contains("usage: quanta-cli quantize IN OUT TYPE"));

    result = run_cli({"quantize", stories_wide("F32"), path});
    QCOMPARE(result.exit_code, 2);
    QVERIFY2(result.err.contains("expected IN OUT TYPE but got 2 arguments"), qPrintable(result.err));

    result = run_cli({"quantize", stories_wide("F32"), path, "Q8_0", "--threads", "many"});
    QCOMPARE(result.exit_code, 2);
    QVERIFY(result.err.contains("--threads"));
    QVERIFY(!QFileInfo::exists(path));

    result = run_cli({"quantize", "--help"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.contains("Q4_K_M"));
    QVERIFY(result.out.contains("IQ4_XS"));
}

void CliTest::quantizeErrorsExitWithFailure()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    QTemporaryDir dir;

    // Already quantized input.
    const QString path = dir.filePath("out.gguf");
    Result result = run_cli({"quantize", stories_wide("Q4_0"), path, "Q4_K_M"});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("'token_embd.weight' is already quantized as Q4_0"), qPrintable(result.err));
    QVERIFY(!QFileInfo::exists(path));

    // The output is the input.
    const QString copy = dir.filePath("model.gguf");
    QVERIFY(QFile::copy(stories_wide("F32"), copy));
    const qint64 size = QFileInfo(copy).size();
    result = run_cli({"quantize", copy, copy, "Q8_0"});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("is the input file"), qPrintable(result.err));
    QCOMPARE(QFileInfo(copy).size(), size);

    // An existing output file stays unless --force is given.
    const QString existing = dir.filePath("existing.gguf");
    {
        QFile file(existing);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("precious");
    }
    result = run_cli({"quantize", copy, existing, "Q8_0"});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("already exists; pass --force"), qPrintable(result.err));
    QCOMPARE(QFileInfo(existing).size(), qint64(8));
    result = run_cli({"quantize", copy, existing, "Q8_0", "--force"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(QFileInfo(existing).size() > 8);

    // A missing output folder.
    const QString missing = dir.filePath("missing/out.gguf");
    result = run_cli({"quantize", copy, missing, "Q8_0"});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains(missing + ": cannot create the temporary file"), qPrintable(result.err));
}

namespace {

// Writes `text` to `path`; returns false when it cannot.
bool write_text(const QString& path, const QByteArray& text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

} // namespace

void CliTest::templateRendersModelTemplate()
{
    // The Llama 3 vocab file carries Meta's chat template; the prompt must
    // match the reference rendering of the same conversation byte for byte.
    const QString model = QString::fromStdString(quanta::test::shared_path("models/vocab/ggml-vocab-llama3.gguf"));
    QFile reference(QString::fromStdString(quanta::test::shared_path("reference/chat-templates/llama3.json")));
    if (!QFileInfo::exists(model) || !reference.open(QIODevice::ReadOnly))
        QSKIP("the Llama 3 vocab or its reference rendering is not available");
    const QJsonObject root = QJsonDocument::fromJson(reference.readAll()).object();
    QJsonObject item;
    for (const QJsonValue& value : root["cases"].toArray()) {
        if (value["name"].toString() == "system_multi_turn")
            item = value.toObject();
    }
    QVERIFY(!item.isEmpty());

    QTemporaryDir dir;
    const QString messages = dir.filePath("messages.json");
    QVERIFY(write_text(messages, QJsonDocument(item["messages"].toArray()).toJson()));
    const Result result = run_cli({"template", "-m", model, "--messages", messages, "--add-generation-prompt"});
    QCOMPARE(result.exit_code, 0);
    QCOMPARE(result.out, item["rendered"].toString());
    QVERIFY(result.err.isEmpty());
}

void CliTest::templateRendersFileWithVariables()
{
    QTemporaryDir dir;
    const QString source = dir.filePath("chat.jinja");
    QVERIFY(write_text(source, "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>{{ m.content | trim }}\n"
                               "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
                               "{{ tools | length }}{{ date }}"));
    const QString messages = dir.filePath("messages.json");
    QVERIFY(write_text(messages, R"({"messages": [{"role": "user", "content": "  Hi  "}], "tools": [1, 2]})"));

    Result result = run_cli({"template", "--template", source, "--messages", messages, "--var", "bos_token=\"<s>\"",
                             "--var", "date=\"today\"", "--add-generation-prompt"});
    QCOMPARE(result.exit_code, 0);
    QCOMPARE(result.out, QStringLiteral("<s><|user|>Hi\n<|assistant|>2today"));

    // --var replaces what the messages file sets.
    result = run_cli({"template", "--template", source, "--messages", messages, "--var", "tools=[]"});
    QCOMPARE(result.exit_code, 0);
    QCOMPARE(result.out, QStringLiteral("<|user|>Hi\n0"));
}

void CliTest::templateErrorsExitWithFailure()
{
    QTemporaryDir dir;
    const QString messages = dir.filePath("messages.json");
    QVERIFY(write_text(messages, R"([{"role": "system", "content": "x"}, {"role": "user", "content": "Hi"}])"));

    // A template that does not parse: the error names the construct and position.
    const QString broken = dir.filePath("broken.jinja");
    QVERIFY(write_text(broken, "{% for m in messages %}\n{{ m.content | nosuchfilter }}\n{% endfor %}"));
    Result result = run_cli({"template", "--template", broken, "--messages", messages});
    QCOMPARE(result.exit_code, 1);
    QVERIFY(result.out.isEmpty());
    QVERIFY2(result.err.contains("line 2, column 16: the filter 'nosuchfilter' is not supported"),
             qPrintable(result.err));

    // A template that rejects the conversation.
    const QString strict = dir.filePath("strict.jinja");
    QVERIFY(write_text(strict, "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}"
                               "{% endif %}"));
    result = run_cli({"template", "--template", strict, "--messages", messages});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("the template raised an error: System role not supported"), qPrintable(result.err));

    // Bad command lines and inputs.
    result = run_cli({"template", "--messages", messages});
    QCOMPARE(result.exit_code, 2);
    QVERIFY(result.err.contains("-m MODEL or --template FILE"));
    result = run_cli({"template", "--template", strict, "--messages", messages, "--var", "x=not json"});
    QCOMPARE(result.exit_code, 2);
    QVERIFY2(result.err.contains("--var x: the value is not valid JSON"), qPrintable(result.err));
    const QString invalid = dir.filePath("invalid.json");
    QVERIFY(write_text(invalid, "[{\"role\": "));
    result = run_cli({"template", "--template", strict, "--messages", invalid});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains(invalid + ": invalid JSON"), qPrintable(result.err));
    if (quanta::test::shared_available()) {
        result = run_cli({"template", "-m", stories(), "--messages", messages});
        QCOMPARE(result.exit_code, 1);
        QVERIFY2(result.err.contains("has no tokenizer.chat_template"), qPrintable(result.err));
    }
}

void CliTest::runGptqFolderMatchesReference()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    const Result result = run_cli({"run", "-m", hf_folder("stories260K-wide-gptq-4bit-g128"), "-p", "Once upon a time",
                                   "-n", "20", "--temp", "0", "--threads", "2"});
    QCOMPARE(result.exit_code, 0);
    // The greedy continuation that a float64 forward pass in Hugging Face
    // conventions gives on the same dequantized weights.
    QVERIFY2(result.out.startsWith("Once upon a time, there was a little girl named Lily"), qPrintable(result.out));
    QVERIFY2(result.err.contains("generation: 20 tokens"), qPrintable(result.err));
}

void CliTest::inspectFolderShowsFormat()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    Result result = run_cli({"inspect", hf_folder("stories260K-wide-gptq-4bit-g32-actorder-asym")});
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.out.contains("Hugging Face folder"), qPrintable(result.out));
    QVERIFY2(result.out.contains("format:       GPTQ 4-bit, group 32, act-order"), qPrintable(result.out));
    QVERIFY(result.out.contains("architecture: llama"));
    QVERIFY(result.out.contains("context:      2048 tokens"));
    // The repacked linears and the float tensors, as loaded.
    QVERIFY(QRegularExpression("blk\\.0\\.attn_q\\.weight +Q4_G +\\[256, 256\\]").match(result.out).hasMatch());
    QVERIFY(QRegularExpression("token_embd\\.weight +F16").match(result.out).hasMatch());
    // No GGUF header fields, which a folder does not have.
    QVERIFY(!result.out.contains("GGUF version"));
    QVERIFY(!result.out.contains("data offset"));

    result = run_cli({"inspect", hf_folder("stories260K-wide-gptq-8bit-g128")});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.contains("format:       GPTQ 8-bit, group 128"));
    QVERIFY(QRegularExpression("blk\\.4\\.ffn_down\\.weight +Q8_G").match(result.out).hasMatch());
}

void CliTest::tokenizeAndBenchTakeFolder()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    Result result = run_cli({"tokenize", "-m", hf_folder("stories260K-wide-awq-gemm-4bit-g128"), "-p", "Once upon a time"});
    QCOMPARE(result.exit_code, 0);
    QCOMPARE(result.out.trimmed(), QStringLiteral("1 403 407 261 378"));

    result = run_cli({"bench", "-m", hf_folder("stories260K-wide-awq-gemm-4bit-g128"), "-p", "16", "-n", "4", "-r",
                      "1", "--threads", "2", "--device", "cpu"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.out.contains("llama AWQ 4-bit, group 128"), qPrintable(result.out));
    QVERIFY(result.out.contains("tg4"));
}

void CliTest::templateRendersFolderTemplate()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");

    // The GPTQ folder's files, with a tokenizer_config.json that has a chat
    // template.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString source = hf_folder("stories260K-wide-gptq-4bit-g128");
    for (const char* name : {"config.json", "model.safetensors", "tokenizer.json"})
        QVERIFY(QFile::link(source + "/" + name, dir.filePath(name)));
    const QString messages = dir.filePath("messages.json");
    QVERIFY(write_text(messages, R"([{"role": "user", "content": "Hi"}])"));

    // Without a template, the error names the places searched.
    Result result = run_cli({"template", "-m", dir.path(), "--messages", messages});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("tokenizer_config.json") && result.err.contains("chat_template.jinja"),
             qPrintable(result.err));

    QVERIFY(write_text(dir.filePath("tokenizer_config.json"),
                       R"({"bos_token": "<s>", "eos_token": "</s>",
                           "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}{% endfor %}"})"));
    result = run_cli({"template", "-m", dir.path(), "--messages", messages});
    QCOMPARE(result.exit_code, 0);
    QCOMPARE(result.out, QStringLiteral("<s>[user] Hi</s>"));
}

void CliTest::folderWithoutConfigFails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList commands[] = {
        {"run", "-m", dir.path(), "-p", "hi"},
        {"inspect", dir.path()},
        {"tokenize", "-m", dir.path(), "-p", "hi"},
        {"bench", "-m", dir.path()},
        {"template", "-m", dir.path(), "--messages", dir.filePath("messages.json")},
    };
    for (const QStringList& arguments : commands) {
        const Result result = run_cli(arguments);
        QCOMPARE(result.exit_code, 1);
        QVERIFY2(result.err.contains(dir.path() + ": this folder has no config.json"), qPrintable(result.err));
    }
}

namespace {

QString sample_text_path()
{
    return QStringLiteral(QUANTA_SOURCE_DIR "/resources/eval/sample-en.txt");
}

} // namespace

void CliTest::perplexityPrintsFiniteValue()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    const Result result = run_cli({"perplexity", "-m", stories(), "-f", sample_text_path(), "--ctx", "128", "--chunks",
                                   "4", "--threads", "2", "--device", "cpu"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.out.contains("windows: 4 of 128 tokens\n"), qPrintable(result.out));
    QVERIFY2(result.out.contains(QRegularExpression(R"(tokens scored: 252 of \d+ in the text)")),
             qPrintable(result.out));
    const QRegularExpressionMatch match =
        QRegularExpression(R"(perplexity: (\d+\.\d+) ± (\d+\.\d+)\n)").match(result.out);
    QVERIFY2(match.hasMatch(), qPrintable(result.out));
    const double perplexity = match.captured(1).toDouble();
    QVERIFY2(std::isfinite(perplexity) && perplexity > 1.0 && perplexity < 100.0, qPrintable(result.out));
    QVERIFY(match.captured(2).toDouble() > 0.0);
    QVERIFY(!result.out.contains("KL divergence"));
    QVERIFY2(result.err.contains("window 4 of 4"), qPrintable(result.err));
}

void CliTest::perplexityOwnLogitsGiveZeroKl()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    QTemporaryDir dir;
    const QString logits = dir.filePath("base.logits");
    Result result = run_cli({"perplexity", "-m", stories(), "-f", sample_text_path(), "--ctx", "128", "--chunks", "3",
                             "--threads", "2", "--device", "cpu", "--save-logits", logits});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(QFileInfo(logits).isFile());
    QVERIFY(!QFileInfo::exists(logits + ".tmp"));

    result = run_cli({"perplexity", "-m", stories(), "-f", sample_text_path(), "--ctx", "128", "--chunks", "3",
                      "--threads", "2", "--device", "cpu", "--kl-base", logits});
    QCOMPARE(result.exit_code, 0);
    QVERIFY2(result.out.contains(
                 "KL divergence: mean 0.000000 ± 0.000000, p99 0.000000; top token agreement: 100.00%\n"),
             qPrintable(result.out));

    // Another window length does not match the base.
    result = run_cli({"perplexity", "-m", stories(), "-f", sample_text_path(), "--ctx", "64", "--chunks", "3",
                      "--threads", "2", "--device", "cpu", "--kl-base", logits});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains(logits + ": the base logits were saved with windows of 128 tokens"),
             qPrintable(result.err));
}

void CliTest::perplexityMissingTextFails()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    const Result result = run_cli({"perplexity", "-m", stories(), "-f", "/nonexistent/text.txt"});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains("/nonexistent/text.txt: cannot open"), qPrintable(result.err));
}

void CliTest::perplexityUsageErrors()
{
    Result result = run_cli({"perplexity", "--help"});
    QCOMPARE(result.exit_code, 0);
    QVERIFY(result.out.contains("usage: quanta-cli perplexity -m MODEL -f TEXT"));
    QVERIFY(result.out.contains("--kl-base FILE"));
    QVERIFY(result.out.contains("--gpu-layers"));

    result = run_cli({"perplexity", "-m", stories()});
    QCOMPARE(result.exit_code, 2);
    QVERIFY2(result.err.contains("missing required option -f TEXT"), qPrintable(result.err));

    result = run_cli({"perplexity", "-m", stories(), "-f", sample_text_path(), "--ctx", "8"});
    QCOMPARE(result.exit_code, 2);
    QVERIFY2(result.err.contains("option --ctx expects an integer from 16"), qPrintable(result.err));
}

void CliTest::perplexityInterruptWritesNoLogits()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");

    // A text long enough that the run is still going when SIGINT arrives:
    // hundreds of windows.
    QTemporaryDir dir;
    QFile sample(sample_text_path());
    QVERIFY(sample.open(QIODevice::ReadOnly));
    const QByteArray text = sample.readAll().repeated(50);
    const QString text_path = dir.filePath("long.txt");
    QVERIFY(write_text(text_path, text));
    const QString logits = dir.filePath("interrupted.logits");

    // Interrupt once the first window is done.
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), {"perplexity", "-m", stories(), "-f", text_path, "--ctx", "256",
                                                    "--threads", "2", "--device", "cpu", "--save-logits", logits});
    QVERIFY(process.waitForStarted());
    QByteArray err;
    while (!err.contains("window 1 of") && process.state() == QProcess::Running) {
        process.waitForReadyRead(1000);
        err += process.readAllStandardError();
    }
    QVERIFY2(err.contains("window 1 of"), err.constData());
    QCOMPARE(::kill(static_cast<pid_t>(process.processId()), SIGINT), 0);
    QVERIFY(process.waitForFinished(60000));
    err += process.readAllStandardError();

    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    QVERIFY2(err.contains("quanta-cli perplexity: cancelled after"), err.constData());
    QVERIFY(!QFileInfo::exists(logits));
    QVERIFY(!QFileInfo::exists(logits + ".tmp"));
}

QTEST_GUILESS_MAIN(CliTest)
#include "test_cli.moc"

// compute_perplexity against a plain computation over the same logits, its
// logits file, the ordering of the stories260K-wide quantization types, and
// its errors and cancel.
#include "core/error.h"
#include "engine/model.h"
#include "engine/session.h"
#include "eval/perplexity.h"
#include "test_support.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

using namespace quanta;

namespace {

std::string sample_text()
{
    const std::vector<uint8_t> bytes =
        test::read_file(std::string(QUANTA_SOURCE_DIR) + "/resources/eval/sample-en.txt");
    return std::string(bytes.begin(), bytes.end());
}

std::string wide_model(const std::string& type)
{
    return test::shared_path("models/stories260K-wide/stories260K-wide-" + type + ".gguf");
}

std::shared_ptr<Model> load_cpu(const std::string& path)
{
    LoadOptions options;
    options.device = "cpu";
    options.n_threads = 2;
    return Model::load(path, options);
}

// The windows the header describes: the text's tokens without BOS, cut into
// n_ctx-token pieces, with BOS replacing each piece's first token.
std::vector<std::vector<TokenId>> reference_windows(const Model& model, const std::string& text, int n_ctx,
                                                    int max_windows)
{
    const Tokenizer& tokenizer = model.tokenizer();
    const std::vector<TokenId> tokens = tokenizer.encode(text, false, false);
    std::vector<std::vector<TokenId>> windows;
    for (size_t begin = 0; begin + static_cast<size_t>(n_ctx) <= tokens.size(); begin += static_cast<size_t>(n_ctx)) {
        if (max_windows > 0 && static_cast<int>(windows.size()) == max_windows)
            break;
        std::vector<TokenId> window(tokens.begin() + static_cast<std::ptrdiff_t>(begin),
                                    tokens.begin() + static_cast<std::ptrdiff_t>(begin) + n_ctx);
        if (tokenizer.add_bos_default() && tokenizer.bos() >= 0)
            window[0] = tokenizer.bos();
        windows.push_back(std::move(window));
    }
    return windows;
}

// The scored rows (positions n_ctx / 2 .. n_ctx - 2) of every window, from a
// fresh session per window, as the chat uses it (F16 KV cache).
std::vector<std::vector<float>> reference_scored_logits(const std::shared_ptr<Model>& model,
                                                        const std::vector<std::vector<TokenId>>& windows, int n_ctx)
{
    const size_t n_vocab = static_cast<size_t>(model->info().n_vocab);
    SessionOptions options;
    options.n_ctx = n_ctx;
    options.n_batch = n_ctx;
    options.kv_type = KvCacheType::F16;
    std::vector<std::vector<float>> rows;
    for (const std::vector<TokenId>& window : windows) {
        Session session(model, options);
        std::vector<float> logits;
        session.decode(window, &logits);
        for (int j = n_ctx / 2; j <= n_ctx - 2; ++j) {
            const float* row = logits.data() + static_cast<size_t>(j) * n_vocab;
            rows.emplace_back(row, row + n_vocab);
        }
    }
    return rows;
}

// log(softmax(logits))[i] for every i, in double.
std::vector<double> log_softmax(const std::vector<float>& logits)
{
    double max = -std::numeric_limits<double>::infinity();
    for (const float value : logits)
        max = std::max(max, static_cast<double>(value));
    double sum = 0.0;
    for (const float value : logits)
        sum += std::exp(value - max);
    std::vector<double> result;
    for (const float value : logits)
        result.push_back(value - max - std::log(sum));
    return result;
}

struct Reference {
    double mean_nll = 0;
    double perplexity = 0;
    double perplexity_error = 0;
    double kl_mean = 0;
    double kl_error = 0;
    double kl_p99 = 0;
    double top_agreement = 0;
    int64_t n_scored = 0;
};

// The figures by their textbook definitions. Perplexity is exp(mean NLL),
// with the delta-method error ppl * s / sqrt(n). KL(base || model) per
// position gives a mean, a standard error and a nearest-rank 99th
// percentile, and top_agreement is the share of equal argmax tokens.
Reference reference_figures(const std::vector<std::vector<TokenId>>& windows, int n_ctx,
                            const std::vector<std::vector<float>>& rows, const std::vector<std::vector<float>>& base)
{
    Reference reference;
    std::vector<double> nll;
    std::vector<double> kl;
    int64_t agree = 0;
    size_t k = 0;
    for (const std::vector<TokenId>& window : windows) {
        for (int j = n_ctx / 2; j <= n_ctx - 2; ++j, ++k) {
            const std::vector<double> log_q = log_softmax(rows[k]);
            nll.push_back(-log_q[static_cast<size_t>(window[static_cast<size_t>(j) + 1])]);
            if (base.empty())
                continue;
            const std::vector<double> log_p = log_softmax(base[k]);
            double divergence = 0.0;
            for (size_t i = 0; i < log_p.size(); ++i)
                divergence += std::exp(log_p[i]) * (log_p[i] - log_q[i]);
            kl.push_back(divergence);
            const auto top_base = std::max_element(base[k].begin(), base[k].end()) - base[k].begin();
            const auto top_model = std::max_element(rows[k].begin(), rows[k].end()) - rows[k].begin();
            agree += top_base == top_model ? 1 : 0;
        }
    }
    auto mean_error = [](const std::vector<double>& values, double& mean, double& error) {
        const double n = static_cast<double>(values.size());
        double sum = 0.0;
        for (const double value : values)
            sum += value;
        mean = sum / n;
        double squares = 0.0;
        for (const double value : values)
            squares += (value - mean) * (value - mean);
        error = std::sqrt(squares / (n - 1.0)) / std::sqrt(n);
    };
    reference.n_scored = static_cast<int64_t>(nll.size());
    double nll_error = 0.0;
    mean_error(nll, reference.mean_nll, nll_error);
    reference.perplexity = std::exp(reference.mean_nll);
    reference.perplexity_error = reference.perplexity * nll_error;
    if (!kl.empty()) {
        mean_error(kl, reference.kl_mean, reference.kl_error);
        std::vector<double> sorted = kl;
        std::sort(sorted.begin(), sorted.end());
        const size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(sorted.size())));
        reference.kl_p99 = sorted[rank - 1];
        reference.top_agreement = static_cast<double>(agree) / static_cast<double>(kl.size());
    }
    return reference;
}

// 64-bit FNV-1a of the token ids' little-endian int32 bytes.
uint64_t fnv1a(const std::vector<std::vector<TokenId>>& windows)
{
    uint64_t hash = 14695981039346656037ull;
    for (const std::vector<TokenId>& window : windows) {
        for (const TokenId token : window) {
            for (int i = 0; i < 4; ++i) {
                hash ^= (static_cast<uint32_t>(token) >> (8 * i)) & 0xFFu;
                hash *= 1099511628211ull;
            }
        }
    }
    return hash;
}

bool close_relative(double value, double expected, double tolerance)
{
    return std::fabs(value - expected) <= tolerance * std::max(std::fabs(expected), 1e-300);
}

PerplexityResult measure(const std::shared_ptr<Model>& model, const std::string& text, int n_ctx, int max_windows,
                         const std::string& save = {}, const std::string& base = {})
{
    PerplexityOptions options;
    options.n_ctx = n_ctx;
    options.max_windows = max_windows;
    options.save_logits_path = save;
    options.kl_base_path = base;
    return compute_perplexity(model, text, options);
}

// Runs `action`, which must throw FormatError, and returns its message.
template <typename Action>
QString format_error(Action action)
{
    try {
        action();
    } catch (const FormatError& error) {
        return QString::fromStdString(error.what());
    } catch (const std::exception& error) {
        return QStringLiteral("another exception: ") + QString::fromStdString(error.what());
    }
    return QStringLiteral("no exception");
}

void write_bytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

QByteArray read_bytes(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class PerplexityTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void definitionsOnSmallVectors();
    void figuresMatchReference();
    void logitsFileMatchesFormat();
    void quantTypesOrder();
    void klAgainstOwnLogitsIsZero();
    void hfFolderMatchesGguf();
    void shortTextFails();
    void baseFromOtherTextFails();
    void baseWithOtherContextFails();
    void baseWithOtherVocabularyFails();
    void baseWithFewerWindowsFails();
    void truncatedBaseFails();
    void baseWithWrongMagicFails();
    void baseWithNonFiniteLogitFails();
    void cancelLeavesNoLogitsFile();

private:
    std::string text_;
    std::shared_ptr<Model> f32_;
};

void PerplexityTest::initTestCase()
{
    if (!test::shared_available())
        QSKIP("the shared models folder is not available");
    text_ = sample_text();
    f32_ = load_cpu(wide_model("F32"));
}

void PerplexityTest::definitionsOnSmallVectors()
{
    // Equal logits: every token has probability 1/4.
    const float flat[] = {2.0f, 2.0f, 2.0f, 2.0f};
    QVERIFY(close_relative(token_nll(flat, 4, 3), std::log(4.0), 1e-15));

    // Logits far apart must not overflow: -log softmax = log(1 + e^-1000) ~ 0.
    const float wide[] = {1000.0f, 0.0f};
    QCOMPARE(token_nll(wide, 2, 0), 0.0);
    QVERIFY(close_relative(token_nll(wide, 2, 1), 1000.0, 1e-12));

    // KL((1/2, 1/2) || softmax(1, 0)) = sum_i 1/2 log((1/2) / q_i).
    const float half[] = {0.0f, 0.0f};
    const float skewed[] = {1.0f, 0.0f};
    const double p = 0.5;
    const double q0 = std::exp(1.0) / (1.0 + std::exp(1.0));
    const double q1 = 1.0 / (1.0 + std::exp(1.0));
    const double kl = p * std::log(p / q0) + p * std::log(p / q1);
    QVERIFY(close_relative(kl_divergence(half, skewed, 2), kl, 1e-14));
    QCOMPARE(kl_divergence(skewed, skewed, 2), 0.0);

    QVERIFY_THROWS_EXCEPTION(Error, token_nll(flat, 4, 4));
    QVERIFY_THROWS_EXCEPTION(Error, token_nll(flat, 4, -1));
}

void PerplexityTest::figuresMatchReference()
{
    // A quantized model against the F32 model's saved logits, 4 windows of
    // 128 tokens.
    constexpr int kContext = 128;
    constexpr int kWindows = 4;
    QTemporaryDir dir;
    const std::string base_path = dir.filePath("f32.logits").toStdString();
    const std::shared_ptr<Model> q4 = load_cpu(wide_model("Q4_K_M"));
    const PerplexityResult base_result = measure(f32_, text_, kContext, kWindows, base_path);
    const PerplexityResult result = measure(q4, text_, kContext, kWindows, {}, base_path);

    // The same figures from the test's own sessions and formulas.
    const auto windows = reference_windows(*q4, text_, kContext, kWindows);
    QCOMPARE(static_cast<int>(windows.size()), kWindows);
    const auto base_rows = reference_scored_logits(f32_, windows, kContext);
    const auto rows = reference_scored_logits(q4, windows, kContext);
    const Reference expected = reference_figures(windows, kContext, rows, base_rows);
    const Reference expected_base = reference_figures(windows, kContext, base_rows, {});

    QCOMPARE(result.n_ctx, kContext);
    QCOMPARE(result.n_windows, kWindows);
    QCOMPARE(result.n_tokens, static_cast<int64_t>(q4->tokenizer().encode(text_, false, false).size()));
    QCOMPARE(result.n_scored, static_cast<int64_t>(kWindows * (kContext - 1 - kContext / 2)));
    QCOMPARE(result.n_scored, expected.n_scored);
    QVERIFY2(close_relative(result.perplexity, expected.perplexity, 1e-9),
             qPrintable(QString("%1 vs %2").arg(result.perplexity, 0, 'g', 17).arg(expected.perplexity, 0, 'g', 17)));
    QVERIFY(close_relative(result.mean_nll, expected.mean_nll, 1e-9));
    QVERIFY(close_relative(result.perplexity_error, expected.perplexity_error, 1e-9));
    QVERIFY(close_relative(base_result.perplexity, expected_base.perplexity, 1e-9));
    QVERIFY(close_relative(base_result.perplexity_error, expected_base.perplexity_error, 1e-9));
    QVERIFY(!base_result.has_kl);

    QVERIFY(result.has_kl);
    QVERIFY2(close_relative(result.kl_mean, expected.kl_mean, 1e-9),
             qPrintable(QString("%1 vs %2").arg(result.kl_mean, 0, 'g', 17).arg(expected.kl_mean, 0, 'g', 17)));
    QVERIFY(close_relative(result.kl_error, expected.kl_error, 1e-9));
    QVERIFY(close_relative(result.kl_p99, expected.kl_p99, 1e-9));
    QCOMPARE(result.top_agreement, expected.top_agreement);
    QVERIFY(result.kl_mean > 0.0);
    QVERIFY(result.top_agreement < 1.0);
    QVERIFY(result.tokens_per_second > 0.0);
}

void PerplexityTest::logitsFileMatchesFormat()
{
    constexpr int kContext = 64;
    constexpr int kWindows = 3;
    constexpr int kScored = kContext - 1 - kContext / 2;
    QTemporaryDir dir;
    const QString path = dir.filePath("f32.logits");
    measure(f32_, text_, kContext, kWindows, path.toStdString());
    QVERIFY(!QFileInfo::exists(path + ".tmp"));

    // Header: magic, n_vocab, n_ctx, n_windows, reserved and the token hash.
    const QByteArray bytes = read_bytes(path);
    const auto windows = reference_windows(*f32_, text_, kContext, kWindows);
    const int n_vocab = f32_->info().n_vocab;
    QCOMPARE(bytes.size(), qsizetype(32) + qsizetype(kWindows) * kScored * n_vocab * 4);
    QCOMPARE(bytes.left(8), QByteArray("QNTLGT01"));
    uint32_t fields[4];
    std::memcpy(fields, bytes.constData() + 8, sizeof(fields));
    QCOMPARE(fields[0], static_cast<uint32_t>(n_vocab));
    QCOMPARE(fields[1], static_cast<uint32_t>(kContext));
    QCOMPARE(fields[2], static_cast<uint32_t>(kWindows));
    QCOMPARE(fields[3], 0u);
    uint64_t hash = 0;
    std::memcpy(&hash, bytes.constData() + 24, sizeof(hash));
    QCOMPARE(hash, fnv1a(windows));

    // Rows: the scored positions' logits, bit for bit.
    const auto rows = reference_scored_logits(f32_, windows, kContext);
    QCOMPARE(rows.size(), size_t(kWindows * kScored));
    for (size_t k = 0; k < rows.size(); ++k) {
        const char* stored = bytes.constData() + 32 + k * static_cast<size_t>(n_vocab) * 4;
        QVERIFY2(std::memcmp(stored, rows[k].data(), rows[k].size() * sizeof(float)) == 0,
                 qPrintable(QString("row %1").arg(k)));
    }
}

void PerplexityTest::quantTypesOrder()
{
    // Measured with 8 windows of 128 tokens of the sample text (quanta-cli
    // perplexity --ctx 128 --chunks 8): F32 6.7283, Q8_0 6.7362, Q4_K_M
    // 7.1155, Q2_K 41.4763.
    constexpr int kContext = 128;
    constexpr int kWindows = 8;
    const double f32 = measure(f32_, text_, kContext, kWindows).perplexity;
    const double q8 = measure(load_cpu(wide_model("Q8_0")), text_, kContext, kWindows).perplexity;
    const double q4 = measure(load_cpu(wide_model("Q4_K_M")), text_, kContext, kWindows).perplexity;
    const double q2 = measure(load_cpu(wide_model("Q2_K")), text_, kContext, kWindows).perplexity;
    const QString values = QString("F32 %1, Q8_0 %2, Q4_K_M %3, Q2_K %4").arg(f32).arg(q8).arg(q4).arg(q2);

    QVERIFY2(std::isfinite(f32) && f32 > 1.0, qPrintable(values));
    QVERIFY2(std::fabs(q8 / f32 - 1.0) < 0.01, qPrintable(values));
    QVERIFY2(f32 < q4, qPrintable(values));
    QVERIFY2(q8 < q4, qPrintable(values));
    QVERIFY2(q4 < q2, qPrintable(values));
    QVERIFY2(q2 > 2.0 * q8, qPrintable(values));
}

void PerplexityTest::klAgainstOwnLogitsIsZero()
{
    constexpr int kContext = 128;
    QTemporaryDir dir;
    const std::string path = dir.filePath("f32.logits").toStdString();
    const PerplexityResult saved = measure(f32_, text_, kContext, 4, path);
    const PerplexityResult result = measure(f32_, text_, kContext, 4, {}, path);
    QVERIFY(result.has_kl);
    QVERIFY2(std::fabs(result.kl_mean) <= 1e-12, qPrintable(QString::number(result.kl_mean, 'g', 17)));
    QVERIFY(std::fabs(result.kl_p99) <= 1e-12);
    QVERIFY(std::fabs(result.kl_error) <= 1e-12);
    QCOMPARE(result.top_agreement, 1.0);
    QCOMPARE(result.perplexity, saved.perplexity);

    // A base with more windows than the run compares its first windows.
    const PerplexityResult fewer = measure(f32_, text_, kContext, 2, {}, path);
    QCOMPARE(fewer.n_windows, 2);
    QVERIFY(std::fabs(fewer.kl_mean) <= 1e-12);
    QCOMPARE(fewer.top_agreement, 1.0);
}

void PerplexityTest::hfFolderMatchesGguf()
{
    // The same weights in F16 as a Hugging Face folder. Measured on these 4
    // windows of 256 tokens: folder 5.7905, F32 GGUF 5.7912.
    constexpr int kContext = 256;
    constexpr int kWindows = 4;
    const std::shared_ptr<Model> folder = load_cpu(test::shared_path("models/hf/stories260K-wide-fp16"));
    const double gguf = measure(f32_, text_, kContext, kWindows).perplexity;
    const double hf = measure(folder, text_, kContext, kWindows).perplexity;
    QVERIFY2(std::fabs(hf / gguf - 1.0) < 0.005, qPrintable(QString("GGUF %1, folder %2").arg(gguf).arg(hf)));
}

void PerplexityTest::shortTextFails()
{
    try {
        measure(f32_, "Once upon a time there was a cat.", 64, 0);
        QFAIL("a text shorter than one window was accepted");
    } catch (const Error& error) {
        const QString message = error.what();
        QVERIFY2(message.contains("fewer than the 64 of one window"), qPrintable(message));
        const int n_tokens = static_cast<int>(f32_->tokenizer().encode("Once upon a time there was a cat.", false,
                                                                        false).size());
        QVERIFY2(message.contains(QString("has %1 tokens").arg(n_tokens)), qPrintable(message));
    }

    // And a window below the minimum.
    QVERIFY_THROWS_EXCEPTION(Error, measure(f32_, text_, 8, 1));

    // Text that is not UTF-8 (a binary file read as text) is rejected.
    std::string binary = text_;
    binary[100] = static_cast<char>(0xFF);
    try {
        measure(f32_, binary, 64, 1);
        QFAIL("text with an invalid UTF-8 byte was measured");
    } catch (const FormatError& error) {
        QVERIFY2(QString(error.what()).contains("not UTF-8 (invalid byte at offset 100)"), error.what());
    }
}

void PerplexityTest::baseFromOtherTextFails()
{
    QTemporaryDir dir;
    const QString base = dir.filePath("other.logits");
    const QString save = dir.filePath("new.logits");
    // The sample without its first story, which is long enough for two
    // windows but starts with other tokens.
    const std::string other = text_.substr(text_.find("The Lost Shoe"));
    measure(f32_, other, 64, 2, base.toStdString());

    const QString message = format_error([&] { measure(f32_, text_, 64, 2, save.toStdString(), base.toStdString()); });
    QVERIFY2(message.startsWith(base + ": the token hash of the base logits is 0x"), qPrintable(message));
    QVERIFY2(message.contains("but this text gives 0x"), qPrintable(message));
    // A failed comparison writes nothing.
    QVERIFY(!QFileInfo::exists(save));
    QVERIFY(!QFileInfo::exists(save + ".tmp"));
}

void PerplexityTest::baseWithOtherContextFails()
{
    QTemporaryDir dir;
    const QString base = dir.filePath("ctx128.logits");
    measure(f32_, text_, 128, 2, base.toStdString());
    const QString message = format_error([&] { measure(f32_, text_, 64, 2, {}, base.toStdString()); });
    QVERIFY2(message.startsWith(base + ": the base logits were saved with windows of 128 tokens, but this run uses 64"),
             qPrintable(message));
}

void PerplexityTest::baseWithOtherVocabularyFails()
{
    // A well-formed file for a 256-token vocabulary.
    constexpr int kContext = 64;
    constexpr int kScored = kContext - 1 - kContext / 2;
    QTemporaryDir dir;
    const QString base = dir.filePath("vocab256.logits");
    QByteArray bytes("QNTLGT01");
    const uint32_t fields[4] = {256, kContext, 1, 0};
    bytes.append(reinterpret_cast<const char*>(fields), sizeof(fields));
    bytes.append(QByteArray(8, '\0'));
    bytes.append(QByteArray(kScored * 256 * 4, '\0'));
    write_bytes(base, bytes);

    const QString message = format_error([&] { measure(f32_, text_, kContext, 1, {}, base.toStdString()); });
    QVERIFY2(message.startsWith(base + ": the base logits have a vocabulary of 256 tokens, but this model has 512"),
             qPrintable(message));
}

void PerplexityTest::baseWithFewerWindowsFails()
{
    QTemporaryDir dir;
    const QString base = dir.filePath("two.logits");
    measure(f32_, text_, 64, 2, base.toStdString());
    const QString message = format_error([&] { measure(f32_, text_, 64, 3, {}, base.toStdString()); });
    QVERIFY2(message.startsWith(base + ": the base logits cover 2 windows, but this run evaluates 3"),
             qPrintable(message));
}

void PerplexityTest::truncatedBaseFails()
{
    QTemporaryDir dir;
    const QString base = dir.filePath("truncated.logits");
    measure(f32_, text_, 64, 2, base.toStdString());
    const QByteArray bytes = read_bytes(base);
    write_bytes(base, bytes.left(bytes.size() - 100));

    QString message = format_error([&] { measure(f32_, text_, 64, 2, {}, base.toStdString()); });
    QVERIFY2(message.startsWith(base + ": invalid logits file: the header (n_vocab 512, n_ctx 64, n_windows 2) needs " +
                                QString::number(bytes.size()) + " bytes, but the file has " +
                                QString::number(bytes.size() - 100) + "; it is truncated"),
             qPrintable(message));

    // Cut inside the header.
    write_bytes(base, bytes.left(20));
    message = format_error([&] { measure(f32_, text_, 64, 2, {}, base.toStdString()); });
    QVERIFY2(message.startsWith(base + ": the file has 20 bytes, fewer than the 32-byte header"), qPrintable(message));
}

void PerplexityTest::baseWithWrongMagicFails()
{
    QTemporaryDir dir;
    const QString base = dir.filePath("model.gguf");
    measure(f32_, text_, 64, 2, base.toStdString());
    QByteArray bytes = read_bytes(base);
    bytes.replace(0, 8, QByteArray("GGUF\x03\x00\x00\x00", 8));
    write_bytes(base, bytes);

    const QString message = format_error([&] { measure(f32_, text_, 64, 2, {}, base.toStdString()); });
    QVERIFY2(message.startsWith(base + R"(: not a logits file: the magic is "GGUF\x03\x00\x00\x00", expected "QNTLGT01")"),
             qPrintable(message));

    // A path that does not exist is an I/O error naming it.
    const std::string missing = dir.filePath("missing.logits").toStdString();
    try {
        measure(f32_, text_, 64, 2, {}, missing);
        QFAIL("a missing base file was accepted");
    } catch (const IoError& error) {
        QVERIFY2(QString(error.what()).startsWith(QString::fromStdString(missing) + ": cannot open"), error.what());
    }
}

void PerplexityTest::baseWithNonFiniteLogitFails()
{
    QTemporaryDir dir;
    const QString base = dir.filePath("nan.logits");
    measure(f32_, text_, 64, 1, base.toStdString());
    QByteArray bytes = read_bytes(base);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    // Row 1, token 7.
    bytes.replace(32 + (512 + 7) * 4, 4, QByteArray(reinterpret_cast<const char*>(&nan), 4));
    write_bytes(base, bytes);

    const QString message = format_error([&] { measure(f32_, text_, 64, 1, {}, base.toStdString()); });
    QVERIFY2(message.startsWith(base + ": logits row 1, token 7 is not finite"), qPrintable(message));
}

void PerplexityTest::cancelLeavesNoLogitsFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("cancelled.logits");
    // An earlier file at the path stays as it was.
    write_bytes(path, "earlier");

    // Cancel after the second of four windows, and after the last one.
    for (const int cancel_at : {2, 4}) {
        std::atomic<bool> cancel{false};
        std::vector<int> progress;
        PerplexityOptions options;
        options.n_ctx = 64;
        options.max_windows = 4;
        options.save_logits_path = path.toStdString();
        options.cancel = &cancel;
        options.on_progress = [&](int done, int total) {
            QCOMPARE(total, 4);
            progress.push_back(done);
            if (done == cancel_at)
                cancel.store(true);
        };
        QVERIFY_THROWS_EXCEPTION(CancelledError, compute_perplexity(f32_, text_, options));
        QCOMPARE(static_cast<int>(progress.size()), cancel_at);
        QCOMPARE(progress.back(), cancel_at);
        QCOMPARE(read_bytes(path), QByteArray("earlier"));
        QVERIFY(!QFileInfo::exists(path + ".tmp"));
    }

    // Without an earlier file, none appears.
    const QString fresh = dir.filePath("fresh.logits");
    std::atomic<bool> cancel{true};
    PerplexityOptions options;
    options.n_ctx = 64;
    options.save_logits_path = fresh.toStdString();
    options.cancel = &cancel;
    QVERIFY_THROWS_EXCEPTION(CancelledError, compute_perplexity(f32_, text_, options));
    QVERIFY(!QFileInfo::exists(fresh));
    QVERIFY(!QFileInfo::exists(fresh + ".tmp"));
}

QTEST_GUILESS_MAIN(PerplexityTest)
#include "test_perplexity.moc"

// The CSV and Markdown exports of a fixed comparison, compared in full, and
// writing them to a file.

#include "compare/compare_export.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace quanta;

namespace {

// A reference row, a measured row on a GPU whose name needs quoting in CSV
// and escaping in Markdown, and a failed row with nothing measured.
ComparisonRecord fixedRecord()
{
    ComparisonRecord record;
    record.createdAt = QDateTime(QDate(2025, 3, 14), QTime(9, 26, 53), Qt::UTC);
    record.textName = QStringLiteral("sample-en.txt");
    record.textSha256 = QStringLiteral("ab12");
    record.textTokens = 2917;
    record.contextLength = 128;
    record.device = QStringLiteral("auto");

    VariantResult f32;
    f32.path = QStringLiteral("/models/m-F32.gguf");
    f32.name = QStringLiteral("m-F32");
    f32.format = QStringLiteral("F32");
    f32.sha256 = QStringLiteral("0f32");
    f32.sizeBytes = 8938336;
    f32.placement = QStringLiteral("CPU");
    f32.ramBytes = 12582912;
    f32.loadSeconds = 0.0123;
    f32.promptTokensPerSecond = 4567.254;
    f32.generationTokensPerSecond = 890.5;
    f32.perplexity = 7.123456789;
    f32.perplexityError = 0.0625;
    f32.klMean = 0.0;
    f32.klP99 = 0.0;
    f32.topAgreement = 1.0;
    f32.reference = true;

    VariantResult gptq;
    gptq.path = QStringLiteral("/models/m-gptq");
    gptq.name = QStringLiteral("m|gptq, \"4-bit\"");
    gptq.format = QStringLiteral("GPTQ 4-bit, group 128");
    gptq.sha256 = QStringLiteral("0a0b");
    gptq.sizeBytes = 1048576;
    gptq.placement = QStringLiteral("llvmpipe, 5 of 5 layers");
    gptq.vramBytes = 2097152;
    gptq.ramBytes = 0;
    gptq.loadSeconds = 1.5;
    gptq.promptTokensPerSecond = 100.0;
    gptq.generationTokensPerSecond = 20.126;
    gptq.perplexity = 7.5;
    gptq.perplexityError = 0.07;
    gptq.klMean = 0.0123456;
    gptq.klP99 = 0.25;
    gptq.topAgreement = 0.96876;

    VariantResult broken;
    broken.path = QStringLiteral("/models/m-broken.gguf");
    broken.name = QStringLiteral("m-broken");
    broken.format = QStringLiteral("Q4_0");
    broken.sizeBytes = 1000;
    broken.error = QStringLiteral("m-broken.gguf: truncated\nat byte 12");

    record.variants = {f32, gptq, broken};
    return record;
}

} // namespace

class TestCompareExport : public QObject {
    Q_OBJECT

private slots:
    void csvMatchesExactly();
    void markdownMatchesExactly();
    void cancelledRunIsNoted();
    void writeReplacesFile();
    void writeToMissingFolderFails();
};

void TestCompareExport::csvMatchesExactly()
{
    const QString expected = QStringLiteral(
        "variant,format,size_bytes,vram_bytes,ram_growth_bytes,load_seconds,prompt_tokens_per_second,"
        "generation_tokens_per_second,perplexity,perplexity_error,kl_mean,kl_p99,top_token_agreement,reference,"
        "placement,sha256,path,error,date_utc,text,text_sha256,text_tokens,context_length,device\r\n"
        "m-F32,F32,8938336,,12582912,0.012,4567.25,890.50,7.1235,0.0625,0.000000,0.000000,1.0000,yes,"
        "CPU,0f32,/models/m-F32.gguf,,2025-03-14T09:26:53Z,sample-en.txt,ab12,2917,128,auto\r\n"
        "\"m|gptq, \"\"4-bit\"\"\",\"GPTQ 4-bit, group 128\",1048576,2097152,0,1.500,100.00,20.13,7.5000,0.0700,"
        "0.012346,0.250000,0.9688,no,\"llvmpipe, 5 of 5 layers\",0a0b,/models/m-gptq,,2025-03-14T09:26:53Z,"
        "sample-en.txt,ab12,2917,128,auto\r\n"
        "m-broken,Q4_0,1000,,,,,,,,,,,no,,,/models/m-broken.gguf,\"m-broken.gguf: truncated\nat byte 12\","
        "2025-03-14T09:26:53Z,sample-en.txt,ab12,2917,128,auto\r\n");
    const QString csv = comparisonToCsv(fixedRecord());
    // Line by line first, so a failure shows the line that differs.
    const QStringList actualLines = csv.split(QStringLiteral("\r\n"));
    const QStringList expectedLines = expected.split(QStringLiteral("\r\n"));
    QCOMPARE(actualLines.size(), expectedLines.size());
    for (qsizetype i = 0; i < expectedLines.size(); ++i)
        QCOMPARE(actualLines[i], expectedLines[i]);
    QCOMPARE(csv, expected);
}

void TestCompareExport::markdownMatchesExactly()
{
    const QString expected = QStringLiteral(
        "# Quantization comparison\n"
        "\n"
        "- Date: 2025-03-14 09:26 UTC\n"
        "- Text: sample-en.txt (2917 tokens, SHA-256 `ab12`)\n"
        "- Perplexity window: 128 tokens\n"
        "- Device setting: auto\n"
        "\n"
        "| Variant | Format | Size (MiB) | VRAM (MiB) | RAM growth (MiB) | Load (s) | Prompt (tokens/s) | "
        "Generation (tokens/s) | Perplexity | KL mean | KL p99 | Top-token agreement |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
        "| m-F32 (reference) | F32 | 8.52 | – | 12.00 | 0.012 | 4567.25 | 890.50 | 7.1235 ± 0.0625 | 0.000000 | "
        "0.000000 | 100.00% |\n"
        "| m\\|gptq, \"4-bit\" | GPTQ 4-bit, group 128 | 1.00 | 2.00 | 0.00 | 1.500 | 100.00 | 20.13 | "
        "7.5000 ± 0.0700 | 0.012346 | 0.250000 | 96.88% |\n"
        "| m-broken | Q4_0 | 0.00 | – | – | – | – | – | – | – | – | – |\n"
        "\n"
        "## Errors\n"
        "\n"
        "- m-broken: m-broken.gguf: truncated at byte 12\n"
        "\n"
        "## Files\n"
        "\n"
        "- m-F32: `0f32` (/models/m-F32.gguf)\n"
        "- m\\|gptq, \"4-bit\": `0a0b` (/models/m-gptq)\n"
        "- m-broken: `–` (/models/m-broken.gguf)\n");
    const QString markdown = comparisonToMarkdown(fixedRecord());
    const QStringList actualLines = markdown.split(QLatin1Char('\n'));
    const QStringList expectedLines = expected.split(QLatin1Char('\n'));
    QCOMPARE(actualLines.size(), expectedLines.size());
    for (qsizetype i = 0; i < expectedLines.size(); ++i)
        QCOMPARE(actualLines[i], expectedLines[i]);
    QCOMPARE(markdown, expected);
}

void TestCompareExport::cancelledRunIsNoted()
{
    ComparisonRecord record = fixedRecord();
    record.cancelled = true;
    const QString markdown = comparisonToMarkdown(record);
    QVERIFY(markdown.contains(QStringLiteral("- Device setting: auto\n"
                                             "- The run was cancelled before every variant was measured.\n\n")));
}

void TestCompareExport::writeReplacesFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("result.csv"));
    QCOMPARE(writeTextFile(path, QStringLiteral("old")), QString());
    QCOMPARE(writeTextFile(path, QStringLiteral("név,€\r\n")), QString());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QStringLiteral("név,€\r\n").toUtf8());
}

void TestCompareExport::writeToMissingFolderFails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("missing/result.md"));
    const QString message = writeTextFile(path, QStringLiteral("x"));
    QVERIFY(!message.isEmpty());
    QVERIFY2(message.contains(QStringLiteral("missing/result.md")), qPrintable(message));
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(TestCompareExport)
#include "test_compare_export.moc"

#include "compare/compare_export.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>
#include <QStringList>

#include <optional>

namespace quanta {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// Decimals of each kind of figure: enough to tell close variants apart,
// without the noise digits of a timing.
constexpr int kSecondsDecimals = 3;
constexpr int kSpeedDecimals = 2;
constexpr int kPerplexityDecimals = 4;
constexpr int kKlDecimals = 6;
constexpr int kAgreementDecimals = 4;   // as a share 0..1 in CSV
constexpr int kPercentDecimals = 2;     // as a percentage in Markdown
constexpr int kMiBDecimals = 2;

// The translation context of the Markdown labels and the file errors.
class CompareExport {
    Q_DECLARE_TR_FUNCTIONS(CompareExport)
};

QString number(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

QString optionalNumber(const std::optional<double>& value, int decimals)
{
    return value ? number(*value, decimals) : QString();
}

QString optionalInteger(const std::optional<qint64>& value)
{
    return value ? QString::number(*value) : QString();
}

QString csvField(const QString& value)
{
    const bool quote = value.contains(QLatin1Char(',')) || value.contains(QLatin1Char('"')) ||
                       value.contains(QLatin1Char('\n')) || value.contains(QLatin1Char('\r'));
    if (!quote)
        return value;
    QString escaped = value;
    escaped.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

QString utcDate(const QDateTime& date)
{
    return date.toUTC().toString(Qt::ISODate);
}

// A table cell: pipes escaped and line breaks flattened, so the cell cannot
// end the row early.
QString markdownCell(QString value)
{
    value.replace(QLatin1Char('|'), QLatin1String("\\|"));
    value.replace(QLatin1Char('\r'), QLatin1Char(' '));
    value.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return value;
}

// An unmeasured figure in the Markdown table.
const QString kMissing = QStringLiteral("–");

QString mib(const std::optional<qint64>& bytes)
{
    return bytes ? number(static_cast<double>(*bytes) / kMiB, kMiBDecimals) : kMissing;
}

QString figure(const std::optional<double>& value, int decimals)
{
    return value ? number(*value, decimals) : kMissing;
}

} // namespace

QString comparisonToCsv(const ComparisonRecord& record)
{
    static const QStringList kColumns = {
        QStringLiteral("variant"),
        QStringLiteral("format"),
        QStringLiteral("size_bytes"),
        QStringLiteral("vram_bytes"),
        QStringLiteral("ram_growth_bytes"),
        QStringLiteral("load_seconds"),
        QStringLiteral("prompt_tokens_per_second"),
        QStringLiteral("generation_tokens_per_second"),
        QStringLiteral("perplexity"),
        QStringLiteral("perplexity_error"),
        QStringLiteral("kl_mean"),
        QStringLiteral("kl_p99"),
        QStringLiteral("top_token_agreement"),
        QStringLiteral("reference"),
        QStringLiteral("placement"),
        QStringLiteral("sha256"),
        QStringLiteral("path"),
        QStringLiteral("error"),
        QStringLiteral("date_utc"),
        QStringLiteral("text"),
        QStringLiteral("text_sha256"),
        QStringLiteral("text_tokens"),
        QStringLiteral("context_length"),
        QStringLiteral("device"),
    };
    const QString lineEnd = QStringLiteral("\r\n");
    QString csv = kColumns.join(QLatin1Char(',')) + lineEnd;
    for (const VariantResult& variant : record.variants) {
        const QStringList fields = {
            variant.name,
            variant.format,
            QString::number(variant.sizeBytes),
            optionalInteger(variant.vramBytes),
            optionalInteger(variant.ramBytes),
            optionalNumber(variant.loadSeconds, kSecondsDecimals),
            optionalNumber(variant.promptTokensPerSecond, kSpeedDecimals),
            optionalNumber(variant.generationTokensPerSecond, kSpeedDecimals),
            optionalNumber(variant.perplexity, kPerplexityDecimals),
            optionalNumber(variant.perplexityError, kPerplexityDecimals),
            optionalNumber(variant.klMean, kKlDecimals),
            optionalNumber(variant.klP99, kKlDecimals),
            optionalNumber(variant.topAgreement, kAgreementDecimals),
            variant.reference ? QStringLiteral("yes") : QStringLiteral("no"),
            variant.placement,
            variant.sha256,
            QDir::toNativeSeparators(variant.path),
            variant.error,
            utcDate(record.createdAt),
            record.textName,
            record.textSha256,
            QString::number(record.textTokens),
            QString::number(record.contextLength),
            record.device,
        };
        QStringList quoted;
        for (const QString& field : fields)
            quoted.append(csvField(field));
        csv += quoted.join(QLatin1Char(',')) + lineEnd;
    }
    return csv;
}

QString comparisonToMarkdown(const ComparisonRecord& record)
{
    // Step 1: the heading and what was measured.
    QString md = QStringLiteral("# %1\n\n").arg(CompareExport::tr("Quantization comparison"));
    const QString date = record.createdAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
    md += QStringLiteral("- %1\n").arg(CompareExport::tr("Date: %1").arg(date));
    md += QStringLiteral("- %1\n").arg(CompareExport::tr("Text: %1 (%2 tokens, SHA-256 `%3`)")
                                           .arg(markdownCell(record.textName), QString::number(record.textTokens),
                                                record.textSha256));
    md += QStringLiteral("- %1\n").arg(
        CompareExport::tr("Perplexity window: %1 tokens").arg(record.contextLength));
    md += QStringLiteral("- %1\n").arg(CompareExport::tr("Device setting: %1").arg(record.device));
    if (record.cancelled)
        md += QStringLiteral("- %1\n").arg(
            CompareExport::tr("The run was cancelled before every variant was measured."));
    md += QLatin1Char('\n');

    // Step 2: the table.
    const QStringList headers = {
        CompareExport::tr("Variant"),
        CompareExport::tr("Format"),
        CompareExport::tr("Size (MiB)"),
        CompareExport::tr("VRAM (MiB)"),
        CompareExport::tr("RAM growth (MiB)"),
        CompareExport::tr("Load (s)"),
        CompareExport::tr("Prompt (tokens/s)"),
        CompareExport::tr("Generation (tokens/s)"),
        CompareExport::tr("Perplexity"),
        CompareExport::tr("KL mean"),
        CompareExport::tr("KL p99"),
        CompareExport::tr("Top-token agreement"),
    };
    md += QStringLiteral("| ") + headers.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
    md += QStringLiteral("|---|---|") + QStringLiteral("--:|").repeated(headers.size() - 2) + QLatin1Char('\n');
    for (const VariantResult& variant : record.variants) {
        QString name = markdownCell(variant.name);
        if (variant.reference)
            name += QStringLiteral(" (%1)").arg(CompareExport::tr("reference"));
        QString perplexity = figure(variant.perplexity, kPerplexityDecimals);
        if (variant.perplexity && variant.perplexityError)
            perplexity += QStringLiteral(" ± ") + number(*variant.perplexityError, kPerplexityDecimals);
        QString agreement = kMissing;
        if (variant.topAgreement)
            agreement = number(*variant.topAgreement * 100.0, kPercentDecimals) + QLatin1Char('%');
        const QStringList cells = {
            name,
            markdownCell(variant.format),
            number(static_cast<double>(variant.sizeBytes) / kMiB, kMiBDecimals),
            mib(variant.vramBytes),
            mib(variant.ramBytes),
            figure(variant.loadSeconds, kSecondsDecimals),
            figure(variant.promptTokensPerSecond, kSpeedDecimals),
            figure(variant.generationTokensPerSecond, kSpeedDecimals),
            perplexity,
            figure(variant.klMean, kKlDecimals),
            figure(variant.klP99, kKlDecimals),
            agreement,
        };
        md += QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
    }

    // Step 3: the variants that failed, with their messages.
    bool anyError = false;
    for (const VariantResult& variant : record.variants) {
        if (variant.error.isEmpty())
            continue;
        if (!anyError)
            md += QStringLiteral("\n## %1\n\n").arg(CompareExport::tr("Errors"));
        anyError = true;
        md += QStringLiteral("- %1: %2\n").arg(markdownCell(variant.name), markdownCell(variant.error));
    }

    // Step 4: the files, so a reader can check they have the same ones.
    md += QStringLiteral("\n## %1\n\n").arg(CompareExport::tr("Files"));
    for (const VariantResult& variant : record.variants) {
        md += QStringLiteral("- %1: `%2` (%3)\n")
                  .arg(markdownCell(variant.name), variant.sha256.isEmpty() ? kMissing : variant.sha256,
                       markdownCell(QDir::toNativeSeparators(variant.path)));
    }
    return md;
}

QString writeTextFile(const QString& path, const QString& text)
{
    QSaveFile file(path);
    const QString displayPath = QDir::toNativeSeparators(path);
    if (!file.open(QIODevice::WriteOnly))
        return CompareExport::tr("Cannot write %1: %2. Choose a folder you can write to.")
            .arg(displayPath, file.errorString());
    const QByteArray utf8 = text.toUtf8();
    if (file.write(utf8) != utf8.size()) {
        const QString message = CompareExport::tr("Writing %1 failed: %2").arg(displayPath, file.errorString());
        file.cancelWriting();
        return message;
    }
    if (!file.commit())
        return CompareExport::tr("Saving %1 failed: %2").arg(displayPath, file.errorString());
    return {};
}

} // namespace quanta

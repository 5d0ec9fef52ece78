#include "compare/compare_result_model.h"

#include "compare/variant_measurement.h"
#include "model_library/model_file_info.h"

#include <QLocale>

#include <algorithm>

namespace quanta {

namespace {

QString localeNumber(double value, int decimals)
{
    return QLocale().toString(value, 'f', decimals);
}

// Two significant decimals for small figures and fewer for large ones, so a
// column of speeds reads at a glance.
QString speedText(const std::optional<double>& tokensPerSecond)
{
    if (!tokensPerSecond)
        return {};
    const double value = *tokensPerSecond;
    return localeNumber(value, value >= 100.0 ? 0 : 1);
}

// Divergences of close variants are tiny, so small values get more
// decimals; an exact zero (the reference) is written as such.
QString klText(const std::optional<double>& kl)
{
    if (!kl)
        return {};
    if (*kl == 0.0)
        return QLocale().toString(0);
    return localeNumber(*kl, *kl < 0.001 ? 6 : 4);
}

QString bytesText(const std::optional<qint64>& bytes)
{
    return bytes ? QLocale().formattedDataSize(*bytes, 1) : QString();
}

double rawOr(const std::optional<double>& value)
{
    return value ? *value : -1.0;
}

} // namespace

CompareResultModel::CompareResultModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

int CompareResultModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(record_.variants.size());
}

QVariant CompareResultModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const VariantResult& variant = record_.variants.at(index.row());
    const RowStatus status = status_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return variant.name;
    case FormatRole:
        return localizedWeightFormat(variant.format);
    case PlacementRole:
        return variant.placement;
    case PathRole:
        return variant.path;
    case Sha256Role:
        return variant.sha256;
    case StatusRole:
        switch (status) {
        case RowStatus::Waiting:
            return QStringLiteral("waiting");
        case RowStatus::Running:
            return QStringLiteral("running");
        case RowStatus::Done:
            return QStringLiteral("done");
        case RowStatus::Failed:
            return QStringLiteral("failed");
        case RowStatus::Cancelled:
            return QStringLiteral("cancelled");
        }
        return {};
    case StageTextRole:
        return stageText(index.row());
    case ErrorRole:
        return variant.error;
    case ReferenceRole:
        return variant.reference;
    case SizeTextRole:
        return variant.sizeBytes > 0 ? QLocale().formattedDataSize(variant.sizeBytes, 1) : QString();
    case VramTextRole:
        return bytesText(variant.vramBytes);
    case RamTextRole:
        return bytesText(variant.ramBytes);
    case LoadTextRole:
        return variant.loadSeconds ? tr("%1 s").arg(localeNumber(*variant.loadSeconds, 2)) : QString();
    case PromptSpeedTextRole:
        return speedText(variant.promptTokensPerSecond);
    case GenerationSpeedTextRole:
        return speedText(variant.generationTokensPerSecond);
    case PerplexityTextRole:
        if (!variant.perplexity)
            return QString();
        if (!variant.perplexityError)
            return localeNumber(*variant.perplexity, 2);
        return tr("%1 ± %2").arg(localeNumber(*variant.perplexity, 2), localeNumber(*variant.perplexityError, 2));
    case KlTextRole:
        return klText(variant.klMean);
    case KlP99TextRole:
        return klText(variant.klP99);
    case AgreementTextRole:
        return variant.topAgreement ? tr("%1%").arg(localeNumber(*variant.topAgreement * 100.0, 1)) : QString();
    case SizeBytesRole:
        return static_cast<double>(variant.sizeBytes);
    case PerplexityRole:
        return rawOr(variant.perplexity);
    case KlMeanRole:
        return rawOr(variant.klMean);
    case GenerationSpeedRole:
        return rawOr(variant.generationTokensPerSecond);
    case VramBytesRole:
        return variant.vramBytes ? static_cast<double>(*variant.vramBytes) : -1.0;
    default:
        return {};
    }
}

QHash<int, QByteArray> CompareResultModel::roleNames() const
{
    return {
        {NameRole, "name"},
        {FormatRole, "format"},
        {PlacementRole, "placement"},
        {PathRole, "path"},
        {Sha256Role, "sha256"},
        {StatusRole, "status"},
        {StageTextRole, "stageText"},
        {ErrorRole, "error"},
        {ReferenceRole, "reference"},
        {SizeTextRole, "sizeText"},
        {VramTextRole, "vramText"},
        {RamTextRole, "ramText"},
        {LoadTextRole, "loadText"},
        {PromptSpeedTextRole, "promptSpeedText"},
        {GenerationSpeedTextRole, "generationSpeedText"},
        {PerplexityTextRole, "perplexityText"},
        {KlTextRole, "klText"},
        {KlP99TextRole, "klP99Text"},
        {AgreementTextRole, "agreementText"},
        {SizeBytesRole, "sizeBytes"},
        {PerplexityRole, "perplexity"},
        {KlMeanRole, "klMean"},
        {GenerationSpeedRole, "generationSpeed"},
        {VramBytesRole, "vramBytes"},
    };
}

QVariantMap CompareResultModel::maxima() const
{
    static const int kChartRoles[] = {PerplexityRole, KlMeanRole, SizeBytesRole, GenerationSpeedRole, VramBytesRole};
    const QHash<int, QByteArray> names = roleNames();
    QVariantMap result;
    for (const int role : kChartRoles) {
        double maximum = 0.0;
        for (int row = 0; row < rowCount(); ++row)
            maximum = std::max(maximum, data(index(row), role).toDouble());
        result.insert(QString::fromLatin1(names.value(role)), maximum);
    }
    return result;
}

void CompareResultModel::setRecord(const ComparisonRecord& record, bool running)
{
    const int oldCount = rowCount();
    beginResetModel();
    record_ = record;
    status_.clear();
    for (const VariantResult& variant : record_.variants) {
        if (running)
            status_.append(RowStatus::Waiting);
        else if (!variant.error.isEmpty())
            status_.append(RowStatus::Failed);
        else if (variant.perplexity)
            status_.append(RowStatus::Done);
        else
            status_.append(RowStatus::Cancelled);
    }
    endResetModel();
    if (rowCount() != oldCount)
        emit countChanged();
    emit figuresChanged();
}

void CompareResultModel::clear()
{
    setRecord(ComparisonRecord{});
}

void CompareResultModel::setVariant(int row, const VariantResult& result)
{
    if (row < 0 || row >= rowCount())
        return;
    record_.variants[row] = result;
    if (!result.error.isEmpty())
        status_[row] = RowStatus::Failed;
    else if (result.perplexity)
        status_[row] = RowStatus::Done;
    else
        status_[row] = RowStatus::Cancelled;
    emitRowChanged(row);
    emit figuresChanged();
}

void CompareResultModel::setRunning(int row, int stage, double fraction)
{
    if (row < 0 || row >= rowCount())
        return;
    status_[row] = RowStatus::Running;
    runningStage_ = stage;
    runningFraction_ = fraction;
    emitRowChanged(row);
}

void CompareResultModel::stopRunning()
{
    for (int row = 0; row < rowCount(); ++row) {
        if (status_[row] == RowStatus::Waiting || status_[row] == RowStatus::Running) {
            status_[row] = RowStatus::Cancelled;
            emitRowChanged(row);
        }
    }
}

void CompareResultModel::retranslate()
{
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1));
}

QString CompareResultModel::stageText(int row) const
{
    switch (status_.at(row)) {
    case RowStatus::Waiting:
        return tr("Waiting");
    case RowStatus::Cancelled:
        return tr("Not measured: the run was cancelled");
    case RowStatus::Done:
    case RowStatus::Failed:
        return {};
    case RowStatus::Running:
        break;
    }
    const QString percent = QLocale().toString(qRound(runningFraction_ * 100.0));
    switch (static_cast<MeasureStage>(runningStage_)) {
    case MeasureStage::Hashing:
        return tr("Computing the SHA-256 hash… %1%").arg(percent);
    case MeasureStage::Loading:
        return tr("Loading… %1%").arg(percent);
    case MeasureStage::Speed:
        return tr("Measuring speed…");
    case MeasureStage::Perplexity:
        return tr("Measuring perplexity… %1%").arg(percent);
    }
    return {};
}

void CompareResultModel::emitRowChanged(int row)
{
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed);
}

} // namespace quanta

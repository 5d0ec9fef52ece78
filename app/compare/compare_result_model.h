// The rows of the compare screen's table and chart: one per variant of the
// comparison on screen, with figures formatted for the current language and
// raw numbers for the chart's bars.
#pragma once

#include "compare/compare_types.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class CompareResultModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CompareResultModel is created by the application.")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // The largest value of each raw role ("perplexity", "klMean",
    // "sizeBytes", "generationSpeed", "vramBytes") over the rows, to scale
    // the chart's bars; 0 when no row has one.
    Q_PROPERTY(QVariantMap maxima READ maxima NOTIFY figuresChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, // file name without ".gguf", or the folder's name
        FormatRole,                  // "Q8_0", "GPTQ 4-bit, group 128", ...
        PlacementRole,               // where it ran: "CPU", or the GPU and its layers
        PathRole,
        Sha256Role,
        StatusRole,                  // "waiting", "running", "done", "failed" or "cancelled"
        StageTextRole,               // what a running row does now, translated
        ErrorRole,                   // why the row failed; empty otherwise
        ReferenceRole,               // true for the variant the KL figures are measured against
        SizeTextRole,                // figures formatted for the current locale; empty when not measured
        VramTextRole,
        RamTextRole,
        LoadTextRole,
        PromptSpeedTextRole,
        GenerationSpeedTextRole,
        PerplexityTextRole,
        KlTextRole,
        KlP99TextRole,
        AgreementTextRole,
        // Raw numbers for the chart; -1 when not measured.
        SizeBytesRole,
        PerplexityRole,
        KlMeanRole,
        GenerationSpeedRole,
        VramBytesRole,
    };
    Q_ENUM(Role)

    explicit CompareResultModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    QVariantMap maxima() const;

    const ComparisonRecord& record() const { return record_; }
    // Shows `record`: every row is done, failed or cancelled, or, while
    // `running`, waiting for its turn.
    void setRecord(const ComparisonRecord& record, bool running = false);
    void clear();
    void setVariant(int row, const VariantResult& result);
    // Marks `row` as running in stage `stage` (a MeasureStage) with `fraction`
    // of that stage done; the rows before it keep their status.
    void setRunning(int row, int stage, double fraction);
    // Marks the rows still waiting or running as not measured, after a cancel.
    void stopRunning();
    // Formats every figure again, after a language change.
    void retranslate();

signals:
    void countChanged();
    void figuresChanged();

private:
    enum class RowStatus { Waiting, Running, Done, Failed, Cancelled };
    QString stageText(int row) const;
    void emitRowChanged(int row);

    ComparisonRecord record_;
    QList<RowStatus> status_;
    int runningStage_ = 0;
    double runningFraction_ = 0.0;
};

} // namespace quanta

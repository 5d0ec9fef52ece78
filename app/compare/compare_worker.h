// Runs a quantization comparison on the compare thread: the variants one at
// a time, largest on disk first, each loaded, measured and unloaded before
// the next, so only one of them takes memory at any time.
// CompareController moves it to that thread and is the only caller.
//
// NOTE: A model loaded for chatting stays loaded during a comparison. It
// takes GPU memory, so the variants may get fewer GPU layers than alone.
#pragma once

#include "compare/compare_types.h"
#include "generation/inference_worker.h"

#include <QObject>
#include <QStringList>

#include <atomic>

namespace quanta {

struct CompareJob {
    quint64 requestId = 0;
    QStringList paths;             // GGUF files and Hugging Face folders, at least two
    QString textPath;              // a file, or a Qt resource path (":/eval/sample-en.txt")
    QString textName;              // shown and stored with the results
    int contextLength = 512;       // perplexity window, tokens
    int maxWindows = 0;            // perplexity windows per variant; 0 for all
    DeviceChoice device;
};

class CompareWorker : public QObject {
    Q_OBJECT

public:
    explicit CompareWorker(QObject* parent = nullptr);

    // Runs on the compare thread (a queued call from CompareController).
    void run(const CompareJob& job);

    // Thread-safe. The running comparison stops at its next check, and one
    // still queued with an id up to `requestId` does not start.
    void cancel(quint64 requestId);

signals:
    // The variants in the order they will run, with their names and sizes.
    void started(quint64 requestId, const quanta::ComparisonRecord& record);
    // `stage` is a MeasureStage, `stageFraction` the share of it done, and
    // `overall` the share of the whole run done.
    void progress(quint64 requestId, int variant, int stage, double stageFraction, double overall);
    void variantFinished(quint64 requestId, int variant, const quanta::VariantResult& result);
    // The comparison as it ended; `record.cancelled` is true when it ended early.
    void finished(quint64 requestId, const quanta::ComparisonRecord& record);
    // The run could not start (the text cannot be read); no variant ran.
    void failed(quint64 requestId, const QString& message);

private:
    bool isCancelled(quint64 requestId) const;

    std::atomic<bool> cancelFlag_{false};        // passed to the engine
    std::atomic<quint64> cancelledUpTo_{0};
};

} // namespace quanta

// The compare screen's logic on the UI thread: starts a comparison on the
// compare thread, follows its progress into the result table, saves the
// result, re-opens and deletes saved ones, and exports the one on screen.
#pragma once

#include "compare/compare_result_model.h"
#include "compare/compare_worker.h"

#include <QObject>
#include <QThread>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <functional>

namespace quanta {

class CompareStore;

class CompareController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CompareController is created by the application.")

    Q_PROPERTY(CompareResultModel* results READ results CONSTANT)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    // What the run does now, e.g. "Q8_0 (2 of 3): measuring perplexity".
    Q_PROPERTY(QString statusText READ statusText NOTIFY progressChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    // One line about the comparison on screen: text, tokens, window, date.
    Q_PROPERTY(QString resultDetails READ resultDetails NOTIFY resultChanged)
    Q_PROPERTY(bool hasResult READ hasResult NOTIFY resultChanged)
    // Database id of the comparison on screen; 0 when none is saved.
    Q_PROPERTY(qint64 currentComparisonId READ currentComparisonId NOTIFY resultChanged)
    // Saved comparisons, newest first: maps with id, title and details.
    Q_PROPERTY(QVariantList savedComparisons READ savedComparisons NOTIFY savedComparisonsChanged)

    // Settings of the next run.
    // The text: empty for the shipped sample, else the user's file.
    Q_PROPERTY(QString textPath READ textPath NOTIFY textChanged)
    Q_PROPERTY(QString textName READ textName NOTIFY textChanged)
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY contextLengthChanged)
    // Windows of the text to evaluate per variant; 0 for the whole text.
    Q_PROPERTY(int maxWindows READ maxWindows WRITE setMaxWindows NOTIFY maxWindowsChanged)

public:
    // The shipped sample text, a Qt resource.
    static const QString kSampleTextPath;
    // Context lengths below this leave too few scored tokens per window.
    static constexpr int kMinContextLength = 16;

    // `store` keeps the results and must outlive this object. `deviceChoice`
    // returns the app's current device setting when a run starts.
    CompareController(CompareStore& store, std::function<DeviceChoice()> deviceChoice, QObject* parent = nullptr);
    // Cancels a running comparison, then quits and waits for the thread.
    ~CompareController() override;

    CompareResultModel* results() { return &results_; }
    bool running() const { return requestId_ != 0; }
    double progress() const { return progress_; }
    QString statusText() const { return statusText_; }
    QString errorMessage() const { return errorMessage_; }
    QString resultDetails() const;
    bool hasResult() const { return results_.rowCount() > 0; }
    qint64 currentComparisonId() const { return results_.record().id; }
    QVariantList savedComparisons() const { return saved_; }
    QString textPath() const { return textPath_; }
    QString textName() const;
    int contextLength() const { return contextLength_; }
    void setContextLength(int tokens);
    int maxWindows() const { return maxWindows_; }
    void setMaxWindows(int windows);

    // Starts comparing the models at `paths` (two or more GGUF files or
    // Hugging Face folders). Returns false, with errorMessage set, when a
    // run is going already or fewer than two distinct models are given.
    Q_INVOKABLE bool start(const QStringList& paths);
    Q_INVOKABLE void cancel();
    // Shows a saved comparison; sets errorMessage when it cannot be read.
    Q_INVOKABLE void openComparison(qint64 id);
    Q_INVOKABLE void deleteComparison(qint64 id);
    // The text for the next run: a file (a file:// URL from FileDialog), or
    // the shipped sample.
    Q_INVOKABLE void setTextFileUrl(const QUrl& url);
    Q_INVOKABLE void useSampleText();
    // Writes the comparison on screen; returns false, with errorMessage
    // set, when the file cannot be written.
    Q_INVOKABLE bool exportCsv(const QUrl& url);
    Q_INVOKABLE bool exportMarkdown(const QUrl& url);
    // "<Documents>/quanta-comparison-<date>.<suffix>", for the save dialog;
    // the home folder when there is no Documents folder.
    Q_INVOKABLE QUrl suggestedFileUrl(const QString& suffix) const;
    Q_INVOKABLE void dismissError();
    // Formats the figures again after a language change.
    void retranslate();
    // Shows a message in the screen's error banner (e.g. a storage problem
    // found at start-up).
    void showError(const QString& message);

signals:
    void runningChanged();
    void progressChanged();
    void errorMessageChanged();
    void resultChanged();
    void savedComparisonsChanged();
    void textChanged();
    void contextLengthChanged();
    void maxWindowsChanged();
    // A run ended (finished, cancelled or failed to start). It was saved
    // with id `comparisonId` when any variant was measured to the end or
    // failed; 0 when it was not saved.
    void comparisonFinished(qint64 comparisonId);

private:
    void onStarted(quint64 requestId, const ComparisonRecord& record);
    void onProgress(quint64 requestId, int variant, int stage, double stageFraction, double overall);
    void onVariantFinished(quint64 requestId, int variant, const VariantResult& result);
    void onFinished(quint64 requestId, const ComparisonRecord& record);
    void onFailed(quint64 requestId, const QString& message);
    void finishRun();
    void reloadSaved();
    void updateStatus();
    bool exportTo(const QUrl& url, const QString& text);

    CompareStore& store_;
    std::function<DeviceChoice()> deviceChoice_;
    CompareResultModel results_;

    QThread thread_;
    CompareWorker* worker_ = nullptr; // lives on thread_, deleted when it finishes
    quint64 nextRequestId_ = 1;
    quint64 requestId_ = 0;           // the running comparison; 0 when none
    int runningVariant_ = -1;
    double progress_ = 0.0;
    QString statusText_;
    QString errorMessage_;
    QVariantList saved_;

    QString textPath_;                // empty: the sample
    int contextLength_ = 512;
    int maxWindows_ = 0;
};

} // namespace quanta

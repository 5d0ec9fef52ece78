#include "compare/compare_controller.h"

#include "compare/compare_export.h"
#include "compare/compare_store.h"
#include "compare/variant_measurement.h"
#include "logging/log_categories.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QStandardPaths>

#include <algorithm>
#include <utility>

namespace quanta {

const QString CompareController::kSampleTextPath = QStringLiteral(":/eval/sample-en.txt");

CompareController::CompareController(CompareStore& store, std::function<DeviceChoice()> deviceChoice, QObject* parent)
    : QObject(parent), store_(store), deviceChoice_(std::move(deviceChoice))
{
    qRegisterMetaType<quanta::ComparisonRecord>();
    qRegisterMetaType<quanta::VariantResult>();

    thread_.setObjectName(QStringLiteral("quanta-compare"));
    worker_ = new CompareWorker;
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);

    // Every signal crosses threads, so each connection is queued.
    connect(worker_, &CompareWorker::started, this, &CompareController::onStarted, Qt::QueuedConnection);
    connect(worker_, &CompareWorker::progress, this, &CompareController::onProgress, Qt::QueuedConnection);
    connect(worker_, &CompareWorker::variantFinished, this, &CompareController::onVariantFinished,
            Qt::QueuedConnection);
    connect(worker_, &CompareWorker::finished, this, &CompareController::onFinished, Qt::QueuedConnection);
    connect(worker_, &CompareWorker::failed, this, &CompareController::onFailed, Qt::QueuedConnection);
    thread_.start();

    reloadSaved();
}

CompareController::~CompareController()
{
    // Cancel what was sent, so the thread returns to its event loop soon;
    // the worker is deleted on its thread as the loop ends.
    worker_->cancel(nextRequestId_ - 1);
    thread_.quit();
    thread_.wait();
    qCInfo(lcUi) << "Compare thread stopped";
}

QString CompareController::textName() const
{
    return QFileInfo(textPath_.isEmpty() ? kSampleTextPath : textPath_).fileName();
}

void CompareController::setContextLength(int tokens)
{
    tokens = std::max(tokens, kMinContextLength);
    if (tokens == contextLength_)
        return;
    contextLength_ = tokens;
    emit contextLengthChanged();
}

void CompareController::setMaxWindows(int windows)
{
    windows = std::max(windows, 0);
    if (windows == maxWindows_)
        return;
    maxWindows_ = windows;
    emit maxWindowsChanged();
}

QString CompareController::resultDetails() const
{
    const ComparisonRecord& record = results_.record();
    if (record.variants.isEmpty())
        return {};
    const QLocale locale;
    QStringList parts;
    parts.append(record.textName);
    if (record.textTokens > 0)
        parts.append(tr("%1 tokens").arg(locale.toString(record.textTokens)));
    parts.append(tr("window of %1 tokens").arg(locale.toString(record.contextLength)));
    parts.append(locale.toString(record.createdAt.toLocalTime(), QLocale::ShortFormat));
    if (record.cancelled)
        parts.append(tr("cancelled"));
    return parts.join(QStringLiteral("  ·  "));
}

bool CompareController::start(const QStringList& paths)
{
    // Step 1: check the request.
    if (running()) {
        showError(tr("A comparison is running already. Wait for it to finish, or cancel it."));
        return false;
    }
    QStringList unique;
    for (const QString& path : paths) {
        const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
        if (!path.isEmpty() && !unique.contains(absolute))
            unique.append(absolute);
    }
    if (unique.size() < 2) {
        showError(tr("Choose at least two variants of the model to compare."));
        return false;
    }
    dismissError();

    // Step 2: send the job. The table fills when the worker has ordered the
    // variants.
    CompareJob job;
    job.requestId = nextRequestId_++;
    job.paths = unique;
    job.textPath = textPath_.isEmpty() ? kSampleTextPath : textPath_;
    job.textName = textName();
    job.contextLength = contextLength_;
    job.maxWindows = maxWindows_;
    job.device = deviceChoice_ ? deviceChoice_() : DeviceChoice{};
    requestId_ = job.requestId;
    runningVariant_ = -1;
    progress_ = 0.0;
    statusText_ = tr("Starting…");
    results_.clear();
    emit runningChanged();
    emit progressChanged();
    emit resultChanged();
    qCInfo(lcUi) << "Comparison" << job.requestId << "requested for" << unique.size() << "models";

    QMetaObject::invokeMethod(
        worker_, [worker = worker_, job = std::move(job)] { worker->run(job); }, Qt::QueuedConnection);
    return true;
}

void CompareController::cancel()
{
    if (!running())
        return;
    worker_->cancel(requestId_);
    statusText_ = tr("Cancelling…");
    emit progressChanged();
}

void CompareController::onStarted(quint64 requestId, const ComparisonRecord& record)
{
    if (requestId != requestId_)
        return;
    results_.setRecord(record, /*running=*/true);
    emit resultChanged();
}

void CompareController::onProgress(quint64 requestId, int variant, int stage, double stageFraction, double overall)
{
    if (requestId != requestId_)
        return;
    runningVariant_ = variant;
    progress_ = overall;
    results_.setRunning(variant, stage, stageFraction);
    updateStatus();
    emit progressChanged();
}

void CompareController::onVariantFinished(quint64 requestId, int variant, const VariantResult& result)
{
    if (requestId != requestId_)
        return;
    results_.setVariant(variant, result);
}

void CompareController::onFinished(quint64 requestId, const ComparisonRecord& record)
{
    if (requestId != requestId_)
        return;

    // Step 1: save it, unless it was cancelled before any variant was
    // measured to the end or failed.
    ComparisonRecord saved = record;
    bool anyFinished = false;
    for (const VariantResult& variant : record.variants)
        anyFinished = anyFinished || !variant.error.isEmpty() || variant.perplexity.has_value();
    if (anyFinished) {
        try {
            saved.id = store_.save(record);
        } catch (const StorageError& error) {
            qCWarning(lcStorage).noquote() << error.what();
            showError(tr("The comparison could not be saved: %1").arg(QString::fromUtf8(error.what())));
        }
    }

    // Step 2: show it as saved, and list it.
    results_.setRecord(saved);
    finishRun();
    reloadSaved();
    emit resultChanged();
    qCInfo(lcUi) << "Comparison" << requestId << (record.cancelled ? "cancelled" : "finished") << "and saved as"
                 << saved.id;
    emit comparisonFinished(saved.id);
}

void CompareController::onFailed(quint64 requestId, const QString& message)
{
    if (requestId != requestId_)
        return;
    results_.clear();
    finishRun();
    emit resultChanged();
    showError(message);
    emit comparisonFinished(0);
}

void CompareController::finishRun()
{
    requestId_ = 0;
    runningVariant_ = -1;
    progress_ = 0.0;
    statusText_.clear();
    emit runningChanged();
    emit progressChanged();
}

void CompareController::updateStatus()
{
    if (runningVariant_ < 0 || runningVariant_ >= results_.rowCount()) {
        statusText_.clear();
        return;
    }
    const QString name = results_.record().variants.at(runningVariant_).name;
    const QString position = tr("%1 of %2").arg(runningVariant_ + 1).arg(results_.rowCount());
    const QString stage = results_.data(results_.index(runningVariant_), CompareResultModel::StageTextRole).toString();
    statusText_ = tr("%1 (%2): %3").arg(name, position, stage);
}

void CompareController::openComparison(qint64 id)
{
    if (running()) {
        showError(tr("Wait for the running comparison to finish, or cancel it, before opening another one."));
        return;
    }
    try {
        results_.setRecord(store_.comparison(id));
        emit resultChanged();
    } catch (const StorageError& error) {
        qCWarning(lcStorage).noquote() << error.what();
        showError(tr("The comparison could not be opened: %1").arg(QString::fromUtf8(error.what())));
    }
}

void CompareController::deleteComparison(qint64 id)
{
    try {
        store_.remove(id);
    } catch (const StorageError& error) {
        qCWarning(lcStorage).noquote() << error.what();
        showError(tr("The comparison could not be deleted: %1").arg(QString::fromUtf8(error.what())));
        return;
    }
    if (!running() && currentComparisonId() == id) {
        results_.clear();
        emit resultChanged();
    }
    reloadSaved();
}

void CompareController::reloadSaved()
{
    QVariantList list;
    try {
        const QLocale locale;
        for (const ComparisonSummary& summary : store_.comparisons()) {
            QString details = tr("%1  ·  %2  ·  window of %3 tokens")
                                  .arg(locale.toString(summary.createdAt.toLocalTime(), QLocale::ShortFormat),
                                       summary.textName, locale.toString(summary.contextLength));
            if (summary.cancelled)
                details += QStringLiteral("  ·  ") + tr("cancelled");
            list.append(QVariantMap{
                {QStringLiteral("id"), summary.id},
                {QStringLiteral("title"), summary.variantNames.join(QStringLiteral(", "))},
                {QStringLiteral("details"), details},
            });
        }
    } catch (const StorageError& error) {
        qCWarning(lcStorage).noquote() << error.what();
        showError(tr("Saved comparisons could not be read: %1").arg(QString::fromUtf8(error.what())));
    }
    saved_ = list;
    emit savedComparisonsChanged();
}

void CompareController::setTextFileUrl(const QUrl& url)
{
    const QString path = url.isLocalFile() ? url.toLocalFile() : url.toString();
    if (path.isEmpty())
        return;
    textPath_ = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    emit textChanged();
}

void CompareController::useSampleText()
{
    if (textPath_.isEmpty())
        return;
    textPath_.clear();
    emit textChanged();
}

bool CompareController::exportTo(const QUrl& url, const QString& text)
{
    const QString path = url.isLocalFile() ? url.toLocalFile() : url.toString();
    if (path.isEmpty())
        return false;
    const QString problem = writeTextFile(path, text);
    if (!problem.isEmpty()) {
        qCWarning(lcUi).noquote() << problem;
        showError(problem);
        return false;
    }
    qCInfo(lcUi).noquote() << "Comparison exported to" << QDir::toNativeSeparators(path);
    return true;
}

bool CompareController::exportCsv(const QUrl& url)
{
    return hasResult() && exportTo(url, comparisonToCsv(results_.record()));
}

bool CompareController::exportMarkdown(const QUrl& url)
{
    return hasResult() && exportTo(url, comparisonToMarkdown(results_.record()));
}

QUrl CompareController::suggestedFileUrl(const QString& suffix) const
{
    const QDateTime date = hasResult() ? results_.record().createdAt : QDateTime::currentDateTimeUtc();
    const QString name = QStringLiteral("quanta-comparison-%1.%2")
                             .arg(date.toLocalTime().toString(QStringLiteral("yyyy-MM-dd-HHmm")), suffix);
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QFileInfo(folder).isDir())
        folder = QDir::homePath();
    return QUrl::fromLocalFile(QDir(folder).filePath(name));
}

void CompareController::dismissError()
{
    if (errorMessage_.isEmpty())
        return;
    errorMessage_.clear();
    emit errorMessageChanged();
}

void CompareController::showError(const QString& message)
{
    errorMessage_ = message;
    emit errorMessageChanged();
}

void CompareController::retranslate()
{
    results_.retranslate();
    updateStatus();
    reloadSaved();
    emit progressChanged();
    emit resultChanged();
}

} // namespace quanta

// The compare screen in the real window under the offscreen platform: the
// app's own AppContext and Main.qml with a temporary database, settings and
// a models folder of links to three stories260K-wide variants. The variants
// are checked and the run is started with the mouse. The table, the chart,
// the database and the exports are then checked against each other and
// against the files. Screenshots go to <build>/screenshots/.

#include "app_context.h"
#include "compare/compare_controller.h"
#include "compare/compare_export.h"
#include "compare/compare_result_model.h"
#include "compare/compare_store.h"
#include "model_library/model_list_model.h"
#include "settings/language_settings.h"
#include "test_support.h"
#include "ui_test_base.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace quanta;

namespace {

// Three variants of stories260K-wide with a 128-token window take a few
// seconds here; the limit only has to catch a hang.
constexpr int kTimeoutMs = 180000;

// A short window keeps the run fast; it still scores 63 tokens per window.
constexpr int kContextLength = 128;

const QStringList kVariants = {
    QStringLiteral("stories260K-wide-F32.gguf"),
    QStringLiteral("stories260K-wide-Q8_0.gguf"),
    QStringLiteral("stories260K-wide-Q2_K.gguf"),
};

QString sharedVariant(const QString& fileName)
{
    return QString::fromStdString(test::shared_path("models/stories260K-wide/" + fileName.toStdString()));
}

using test::findItems;
using test::screenshotPath;

QList<QQuickItem*> visibleOnly(const QList<QQuickItem*>& items)
{
    QList<QQuickItem*> visible;
    for (QQuickItem* item : items) {
        if (item->isVisible())
            visible.append(item);
    }
    return visible;
}

QString sha256Of(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

QString readText(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

// Helpers check with QVERIFY, which returns from the helper only, so this
// macro also ends the test when the helper failed.
#define CHECKED(call)                                                                                                  \
    do {                                                                                                               \
        call;                                                                                                          \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)

class TestCompareUi : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void threeVariantsRunEndToEnd();
    void savedComparisonReopensAndExports();
    void failingVariantShowsErrorInRow();
    void cancelBeforeStartSavesNothing();
    void tooFewVariantsRejected();
    void ownTextFileIsMeasured();
    void chineseScreenShowsTranslation();

private:
    void linkVariants(const QStringList& fileNames);
    void startApp(const QString& language = QStringLiteral("en"));
    QQuickWindow* window() const;
    QQuickItem* item(const char* objectName) const;
    QList<QQuickItem*> visibleItems(const char* objectName) const;
    void click(QQuickItem* target);
    void openCompareScreen();
    // Checks the variants whose file names are given, by clicking them.
    void checkVariants(const QStringList& fileNames);
    // Clicks Start and waits for the run to end; returns the saved id.
    void runComparison(qint64* savedId);
    void saveScreenshot(const QString& name);

    QString modelsFolder() const { return dir_->filePath(QStringLiteral("models")); }
    QString databasePath() const { return dir_->filePath(QStringLiteral("chats.sqlite")); }

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<AppContext> context_;
    std::unique_ptr<QQmlApplicationEngine> engine_;
};

void TestCompareUi::init()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY2(dir_->isValid(), qPrintable(dir_->errorString()));
    QVERIFY(QDir().mkpath(modelsFolder()));

    // A warning from our QML (a broken binding, a missing property) fails
    // the test, because it means part of the screen does not work.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("qrc:/qt/qml/Quanta/")));
}

void TestCompareUi::cleanup()
{
    // The window refers to the context's services, so it goes first.
    engine_.reset();
    context_.reset();
    dir_.reset();
}

void TestCompareUi::linkVariants(const QStringList& fileNames)
{
    for (const QString& name : fileNames)
        QVERIFY(QFile::link(sharedVariant(name), modelsFolder() + QLatin1Char('/') + name));
}

void TestCompareUi::startApp(const QString& language)
{
    {
        QSettings settings(dir_->filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        settings.setValue(QStringLiteral("ui/language"), language);
    }
    AppOptions options;
    options.databasePath = databasePath();
    options.modelsFolder = modelsFolder();
    options.settingsPath = dir_->filePath(QStringLiteral("settings.ini"));

    context_ = std::make_unique<AppContext>(options);
    engine_ = std::make_unique<QQmlApplicationEngine>();
    QVERIFY(context_->start(*engine_));
    QVERIFY(window() != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(window()));
    context_->compare().setContextLength(kContextLength);
}

QQuickWindow* TestCompareUi::window() const
{
    const QList<QObject*> roots = engine_->rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.first());
}

QQuickItem* TestCompareUi::item(const char* objectName) const
{
    const QList<QQuickItem*> found = findItems(window()->contentItem(), QString::fromLatin1(objectName));
    const QList<QQuickItem*> visible = visibleOnly(found);
    if (!visible.isEmpty())
        return visible.first();
    return found.isEmpty() ? nullptr : found.first();
}

QList<QQuickItem*> TestCompareUi::visibleItems(const char* objectName) const
{
    return visibleOnly(findItems(window()->contentItem(), QString::fromLatin1(objectName)));
}

void TestCompareUi::click(QQuickItem* target)
{
    QVERIFY(target != nullptr);
    QVERIFY(target->isVisible());
    const QPointF center = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
    QTest::mouseClick(window(), Qt::LeftButton, Qt::NoModifier, center.toPoint());
}

void TestCompareUi::openCompareScreen()
{
    CHECKED(click(item("compareButton")));
    QObject* screen = window()->findChild<QObject*>(QStringLiteral("compareScreen"));
    QVERIFY(screen != nullptr);
    QTRY_VERIFY(screen->property("opened").toBool());
}

void TestCompareUi::checkVariants(const QStringList& fileNames)
{
    // The list fills from the models folder scan.
    QTRY_COMPARE(visibleItems("variantCheck").size(), context_->models().rowCount());
    for (const QString& fileName : fileNames) {
        const QString path = QDir(modelsFolder()).absoluteFilePath(fileName);
        QQuickItem* check = nullptr;
        for (QQuickItem* candidate : findItems(window()->contentItem(), QStringLiteral("variantCheck"))) {
            if (candidate->property("path").toString() == path)
                check = candidate;
        }
        QVERIFY2(check != nullptr, qPrintable(path));
        CHECKED(click(check));
        QTRY_VERIFY(check->property("checked").toBool());
    }
}

void TestCompareUi::runComparison(qint64* savedId)
{
    CompareController& compare = context_->compare();
    QSignalSpy finished(&compare, &CompareController::comparisonFinished);
    QQuickItem* start = item("compareStartButton");
    QVERIFY(start != nullptr);
    QTRY_VERIFY(start->isEnabled());
    CHECKED(click(start));
    QVERIFY(compare.running());
    QTRY_VERIFY(item("compareCancelButton")->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QVERIFY(!compare.running());
    *savedId = finished.first().first().toLongLong();
}

void TestCompareUi::saveScreenshot(const QString& name)
{
    const QImage image = window()->grabWindow();
    QVERIFY(!image.isNull());
    const QString path = screenshotPath(name);
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo().noquote() << "Screenshot:" << path;
}

void TestCompareUi::threeVariantsRunEndToEnd()
{
    CHECKED(linkVariants(kVariants));
    CHECKED(startApp());
    CHECKED(openCompareScreen());
    CHECKED(checkVariants(kVariants));
    QCOMPARE(item("compareStartButton")->property("text").toString(), QStringLiteral("Compare 3 variants"));

    // Step 1: run, with the mouse.
    qint64 savedId = 0;
    CHECKED(runComparison(&savedId));
    CompareController& compare = context_->compare();
    QVERIFY2(compare.errorMessage().isEmpty(), qPrintable(compare.errorMessage()));
    QVERIFY(savedId > 0);
    QCOMPARE(compare.currentComparisonId(), savedId);

    // Step 2: the variants ran largest first, and the largest is the
    // reference, at zero KL divergence and full agreement with itself.
    const ComparisonRecord& record = compare.results()->record();
    QCOMPARE(record.variants.size(), 3);
    QCOMPARE(record.variants[0].name, QStringLiteral("stories260K-wide-F32"));
    QCOMPARE(record.variants[1].name, QStringLiteral("stories260K-wide-Q8_0"));
    QCOMPARE(record.variants[2].name, QStringLiteral("stories260K-wide-Q2_K"));
    QVERIFY(record.variants[0].reference);
    QVERIFY(!record.variants[1].reference);
    QVERIFY(!record.variants[2].reference);
    QCOMPARE(record.variants[0].klMean, std::optional<double>(0.0));
    QCOMPARE(record.variants[0].topAgreement, std::optional<double>(1.0));
    QCOMPARE(record.contextLength, kContextLength);
    QCOMPARE(record.textName, QStringLiteral("sample-en.txt"));
    QVERIFY(record.textTokens > kContextLength);
    QCOMPARE(record.textSha256, sha256Of(CompareController::kSampleTextPath));
    QVERIFY(!record.cancelled);

    // Step 3: every figure is there, and the files' hashes are the files'.
    for (const VariantResult& variant : record.variants) {
        QVERIFY2(variant.error.isEmpty(), qPrintable(variant.error));
        QCOMPARE(variant.format, variant.name.section(QLatin1Char('-'), -1));
        QCOMPARE(variant.sha256, sha256Of(sharedVariant(variant.name + QStringLiteral(".gguf"))));
        QCOMPARE(variant.sizeBytes, QFileInfo(sharedVariant(variant.name + QStringLiteral(".gguf"))).size());
        QCOMPARE(variant.placement, QStringLiteral("CPU"));
        QVERIFY(!variant.vramBytes.has_value());
        QVERIFY(variant.ramBytes.has_value());
        QVERIFY(variant.loadSeconds.value_or(-1) >= 0);
        QVERIFY(variant.promptTokensPerSecond.value_or(0) > 0);
        QVERIFY(variant.generationTokensPerSecond.value_or(0) > 0);
        QVERIFY(variant.perplexity.value_or(0) > 1);
        QVERIFY(variant.perplexityError.value_or(0) > 0);
        QVERIFY(variant.klMean.has_value());
        QVERIFY(variant.klP99.has_value());
        QVERIFY(variant.topAgreement.has_value());
    }

    // Step 4: the quality figures order the types as quantization damages
    // them: Q8_0 close to F32, Q2_K further away.
    const double f32 = *record.variants[0].perplexity;
    const double q8 = *record.variants[1].perplexity;
    const double q2 = *record.variants[2].perplexity;
    QVERIFY2(std::abs(q8 - f32) / f32 < 0.02, qPrintable(QStringLiteral("F32 %1, Q8_0 %2").arg(f32).arg(q8)));
    QVERIFY2(q2 > q8, qPrintable(QStringLiteral("Q8_0 %1, Q2_K %2").arg(q8).arg(q2)));
    QVERIFY(*record.variants[1].klMean > 0);
    QVERIFY(*record.variants[2].klMean > *record.variants[1].klMean);
    QVERIFY(*record.variants[2].topAgreement < *record.variants[1].topAgreement);

    // Step 5: the table shows three finished rows with every figure, the
    // reference marked on the first.
    const QList<QQuickItem*> rows = visibleItems("compareRow");
    QCOMPARE(rows.size(), 3);
    const QList<QQuickItem*> perplexityCells = visibleItems("compareCell_perplexityText");
    QCOMPARE(perplexityCells.size(), 3);
    for (QQuickItem* cell : perplexityCells)
        QVERIFY2(cell->property("text").toString().contains(QStringLiteral("±")),
                 qPrintable(cell->property("text").toString()));
    const QList<QQuickItem*> klCells = visibleItems("compareCell_klText");
    QCOMPARE(klCells.size(), 3);
    QStringList klTexts;
    for (QQuickItem* cell : klCells)
        klTexts.append(cell->property("text").toString());
    QVERIFY2(klTexts.contains(QStringLiteral("0")), qPrintable(klTexts.join(QLatin1Char(' '))));
    QCOMPARE(visibleItems("compareReferenceBadge").size(), 1);
    QCOMPARE(visibleItems("compareRowState").size(), 0);
    // The perplexity bars share one scale: the longest is Q2_K's, and the
    // shortest is to it as F32's perplexity is to Q2_K's.
    const QList<QQuickItem*> bars = visibleItems("compareBar");
    QCOMPARE(bars.size(), 3);
    QList<double> widths;
    for (QQuickItem* bar : bars)
        widths.append(bar->width());
    std::sort(widths.begin(), widths.end());
    QVERIFY(widths.last() > 0);
    const double shortestToLongest = widths.first() / widths.last();
    QVERIFY2(std::abs(shortestToLongest - std::min(f32, q8) / q2) < 0.01,
             qPrintable(QStringLiteral("bar ratio %1, perplexity ratio %2").arg(shortestToLongest).arg(f32 / q2)));
    QVERIFY(item("compareResultDetails")->property("text").toString().contains(QStringLiteral("sample-en.txt")));

    // Step 6: the database has it, under the id the screen shows, and the
    // saved list offers it.
    const QList<ComparisonSummary> saved = context_->compareStore().comparisons();
    QCOMPARE(saved.size(), 1);
    QCOMPARE(saved.first().id, savedId);
    QVERIFY(context_->compareStore().comparison(savedId) == record);
    QCOMPARE(visibleItems("compareSavedItem").size(), 1);

    CHECKED(saveScreenshot(QStringLiteral("compare.png")));

    // Step 7: the chart shows another figure when chosen.
    QObject* metric = item("compareChartMetric");
    QVERIFY(metric != nullptr);
    metric->setProperty("currentIndex", 3);
    CHECKED(saveScreenshot(QStringLiteral("compare-speed-chart.png")));
}

void TestCompareUi::savedComparisonReopensAndExports()
{
    CHECKED(linkVariants(kVariants));
    CHECKED(startApp());
    CHECKED(openCompareScreen());
    CHECKED(checkVariants({kVariants[2], kVariants[1]}));
    qint64 savedId = 0;
    CHECKED(runComparison(&savedId));
    CompareController& compare = context_->compare();
    const ComparisonRecord measured = compare.results()->record();
    QCOMPARE(measured.variants.size(), 2);
    QCOMPARE(measured.variants[0].name, QStringLiteral("stories260K-wide-Q8_0"));

    // Step 1: a restart finds it in the saved list, and a click shows it.
    engine_.reset();
    context_.reset();
    CHECKED(startApp());
    QVERIFY(!context_->compare().hasResult());
    CHECKED(openCompareScreen());
    const QList<QQuickItem*> savedItems = visibleItems("compareSavedItem");
    QCOMPARE(savedItems.size(), 1);
    CHECKED(click(savedItems.first()));
    CompareController& reopened = context_->compare();
    QTRY_VERIFY(reopened.hasResult());
    QCOMPARE(reopened.currentComparisonId(), savedId);
    ComparisonRecord expected = measured;
    expected.id = savedId;
    QVERIFY(reopened.results()->record() == expected);
    QTRY_COMPARE(visibleItems("compareRow").size(), 2);

    // Step 2: the export buttons open the save dialog with a suggested name.
    CHECKED(click(item("compareExportCsvButton")));
    QObject* dialog = window()->findChild<QObject*>(QStringLiteral("compareExportDialog"));
    QVERIFY(dialog != nullptr);
    QTRY_VERIFY(dialog->property("visible").toBool());
    QVERIFY2(dialog->property("selectedFile").toUrl().fileName().endsWith(QStringLiteral(".csv")),
             qPrintable(dialog->property("selectedFile").toUrl().toString()));
    QVERIFY(QMetaObject::invokeMethod(dialog, "close"));
    QTRY_VERIFY(!dialog->property("visible").toBool());

    // Step 3: the exports of the re-opened comparison are the exports of the
    // measured one. Picking the file inside Qt's dialog is Qt's part, so the
    // test gives the controller the URL the dialog would.
    const QString csvPath = dir_->filePath(QStringLiteral("result.csv"));
    const QString markdownPath = dir_->filePath(QStringLiteral("result.md"));
    QVERIFY(reopened.exportCsv(QUrl::fromLocalFile(csvPath)));
    QVERIFY(reopened.exportMarkdown(QUrl::fromLocalFile(markdownPath)));
    QCOMPARE(readText(csvPath), comparisonToCsv(measured));
    QCOMPARE(readText(markdownPath), comparisonToMarkdown(measured));
    QVERIFY(readText(csvPath).startsWith(QStringLiteral("variant,format,size_bytes,")));
    QVERIFY(readText(markdownPath).contains(QStringLiteral("| stories260K-wide-Q8_0 (reference) | Q8_0 |")));

    // Step 4: an export to a folder that does not exist shows why it failed.
    QVERIFY(!reopened.exportCsv(QUrl::fromLocalFile(dir_->filePath(QStringLiteral("missing/result.csv")))));
    QVERIFY2(reopened.errorMessage().contains(QStringLiteral("missing/result.csv")),
             qPrintable(reopened.errorMessage()));
    QTRY_VERIFY(item("compareErrorText")->isVisible());
    reopened.dismissError();

    // Step 5: deleting it through its × and the confirmation empties the
    // list, the screen and the tables.
    CHECKED(click(item("compareDeleteSaved")));
    QObject* deleteDialog = window()->findChild<QObject*>(QStringLiteral("compareDeleteDialog"));
    QVERIFY(deleteDialog != nullptr);
    QTRY_VERIFY(deleteDialog->property("opened").toBool());
    CHECKED(click(item("compareConfirmDelete")));
    QTRY_VERIFY(context_->compareStore().comparisons().isEmpty());
    QVERIFY(!reopened.hasResult());
    QTRY_COMPARE(visibleItems("compareSavedItem").size(), 0);
}

void TestCompareUi::failingVariantShowsErrorInRow()
{
    // A file that is not GGUF and is larger than the others, so it runs first.
    // It fails, and the next largest becomes the reference instead.
    CHECKED(linkVariants({kVariants[0], kVariants[2]}));
    const QString broken = modelsFolder() + QStringLiteral("/broken.gguf");
    {
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write(QByteArray(10 << 20, 'x')) == (10 << 20));
    }
    CHECKED(startApp());
    CHECKED(openCompareScreen());
    CHECKED(checkVariants({QStringLiteral("broken.gguf"), kVariants[0], kVariants[2]}));
    qint64 savedId = 0;
    CHECKED(runComparison(&savedId));
    QVERIFY(savedId > 0);

    const ComparisonRecord& record = context_->compare().results()->record();
    QCOMPARE(record.variants.size(), 3);
    QCOMPARE(record.variants[0].name, QStringLiteral("broken"));
    QVERIFY2(record.variants[0].error.contains(QStringLiteral("broken.gguf")), qPrintable(record.variants[0].error));
    QVERIFY(!record.variants[0].perplexity.has_value());
    QVERIFY(!record.variants[0].reference);
    QVERIFY(record.variants[1].reference);
    QCOMPARE(record.variants[1].klMean, std::optional<double>(0.0));
    QVERIFY2(record.variants[2].error.isEmpty(), qPrintable(record.variants[2].error));
    QVERIFY(*record.variants[2].klMean > 0);

    // The failed row shows the message across its figure columns.
    const QList<QQuickItem*> states = visibleItems("compareRowState");
    QCOMPARE(states.size(), 1);
    QVERIFY2(states.first()->property("text").toString().contains(QStringLiteral("broken.gguf")),
             qPrintable(states.first()->property("text").toString()));
    QCOMPARE(visibleItems("compareCell_perplexityText").size(), 2);
    CHECKED(saveScreenshot(QStringLiteral("compare-failed-variant.png")));
}

void TestCompareUi::cancelBeforeStartSavesNothing()
{
    CHECKED(linkVariants(kVariants));
    CHECKED(startApp());
    CompareController& compare = context_->compare();
    QSignalSpy finished(&compare, &CompareController::comparisonFinished);
    QStringList paths;
    for (const QString& name : kVariants)
        paths.append(QDir(modelsFolder()).absoluteFilePath(name));

    // The cancel reaches the worker before the queued job starts.
    QVERIFY(compare.start(paths));
    compare.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished.first().first().toLongLong(), 0);
    QVERIFY(!compare.running());
    QVERIFY(compare.results()->record().cancelled);
    QCOMPARE(compare.results()->rowCount(), 3);
    for (int row = 0; row < 3; ++row)
        QCOMPARE(compare.results()->data(compare.results()->index(row), CompareResultModel::StatusRole).toString(),
                 QStringLiteral("cancelled"));
    QVERIFY(context_->compareStore().comparisons().isEmpty());
}

void TestCompareUi::tooFewVariantsRejected()
{
    CHECKED(linkVariants(kVariants));
    CHECKED(startApp());
    CHECKED(openCompareScreen());
    CompareController& compare = context_->compare();

    // One variant checked: Start stays disabled.
    CHECKED(checkVariants({kVariants[0]}));
    QVERIFY(!item("compareStartButton")->isEnabled());

    // The same file twice is one variant.
    const QString path = QDir(modelsFolder()).absoluteFilePath(kVariants[0]);
    QVERIFY(!compare.start({path, path + QStringLiteral("/../") + kVariants[0]}));
    QVERIFY(!compare.running());
    QVERIFY(compare.errorMessage().contains(QStringLiteral("at least two")));
    QTRY_VERIFY(item("compareErrorText")->isVisible());
}

void TestCompareUi::ownTextFileIsMeasured()
{
    CHECKED(linkVariants({kVariants[1], kVariants[2]}));
    CHECKED(startApp());
    CHECKED(openCompareScreen());
    CompareController& compare = context_->compare();

    // A text of the user's: the sample twice, under another name. Choosing
    // it inside Qt's dialog is Qt's part, so the test starts from the
    // dialog's signal.
    const QString textPath = dir_->filePath(QStringLiteral("two stories.txt"));
    {
        QFile sample(CompareController::kSampleTextPath);
        QVERIFY(sample.open(QIODevice::ReadOnly));
        const QByteArray bytes = sample.readAll();
        QFile text(textPath);
        QVERIFY(text.open(QIODevice::WriteOnly));
        QVERIFY(text.write(bytes + "\n\n" + bytes) > 0);
    }
    QObject* dialog = window()->findChild<QObject*>(QStringLiteral("compareTextDialog"));
    QVERIFY(dialog != nullptr);
    QVERIFY(QMetaObject::invokeMethod(dialog, "textChosen", Q_ARG(QUrl, QUrl::fromLocalFile(textPath))));
    QCOMPARE(compare.textPath(), textPath);
    QTRY_COMPARE(item("compareTextName")->property("text").toString(), QStringLiteral("two stories.txt"));
    QVERIFY(item("compareOwnText")->property("checked").toBool());

    CHECKED(checkVariants({kVariants[1], kVariants[2]}));
    qint64 savedId = 0;
    CHECKED(runComparison(&savedId));
    const ComparisonRecord& record = compare.results()->record();
    QCOMPARE(record.textName, QStringLiteral("two stories.txt"));
    QCOMPARE(record.textSha256, sha256Of(textPath));
    QVERIFY2(record.variants[0].error.isEmpty(), qPrintable(record.variants[0].error));
    QVERIFY2(record.variants[1].error.isEmpty(), qPrintable(record.variants[1].error));

    // A text that is gone by the time the run starts: nothing runs, and the
    // banner names the file.
    QVERIFY(QFile::remove(textPath));
    QSignalSpy finished(&compare, &CompareController::comparisonFinished);
    CHECKED(click(item("compareStartButton")));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished.first().first().toLongLong(), 0);
    QVERIFY2(compare.errorMessage().contains(QStringLiteral("two stories.txt")), qPrintable(compare.errorMessage()));
    QTRY_VERIFY(item("compareErrorText")->isVisible());
    QCOMPARE(context_->compareStore().comparisons().size(), 1);

    // Back to the sample.
    CHECKED(click(item("compareSampleText")));
    QVERIFY(compare.textPath().isEmpty());
    QCOMPARE(compare.textName(), QStringLiteral("sample-en.txt"));
}

void TestCompareUi::chineseScreenShowsTranslation()
{
    CHECKED(linkVariants(kVariants));
    CHECKED(startApp(LanguageSettings::kChinese));
    CHECKED(openCompareScreen());
    CHECKED(checkVariants(kVariants));
    QCOMPARE(item("compareStartButton")->property("text").toString(), QStringLiteral("比较 3 个版本"));
    QCOMPARE(item("compareCloseButton")->property("text").toString(), QStringLiteral("返回对话"));
    qint64 savedId = 0;
    CHECKED(runComparison(&savedId));
    QVERIFY(savedId > 0);
    QCOMPARE(visibleItems("compareRow").size(), 3);
    CHECKED(saveScreenshot(QStringLiteral("compare_zh_CN.png")));

    // Back to English without a restart: the table's units follow.
    context_->language().setLanguage(LanguageSettings::kEnglish);
    QCOMPARE(item("compareCloseButton")->property("text").toString(), QStringLiteral("Back to chat"));
}

QTEST_MAIN(TestCompareUi)
#include "test_compare_ui.moc"

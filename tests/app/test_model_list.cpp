// The model picker's list: every .gguf file in the models folder, with the
// architecture, parameter count, quantization and context length read from
// its header on a worker thread, and the reason when a header is unreadable.

#include "model/synthetic.h"
#include "model_library/model_file_info.h"
#include "model_library/model_list_model.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace quanta;

namespace {

constexpr int kTimeoutMs = 30000;

void writeTinyModel(const QString& path, GgmlType type, int n_ctx)
{
    SyntheticModelOptions options;
    options.n_vocab = 300;
    options.n_ctx = n_ctx;
    options.n_embd = 64;
    options.n_layer = 2;
    options.n_head = 4;
    options.n_head_kv = 2;
    options.n_ff = 96;
    options.type = type;
    write_synthetic_llama(path.toStdString(), options);
}

int rowOf(const ModelListModel& models, const QString& name)
{
    for (int row = 0; row < models.rowCount(); ++row) {
        if (models.data(models.index(row), ModelListModel::NameRole).toString() == name)
            return row;
    }
    return -1;
}

} // namespace

class TestModelList : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void parameterCountFormat_data();
    void parameterCountFormat();
    void headersAreRead();
    void unreadableFileIsExplained();
    void changedFileIsReadAgain();
};

void TestModelList::initTestCase()
{
    // The context length is shown with the locale's digit grouping.
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TestModelList::parameterCountFormat_data()
{
    QTest::addColumn<qint64>("parameters");
    QTest::addColumn<QString>("text");
    QTest::newRow("small") << qint64(950) << QStringLiteral("950");
    QTest::newRow("stories260K") << qint64(260'000) << QStringLiteral("260K");
    QTest::newRow("15.2M") << qint64(15'210'000) << QStringLiteral("15.2M");
    QTest::newRow("1.24B") << qint64(1'235'814'400) << QStringLiteral("1.24B");
    QTest::newRow("8B") << qint64(8'030'261'248) << QStringLiteral("8.03B");
    QTest::newRow("round") << qint64(7'000'000'000) << QStringLiteral("7B");
}

void TestModelList::parameterCountFormat()
{
    QFETCH(qint64, parameters);
    QFETCH(QString, text);
    QCOMPARE(formatParameterCount(parameters), text);
}

void TestModelList::headersAreRead()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    writeTinyModel(folder.filePath(QStringLiteral("tiny-q8.gguf")), GgmlType::Q8_0, 2048);
    QVERIFY(QDir().mkpath(folder.filePath(QStringLiteral("sub"))));
    writeTinyModel(folder.filePath(QStringLiteral("sub/tiny-f16.gguf")), GgmlType::F16, 512);

    ModelListModel models(folder.path());
    QCOMPARE(models.rowCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);

    const QModelIndex q8 = models.index(rowOf(models, QStringLiteral("tiny-q8")));
    QVERIFY(q8.isValid());
    QCOMPARE(models.data(q8, ModelListModel::ArchitectureRole).toString(), QStringLiteral("llama"));
    QCOMPARE(models.data(q8, ModelListModel::QuantizationRole).toString(), QStringLiteral("Q8_0"));
    QCOMPARE(models.data(q8, ModelListModel::ContextLengthRole).toInt(), 2048);
    QVERIFY(models.data(q8, ModelListModel::ParametersRole).toLongLong() > 300 * 64);
    QVERIFY(models.data(q8, ModelListModel::ProblemRole).toString().isEmpty());
    const QString details = models.data(q8, ModelListModel::DetailsRole).toString();
    QVERIFY2(details.contains(QStringLiteral("llama")) && details.contains(QStringLiteral("Q8_0")) &&
                 details.contains(QStringLiteral("2,048")),
             qPrintable(details));

    const QModelIndex f16 = models.index(rowOf(models, QStringLiteral("tiny-f16")));
    QVERIFY(f16.isValid());
    QCOMPARE(models.data(f16, ModelListModel::QuantizationRole).toString(), QStringLiteral("F16"));
    QCOMPARE(models.data(f16, ModelListModel::ContextLengthRole).toInt(), 512);
}

void TestModelList::unreadableFileIsExplained()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QFile broken(folder.filePath(QStringLiteral("broken.gguf")));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("GGUF but not really a model");
    broken.close();

    ModelListModel models(folder.path());
    QCOMPARE(models.rowCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    const QModelIndex index = models.index(0);
    const QString problem = models.data(index, ModelListModel::ProblemRole).toString();
    QVERIFY2(problem.contains(QStringLiteral("broken.gguf")), qPrintable(problem));
    QVERIFY(models.data(index, ModelListModel::DetailsRole).toString().contains(problem));
    QVERIFY(models.data(index, ModelListModel::ArchitectureRole).toString().isEmpty());
}

void TestModelList::changedFileIsReadAgain()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("model.gguf"));
    writeTinyModel(path, GgmlType::Q8_0, 1024);

    ModelListModel models(folder.path());
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    QCOMPARE(models.data(models.index(0), ModelListModel::QuantizationRole).toString(), QStringLiteral("Q8_0"));

    // Replaced by a file of another type and size: the cached header must
    // not be shown for it.
    writeTinyModel(path, GgmlType::F16, 4096);
    models.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    QCOMPARE(models.data(models.index(0), ModelListModel::QuantizationRole).toString(), QStringLiteral("F16"));
    QCOMPARE(models.data(models.index(0), ModelListModel::ContextLengthRole).toInt(), 4096);

    // A refresh with nothing changed reads nothing.
    QSignalSpy scanning(&models, &ModelListModel::scanningChanged);
    models.refresh();
    QVERIFY(!models.scanning());
    QCOMPARE(scanning.count(), 0);
    QCOMPARE(models.data(models.index(0), ModelListModel::QuantizationRole).toString(), QStringLiteral("F16"));
}

QTEST_GUILESS_MAIN(TestModelList)
#include "test_model_list.moc"

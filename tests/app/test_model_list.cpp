// The model picker's list: every .gguf file and Hugging Face folder in the
// models folder, with the architecture, parameter count, quantization and
// context length read on a worker thread, and the reason when a model is
// unreadable.

#include "model/synthetic.h"
#include "model_library/model_file_info.h"
#include "model_library/model_list_model.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTranslator>
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

QString sharedHfFolder(const QString& name)
{
    return QString::fromStdString(test::shared_path("models/hf/" + name.toStdString()));
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
    void weightFormatFollowsLanguage();
    void parameterCountFormat_data();
    void parameterCountFormat();
    void headersAreRead();
    void unreadableFileIsExplained();
    void changedFileIsReadAgain();
    void huggingFaceFolderIsSummarized();
    void folderWithoutWeightsIsExplained();
    void folderGainingWeightsIsReadAgain();
    void otherFoldersAreNotListed();
    void displayNameKeepsFolderDots();
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

void TestModelList::huggingFaceFolderIsSummarized()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString gptq = sharedHfFolder(QStringLiteral("stories260K-wide-gptq-4bit-g128"));
    QVERIFY(QFile::link(gptq, folder.filePath(QStringLiteral("gptq"))));
    QVERIFY(QDir().mkpath(folder.filePath(QStringLiteral("publisher"))));
    QVERIFY(QFile::link(sharedHfFolder(QStringLiteral("stories260K-wide-awq-gemm-4bit-g128")),
                        folder.filePath(QStringLiteral("publisher/awq"))));
    writeTinyModel(folder.filePath(QStringLiteral("tiny-q8.gguf")), GgmlType::Q8_0, 2048);

    ModelListModel models(folder.path());
    QCOMPARE(models.rowCount(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);

    // The GPTQ folder: its format with bits and group size, and its size is
    // that of its safetensors file.
    const QModelIndex folderRow = models.index(rowOf(models, QStringLiteral("gptq")));
    QVERIFY(folderRow.isValid());
    QVERIFY(models.data(folderRow, ModelListModel::FolderRole).toBool());
    QCOMPARE(models.data(folderRow, ModelListModel::KindRole).toString(), QStringLiteral("Hugging Face folder"));
    QCOMPARE(models.data(folderRow, ModelListModel::PathRole).toString(), folder.filePath(QStringLiteral("gptq")));
    QCOMPARE(models.data(folderRow, ModelListModel::SizeBytesRole).toLongLong(),
             QFileInfo(gptq + QStringLiteral("/model.safetensors")).size());
    QVERIFY2(models.data(folderRow, ModelListModel::ProblemRole).toString().isEmpty(),
             qPrintable(models.data(folderRow, ModelListModel::ProblemRole).toString()));
    QCOMPARE(models.data(folderRow, ModelListModel::ArchitectureRole).toString(), QStringLiteral("llama"));
    QCOMPARE(models.data(folderRow, ModelListModel::QuantizationRole).toString(),
             QStringLiteral("GPTQ 4-bit, group 128"));
    QCOMPARE(models.data(folderRow, ModelListModel::ContextLengthRole).toInt(), 2048);
    QVERIFY(models.data(folderRow, ModelListModel::ParametersRole).toLongLong() > 256 * 512);
    const QString details = models.data(folderRow, ModelListModel::DetailsRole).toString();
    QVERIFY2(details.contains(QStringLiteral("GPTQ 4-bit, group 128")) && details.contains(QStringLiteral("2,048")),
             qPrintable(details));

    // The AWQ folder one level down.
    const QModelIndex awq = models.index(rowOf(models, QStringLiteral("awq")));
    QVERIFY(awq.isValid());
    QCOMPARE(models.data(awq, ModelListModel::QuantizationRole).toString(), QStringLiteral("AWQ 4-bit, group 128"));

    // The GGUF file beside them keeps its kind.
    const QModelIndex file = models.index(rowOf(models, QStringLiteral("tiny-q8")));
    QVERIFY(file.isValid());
    QVERIFY(!models.data(file, ModelListModel::FolderRole).toBool());
    QCOMPARE(models.data(file, ModelListModel::KindRole).toString(), QStringLiteral("GGUF file"));
}

void TestModelList::folderWithoutWeightsIsExplained()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString incomplete = folder.filePath(QStringLiteral("incomplete"));
    QVERIFY(QDir().mkpath(incomplete));
    const QString source = sharedHfFolder(QStringLiteral("stories260K-wide-gptq-4bit-g128"));
    QVERIFY(QFile::link(source + QStringLiteral("/config.json"), incomplete + QStringLiteral("/config.json")));

    ModelListModel models(folder.path());
    QCOMPARE(models.rowCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    const QModelIndex index = models.index(0);
    QVERIFY(models.data(index, ModelListModel::FolderRole).toBool());
    const QString problem = models.data(index, ModelListModel::ProblemRole).toString();
    QVERIFY2(problem.contains(incomplete), qPrintable(problem));
    QVERIFY2(problem.contains(QStringLiteral("safetensors")), qPrintable(problem));
    QVERIFY(models.data(index, ModelListModel::DetailsRole).toString().contains(problem));
    QVERIFY(models.data(index, ModelListModel::QuantizationRole).toString().isEmpty());
}

void TestModelList::folderGainingWeightsIsReadAgain()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString model = folder.filePath(QStringLiteral("model"));
    QVERIFY(QDir().mkpath(model));
    const QString source = sharedHfFolder(QStringLiteral("stories260K-wide-gptq-8bit-g128"));
    QVERIFY(QFile::link(source + QStringLiteral("/config.json"), model + QStringLiteral("/config.json")));

    ModelListModel models(folder.path());
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    QVERIFY(!models.data(models.index(0), ModelListModel::ProblemRole).toString().isEmpty());

    // The download finishes: the cached error must not stay.
    for (const char* name : {"model.safetensors", "tokenizer.json", "tokenizer_config.json"})
        QVERIFY(QFile::link(source + QLatin1Char('/') + QLatin1String(name), model + QLatin1Char('/') + QLatin1String(name)));
    models.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
    const QModelIndex index = models.index(0);
    QVERIFY2(models.data(index, ModelListModel::ProblemRole).toString().isEmpty(),
             qPrintable(models.data(index, ModelListModel::ProblemRole).toString()));
    QCOMPARE(models.data(index, ModelListModel::QuantizationRole).toString(), QStringLiteral("GPTQ 8-bit, group 128"));
    QCOMPARE(models.data(index, ModelListModel::SizeBytesRole).toLongLong(),
             QFileInfo(source + QStringLiteral("/model.safetensors")).size());
}

void TestModelList::otherFoldersAreNotListed()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());

    // A plain subfolder, and a folder of GGUF files that also has a
    // config.json: only its .gguf file is a model.
    QVERIFY(QDir().mkpath(folder.filePath(QStringLiteral("notes"))));
    const QString ggufRepo = folder.filePath(QStringLiteral("gguf-repo"));
    QVERIFY(QDir().mkpath(ggufRepo));
    QFile config(ggufRepo + QStringLiteral("/config.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("{\"model_type\": \"llama\"}");
    config.close();
    writeTinyModel(ggufRepo + QStringLiteral("/tiny-q8.gguf"), GgmlType::Q8_0, 1024);

    ModelListModel models(folder.path());
    QCOMPARE(models.rowCount(), 1);
    QCOMPARE(models.data(models.index(0), ModelListModel::NameRole).toString(), QStringLiteral("tiny-q8"));
    QVERIFY(!models.data(models.index(0), ModelListModel::FolderRole).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(!models.scanning(), kTimeoutMs);
}

void TestModelList::displayNameKeepsFolderDots()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString dotted = folder.filePath(QStringLiteral("Llama-3.2-1B-GPTQ"));
    QVERIFY(QDir().mkpath(dotted));
    QCOMPARE(modelDisplayName(dotted), QStringLiteral("Llama-3.2-1B-GPTQ"));
    QCOMPARE(modelDisplayName(dotted + QLatin1Char('/')), QStringLiteral("Llama-3.2-1B-GPTQ"));
    QCOMPARE(modelDisplayName(folder.filePath(QStringLiteral("Llama-3.2-1B.Q4_K_M.gguf"))),
             QStringLiteral("Llama-3.2-1B.Q4_K_M"));
}

// The engine's English format of a folder is shown in the UI language; GGUF
// type names stay as they are.
void TestModelList::weightFormatFollowsLanguage()
{
    QCOMPARE(localizedWeightFormat(QStringLiteral("GPTQ 4-bit, group 128, act-order")),
             QStringLiteral("GPTQ 4-bit, group 128, act-order"));
    QCOMPARE(localizedWeightFormat(QStringLiteral("Q4_K_M")), QStringLiteral("Q4_K_M"));

    QTranslator chinese;
    QVERIFY(chinese.load(QStringLiteral("quanta_zh_CN"), QStringLiteral(":/i18n")));
    QCoreApplication::installTranslator(&chinese);
    QCOMPARE(localizedWeightFormat(QStringLiteral("GPTQ 4-bit, group 128, act-order")),
             QStringLiteral("GPTQ 4 位，每组 128，act-order 排序"));
    QCOMPARE(localizedWeightFormat(QStringLiteral("AWQ 4-bit, group 32")), QStringLiteral("AWQ 4 位，每组 32"));
    QCOMPARE(localizedWeightFormat(QStringLiteral("GPTQ 8-bit, one group per row")),
             QStringLiteral("GPTQ 8 位，每行一组"));
    QCOMPARE(localizedWeightFormat(QStringLiteral("F16")), QStringLiteral("F16"));
    QCoreApplication::removeTranslator(&chinese);
}

QTEST_GUILESS_MAIN(TestModelList)
#include "test_model_list.moc"

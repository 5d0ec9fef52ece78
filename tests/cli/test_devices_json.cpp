// quanta-cli devices --json: the devices, heaps and features as JSON, and
// with -m the memory plan on each device and on the CPU, which must equal
// what the engine's planner (engine/memory_plan.h) computes in-process.
#include "engine/gpu_offload.h"
#include "engine/memory_plan.h"
#include "test_support.h"
#include "vulkan/vulkan_devices.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

namespace {

struct Result {
    int exit_code = -1;
    QString out;
    QString err;
};

Result run_cli(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), arguments);
    Result result;
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("timed out");
        return result;
    }
    result.exit_code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString stories()
{
    return QString::fromStdString(quanta::test::shared_path("models/stories260K.gguf"));
}

// The JSON object on standard output, or an empty one after a failed check.
QJsonObject parse(const Result& result)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(result.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return {};
    return document.object();
}

QJsonObject device_named(const QJsonObject& json, const QString& name)
{
    for (const QJsonValue& device : json.value(QStringLiteral("devices")).toArray()) {
        if (device.toObject().value(QStringLiteral("name")).toString().contains(name))
            return device.toObject();
    }
    return {};
}

qint64 bytes(const QJsonObject& object, const char* section, const char* key)
{
    return object.value(QLatin1String(section)).toObject().value(QLatin1String(key)).toInteger(-1);
}

} // namespace

class TestDevicesJson : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void listsDevicesHeapsAndFeatures();
    void planEqualsEnginePlanner();
    void gpuLayersAndContextChangePlan();
    void usageErrors();
    void missingModelFails();
};

void TestDevicesJson::initTestCase()
{
    if (!quanta::test::shared_available())
        QSKIP("the shared models folder is not available");
}

void TestDevicesJson::listsDevicesHeapsAndFeatures()
{
    const Result result = run_cli({QStringLiteral("devices"), QStringLiteral("--json")});
    QCOMPARE(result.exit_code, 0);
    const QJsonObject json = parse(result);
    QVERIFY2(!json.isEmpty(), qPrintable(result.out));
    QVERIFY(json.value(QStringLiteral("error")).isNull());
    QVERIFY(!json.contains(QStringLiteral("model")));

    // CI has lavapipe: one software device, without the budget extension.
    const QJsonObject device = device_named(json, QStringLiteral("llvmpipe"));
    QVERIFY2(!device.isEmpty(), qPrintable(result.out));
    QCOMPARE(device.value(QStringLiteral("kind")).toString(), QStringLiteral("CPU"));
    QCOMPARE(device.value(QStringLiteral("uuid")).toString().size(), 36);
    QVERIFY(device.value(QStringLiteral("usable")).toBool());
    QVERIFY(!device.contains(QStringLiteral("plan")));
    const QJsonArray heaps = device.value(QStringLiteral("heaps")).toArray();
    QVERIFY(!heaps.isEmpty());
    for (const QJsonValue& value : heaps) {
        const QJsonObject heap = value.toObject();
        QVERIFY(heap.value(QStringLiteral("size")).toInteger() > 0);
        QVERIFY(heap.value(QStringLiteral("budget")).toInteger() > 0);
        QVERIFY(heap.value(QStringLiteral("usage")).isDouble());
        QVERIFY(heap.value(QStringLiteral("device_local")).isBool());
    }
    const QJsonObject features = device.value(QStringLiteral("features")).toObject();
    QVERIFY(features.value(QStringLiteral("storage_16bit")).toBool());
    const bool budget = features.value(QStringLiteral("memory_budget")).toBool();
    QCOMPARE(device.value(QStringLiteral("budget_is_estimate")).toBool(), !budget);
    QVERIFY(features.value(QStringLiteral("subgroup_size")).toInt() > 0);

    // The text listing shows the same device.
    const Result text = run_cli({QStringLiteral("devices")});
    QCOMPARE(text.exit_code, 0);
    QVERIFY(text.out.contains(device.value(QStringLiteral("name")).toString()));
}

void TestDevicesJson::planEqualsEnginePlanner()
{
    const Result result = run_cli({QStringLiteral("devices"), QStringLiteral("--json"), QStringLiteral("-m"), stories(),
                                   QStringLiteral("--ctx"), QStringLiteral("256")});
    QCOMPARE(result.exit_code, 0);
    const QJsonObject json = parse(result);
    QVERIFY2(!json.isEmpty(), qPrintable(result.out));
    const QJsonObject model = json.value(QStringLiteral("model")).toObject();
    QCOMPARE(model.value(QStringLiteral("n_layer")).toInt(), 5);
    QCOMPARE(model.value(QStringLiteral("architecture")).toString(), QStringLiteral("llama"));

    // The same plans in-process.
    const quanta::ModelMemoryLayout layout = quanta::describe_model_memory(stories().toStdString());
    quanta::MemoryPlanRequest cpu_request;
    cpu_request.n_ctx = 256;
    const quanta::MemoryPlan cpu = quanta::plan_memory(layout, cpu_request);
    const quanta::GpuChoice lavapipe = quanta::choose_gpu("llvmpipe");
    QVERIFY2(lavapipe.device, lavapipe.reason.c_str());
    quanta::MemoryPlanRequest gpu_request = quanta::gpu_plan_request(*lavapipe.device);
    gpu_request.n_ctx = 256;
    const quanta::MemoryPlan gpu = quanta::plan_memory(layout, gpu_request);

    // On the CPU alone every layer's cache is in RAM.
    const QJsonObject cpu_plan = json.value(QStringLiteral("cpu_plan")).toObject();
    QCOMPARE(cpu_plan.value(QStringLiteral("n_ctx")).toInt(), 256);
    QCOMPARE(cpu_plan.value(QStringLiteral("gpu_layers")).toInt(), 0);
    QCOMPARE(bytes(cpu_plan, "ram", "kv_cache"), qint64(cpu.ram_kv_cache));
    QCOMPARE(bytes(cpu_plan, "ram", "kv_cache"), qint64(5 * 2 * 256 * 32 * 2));
    QCOMPARE(bytes(cpu_plan, "ram", "scratch"), qint64(cpu.ram_scratch));
    QCOMPARE(bytes(cpu_plan, "ram", "total"), qint64(cpu.ram_total));
    QCOMPARE(bytes(cpu_plan, "gpu", "total"), qint64(0));
    QVERIFY(cpu_plan.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("budget")).isNull());

    // On lavapipe every layer fits.
    const QJsonObject plan = device_named(json, QStringLiteral("llvmpipe")).value(QStringLiteral("plan")).toObject();
    QVERIFY2(!plan.isEmpty(), qPrintable(result.out));
    QCOMPARE(plan.value(QStringLiteral("gpu_layers")).toInt(), gpu.gpu_layers);
    QCOMPARE(plan.value(QStringLiteral("gpu_layers")).toInt(), 5);
    QCOMPARE(plan.value(QStringLiteral("gpu_output")).toBool(), gpu.gpu_output);
    QVERIFY(plan.value(QStringLiteral("fits")).toBool());
    QCOMPARE(bytes(plan, "gpu", "budget"), qint64(*gpu.gpu_budget));
    QCOMPARE(bytes(plan, "gpu", "weights"), qint64(gpu.gpu_weights));
    QCOMPARE(bytes(plan, "gpu", "kv_cache"), qint64(gpu.gpu_kv_cache));
    QCOMPARE(bytes(plan, "gpu", "scratch"), qint64(gpu.gpu_scratch));
    QCOMPARE(bytes(plan, "gpu", "staging"), qint64(gpu.gpu_staging));
    QCOMPARE(bytes(plan, "gpu", "total"), qint64(gpu.gpu_total));
    QCOMPARE(bytes(plan, "gpu", "peak"), qint64(gpu.gpu_peak));
    QCOMPARE(bytes(plan, "gpu", "total"),
             bytes(plan, "gpu", "weights") + bytes(plan, "gpu", "kv_cache") + bytes(plan, "gpu", "scratch"));
    QCOMPARE(bytes(plan, "ram", "kv_cache"), qint64(0));
    const QJsonArray by_layer = plan.value(QStringLiteral("gpu")).toObject().value(QStringLiteral("weights_by_layer")).toArray();
    QCOMPARE(by_layer.size(), 5);
    for (int il = 0; il < by_layer.size(); ++il)
        QCOMPARE(by_layer.at(il).toInteger(), qint64(gpu.gpu_weights_by_layer[static_cast<size_t>(il)]));
}

void TestDevicesJson::gpuLayersAndContextChangePlan()
{
    const Result result = run_cli({QStringLiteral("devices"), QStringLiteral("--json"), QStringLiteral("-m"), stories(),
                                   QStringLiteral("--ctx"), QStringLiteral("128"), QStringLiteral("--gpu-layers"),
                                   QStringLiteral("2")});
    QCOMPARE(result.exit_code, 0);
    const QJsonObject plan =
        device_named(parse(result), QStringLiteral("llvmpipe")).value(QStringLiteral("plan")).toObject();
    QVERIFY2(!plan.isEmpty(), qPrintable(result.out));
    QCOMPARE(plan.value(QStringLiteral("n_ctx")).toInt(), 128);
    QCOMPARE(plan.value(QStringLiteral("gpu_layers")).toInt(), 2);
    QVERIFY(!plan.value(QStringLiteral("gpu_output")).toBool());
    // The 3 CPU layers keep their F16 keys and values in RAM.
    QCOMPARE(bytes(plan, "ram", "kv_cache"), qint64(3 * 2 * 128 * 32 * 2));

    // The text form prints the plan too.
    const Result text = run_cli({QStringLiteral("devices"), QStringLiteral("-m"), stories(), QStringLiteral("--ctx"),
                                 QStringLiteral("128"), QStringLiteral("--gpu-layers"), QStringLiteral("2")});
    QCOMPARE(text.exit_code, 0);
    QVERIFY2(text.out.contains(QStringLiteral("2 of 5 layers on the GPU")), qPrintable(text.out));
    QVERIFY2(text.out.contains(QStringLiteral("every layer on the CPU")), qPrintable(text.out));
}

void TestDevicesJson::usageErrors()
{
    const QList<QStringList> cases = {
        {QStringLiteral("devices"), QStringLiteral("--json"), QStringLiteral("--ctx"), QStringLiteral("256")},
        {QStringLiteral("devices"), QStringLiteral("-m"), stories(), QStringLiteral("--ctx"), QStringLiteral("0")},
        {QStringLiteral("devices"), QStringLiteral("-m"), stories(), QStringLiteral("--gpu-layers"), QStringLiteral("x")},
        {QStringLiteral("devices"), QStringLiteral("extra")},
    };
    for (const QStringList& arguments : cases) {
        const Result result = run_cli(arguments);
        QVERIFY2(result.exit_code == 2, qPrintable(arguments.join(u' ') + QStringLiteral(": ") + result.err));
        QVERIFY2(result.err.contains(QStringLiteral("usage: quanta-cli devices")), qPrintable(result.err));
    }
}

void TestDevicesJson::missingModelFails()
{
    const QString missing = QStringLiteral("/nonexistent/model.gguf");
    const Result result = run_cli({QStringLiteral("devices"), QStringLiteral("--json"), QStringLiteral("-m"), missing});
    QCOMPARE(result.exit_code, 1);
    QVERIFY2(result.err.contains(missing), qPrintable(result.err));
    QVERIFY(result.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestDevicesJson)
#include "test_devices_json.moc"

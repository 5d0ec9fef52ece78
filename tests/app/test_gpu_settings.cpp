// The compute device settings with the real Vulkan loader and Mesa's
// lavapipe, a Vulkan driver that runs on the CPU and names its device
// "llvmpipe (...)". The settings persist, the settings dialog lists the
// device, and the window shows where stories260K.gguf runs and why it fell
// back to the CPU when it did. Screenshots go to <build>/screenshots/.

#include "app_context.h"
#include "chats/chat_controller.h"
#include "chats/message_list_model.h"
#include "generation/inference_service.h"
#include "settings/backend_settings.h"
#include "settings/language_settings.h"
#include "storage/chat_store.h"
#include "test_support.h"
#include "ui_test_base.h"

#include <QDir>
#include <QLocale>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace quanta;

namespace {

// Loading stories260K on lavapipe and generating a reply takes a few
// seconds. The limit only has to catch a hang.
constexpr int kTimeoutMs = 120000;

// A UUID that no device has.
const QString kUnknownUuid = QStringLiteral("01234567-89ab-cdef-0123-456789abcdef");

QString sharedModel()
{
    return QString::fromStdString(test::shared_path("models/stories260K.gguf"));
}

using test::findItems;
using test::screenshotPath;

// The device entry of `settings` whose name contains `part`, or an empty map.
QVariantMap deviceNamed(const BackendSettings& settings, const QString& part)
{
    for (const QVariant& device : settings.devices()) {
        const QVariantMap map = device.toMap();
        if (map.value(QStringLiteral("name")).toString().contains(part))
            return map;
    }
    return {};
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

class TestGpuSettings : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void settingsPersistAcrossRestarts();
    void invalidSavedValuesUseDefaults();
    void deviceListHasLlvmpipe();
    void llvmpipeRunsLayers();
    void autoSkipsSoftwareDevice();
    void unknownUuidFallsBackToCpu();
    void missingVulkanShownInWindow_data();
    void missingVulkanShownInWindow();
    void dialogChoiceReloadsAndPersists();
    void layerCountChangeReloads();
    void changeDuringReplyWaits();
    void contextLengthChangeReloads();

private:
    QString settingsPath() const { return dir_->filePath(QStringLiteral("settings.ini")); }
    // Writes the compute settings the next startApp() reads.
    void saveDevice(const QString& device, int gpuLayers = -1);
    // Finds the lavapipe device's UUID through BackendSettings.
    void findLlvmpipe(QString& uuid);
    void startApp(const QString& modelPath);
    void stopApp();
    void waitForModel();
    QQuickWindow* window() const;
    // The visible item with this object name, else the first hidden one.
    QQuickItem* item(const char* objectName) const;
    void click(QQuickItem* target);
    void openSettings(QObject*& dialog);
    // Picks the device-list entry whose text contains `part`.
    void chooseDevice(const QString& part);
    void saveScreenshot(const QString& name);

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<AppContext> context_;
    std::unique_ptr<QQmlApplicationEngine> engine_;
};

void TestGpuSettings::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY2(dir_->isValid(), qPrintable(dir_->errorString()));
    // A warning from our QML means part of the window does not work.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("qrc:/qt/qml/Quanta/")));
}

void TestGpuSettings::cleanup()
{
    stopApp();
    dir_.reset();
    qunsetenv("QUANTA_VULKAN_LOADER");
    qunsetenv("VK_ICD_FILENAMES");
}

void TestGpuSettings::saveDevice(const QString& device, int gpuLayers)
{
    QSettings settings(settingsPath(), QSettings::IniFormat);
    settings.setValue(QStringLiteral("compute/device"), device);
    settings.setValue(QStringLiteral("compute/gpuLayers"), gpuLayers);
}

void TestGpuSettings::findLlvmpipe(QString& uuid)
{
    QSettings settings(dir_->filePath(QStringLiteral("probe.ini")), QSettings::IniFormat);
    BackendSettings backend(settings);
    backend.refreshDevices();
    QTRY_VERIFY_WITH_TIMEOUT(!backend.enumerating(), kTimeoutMs);
    QVERIFY2(backend.enumerationError().isEmpty(), qPrintable(backend.enumerationError()));
    const QVariantMap device = deviceNamed(backend, QStringLiteral("llvmpipe"));
    QVERIFY2(!device.isEmpty(), "no llvmpipe device: install mesa-vulkan-drivers");
    uuid = device.value(QStringLiteral("uuid")).toString();
    QVERIFY(BackendSettings::isValidDevice(uuid));
}

void TestGpuSettings::startApp(const QString& modelPath)
{
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        settings.setValue(QStringLiteral("ui/language"), QStringLiteral("en"));
    }
    AppOptions options;
    options.databasePath = dir_->filePath(QStringLiteral("chats.sqlite"));
    options.modelsFolder = dir_->filePath(QStringLiteral("models"));
    options.settingsPath = settingsPath();
    options.modelPath = modelPath;

    context_ = std::make_unique<AppContext>(options);
    engine_ = std::make_unique<QQmlApplicationEngine>();
    QVERIFY(context_->start(*engine_));
    QVERIFY(window() != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(window()));
}

void TestGpuSettings::stopApp()
{
    // The window refers to the context's services, so it goes first.
    engine_.reset();
    context_.reset();
}

void TestGpuSettings::waitForModel()
{
    InferenceService& inference = context_->inference();
    QTRY_VERIFY_WITH_TIMEOUT(inference.modelLoaded() && !inference.loading(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!context_->backend().enumerating(), kTimeoutMs);
    QVERIFY(inference.layerCount() > 0);
}

QQuickWindow* TestGpuSettings::window() const
{
    const QList<QObject*> roots = engine_->rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.first());
}

QQuickItem* TestGpuSettings::item(const char* objectName) const
{
    const QList<QQuickItem*> found = findItems(window()->contentItem(), QString::fromLatin1(objectName));
    for (QQuickItem* candidate : found) {
        if (candidate->isVisible())
            return candidate;
    }
    return found.isEmpty() ? window()->findChild<QQuickItem*>(QString::fromLatin1(objectName)) : found.first();
}

void TestGpuSettings::click(QQuickItem* target)
{
    QVERIFY(target != nullptr);
    QVERIFY(target->isVisible());
    const QPointF center = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
    QTest::mouseClick(window(), Qt::LeftButton, Qt::NoModifier, center.toPoint());
}

void TestGpuSettings::openSettings(QObject*& dialog)
{
    CHECKED(click(item("settingsButton")));
    dialog = window()->findChild<QObject*>(QStringLiteral("settingsDialog"));
    QVERIFY(dialog != nullptr);
    QTRY_VERIFY(dialog->property("opened").toBool());
}

void TestGpuSettings::chooseDevice(const QString& part)
{
    QQuickItem* combo = item("deviceCombo");
    QVERIFY(combo != nullptr);
    CHECKED(click(combo));
    QQuickItem* option = nullptr;
    QTRY_VERIFY([&] {
        for (QQuickItem* candidate : findItems(window()->contentItem(), QStringLiteral("deviceOption"))) {
            if (candidate->isVisible() && candidate->property("text").toString().contains(part))
                option = candidate;
        }
        return option != nullptr;
    }());
    QVERIFY(option->isEnabled());
    CHECKED(click(option));
    QTRY_VERIFY(combo->property("currentText").toString().contains(part));
}

void TestGpuSettings::saveScreenshot(const QString& name)
{
    const QImage image = window()->grabWindow();
    QVERIFY(!image.isNull());
    const QString path = screenshotPath(name);
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo().noquote() << "Screenshot:" << path;
}

void TestGpuSettings::settingsPersistAcrossRestarts()
{
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        BackendSettings backend(settings);
        QCOMPARE(backend.device(), BackendSettings::kAuto);
        QCOMPARE(backend.gpuLayers(), -1);
        backend.setDevice(kUnknownUuid.toUpper());
        backend.setGpuLayers(7);
        QCOMPARE(backend.contextLength(), 0);
        backend.setContextLength(2048);
        QCOMPARE(backend.device(), kUnknownUuid);
    }
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        BackendSettings backend(settings);
        QCOMPARE(backend.device(), kUnknownUuid);
        QCOMPARE(backend.gpuLayers(), 7);
        QCOMPARE(backend.choice().device, kUnknownUuid);
        QCOMPARE(backend.choice().gpuLayers, 7);
        QCOMPARE(backend.choice().contextLength, 2048);
        backend.setDevice(BackendSettings::kCpu);
        backend.setGpuLayers(-1);
        backend.setContextLength(0);
    }
    QSettings settings(settingsPath(), QSettings::IniFormat);
    BackendSettings backend(settings);
    QCOMPARE(backend.device(), BackendSettings::kCpu);
    QCOMPARE(backend.gpuLayers(), -1);
    QCOMPARE(backend.contextLength(), 0);
}

void TestGpuSettings::invalidSavedValuesUseDefaults()
{
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        settings.setValue(QStringLiteral("compute/device"), QStringLiteral("my favourite GPU"));
        settings.setValue(QStringLiteral("compute/gpuLayers"), QStringLiteral("lots"));
        settings.setValue(QStringLiteral("compute/contextLength"), 100);
    }
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Unknown compute device")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Invalid GPU layer count")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Invalid context length")));
    QSettings settings(settingsPath(), QSettings::IniFormat);
    BackendSettings backend(settings);
    QCOMPARE(backend.device(), BackendSettings::kAuto);
    QCOMPARE(backend.gpuLayers(), -1);
    QCOMPARE(backend.contextLength(), 0);

    // Values from elsewhere (QML) are checked the same way.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Ignoring unknown compute device")));
    backend.setDevice(QStringLiteral("0123"));
    QCOMPARE(backend.device(), BackendSettings::kAuto);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Ignoring GPU layer count")));
    backend.setGpuLayers(-2);
    QCOMPARE(backend.gpuLayers(), -1);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Ignoring context length")));
    backend.setContextLength(DeviceChoice::kMaxContextLength + 1);
    QCOMPARE(backend.contextLength(), 0);
}

void TestGpuSettings::deviceListHasLlvmpipe()
{
    QSettings settings(settingsPath(), QSettings::IniFormat);
    BackendSettings backend(settings);
    QVERIFY(backend.devices().isEmpty());
    backend.refreshDevices();
    QVERIFY(backend.enumerating());
    QTRY_VERIFY_WITH_TIMEOUT(!backend.enumerating(), kTimeoutMs);
    QVERIFY2(backend.enumerationError().isEmpty(), qPrintable(backend.enumerationError()));

    const QVariantMap device = deviceNamed(backend, QStringLiteral("llvmpipe"));
    QVERIFY2(!device.isEmpty(), "no llvmpipe device: install mesa-vulkan-drivers");
    QCOMPARE(device.value(QStringLiteral("kind")).toString(), QStringLiteral("software"));
    QCOMPARE(device.value(QStringLiteral("usable")).toBool(), true);
    QCOMPARE(device.value(QStringLiteral("reason")).toString(), QString());
    QVERIFY(BackendSettings::isValidDevice(device.value(QStringLiteral("uuid")).toString()));
    const QString label = device.value(QStringLiteral("label")).toString();
    QVERIFY2(label.contains(QStringLiteral("llvmpipe")), qPrintable(label));
    QVERIFY2(label.contains(QStringLiteral("software")), qPrintable(label));
}

void TestGpuSettings::llvmpipeRunsLayers()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QString uuid;
    CHECKED(findLlvmpipe(uuid));
    saveDevice(uuid);
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();

    // Every layer runs on lavapipe, and nothing fell back.
    QVERIFY2(inference.gpuDevice().contains(QStringLiteral("llvmpipe")), qPrintable(inference.gpuDevice()));
    QCOMPARE(inference.gpuLayers(), inference.layerCount());
    QVERIFY2(inference.gpuFallbackReason().isEmpty(), qPrintable(inference.gpuFallbackReason()));

    // The top bar names the device, without a warning.
    QQuickItem* status = item("deviceStatus");
    QVERIFY(status->isVisible());
    QVERIFY2(status->property("text").toString().contains(QStringLiteral("llvmpipe")),
             qPrintable(status->property("text").toString()));
    QVERIFY(!item("deviceWarning")->isVisible());
    const QString details = status->property("details").toString();
    QVERIFY2(details.contains(QStringLiteral("%1 of %1 layers run on llvmpipe").arg(inference.layerCount())),
             qPrintable(details));

    // A reply comes from the GPU path.
    QQuickItem* input = item("messageInput");
    input->setProperty("text", QStringLiteral("Once upon a time"));
    CHECKED(click(item("sendButton")));
    QVERIFY(inference.generating());
    QTRY_VERIFY_WITH_TIMEOUT(!inference.generating(), kTimeoutMs);
    ChatController& controller = context_->controller();
    QVERIFY2(controller.errorMessage().isEmpty(), qPrintable(controller.errorMessage()));
    QVERIFY(controller.lastReplyTokens() > 0);
    CHECKED(saveScreenshot(QStringLiteral("gpu-llvmpipe.png")));
}

void TestGpuSettings::autoSkipsSoftwareDevice()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();
    QCOMPARE(context_->backend().device(), BackendSettings::kAuto);
    if (inference.gpuLayers() > 0)
        QSKIP("This machine has a hardware Vulkan device, which \"auto\" picks");

    // The software device is skipped, and the reason is in the model's
    // state and in the window.
    QCOMPARE(inference.gpuDevice(), QString());
    const QString reason = inference.gpuFallbackReason();
    QVERIFY2(reason.contains(QStringLiteral("software")), qPrintable(reason));
    QQuickItem* status = item("deviceStatus");
    QVERIFY(status->isVisible());
    QCOMPARE(status->property("text").toString(), QStringLiteral("CPU"));
    QVERIFY(item("deviceWarning")->isVisible());
    QCOMPARE(status->property("details").toString(), QStringLiteral("The model runs on the CPU: %1").arg(reason));

    // The settings dialog shows the reason in full.
    QObject* dialog = nullptr;
    CHECKED(openSettings(dialog));
    QQuickItem* inUse = item("deviceInUse");
    QVERIFY(inUse->isVisible());
    QVERIFY2(inUse->property("text").toString().contains(reason), qPrintable(inUse->property("text").toString()));
    QCOMPARE(item("deviceCombo")->property("currentText").toString(), QStringLiteral("Automatic"));
    CHECKED(saveScreenshot(QStringLiteral("settings-compute-auto.png")));

    // In Chinese, the device texts change at once.
    context_->language().setLanguage(LanguageSettings::kChinese);
    QCOMPARE(item("deviceCombo")->property("currentText").toString(), QStringLiteral("自动"));
    QCOMPARE(status->property("details").toString(), QStringLiteral("模型在 CPU 上运行：%1").arg(reason));
    const QVariantMap device = deviceNamed(context_->backend(), QStringLiteral("llvmpipe"));
    QVERIFY2(device.value(QStringLiteral("label")).toString().contains(QStringLiteral("软件实现")),
             qPrintable(device.value(QStringLiteral("label")).toString()));
    CHECKED(saveScreenshot(QStringLiteral("settings-compute-auto_zh_CN.png")));
}

void TestGpuSettings::unknownUuidFallsBackToCpu()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    saveDevice(kUnknownUuid);
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();

    // The model runs on the CPU, and the reason names the saved UUID.
    QCOMPARE(inference.gpuLayers(), 0);
    QCOMPARE(inference.gpuDevice(), QString());
    QVERIFY2(inference.gpuFallbackReason().contains(kUnknownUuid), qPrintable(inference.gpuFallbackReason()));
    QVERIFY(item("deviceWarning")->isVisible());
    QVERIFY(item("deviceStatus")->property("details").toString().contains(kUnknownUuid));
    QVERIFY(context_->controller().canSend());

    // The device list keeps the saved device, marked as not found.
    QObject* dialog = nullptr;
    CHECKED(openSettings(dialog));
    const QString current = item("deviceCombo")->property("currentText").toString();
    QCOMPARE(current, QStringLiteral("Device not found (%1)").arg(kUnknownUuid));
    CHECKED(saveScreenshot(QStringLiteral("settings-compute-unknown.png")));
}

void TestGpuSettings::missingVulkanShownInWindow_data()
{
    QTest::addColumn<QByteArray>("variable");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no loader") << QByteArray("QUANTA_VULKAN_LOADER") << QByteArray("/nonexistent/libvulkan.so.1")
                               << QStringLiteral("no Vulkan loader");
    QTest::newRow("no driver") << QByteArray("VK_ICD_FILENAMES") << QByteArray("/nonexistent/icd.json")
                               << QString();
}

void TestGpuSettings::missingVulkanShownInWindow()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QFETCH(QByteArray, variable);
    QFETCH(QByteArray, value);
    QFETCH(QString, expected);
    qputenv(variable.constData(), value);
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();
    BackendSettings& backend = context_->backend();

    // The model runs on the CPU and reports the reason.
    QCOMPARE(inference.gpuLayers(), 0);
    const QString reason = inference.gpuFallbackReason();
    QVERIFY(!reason.isEmpty());
    QVERIFY2(reason.contains(expected), qPrintable(reason));
    QVERIFY(item("deviceWarning")->isVisible());
    QCOMPARE(item("deviceStatus")->property("text").toString(), QStringLiteral("CPU"));
    QVERIFY(item("deviceStatus")->property("details").toString().contains(reason));

    // The device list is empty, with the reason.
    QVERIFY(backend.devices().isEmpty());
    if (!backend.enumerationError().isEmpty())
        QVERIFY2(backend.enumerationError().contains(expected), qPrintable(backend.enumerationError()));
    QObject* dialog = nullptr;
    CHECKED(openSettings(dialog));
    QCOMPARE(item("deviceCombo")->property("count").toInt(), 2);
    const QString listStatus = item("deviceListStatus")->property("text").toString();
    QVERIFY2(listStatus.contains(QStringLiteral("models run on the CPU")), qPrintable(listStatus));
    QVERIFY2(listStatus.contains(backend.enumerationError()), qPrintable(listStatus));
    if (variable == "QUANTA_VULKAN_LOADER")
        CHECKED(saveScreenshot(QStringLiteral("settings-compute-no-vulkan.png")));
}

void TestGpuSettings::dialogChoiceReloadsAndPersists()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QString uuid;
    CHECKED(findLlvmpipe(uuid));
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();

    // Step 1: the dialog lists Automatic, CPU only and lavapipe.
    QObject* dialog = nullptr;
    CHECKED(openSettings(dialog));
    QQuickItem* combo = item("deviceCombo");
    QVERIFY(combo->property("count").toInt() >= 3);
    QStringList texts;
    for (int i = 0; i < combo->property("count").toInt(); ++i) {
        QString text;
        QVERIFY(QMetaObject::invokeMethod(combo, "textAt", Q_RETURN_ARG(QString, text), Q_ARG(int, i)));
        texts.append(text);
    }
    QCOMPARE(texts.at(0), QStringLiteral("Automatic"));
    QCOMPARE(texts.at(1), QStringLiteral("CPU only"));
    QVERIFY2(texts.filter(QStringLiteral("llvmpipe")).size() == 1, qPrintable(texts.join(QLatin1Char('|'))));
    QVERIFY2(texts.filter(QStringLiteral("llvmpipe")).first().contains(QStringLiteral("software")),
             qPrintable(texts.join(QLatin1Char('|'))));

    // Step 2: choosing lavapipe saves its UUID and loads the model again there.
    CHECKED(chooseDevice(QStringLiteral("llvmpipe")));
    QCOMPARE(context_->backend().device(), uuid);
    QVERIFY(inference.loading());
    CHECKED(waitForModel());
    QVERIFY2(inference.gpuDevice().contains(QStringLiteral("llvmpipe")), qPrintable(inference.gpuDevice()));
    QCOMPARE(inference.gpuLayers(), inference.layerCount());
    QTRY_VERIFY(item("deviceInUse")->property("text").toString().contains(QStringLiteral("llvmpipe")));
    QVERIFY(!item("deviceWarning")->isVisible());
    CHECKED(saveScreenshot(QStringLiteral("settings-compute-llvmpipe.png")));
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("compute/device")).toString(), uuid);
    }

    // Step 3: after a restart the model loads on lavapipe again.
    stopApp();
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    QCOMPARE(context_->backend().device(), uuid);
    QVERIFY(context_->inference().gpuDevice().contains(QStringLiteral("llvmpipe")));

    // Step 4: "CPU only" moves it to the CPU, with no fallback warning.
    CHECKED(openSettings(dialog));
    CHECKED(chooseDevice(QStringLiteral("CPU only")));
    QCOMPARE(context_->backend().device(), BackendSettings::kCpu);
    CHECKED(waitForModel());
    QCOMPARE(context_->inference().gpuLayers(), 0);
    QCOMPARE(context_->inference().gpuFallbackReason(), QString());
    QCOMPARE(item("deviceStatus")->property("text").toString(), QStringLiteral("CPU"));
    QVERIFY(!item("deviceWarning")->isVisible());
    QTRY_COMPARE(item("deviceInUse")->property("text").toString(), QStringLiteral("The model runs on the CPU."));
}

void TestGpuSettings::layerCountChangeReloads()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QString uuid;
    CHECKED(findLlvmpipe(uuid));
    saveDevice(uuid);
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();
    const int layerCount = inference.layerCount();
    QVERIFY2(layerCount >= 3, "the test takes two layers off the GPU");

    // Step 1: turning "Automatic" off keeps every layer on the GPU.
    QObject* dialog = nullptr;
    CHECKED(openSettings(dialog));
    QQuickItem* spin = item("gpuLayersSpin");
    QVERIFY(!spin->isEnabled());
    CHECKED(click(item("gpuLayersAuto")));
    QCOMPARE(context_->backend().gpuLayers(), layerCount);
    QVERIFY(spin->isEnabled());
    CHECKED(waitForModel());
    QCOMPARE(inference.gpuLayers(), layerCount);

    // Step 2: two steps down on the spin box; the last reload wins.
    spin->forceActiveFocus();
    QTRY_VERIFY(spin->hasActiveFocus());
    QTest::keyClick(window(), Qt::Key_Down);
    QTest::keyClick(window(), Qt::Key_Down);
    QCOMPARE(context_->backend().gpuLayers(), layerCount - 2);
    CHECKED(waitForModel());
    QCOMPARE(inference.gpuLayers(), layerCount - 2);
    QVERIFY2(inference.gpuFallbackReason().isEmpty(), qPrintable(inference.gpuFallbackReason()));
    const QString expected = QStringLiteral("%1 of %2 layers run on").arg(layerCount - 2).arg(layerCount);
    QTRY_VERIFY2(item("deviceInUse")->property("text").toString().contains(expected),
                 qPrintable(item("deviceInUse")->property("text").toString()));
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("compute/gpuLayers")).toInt(), layerCount - 2);
    }
    CHECKED(saveScreenshot(QStringLiteral("settings-compute-layers.png")));

    // Step 3: "Automatic" again puts every layer back.
    CHECKED(click(item("gpuLayersAuto")));
    QCOMPARE(context_->backend().gpuLayers(), -1);
    CHECKED(waitForModel());
    QCOMPARE(inference.gpuLayers(), layerCount);
}

void TestGpuSettings::changeDuringReplyWaits()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    QString uuid;
    CHECKED(findLlvmpipe(uuid));
    saveDevice(BackendSettings::kCpu);
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();
    ChatController& controller = context_->controller();
    QCOMPARE(inference.gpuLayers(), 0);

    // Step 1: a device change while a reply streams does not stop the reply.
    QList<StopReason> stopReasons;
    connect(&inference, &InferenceService::generationFinished, this,
            [&](quint64, const GenerationOutcome& outcome) { stopReasons.append(outcome.reason); });
    item("messageInput")->setProperty("text", QStringLiteral("Once upon a time"));
    CHECKED(click(item("sendButton")));
    QVERIFY(inference.generating());
    context_->backend().setDevice(uuid);
    QVERIFY(inference.reloadPending());
    QVERIFY(!inference.loading());
    QVERIFY(inference.modelLoaded());
    QVERIFY(item("deviceInUse")->property("text").toString().contains(QStringLiteral("when the reply finishes")));

    // Step 2: the reply ends on its own, then the model loads on lavapipe.
    QTRY_VERIFY_WITH_TIMEOUT(!inference.generating(), kTimeoutMs);
    QCOMPARE(stopReasons.size(), 1);
    QVERIFY2(stopReasons.first() != StopReason::Cancelled, stop_reason_name(stopReasons.first()));
    const QList<MessageRecord> saved = context_->store().messages(controller.currentChatId());
    QCOMPARE(saved.size(), 2);
    QVERIFY(saved[1].complete);
    QCOMPARE(context_->messages().data(context_->messages().index(1), MessageListModel::InterruptedRole).toBool(),
             false);
    QVERIFY(!inference.reloadPending());
    CHECKED(waitForModel());
    QVERIFY2(inference.gpuDevice().contains(QStringLiteral("llvmpipe")), qPrintable(inference.gpuDevice()));
    QTRY_VERIFY(controller.canSend());
}

void TestGpuSettings::contextLengthChangeReloads()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    saveDevice(BackendSettings::kCpu);
    CHECKED(startApp(sharedModel()));
    CHECKED(waitForModel());
    InferenceService& inference = context_->inference();
    const int trained = inference.trainingContextSize();
    QVERIFY2(trained > 300, "the test asks for 300 tokens, less than the training context");
    QCOMPARE(inference.contextSize(), std::min(trained, 4096));

    // Step 1: a length from the settings loads the model again with it,
    // and the dialog shows it.
    QObject* dialog = nullptr;
    CHECKED(openSettings(dialog));
    QVERIFY(item("contextAuto")->property("checked").toBool());
    QVERIFY(!item("contextSpin")->isEnabled());
    QTRY_VERIFY(item("contextNote")->property("text").toString().contains(QLocale().toString(trained)));
    context_->backend().setContextLength(300);
    QTRY_VERIFY_WITH_TIMEOUT(inference.contextSize() == 300 && !inference.loading(), kTimeoutMs);
    QVERIFY(!item("contextAuto")->property("checked").toBool());
    QVERIFY(item("contextSpin")->isEnabled());
    QCOMPARE(item("contextSpin")->property("value").toInt(), 300);
    CHECKED(saveScreenshot(QStringLiteral("settings-context-length.png")));

    // Steps on the spin box apply once, after the user stops: two steps of
    // 512 reload the model once, with the last value.
    QQuickItem* spin = item("contextSpin");
    spin->forceActiveFocus();
    QTRY_VERIFY(spin->hasActiveFocus());
    QTest::keyClick(window(), Qt::Key_Up);
    QTest::keyClick(window(), Qt::Key_Up);
    QCOMPARE(spin->property("value").toInt(), 1324);
    QCOMPARE(context_->backend().contextLength(), 300);
    QTRY_COMPARE(context_->backend().contextLength(), 1324);
    QTRY_VERIFY_WITH_TIMEOUT(inference.contextSize() == 1324 && !inference.loading(), kTimeoutMs);
    // The spin box ends at the training context.
    QCOMPARE(spin->property("to").toInt(), trained);

    // Step 2: a length past the training context gets the training context.
    context_->backend().setContextLength(trained + 1024);
    QTRY_VERIFY_WITH_TIMEOUT(inference.contextSize() == trained && !inference.loading(), kTimeoutMs);

    // Step 3: "Automatic" goes back to the default, and the choice persists.
    // The model already has that context, so it is not loaded again.
    CHECKED(click(item("contextAuto")));
    QCOMPARE(context_->backend().contextLength(), 0);
    QCOMPARE(inference.contextSize(), std::min(trained, 4096));
    QVERIFY(!inference.loading());
    QSettings settings(settingsPath(), QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("compute/contextLength")).toInt(), 0);
}

QTEST_MAIN(TestGpuSettings)
#include "test_gpu_settings.moc"

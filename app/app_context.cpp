#include "app_context.h"

#include "api/api_server.h"
#include "api/api_settings.h"
#include "chats/chat_controller.h"
#include "chats/chat_list_model.h"
#include "chats/chat_search_model.h"
#include "chats/message_list_model.h"
#include "compare/compare_controller.h"
#include "compare/compare_store.h"
#include "generation/inference_service.h"
#include "logging/engine_log_bridge.h"
#include "logging/log_categories.h"
#include "memory/memory_monitor.h"
#include "memory/memory_planner.h"
#include "model_library/model_library.h"
#include "model_library/model_list_model.h"
#include "settings/appearance_settings.h"
#include "settings/backend_settings.h"
#include "settings/language_settings.h"
#include "settings/library_settings.h"
#include "storage/chat_store.h"

#include <QDir>
#include <QQmlApplicationEngine>
#include <QQmlEngine>
#include <QQuickStyle>
#include <QtQml/qqmlextensionplugin.h>

// The QML modules are static libraries, so their plugins are imported here,
// in a file that every binary linking quanta_app_core uses.
Q_IMPORT_QML_PLUGIN(QuantaCorePlugin)
Q_IMPORT_QML_PLUGIN(QuantaPlugin)

namespace quanta {

namespace {

const QUrl kMainQml(QStringLiteral("qrc:/qt/qml/Quanta/Main.qml"));

} // namespace

AppContext::AppContext(const AppOptions& options, QObject* parent)
    : QObject(parent), options_(options)
{
    installEngineLogBridge();

    // Step 1: settings, from the given INI file or the platform's store.
    if (options_.settingsPath.isEmpty())
        settings_ = std::make_unique<QSettings>();
    else
        settings_ = std::make_unique<QSettings>(options_.settingsPath, QSettings::IniFormat);

    // Step 2: the chat database, and the comparison tables in the same file.
    openStore();
    openCompareStore();

    // Step 3: the models folder, created so the user has a place to put files.
    if (!QDir().mkpath(options_.modelsFolder))
        qCWarning(lcApp).noquote() << "Cannot create the models folder" << QDir::toNativeSeparators(options_.modelsFolder);

    // Step 4: the services.
    chats_ = std::make_unique<ChatListModel>(*store_);
    messages_ = std::make_unique<MessageListModel>();
    models_ = std::make_unique<ModelListModel>(options_.modelsFolder);
    inference_ = std::make_unique<InferenceService>();
    controller_ = std::make_unique<ChatController>(*store_, *chats_, *messages_, *inference_);
    language_ = std::make_unique<LanguageSettings>(*settings_);
    appearance_ = std::make_unique<AppearanceSettings>(*settings_);
    search_ = std::make_unique<ChatSearchModel>(*store_);
    backend_ = std::make_unique<BackendSettings>(*settings_);
    compare_ = std::make_unique<CompareController>(*compareStore_, [this] { return backend_->choice(); });
    apiServer_ = std::make_unique<ApiServer>(*inference_);
    api_ = std::make_unique<ApiSettings>(*settings_, *apiServer_);
    if (!compareStartupError_.isEmpty())
        compare_->showError(compareStartupError_);
    // The library: the models folder setting, the downloads into it, the
    // catalog and the Hugging Face search.
    librarySettings_ = std::make_unique<LibrarySettings>(*settings_, options_.modelsFolder,
                                                         AppOptions::defaults().modelsFolder);
    library_ = std::make_unique<ModelLibrary>(*librarySettings_, *models_, *inference_, backend_.get(),
                                              ModelLibrary::Chats{store_.get(), chats_.get(), controller_.get()});

    // Sizes shown in the model list and the device list follow the UI language.
    connect(language_.get(), &LanguageSettings::languageChanged, models_.get(), &ModelListModel::refresh);
    connect(language_.get(), &LanguageSettings::languageChanged, backend_.get(), &BackendSettings::retranslate);
    connect(language_.get(), &LanguageSettings::languageChanged, compare_.get(), &CompareController::retranslate);
    connect(language_.get(), &LanguageSettings::languageChanged, library_.get(), &ModelLibrary::retranslate);

    // Step 5: the compute device. Every load uses the current choice, and a
    // change loads the current model again.
    inference_->setDeviceChoice(backend_->choice());
    const auto applyDeviceChoice = [this] { inference_->setDeviceChoice(backend_->choice()); };
    connect(backend_.get(), &BackendSettings::deviceChanged, this, applyDeviceChoice);
    connect(backend_.get(), &BackendSettings::gpuLayersChanged, this, applyDeviceChoice);
    connect(backend_.get(), &BackendSettings::contextLengthChanged, this, applyDeviceChoice);
    backend_->refreshDevices();

    // Step 6: the memory planner and inspector, on the device the settings
    // choose.
    memoryPlanner_ = std::make_unique<MemoryPlanner>();
    memoryMonitor_ = std::make_unique<MemoryMonitor>(*inference_);
    const auto applyMemoryDevice = [this] {
        memoryPlanner_->setDevice(backend_->device());
        memoryMonitor_->setDevice(backend_->device());
    };
    applyMemoryDevice();
    connect(backend_.get(), &BackendSettings::deviceChanged, this, applyMemoryDevice);
    connect(language_.get(), &LanguageSettings::languageChanged, memoryPlanner_.get(), &MemoryPlanner::retranslate);
    connect(language_.get(), &LanguageSettings::languageChanged, memoryMonitor_.get(), &MemoryMonitor::retranslate);
}

AppContext::~AppContext()
{
    // The controller and the API server listen to the inference service, so
    // they go first. The inference thread may log until it has stopped, so
    // the log bridge goes last. The memory monitor samples the inference
    // service on a pool thread, so it goes before it.
    memoryMonitor_.reset();
    memoryPlanner_.reset();
    controller_.reset();
    library_.reset();
    api_.reset();
    apiServer_.reset();
    search_.reset();
    compare_.reset();
    inference_.reset();
    backend_.reset();
    removeEngineLogBridge();
    qCInfo(lcApp) << "Shut down";
}

void AppContext::openStore()
{
    try {
        store_ = std::make_unique<ChatStore>(options_.databasePath);
        if (!store_->recoveredFrom().isEmpty()) {
            const QString path = options_.databasePath;
            const QString kept = store_->recoveredFrom();
            startupError_ = [path, kept] {
                return tr("The chat database %1 was damaged and could not be read. It was kept as %2, and a new, "
                          "empty database was created.")
                    .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(kept));
            };
        }
        if (store_->readOnly()) {
            const QString path = options_.databasePath;
            startupError_ = [path] {
                return tr("The chat database %1 is read-only. Your chats can be read, but new messages are kept "
                          "in memory only and are lost when Quanta closes.")
                    .arg(QDir::toNativeSeparators(path));
            };
        }
        qCInfo(lcStorage).noquote() << "Chat database:" << QDir::toNativeSeparators(options_.databasePath)
                                    << (store_->readOnly() ? "(read-only)" : "");
        return;
    } catch (const StorageError& error) {
        qCCritical(lcStorage).noquote() << error.what();
        const QString reason = QString::fromUtf8(error.what());
        startupError_ = [reason] {
            return tr("Chats cannot be saved: %1 Chats from this session are kept in memory and are lost when "
                      "Quanta closes.")
                .arg(reason);
        };
    }
    // An in-memory database keeps the app usable for this session.
    store_ = std::make_unique<ChatStore>(QStringLiteral(":memory:"));
}

void AppContext::openCompareStore()
{
    // The tables go into the chat database, through its connection, or,
    // when that fails (a read-only file), into an in-memory database of
    // their own.
    try {
        compareStore_ = std::make_unique<CompareStore>(*store_);
        return;
    } catch (const StorageError& error) {
        qCCritical(lcStorage).noquote() << error.what();
        compareStartupError_ = tr("Comparisons cannot be saved: %1 Results from this session are kept in memory and "
                                  "are lost when Quanta closes.")
                                   .arg(QString::fromUtf8(error.what()));
    }
    compareStore_ = std::make_unique<CompareStore>();
}

bool AppContext::start(QQmlApplicationEngine& engine)
{
    // Step 1: the UI language, before any qsTr() runs.
    language_->setEngine(&engine);
    language_->apply();

    // Step 2: the window. The services stay owned by this object.
    // The style is per process and fixed once any Controls QML has loaded,
    // which a second context in the same process (the tests) would have done.
    static const bool styleSet = [] {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        return true;
    }();
    Q_UNUSED(styleSet);
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    const QList<QObject*> services{chats_.get(),      messages_.get(), models_.get(),  inference_.get(),
                                   controller_.get(), language_.get(), backend_.get(), compare_.get()};
    for (QObject* service : services)
        QQmlEngine::setObjectOwnership(service, QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(appearance_.get(), QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(search_.get(), QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(apiServer_.get(), QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(api_.get(), QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(librarySettings_.get(), QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(library_.get(), QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(memoryPlanner_.get(), QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(memoryMonitor_.get(), QQmlEngine::CppOwnership);
    engine.setInitialProperties({
        {QStringLiteral("chats"), QVariant::fromValue(chats_.get())},
        {QStringLiteral("messages"), QVariant::fromValue(messages_.get())},
        {QStringLiteral("models"), QVariant::fromValue(models_.get())},
        {QStringLiteral("inference"), QVariant::fromValue(inference_.get())},
        {QStringLiteral("controller"), QVariant::fromValue(controller_.get())},
        {QStringLiteral("language"), QVariant::fromValue(language_.get())},
        {QStringLiteral("backend"), QVariant::fromValue(backend_.get())},
        {QStringLiteral("compare"), QVariant::fromValue(compare_.get())},
        {QStringLiteral("appearance"), QVariant::fromValue(appearance_.get())},
        {QStringLiteral("search"), QVariant::fromValue(search_.get())},
        {QStringLiteral("library"), QVariant::fromValue(library_.get())},
        {QStringLiteral("librarySettings"), QVariant::fromValue(librarySettings_.get())},
        {QStringLiteral("api"), QVariant::fromValue(api_.get())},
        {QStringLiteral("memoryPlanner"), QVariant::fromValue(memoryPlanner_.get())},
        {QStringLiteral("memoryMonitor"), QVariant::fromValue(memoryMonitor_.get())},
    });
    engine.load(kMainQml);
    if (engine.rootObjects().isEmpty()) {
        qCCritical(lcUi) << "Loading" << kMainQml << "failed";
        return false;
    }

    // Step 3: the latest chat, and the model: the one given on the command
    // line, or else the one the latest chat used.
    controller_->openLatestChat(/*loadItsModel=*/options_.modelPath.isEmpty());
    if (!options_.modelPath.isEmpty())
        inference_->loadModel(options_.modelPath);

    // Step 4: a storage problem from start-up, now that there is a banner.
    if (startupError_)
        controller_->showError(startupError_());
    return true;
}

} // namespace quanta

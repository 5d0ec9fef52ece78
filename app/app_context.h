// The composition root: creates the app's services, wires them together and
// loads the main window. main.cpp and the UI tests build the same one.
#pragma once

#include "app_options.h"

#include <QObject>
#include <QSettings>

#include <functional>
#include <memory>

class QQmlApplicationEngine;

namespace quanta {

class ApiServer;
class ApiSettings;
class AppearanceSettings;
class BackendSettings;
class ChatController;
class ChatListModel;
class ChatSearchModel;
class ChatStore;
class CompareController;
class CompareStore;
class InferenceService;
class LanguageSettings;
class LibrarySettings;
class MemoryMonitor;
class MemoryPlanner;
class MessageListModel;
class ModelLibrary;
class ModelListModel;

class AppContext : public QObject {
    Q_OBJECT

public:
    // Opens the chat database (or, when that fails, an in-memory one) and
    // starts the inference thread. Does not throw for storage problems: they
    // are shown in the window once it is up.
    explicit AppContext(const AppOptions& options, QObject* parent = nullptr);
    ~AppContext() override;

    // Applies the UI language, loads the main window into `engine`, opens the
    // latest chat and starts loading the model from the options. Returns
    // false when the QML failed to load.
    bool start(QQmlApplicationEngine& engine);

    const AppOptions& options() const { return options_; }
    ChatStore& store() { return *store_; }
    ChatListModel& chats() { return *chats_; }
    MessageListModel& messages() { return *messages_; }
    ModelListModel& models() { return *models_; }
    InferenceService& inference() { return *inference_; }
    ChatController& controller() { return *controller_; }
    LanguageSettings& language() { return *language_; }
    AppearanceSettings& appearance() { return *appearance_; }
    ChatSearchModel& search() { return *search_; }
    BackendSettings& backend() { return *backend_; }
    CompareStore& compareStore() { return *compareStore_; }
    CompareController& compare() { return *compare_; }
    ApiServer& apiServer() { return *apiServer_; }
    ApiSettings& api() { return *api_; }
    MemoryPlanner& memoryPlanner() { return *memoryPlanner_; }
    MemoryMonitor& memoryMonitor() { return *memoryMonitor_; }
    LibrarySettings& librarySettings() { return *librarySettings_; }
    // The library screen's services, with the download manager of the models folder.
    ModelLibrary& library() { return *library_; }

private:
    void openStore();
    void openCompareStore();

    AppOptions options_;
    // The storage problem from start-up, shown in the window's banner once it
    // is up. Worded then, in the UI language, which is not applied yet here.
    std::function<QString()> startupError_;
    std::unique_ptr<QSettings> settings_;
    std::unique_ptr<ChatStore> store_;
    std::unique_ptr<ChatListModel> chats_;
    std::unique_ptr<MessageListModel> messages_;
    std::unique_ptr<ModelListModel> models_;
    std::unique_ptr<InferenceService> inference_;
    std::unique_ptr<ChatController> controller_;
    std::unique_ptr<LanguageSettings> language_;
    std::unique_ptr<AppearanceSettings> appearance_;
    std::unique_ptr<ChatSearchModel> search_;
    std::unique_ptr<BackendSettings> backend_;
    QString compareStartupError_; // shown on the compare screen
    std::unique_ptr<CompareStore> compareStore_;
    std::unique_ptr<CompareController> compare_;
    std::unique_ptr<ApiServer> apiServer_; // the local OpenAI-compatible API, off by default
    std::unique_ptr<ApiSettings> api_;
    std::unique_ptr<MemoryPlanner> memoryPlanner_; // the "Memory" screen's estimate and inspector
    std::unique_ptr<MemoryMonitor> memoryMonitor_;
    std::unique_ptr<LibrarySettings> librarySettings_;
    std::unique_ptr<ModelLibrary> library_;
};

} // namespace quanta

// The library screen's controller: the models folder's downloads, the
// catalog and the Hugging Face search, and the actions on a model (load it
// for the open chat, delete it, show it in the file manager). It follows
// the models folder setting and the compute device, whose memory budget
// every "fits" estimate compares with.
#pragma once

#include "model_library/catalog_model.h"
#include "model_library/download_types.h"
#include "model_library/hf_search.h"
#include "model_library/memory_fit.h"

#include <QObject>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <optional>

namespace quanta {

class BackendSettings;
class ChatController;
class ChatListModel;
class ChatStore;
class InferenceService;
class LibrarySettings;
class ModelListModel;

class ModelLibrary : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ModelLibrary is created by the application.")
    // Replaced when the models folder changes: the downloads of a folder
    // stay in its .partial subfolder and reappear when it is chosen again.
    Q_PROPERTY(quanta::DownloadManager* downloads READ downloads NOTIFY downloadsChanged)
    Q_PROPERTY(quanta::CatalogModel* catalog READ catalog CONSTANT)
    Q_PROPERTY(quanta::HuggingFaceSearch* hub READ hub CONSTANT)
    // The device the fit estimates are for, in words.
    Q_PROPERTY(QString budgetText READ budgetText NOTIFY budgetChanged)
    // Why the last action failed, translated; empty after a success.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    // The chat parts may be null (tests without chats); then loading a
    // model does not store it for a chat.
    struct Chats {
        ChatStore* store = nullptr;
        ChatListModel* list = nullptr;
        ChatController* controller = nullptr;
    };

    ModelLibrary(LibrarySettings& settings, ModelListModel& models, InferenceService& inference,
                 BackendSettings* backend, Chats chats, QObject* parent = nullptr);
    ~ModelLibrary() override;

    DownloadManager* downloads() const { return downloads_.get(); }
    CatalogModel* catalog() const { return catalog_; }
    HuggingFaceSearch* hub() const { return hub_; }
    QString budgetText() const;
    QString lastError() const { return lastError_; }
    const DeviceBudget& budget() const { return budget_; }

    // Loads the model at `path`. With a chat open, the model becomes that
    // chat's model at once, and the next reply renders the whole
    // conversation with the new model's template.
    Q_INVOKABLE void loadModel(const QString& path);
    Q_INVOKABLE void loadModelUrl(const QUrl& url);
    // Deletes the GGUF file or Hugging Face folder at `path` in the models
    // folder, and nothing else: a symbolic link is removed, not its target.
    // The loaded model is not deleted. Returns false with lastError set.
    Q_INVOKABLE bool deleteModel(const QString& path);
    // Opens the folder that contains `path` in the system's file manager.
    Q_INVOKABLE bool showInFileManager(const QString& path);

    // Start a download and return its job id, or "" with lastError set.
    Q_INVOKABLE QString downloadCatalogModel(const QString& catalogId);
    // One GGUF file of the repository listed in hub()->files().
    Q_INVOKABLE QString downloadHubFile(const QString& path);
    // The model files of the repository listed in hub()->files(), as one folder.
    Q_INVOKABLE QString downloadHubRepository();

    Q_INVOKABLE void dismissError() { setLastError({}); }
    // "1.2 GB" and "3 min left", in the UI language, for the downloads list.
    Q_INVOKABLE QString formatSize(double bytes) const;
    Q_INVOKABLE QString formatTimeLeft(double seconds) const;

    // Compares every fit with `budget` from now on instead of the device
    // settings; for tests.
    void setBudgetForTesting(const DeviceBudget& budget);
    // Follows the language: sizes and texts of the lists.
    void retranslate();

signals:
    void downloadsChanged();
    void budgetChanged();
    void lastErrorChanged();
    // A download finished and its model is in the models folder.
    void modelDownloaded(const QString& path);

private:
    void createDownloadManager();
    void onModelsFolderChanged();
    void updateBudget();
    void applyBudget();
    void updateDownloading();
    QString startDownload(const DownloadRequest& request);
    void setLastError(const QString& error);

    LibrarySettings& settings_;
    ModelListModel& models_;
    InferenceService& inference_;
    BackendSettings* backend_;
    Chats chats_;
    std::unique_ptr<DownloadManager> downloads_;
    CatalogModel* catalog_;   // child of this
    HuggingFaceSearch* hub_;  // child of this
    DeviceBudget budget_;
    bool budgetOverridden_ = false;
    QString lastError_;
};

} // namespace quanta

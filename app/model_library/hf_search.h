// Searches Hugging Face's public models API for GGUF, GPTQ and AWQ
// repositories and lists a repository's files, with QNetworkAccessManager.
// The server's address comes from LibrarySettings::hubUrl, so the tests
// point it at nginx on 127.0.0.1. Errors (offline, HTTP 404 or 429, a
// response that is not the expected JSON) become a message for the UI.
#pragma once

#include "model_library/hub_list_models.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <functional>

namespace quanta {

class HuggingFaceSearch : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("HuggingFaceSearch is created by the application.")
    Q_PROPERTY(quanta::HubRepositoryListModel* results READ results CONSTANT)
    Q_PROPERTY(quanta::HubFileListModel* files READ files CONSTANT)
    Q_PROPERTY(bool searching READ searching NOTIFY searchingChanged)
    Q_PROPERTY(bool listing READ listing NOTIFY listingChanged)
    // True once a search has finished, so the UI can tell "no results" from "not searched".
    Q_PROPERTY(bool searched READ searched NOTIFY searchingChanged)
    // Why the last search or listing failed, translated; empty after a success.
    Q_PROPERTY(QString searchError READ searchError NOTIFY searchErrorChanged)
    Q_PROPERTY(QString listError READ listError NOTIFY listErrorChanged)

public:
    // Results per search; the API's default page is larger than a list needs.
    static constexpr int kResultLimit = 30;
    // A request with no bytes for this long fails as timed out.
    static constexpr int kTransferTimeoutMs = 30000;

    // `hubUrl` returns the server's address at the time of each request.
    explicit HuggingFaceSearch(std::function<QUrl()> hubUrl, QObject* parent = nullptr);
    ~HuggingFaceSearch() override;

    HubRepositoryListModel* results() const { return results_; }
    HubFileListModel* files() const { return files_; }
    bool searching() const { return searchReply_ != nullptr; }
    bool listing() const { return listReply_ != nullptr; }
    bool searched() const { return searched_; }
    QString searchError() const { return searchError_; }
    QString listError() const { return listError_; }

    // Searches repositories named like `query` with the tag `format`
    // ("gguf", "gptq" or "awq"; empty for all), most downloaded first. A
    // search in progress is abandoned.
    Q_INVOKABLE void search(const QString& query, const QString& format);
    // Lists the files of `repository` (owner/name); `format` is the search
    // result's guess, "" when unknown.
    Q_INVOKABLE void listFiles(const QString& repository, const QString& format = {});
    Q_INVOKABLE void clearFiles();
    // Hides the search and listing errors until the next failure.
    Q_INVOKABLE void dismissErrors();

    void setBudget(const DeviceBudget& budget) { files_->setBudget(budget); }

    // The message for a failed request about `subject` ("the repository X"):
    // offline, HTTP status or timeout.
    static QString describeFailure(QNetworkReply& reply, const QString& subject);

signals:
    void searchingChanged();
    void listingChanged();
    void searchErrorChanged();
    void listErrorChanged();
    // Emitted when a search or listing ends, either way.
    void searchFinished();
    void listFinished();

private:
    QNetworkReply* get(const QUrl& url);
    void onSearchFinished();
    void onListFinished(const QString& repository, const QString& format);
    void setSearchError(const QString& error);
    void setListError(const QString& error);

    std::function<QUrl()> hubUrl_;
    QNetworkAccessManager network_;
    HubRepositoryListModel* results_; // child of this
    HubFileListModel* files_;         // child of this
    QPointer<QNetworkReply> searchReply_;
    QPointer<QNetworkReply> listReply_;
    bool searched_ = false;
    QString searchError_;
    QString listError_;
};

} // namespace quanta

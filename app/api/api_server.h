// The local OpenAI-compatible API: GET /v1/models and POST
// /v1/chat/completions on 127.0.0.1, served by the model that
// InferenceService has loaded. The inference thread has one session, which
// the chat window also uses, so requests wait in a queue and each starts when
// the service is idle.
#pragma once

#include "api/openai_protocol.h"

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <deque>
#include <memory>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;

namespace quanta {

class InferenceService;
struct GenerationOutcome;

namespace api {
class CompletionJob;
class GuardedTcpServer;
}

class ApiServer : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ApiServer is created by the application.")
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    // The port it listens on; 0 when stopped.
    Q_PROPERTY(int port READ port NOTIFY runningChanged)
    // The base URL for OpenAI clients, e.g. "http://127.0.0.1:8080/v1"; empty
    // when stopped.
    Q_PROPERTY(QString url READ url NOTIFY runningChanged)
    // Why the last start() failed, in the UI language; empty after a start
    // that worked.
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // HTTP requests received since the application started.
    Q_PROPERTY(int requestCount READ requestCount NOTIFY requestCountChanged)
    // Chat completions waiting for their turn, the running one not counted.
    Q_PROPERTY(int waitingRequests READ waitingRequests NOTIFY waitingRequestsChanged)

public:
    // Chat completions that may wait while one runs; more get 429.
    static constexpr int kMaxQueuedRequests = 16;
    // Connections open at once; one more gets 503 and is closed at once.
    static constexpr int kMaxConnections = 64;
    // Time a connection has to send a complete request after it opens or
    // after its last response, in milliseconds; then it is closed.
    static constexpr int kIdleTimeoutMs = 30000;

    explicit ApiServer(InferenceService& inference, QObject* parent = nullptr);
    // Stops the server; a generation it started is cancelled.
    ~ApiServer() override;

    // Listens on 127.0.0.1:`port`, or on a free port for 0. A running server
    // is stopped first. Returns false, with lastError set, when the port
    // cannot be used.
    bool start(quint16 port);
    // Responds to every open request and closes every connection. Requests
    // waiting in the queue, and a running one that is not streamed, get a
    // 503 with code server_stopping. A running stream gets that error as an
    // event and [DONE], and its generation is cancelled.
    void stop();

    bool running() const { return http_ != nullptr; }
    int port() const { return port_; }
    QString url() const;
    QString lastError() const { return lastError_; }
    int requestCount() const { return requestCount_; }
    int waitingRequests() const { return static_cast<int>(queue_.size()); }
    // Connections open now; 0 when stopped.
    int connectionCount() const;

    // Test hook: the connection limit and the idle timeout of the next start().
    void setConnectionLimitsForTesting(int maxConnections, int idleTimeoutMs);

signals:
    void runningChanged();
    void lastErrorChanged();
    void requestCountChanged();
    void waitingRequestsChanged();

private:
    void handleModels(const QHttpServerRequest& request, QHttpServerResponder&& responder);
    void handleChatCompletions(const QHttpServerRequest& request, QHttpServerResponder&& responder);
    void handleUnknownPath(const QHttpServerRequest& request, QHttpServerResponder&& responder);
    void countRequest(QHttpServerResponder& responder);
    void reject(QHttpServerResponder& responder, const QString& method, const QString& path, const api::ApiError& error);

    // The queue.
    void schedulePump();
    void pump();
    bool serviceBusy() const;
    void onTextGenerated(quint64 requestId, const QString& text);
    void onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome);
    void onGenerationFailed(quint64 requestId, const QString& message);
    void onClientDisconnected(api::CompletionJob* job);
    void dropWaiting(std::deque<std::unique_ptr<api::CompletionJob>>::iterator job);
    void retireActive();
    void logCompletion(const api::CompletionJob& job, const QString& note = {});
    void setLastError(const QString& message);

    InferenceService& inference_;
    std::unique_ptr<QHttpServer> http_; // null while stopped
    api::GuardedTcpServer* tcp_ = nullptr; // http_'s listening socket; null while stopped
    int maxConnections_ = kMaxConnections;
    int idleTimeoutMs_ = kIdleTimeoutMs;
    int port_ = 0;
    QString lastError_;
    int requestCount_ = 0;

    std::deque<std::unique_ptr<api::CompletionJob>> queue_; // oldest first
    std::unique_ptr<api::CompletionJob> active_;             // the one generating, or null
    quint64 activeRequestId_ = 0;                            // its InferenceService request id
    bool pumpScheduled_ = false;
};

} // namespace quanta

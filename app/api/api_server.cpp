#include "api/api_server.h"

#include "api/completion_job.h"
#include "api/guarded_tcp_server.h"
#include "api/http_output.h"
#include "generation/inference_service.h"
#include "logging/log_categories.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QHttpServer>
#include <QJsonDocument>

#include <algorithm>

namespace quanta {

namespace {

// Bytes one request may send, headers included, before its connection is
// cut. Far above the body limit, so that a body a little over the limit
// still reaches the handler and gets a proper 413 instead of a closed
// connection.
constexpr qint64 kConnectionCapBytes = 8 * api::kMaxRequestBodyBytes;

QString methodName(const QHttpServerRequest& request)
{
    switch (request.method()) {
    case QHttpServerRequest::Method::Get:
        return QStringLiteral("GET");
    case QHttpServerRequest::Method::Put:
        return QStringLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QStringLiteral("DELETE");
    case QHttpServerRequest::Method::Post:
        return QStringLiteral("POST");
    case QHttpServerRequest::Method::Head:
        return QStringLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QStringLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QStringLiteral("PATCH");
    case QHttpServerRequest::Method::Connect:
        return QStringLiteral("CONNECT");
    case QHttpServerRequest::Method::Trace:
        return QStringLiteral("TRACE");
    default:
        break;
    }
    return QStringLiteral("UNKNOWN");
}

const QString kModelsPath = QStringLiteral("/v1/models");
const QString kChatCompletionsPath = QStringLiteral("/v1/chat/completions");

} // namespace

ApiServer::ApiServer(InferenceService& inference, QObject* parent)
    : QObject(parent), inference_(inference)
{
    connect(&inference_, &InferenceService::textGenerated, this, &ApiServer::onTextGenerated);
    connect(&inference_, &InferenceService::generationFinished, this, &ApiServer::onGenerationFinished);
    connect(&inference_, &InferenceService::generationFailed, this, &ApiServer::onGenerationFailed);

    // Each change that may make the service idle lets the next request start.
    connect(&inference_, &InferenceService::generatingChanged, this, &ApiServer::schedulePump);
    connect(&inference_, &InferenceService::loadingChanged, this, &ApiServer::schedulePump);
    connect(&inference_, &InferenceService::modelChanged, this, &ApiServer::schedulePump);
    connect(&inference_, &InferenceService::reloadPendingChanged, this, &ApiServer::schedulePump);
}

ApiServer::~ApiServer()
{
    stop();
}

QString ApiServer::url() const
{
    return running() ? QStringLiteral("http://127.0.0.1:%1/v1").arg(port_) : QString();
}

bool ApiServer::start(quint16 port)
{
    stop();

    // Step 1: the routes. Each route takes every method, so that a wrong
    // method gets a 405 rather than the 404 of an unknown path.
    auto http = std::make_unique<QHttpServer>();
    http->route(kModelsPath, [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
        handleModels(request, std::move(responder));
    });
    http->route(kChatCompletionsPath, [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
        handleChatCompletions(request, std::move(responder));
    });
    http->setMissingHandler([this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
        handleUnknownPath(request, std::move(responder));
    });

    // Step 2: listen on the loopback interface only, because the API has no
    // authentication.
    api::GuardedTcpServer::Limits limits;
    limits.maxBytesPerRequest = kConnectionCapBytes;
    limits.maxBodyBytes = api::kMaxRequestBodyBytes;
    limits.maxConnections = maxConnections_;
    limits.idleTimeoutMs = idleTimeoutMs_;
    auto* tcp = new api::GuardedTcpServer(limits, http.get());
    if (!tcp->listen(QHostAddress::LocalHost, port)) {
        const QString message =
            tcp->serverError() == QAbstractSocket::AddressInUseError
                ? tr("Port %1 is already in use by another program. Choose another port.").arg(port)
                : tr("The API server cannot listen on 127.0.0.1:%1: %2").arg(QString::number(port), tcp->errorString());
        qCWarning(lcApi).noquote() << "Cannot listen on 127.0.0.1:" + QString::number(port) + ":" << tcp->errorString();
        setLastError(message);
        return false;
    }
    http->bind(tcp);

    // Step 3: publish.
    http_ = std::move(http);
    tcp_ = tcp;
    port_ = tcp->serverPort();
    setLastError(QString());
    qCInfo(lcApi).noquote() << "API server listening on" << url();
    emit runningChanged();
    return true;
}

void ApiServer::stop()
{
    if (!http_)
        return;

    // Step 1: respond to every request, so that no client is left with an
    // empty reply or a stream that stops without [DONE].
    const api::ApiError stopping = api::ApiError::serverStopping();
    for (const auto& job : queue_) {
        job->fail(stopping);
        logCompletion(*job, QStringLiteral("sent 503: the server stopped"));
    }
    if (!queue_.empty()) {
        queue_.clear();
        emit waitingRequestsChanged();
    }
    if (active_) {
        active_->fail(stopping);
        logCompletion(*active_, QStringLiteral("cancelled: the server stopped"));
        inference_.stopGeneration();
        active_.reset();
        activeRequestId_ = 0;
    }

    // Step 2: send what the connections have buffered and close them. The
    // server owns the listening socket and, through it, every connection;
    // deleting it closes what is left.
    tcp_->closeAllConnections();
    tcp_ = nullptr;
    http_.reset();
    port_ = 0;
    qCInfo(lcApi) << "API server stopped";
    emit runningChanged();
}

int ApiServer::connectionCount() const
{
    return tcp_ ? tcp_->connectionCount() : 0;
}

void ApiServer::setConnectionLimitsForTesting(int maxConnections, int idleTimeoutMs)
{
    maxConnections_ = std::max(1, maxConnections);
    idleTimeoutMs_ = std::max(1, idleTimeoutMs);
}

void ApiServer::setLastError(const QString& message)
{
    if (message == lastError_)
        return;
    lastError_ = message;
    emit lastErrorChanged();
}

void ApiServer::countRequest(QHttpServerResponder& responder)
{
    api::GuardedTcpServer::requestReceived(responder.socket());
    ++requestCount_;
    emit requestCountChanged();
}

void ApiServer::reject(QHttpServerResponder& responder, const QString& method, const QString& path,
                       const api::ApiError& error)
{
    const QString code = error.code.isEmpty() ? QString() : QLatin1Char(' ') + error.code;
    qCInfo(lcApi).noquote() << method << path << QString::number(error.status) + code << "-" << error.message;
    const QByteArray allow = error.status == 405 ? (path == kModelsPath ? QByteArrayLiteral("GET")
                                                                        : QByteArrayLiteral("POST"))
                                                 : QByteArray();
    api::writeJsonResponse(responder, error.status, api::errorBody(error), allow);
}

void ApiServer::handleModels(const QHttpServerRequest& request, QHttpServerResponder&& responder)
{
    countRequest(responder);
    const QString method = methodName(request);
    if (request.method() != QHttpServerRequest::Method::Get) {
        reject(responder, method, kModelsPath, api::ApiError::methodNotAllowed(method, kModelsPath));
        return;
    }

    // The model's id is what requests name in "model". The file's
    // modification time is sent as OpenAI's creation time.
    const QString id = inference_.modelFileName();
    const qint64 created = id.isEmpty() ? 0 : QFileInfo(inference_.modelPath()).lastModified().toSecsSinceEpoch();
    const QByteArray body = QJsonDocument(api::modelListObject(id, created)).toJson(QJsonDocument::Compact);
    api::writeJsonResponse(responder, 200, body);
    qCInfo(lcApi).noquote() << method << kModelsPath << 200 << (id.isEmpty() ? QStringLiteral("(no model)") : id);
}

void ApiServer::handleUnknownPath(const QHttpServerRequest& request, QHttpServerResponder&& responder)
{
    countRequest(responder);
    const QString method = methodName(request);
    const QString path = request.url().path();
    reject(responder, method, path, api::ApiError::unknownPath(method, path));
}

void ApiServer::handleChatCompletions(const QHttpServerRequest& request, QHttpServerResponder&& responder)
{
    countRequest(responder);
    const QString method = methodName(request);
    const QString path = kChatCompletionsPath;

    // Step 1: the method and the body's size. Content-Length and the body
    // are both checked, because a chunked request body has no length header.
    if (request.method() != QHttpServerRequest::Method::Post) {
        reject(responder, method, path, api::ApiError::methodNotAllowed(method, path));
        return;
    }
    bool lengthValid = false;
    const qint64 declaredLength = request.value(QByteArrayLiteral("Content-Length")).toLongLong(&lengthValid);
    const qint64 bodySize = std::max(lengthValid ? declaredLength : 0, static_cast<qint64>(request.body().size()));
    if (bodySize > api::kMaxRequestBodyBytes) {
        reject(responder, method, path, api::ApiError::bodyTooLarge(bodySize));
        return;
    }

    // Step 2: the JSON.
    auto parsed = api::parseChatCompletionRequest(request.body());
    if (const auto* error = std::get_if<api::ApiError>(&parsed)) {
        reject(responder, method, path, *error);
        return;
    }
    api::ChatCompletionRequest completion = std::get<api::ChatCompletionRequest>(std::move(parsed));

    // Step 3: the model. While a model loads, the request waits, and the
    // model it names is checked when its turn comes.
    if (!inference_.loading()) {
        if (!inference_.modelLoaded()) {
            reject(responder, method, path, api::ApiError::noModelLoaded());
            return;
        }
        if (!completion.model.isEmpty() && completion.model != inference_.modelFileName()) {
            reject(responder, method, path, api::ApiError::modelNotFound(completion.model));
            return;
        }
    }

    // Step 4: the queue.
    if (queue_.size() >= static_cast<std::size_t>(kMaxQueuedRequests)) {
        reject(responder, method, path, api::ApiError::queueFull(kMaxQueuedRequests));
        return;
    }
    auto job = std::make_unique<api::CompletionJob>(std::move(completion), std::move(responder));
    connect(job.get(), &api::CompletionJob::clientDisconnected, this,
            [this, raw = job.get()] { onClientDisconnected(raw); });
    queue_.push_back(std::move(job));
    emit waitingRequestsChanged();
    schedulePump();
}

void ApiServer::schedulePump()
{
    // Deferred to the event loop: InferenceService emits its changes while it
    // is still updating its state (a finished reply may start a reload right
    // after), and it should be settled before the next request starts.
    if (pumpScheduled_)
        return;
    pumpScheduled_ = true;
    QMetaObject::invokeMethod(this, &ApiServer::pump, Qt::QueuedConnection);
}

bool ApiServer::serviceBusy() const
{
    return inference_.loading() || inference_.generating() || inference_.reloadPending();
}

void ApiServer::pump()
{
    pumpScheduled_ = false;
    while (!active_ && !queue_.empty()) {
        // Step 1: a client that left while it waited needs no response.
        std::unique_ptr<api::CompletionJob>& next = queue_.front();
        if (!next->clientConnected()) {
            logCompletion(*next, QStringLiteral("dropped: the client disconnected while waiting"));
            dropWaiting(queue_.begin());
            continue;
        }

        // Step 2: wait for the chat window's reply or a model load to end.
        if (serviceBusy())
            return;

        // Step 3: the model may have changed while the request waited.
        if (!inference_.modelLoaded()) {
            next->fail(api::ApiError::noModelLoaded());
            logCompletion(*next);
            dropWaiting(queue_.begin());
            continue;
        }
        const QString model = inference_.modelFileName();
        if (!next->request().model.isEmpty() && next->request().model != model) {
            next->fail(api::ApiError::modelNotFound(next->request().model));
            logCompletion(*next);
            dropWaiting(queue_.begin());
            continue;
        }

        // Step 4: start it. Without max_tokens the limit is the context size,
        // and the worker lowers it to the room left after the prompt.
        GenerationSettings settings = next->request().settings;
        if (settings.maxTokens <= 0)
            settings.maxTokens = inference_.contextSize();
        const quint64 requestId = inference_.startGeneration(next->request().messages, settings);
        if (requestId == 0)
            return; // the service became busy; its next change calls pump() again
        active_ = std::move(next);
        queue_.pop_front();
        emit waitingRequestsChanged();
        activeRequestId_ = requestId;
        active_->begin(model);
    }
}

void ApiServer::onTextGenerated(quint64 requestId, const QString& text)
{
    if (!active_ || requestId != activeRequestId_)
        return;
    // A stop sequence ends the reply here; the engine stops soon after.
    if (active_->addText(text))
        inference_.stopGeneration();
}

void ApiServer::onGenerationFinished(quint64 requestId, const GenerationOutcome& outcome)
{
    if (!active_ || requestId != activeRequestId_)
        return;

    // A cancel that neither a stop sequence nor the client requested came from
    // the application (a new model, the chat window's stop). The client gets
    // an error instead of a reply that looks complete.
    QString note;
    if (outcome.reason != StopReason::Cancelled || active_->stoppedBySequence())
        active_->finish(outcome);
    else if (!active_->clientConnected())
        note = QStringLiteral("cancelled: the client disconnected");
    else
        active_->fail(api::ApiError::generationCancelled());
    logCompletion(*active_, note);
    retireActive();
}

void ApiServer::onGenerationFailed(quint64 requestId, const QString& message)
{
    if (!active_ || requestId != activeRequestId_)
        return;
    qCWarning(lcApi).noquote() << "Generation for" << kChatCompletionsPath << "failed:" << message;
    active_->fail(api::ApiError::generationFailed(message));
    logCompletion(*active_);
    retireActive();
}

void ApiServer::onClientDisconnected(api::CompletionJob* job)
{
    // The running generation is cancelled, and generationFinished() retires
    // the job. A waiting one leaves the queue now, so that it frees its place.
    if (job == active_.get()) {
        qCInfo(lcApi) << "The client of the running chat completion disconnected; cancelling it";
        inference_.stopGeneration();
        return;
    }
    const auto waiting =
        std::find_if(queue_.begin(), queue_.end(), [job](const auto& queued) { return queued.get() == job; });
    if (waiting == queue_.end())
        return;
    logCompletion(*job, QStringLiteral("dropped: the client disconnected while waiting"));
    dropWaiting(waiting);
}

void ApiServer::dropWaiting(std::deque<std::unique_ptr<api::CompletionJob>>::iterator job)
{
    // The job may be inside one of its own signals, so it goes later.
    job->release()->deleteLater();
    queue_.erase(job);
    emit waitingRequestsChanged();
}

void ApiServer::retireActive()
{
    // The job may be inside one of its own signals, so it goes later.
    active_.release()->deleteLater();
    activeRequestId_ = 0;
    schedulePump();
}

void ApiServer::logCompletion(const api::CompletionJob& job, const QString& note)
{
    const QString stream = job.request().stream ? QStringLiteral("stream") : QStringLiteral("json");
    if (job.status() == 0 || !note.isEmpty()) {
        qCInfo(lcApi).noquote() << "POST" << kChatCompletionsPath << stream << note;
        return;
    }
    if (job.status() != 200) {
        qCInfo(lcApi).noquote() << "POST" << kChatCompletionsPath << job.status() << stream;
        return;
    }
    qCInfo(lcApi).noquote() << "POST" << kChatCompletionsPath << job.status() << stream << "-"
                            << job.usage().promptTokens << "prompt tokens," << job.usage().completionTokens
                            << "completion tokens";
}

} // namespace quanta

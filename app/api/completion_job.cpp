#include "api/completion_job.h"

#include "api/http_output.h"

#include <QJsonDocument>

namespace quanta::api {

CompletionJob::CompletionJob(ChatCompletionRequest request, QHttpServerResponder&& responder, QObject* parent)
    : QObject(parent),
      request_(std::move(request)),
      responder_(std::make_unique<QHttpServerResponder>(std::move(responder))),
      socket_(responder_->socket()),
      stopFilter_(request_.stop)
{
    connect(socket_, &QTcpSocket::disconnected, this, &CompletionJob::clientDisconnected);
}

CompletionJob::~CompletionJob() = default;

bool CompletionJob::clientConnected() const
{
    return socket_ && socket_->state() == QAbstractSocket::ConnectedState;
}

void CompletionJob::begin(const QString& model)
{
    identity_ = newCompletionIdentity(model);
    if (!request_.stream || !clientConnected())
        return;

    beginEventStream(*responder_);
    streamStarted_ = true;
    status_ = 200;
    const QJsonObject delta{{QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), QString()}};
    sendStreamEvents(serverSentEvent(chunkObject(identity_, delta, QString())));
}

bool CompletionJob::addText(const QString& text)
{
    if (done_)
        return stopFilter_.stopped();

    const QString out = stopFilter_.push(text);
    if (!out.isEmpty()) {
        text_ += out;
        if (streamStarted_)
            sendStreamEvents(serverSentEvent(chunkObject(identity_, {{QStringLiteral("content"), out}}, QString())));
    }
    return stopFilter_.stopped();
}

void CompletionJob::finish(const GenerationOutcome& outcome)
{
    if (done_)
        return;

    // Step 1: text held back for a stop sequence that did not come.
    const QString rest = stopFilter_.flush();
    if (!rest.isEmpty()) {
        text_ += rest;
        if (streamStarted_)
            sendStreamEvents(serverSentEvent(chunkObject(identity_, {{QStringLiteral("content"), rest}}, QString())));
    }

    // Step 2: why the reply ended. A stop sequence cancels the generation,
    // and that cancel is the request's own "stop".
    const QString reason = stopFilter_.stopped() ? QStringLiteral("stop") : finishReason(outcome.reason);
    // NOTE: after a stop sequence, generatedTokens also counts the few tokens
    // the engine made before the cancel reached it.
    usage_ = {outcome.promptTokens, outcome.generatedTokens};

    // Step 3: the end of the stream, or the whole reply.
    if (streamStarted_) {
        QByteArray events = serverSentEvent(chunkObject(identity_, QJsonObject(), reason));
        if (request_.includeUsage)
            events += serverSentEvent(usageChunkObject(identity_, usage_));
        endStream(events);
        return;
    }
    done_ = true;
    status_ = 200;
    if (clientConnected())
        writeJsonResponse(*responder_, status_,
                          QJsonDocument(completionObject(identity_, text_, reason, usage_)).toJson(QJsonDocument::Compact));
}

void CompletionJob::fail(const ApiError& error)
{
    if (done_)
        return;

    // The status line of a stream went out with its first chunk, so the
    // error can only be an event in it.
    if (streamStarted_) {
        const QJsonObject event = QJsonDocument::fromJson(errorBody(error)).object();
        endStream(serverSentEvent(event));
        return;
    }
    done_ = true;
    status_ = error.status;
    if (clientConnected())
        writeErrorResponse(*responder_, error);
}

void CompletionJob::sendStreamEvents(const QByteArray& events)
{
    if (clientConnected())
        writeChunk(*responder_, events);
}

void CompletionJob::endStream(const QByteArray& lastEvents)
{
    done_ = true;
    if (!clientConnected())
        return;
    writeChunk(*responder_, lastEvents + serverSentDone());
    endChunks(*responder_);
}

} // namespace quanta::api

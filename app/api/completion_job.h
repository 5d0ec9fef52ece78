// One POST /v1/chat/completions from the moment it is accepted to its last
// byte. It keeps the request's responder while the request waits and runs,
// writes the reply as one JSON object or as server-sent events, and reports
// when the client closes the connection.
#pragma once

#include "api/openai_protocol.h"
#include "api/stop_sequence_filter.h"
#include "generation/inference_worker.h"

#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

namespace quanta::api {

class CompletionJob : public QObject {
    Q_OBJECT

public:
    CompletionJob(ChatCompletionRequest request, QHttpServerResponder&& responder, QObject* parent = nullptr);
    ~CompletionJob() override;

    const ChatCompletionRequest& request() const { return request_; }
    // False once the client has closed the connection or the server has
    // dropped it; nothing is written then.
    bool clientConnected() const;

    // Starts the reply of `model`. A stream sends its headers and the first
    // chunk, with the assistant role, now.
    void begin(const QString& model);
    // Adds generated text, sending it at once in a stream. Returns true when
    // a stop sequence has appeared, so that the generation can stop.
    bool addText(const QString& text);
    // A stop sequence ended the reply.
    bool stoppedBySequence() const { return stopFilter_.stopped(); }
    // Ends the reply after `outcome`: a stream gets the chunk with the
    // finish_reason, the usage chunk when asked for, and [DONE].
    void finish(const GenerationOutcome& outcome);
    // Ends the reply with `error`: an error response, or in a stream whose
    // headers went out already, an error event and [DONE].
    void fail(const ApiError& error);

    // The HTTP status sent, for the log; 0 before the response.
    int status() const { return status_; }
    // Prompt and completion tokens, once finished.
    const TokenUsage& usage() const { return usage_; }

signals:
    void clientDisconnected();

private:
    void sendStreamEvents(const QByteArray& events);
    void endStream(const QByteArray& lastEvents);

    ChatCompletionRequest request_;
    std::unique_ptr<QHttpServerResponder> responder_;
    // QHttpServer deletes the socket when the client disconnects; the
    // responder keeps a plain pointer to it, so every write checks this one.
    QPointer<QTcpSocket> socket_;
    StopSequenceFilter stopFilter_;
    CompletionIdentity identity_;
    QString text_;             // the reply so far, stop sequence removed
    bool streamStarted_ = false;
    bool done_ = false;        // the last byte of the response was written
    int status_ = 0;
    TokenUsage usage_;
};

} // namespace quanta::api

// The OpenAI chat completions wire format: parsing a request body into a
// generation job, and building the JSON objects and server-sent events of the
// responses. No networking here, so the tests can check it directly.
#pragma once

#include "chat/chat_format.h"
#include "engine/session.h"
#include "generation/generation_settings.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <variant>
#include <vector>

namespace quanta::api {

// Largest request body the server accepts, in bytes.
constexpr qint64 kMaxRequestBodyBytes = 1024 * 1024;

// An error response in OpenAI's shape:
// {"error": {"message", "type", "param", "code"}}. Empty param and code are
// sent as null.
struct ApiError {
    int status = 400;   // HTTP status code
    QString message;    // English, for the client's developer
    QString type;       // e.g. "invalid_request_error", "server_error"
    QString param;      // the request field at fault, e.g. "messages[1].content"
    QString code;       // e.g. "model_not_found"

    static ApiError invalidRequest(const QString& message, const QString& param = {});
    static ApiError modelNotFound(const QString& model);
    static ApiError noModelLoaded();
    static ApiError bodyTooLarge(qint64 size);
    // A Content-Length over the limit; `declared` is its digits, which may
    // be too many for any integer type.
    static ApiError declaredBodyTooLarge(const QString& declared);
    static ApiError invalidContentLength(const QString& value);
    static ApiError headersTooLarge(qint64 limit);
    static ApiError requestTimeout(int timeoutMs);
    static ApiError tooManyConnections(int limit);
    static ApiError serverStopping();
    static ApiError unknownPath(const QString& method, const QString& path);
    static ApiError methodNotAllowed(const QString& method, const QString& path);
    static ApiError queueFull(int limit);
    static ApiError generationFailed(const QString& message);
    static ApiError generationCancelled();
};

// A parsed POST /v1/chat/completions body.
struct ChatCompletionRequest {
    QString model; // empty: whatever model is loaded
    std::vector<ChatMessage> messages;
    bool stream = false;
    bool includeUsage = false; // stream_options.include_usage: a last chunk with the usage
    // Sampling and length. maxTokens is 0 when the request sets no limit,
    // which means the rest of the context.
    GenerationSettings settings;
    QStringList stop; // stop sequences, none empty
};

// Parses and validates a request body. Returns the 400 error for invalid
// JSON, a missing or empty messages array, or a field of the wrong type or
// out of range.
std::variant<ChatCompletionRequest, ApiError> parseChatCompletionRequest(const QByteArray& body);

// The JSON body of an error response.
QByteArray errorBody(const ApiError& error);

// GET /v1/models: a list with the model `id`, or an empty list for an empty
// id. `created` is a Unix time in seconds.
QJsonObject modelListObject(const QString& id, qint64 created);

// The fields every object of one completion shares.
struct CompletionIdentity {
    QString id;          // "chatcmpl-" and random hex digits
    qint64 created = 0;  // Unix time in seconds
    QString model;
};

// A new identity with a random id and the current time.
CompletionIdentity newCompletionIdentity(const QString& model);

struct TokenUsage {
    int promptTokens = 0;
    int completionTokens = 0;
};

// "stop" or "length", the finish_reason for an engine stop reason. A
// cancelled generation has none, so it gives an empty string.
QString finishReason(StopReason reason);

// A chat.completion object: the whole reply of a non-streaming request.
QJsonObject completionObject(const CompletionIdentity& identity, const QString& text, const QString& finishReason,
                             const TokenUsage& usage);

// A chat.completion.chunk object with one choice. An empty `finishReason` is
// sent as null.
QJsonObject chunkObject(const CompletionIdentity& identity, const QJsonObject& delta, const QString& finishReason);

// The last chunk, requested by stream_options.include_usage: no choices, and
// the usage.
QJsonObject usageChunkObject(const CompletionIdentity& identity, const TokenUsage& usage);

// One server-sent event, "data: <compact JSON>\n\n".
QByteArray serverSentEvent(const QJsonObject& object);
// The event that ends an OpenAI stream.
QByteArray serverSentDone();

} // namespace quanta::api

#include "api/openai_protocol.h"

#include "common/json_type_name.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRandomGenerator>

#include <cmath>
#include <limits>

namespace quanta::api {

namespace {

// OpenAI allows 4 stop sequences; a few more cost nothing here.
constexpr qsizetype kMaxStopSequences = 16;
// Bytes of randomness in a completion id, sent as twice as many hex digits.
constexpr int kCompletionIdBytes = 12;

// Thrown inside the parser, so a deep field check ends the parse at once.
struct InvalidField {
    ApiError error;
};

[[noreturn]] void reject(const QString& param, const QString& message)
{
    throw InvalidField{ApiError::invalidRequest(message, param)};
}

// Clients often send null for a field they leave at its default, so null
// counts as absent everywhere.
bool isAbsent(const QJsonValue& value)
{
    return value.isUndefined() || value.isNull();
}

double readNumber(const QJsonObject& body, const QString& name, double fallback, double min, double max)
{
    const QJsonValue value = body.value(name);
    if (isAbsent(value))
        return fallback;
    if (!value.isDouble())
        reject(name, QStringLiteral("'%1' must be a number, not %2.").arg(name, jsonTypeName(value)));
    const double number = value.toDouble();
    if (!(number >= min && number <= max))
        reject(name, QStringLiteral("'%1' must be between %2 and %3; got %4.")
                         .arg(name, QString::number(min), QString::number(max), QString::number(number)));
    return number;
}

qint64 readInteger(const QJsonObject& body, const QString& name, qint64 fallback, qint64 min, qint64 max)
{
    const QJsonValue value = body.value(name);
    if (isAbsent(value))
        return fallback;
    // JSON numbers arrive as doubles: integers beyond 2^53 are not exact,
    // and the range check below keeps the conversion defined.
    if (!value.isDouble())
        reject(name, QStringLiteral("'%1' must be an integer, not %2.").arg(name, jsonTypeName(value)));
    const double number = value.toDouble();
    if (std::floor(number) != number)
        reject(name, QStringLiteral("'%1' must be an integer; got %2.").arg(name, QString::number(number)));
    if (number < static_cast<double>(min) || number > static_cast<double>(max))
        reject(name, QStringLiteral("'%1' must be between %2 and %3; got %4.")
                         .arg(name, QString::number(min), QString::number(max), QString::number(number)));
    return static_cast<qint64>(number);
}

bool readBool(const QJsonObject& body, const QString& name, bool fallback)
{
    const QJsonValue value = body.value(name);
    if (isAbsent(value))
        return fallback;
    if (!value.isBool())
        reject(name, QStringLiteral("'%1' must be a boolean, not %2.").arg(name, jsonTypeName(value)));
    return value.toBool();
}

// A message's content: a string, or an array of parts of which only
// {"type": "text", "text": ...} is supported. An assistant turn that only
// called tools has null content, which reads as empty text.
QString readContent(const QJsonValue& content, const QString& param)
{
    if (content.isString())
        return content.toString();
    if (content.isNull())
        return QString();
    if (!content.isArray())
        reject(param, QStringLiteral("'%1' must be a string or an array of text parts, not %2.")
                          .arg(param, jsonTypeName(content)));

    QString text;
    const QJsonArray parts = content.toArray();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString partParam = QStringLiteral("%1[%2]").arg(param, QString::number(i));
        if (!parts[i].isObject())
            reject(partParam, QStringLiteral("'%1' must be an object, not %2.").arg(partParam, jsonTypeName(parts[i])));
        const QJsonObject part = parts[i].toObject();
        const QString type = part.value(QStringLiteral("type")).toString();
        if (type != QStringLiteral("text"))
            reject(partParam + QStringLiteral(".type"),
                   QStringLiteral("Only text parts are supported; '%1.type' is '%2'.").arg(partParam, type));
        const QJsonValue partText = part.value(QStringLiteral("text"));
        if (!partText.isString())
            reject(partParam + QStringLiteral(".text"), QStringLiteral("'%1.text' must be a string, not %2.")
                                                            .arg(partParam, jsonTypeName(partText)));
        text += partText.toString();
    }
    return text;
}

std::vector<ChatMessage> readMessages(const QJsonObject& body)
{
    const QString name = QStringLiteral("messages");
    const QJsonValue value = body.value(name);
    if (value.isUndefined())
        reject(name, QStringLiteral("'messages' is required."));
    if (!value.isArray())
        reject(name, QStringLiteral("'messages' must be an array, not %1.").arg(jsonTypeName(value)));
    const QJsonArray array = value.toArray();
    if (array.isEmpty())
        reject(name, QStringLiteral("'messages' must contain at least one message."));

    std::vector<ChatMessage> messages;
    messages.reserve(static_cast<std::size_t>(array.size()));
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString param = QStringLiteral("messages[%1]").arg(i);
        if (!array[i].isObject())
            reject(param, QStringLiteral("'%1' must be an object, not %2.").arg(param, jsonTypeName(array[i])));
        const QJsonObject message = array[i].toObject();

        // "developer" is what newer OpenAI models call the system role.
        const QJsonValue roleValue = message.value(QStringLiteral("role"));
        if (!roleValue.isString())
            reject(param + QStringLiteral(".role"),
                   QStringLiteral("'%1.role' must be a string, not %2.").arg(param, jsonTypeName(roleValue)));
        QString role = roleValue.toString();
        if (role == QStringLiteral("developer"))
            role = QStringLiteral("system");
        if (role != QStringLiteral("system") && role != QStringLiteral("user") && role != QStringLiteral("assistant"))
            reject(param + QStringLiteral(".role"),
                   QStringLiteral("'%1.role' must be system, developer, user or assistant; got '%2'.").arg(param, role));

        const QJsonValue content = message.value(QStringLiteral("content"));
        if (content.isUndefined())
            reject(param + QStringLiteral(".content"), QStringLiteral("'%1.content' is required.").arg(param));
        const QString text = readContent(content, param + QStringLiteral(".content"));
        messages.push_back({role.toStdString(), text.toUtf8().toStdString()});
    }
    return messages;
}

QStringList readStop(const QJsonObject& body)
{
    const QString name = QStringLiteral("stop");
    const QJsonValue value = body.value(name);
    if (isAbsent(value))
        return {};
    if (value.isString())
        return value.toString().isEmpty() ? QStringList() : QStringList{value.toString()};
    if (!value.isArray())
        reject(name, QStringLiteral("'stop' must be a string or an array of strings, not %1.").arg(jsonTypeName(value)));

    const QJsonArray array = value.toArray();
    if (array.size() > kMaxStopSequences)
        reject(name, QStringLiteral("'stop' may contain at most %1 sequences; got %2.")
                         .arg(QString::number(kMaxStopSequences), QString::number(array.size())));
    QStringList stop;
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array[i].isString())
            reject(QStringLiteral("stop[%1]").arg(i),
                   QStringLiteral("'stop[%1]' must be a string, not %2.")
                       .arg(QString::number(i), jsonTypeName(array[i])));
        // An empty sequence would match before the first character.
        if (!array[i].toString().isEmpty())
            stop.append(array[i].toString());
    }
    return stop;
}

// The sampling fields. Defaults follow OpenAI's where OpenAI has the field
// (temperature 1, top_p 1) and switch the extensions off (top_k, min_p,
// repeat_penalty), so a request without them samples from the model's plain
// distribution.
SamplingParams readSampling(const QJsonObject& body)
{
    SamplingParams sampling;
    sampling.temperature = static_cast<float>(readNumber(body, QStringLiteral("temperature"), 1.0, 0.0, 2.0));
    sampling.top_p = static_cast<float>(readNumber(body, QStringLiteral("top_p"), 1.0, 0.0, 1.0));
    sampling.top_k = static_cast<int>(
        readInteger(body, QStringLiteral("top_k"), 0, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
    sampling.min_p = static_cast<float>(readNumber(body, QStringLiteral("min_p"), 0.0, 0.0, 1.0));
    sampling.repeat_penalty = static_cast<float>(readNumber(body, QStringLiteral("repeat_penalty"), 1.0, 0.0, 10.0));

    // OpenAI's penalties subtract a multiple of a token's count from its
    // logit. The sampler has only the multiplicative repeat_penalty, so these
    // two are checked and otherwise ignored.
    readNumber(body, QStringLiteral("frequency_penalty"), 0.0, -2.0, 2.0);
    readNumber(body, QStringLiteral("presence_penalty"), 0.0, -2.0, 2.0);

    // The sampler takes seed 0 as "pick one at random", so request seeds move
    // up by one. Seed -1, llama.cpp's "random", lands on 0. Other negative
    // seeds are rejected rather than wrapped onto large ones.
    if (!isAbsent(body.value(QStringLiteral("seed")))) {
        const qint64 seed = readInteger(body, QStringLiteral("seed"), 0, -1, std::numeric_limits<qint64>::max());
        sampling.seed = static_cast<uint64_t>(seed) + 1u;
    }
    return sampling;
}

ChatCompletionRequest readRequest(const QJsonObject& body)
{
    ChatCompletionRequest request;

    // Step 1: the model, which the caller compares with the loaded one.
    const QJsonValue model = body.value(QStringLiteral("model"));
    if (!isAbsent(model) && !model.isString())
        reject(QStringLiteral("model"), QStringLiteral("'model' must be a string, not %1.").arg(jsonTypeName(model)));
    request.model = model.toString();

    // Step 2: the conversation.
    request.messages = readMessages(body);

    // Step 3: streaming.
    request.stream = readBool(body, QStringLiteral("stream"), false);
    const QJsonValue streamOptions = body.value(QStringLiteral("stream_options"));
    if (!isAbsent(streamOptions)) {
        if (!streamOptions.isObject())
            reject(QStringLiteral("stream_options"), QStringLiteral("'stream_options' must be an object, not %1.")
                                                         .arg(jsonTypeName(streamOptions)));
        request.includeUsage = readBool(streamOptions.toObject(), QStringLiteral("include_usage"), false);
    }

    // Step 4: one choice only, because one session generates one reply.
    if (readInteger(body, QStringLiteral("n"), 1, 1, std::numeric_limits<int>::max()) != 1)
        reject(QStringLiteral("n"), QStringLiteral("Only n = 1 is supported."));

    // Step 5: sampling, length and stop sequences. max_completion_tokens is
    // the newer name of max_tokens and wins when both are set.
    request.settings.sampling = readSampling(body);
    const qint64 maxTokens = readInteger(body, QStringLiteral("max_tokens"), 0, 1, std::numeric_limits<int>::max());
    request.settings.maxTokens = static_cast<int>(
        readInteger(body, QStringLiteral("max_completion_tokens"), maxTokens, 1, std::numeric_limits<int>::max()));
    request.stop = readStop(body);
    return request;
}

QJsonValue stringOrNull(const QString& text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonObject usageObject(const TokenUsage& usage)
{
    return QJsonObject{
        {QStringLiteral("prompt_tokens"), usage.promptTokens},
        {QStringLiteral("completion_tokens"), usage.completionTokens},
        {QStringLiteral("total_tokens"), usage.promptTokens + usage.completionTokens},
    };
}

} // namespace

ApiError ApiError::invalidRequest(const QString& message, const QString& param)
{
    return {400, message, QStringLiteral("invalid_request_error"), param, QString()};
}

ApiError ApiError::modelNotFound(const QString& model)
{
    return {404,
            QStringLiteral("The model '%1' is not loaded. GET /v1/models lists the loaded model.").arg(model),
            QStringLiteral("invalid_request_error"), QStringLiteral("model"), QStringLiteral("model_not_found")};
}

ApiError ApiError::noModelLoaded()
{
    return {503, QStringLiteral("No model is loaded. Load a model in Quanta, then try again."),
            QStringLiteral("server_error"), QString(), QStringLiteral("model_not_loaded")};
}

ApiError ApiError::bodyTooLarge(qint64 size)
{
    return {413,
            QStringLiteral("The request body has %1 bytes; the limit is %2 bytes.")
                .arg(QString::number(size), QString::number(kMaxRequestBodyBytes)),
            QStringLiteral("invalid_request_error"), QString(), QStringLiteral("request_too_large")};
}

ApiError ApiError::declaredBodyTooLarge(const QString& declared)
{
    return {413,
            QStringLiteral("The Content-Length header announces %1 bytes; the limit is %2 bytes.")
                .arg(declared, QString::number(kMaxRequestBodyBytes)),
            QStringLiteral("invalid_request_error"), QString(), QStringLiteral("request_too_large")};
}

ApiError ApiError::invalidContentLength(const QString& value)
{
    return {400,
            QStringLiteral("Invalid Content-Length header '%1': expected one number of bytes.").arg(value),
            QStringLiteral("invalid_request_error"), QString(), QStringLiteral("invalid_content_length")};
}

ApiError ApiError::headersTooLarge(qint64 limit)
{
    return {431, QStringLiteral("The request line and headers have more than %1 bytes.").arg(limit),
            QStringLiteral("invalid_request_error"), QString(), QStringLiteral("headers_too_large")};
}

ApiError ApiError::requestTimeout(int timeoutMs)
{
    return {408,
            QStringLiteral("No complete request arrived within %1 seconds; the connection is closed.")
                .arg(QString::number(timeoutMs / 1000.0)),
            QStringLiteral("invalid_request_error"), QString(), QStringLiteral("request_timeout")};
}

ApiError ApiError::tooManyConnections(int limit)
{
    return {503,
            QStringLiteral("The server has %1 connections open, its limit. Close one and try again.").arg(limit),
            QStringLiteral("server_error"), QString(), QStringLiteral("too_many_connections")};
}

ApiError ApiError::serverStopping()
{
    return {503, QStringLiteral("The server is shutting down. Try again once it runs again."),
            QStringLiteral("server_error"), QString(), QStringLiteral("server_stopping")};
}

ApiError ApiError::unknownPath(const QString& method, const QString& path)
{
    return {404,
            QStringLiteral("Invalid URL (%1 %2). The server has GET /v1/models and POST /v1/chat/completions.")
                .arg(method, path),
            QStringLiteral("invalid_request_error"), QString(), QStringLiteral("unknown_url")};
}

ApiError ApiError::methodNotAllowed(const QString& method, const QString& path)
{
    return {405, QStringLiteral("Method %1 is not allowed for %2.").arg(method, path),
            QStringLiteral("invalid_request_error"), QString(), QStringLiteral("method_not_allowed")};
}

ApiError ApiError::queueFull(int limit)
{
    return {429,
            QStringLiteral("%1 requests are already waiting for the model. Try again when one has finished.").arg(limit),
            QStringLiteral("rate_limit_error"), QString(), QStringLiteral("rate_limit_exceeded")};
}

ApiError ApiError::generationFailed(const QString& message)
{
    return {500, QStringLiteral("Generation failed: %1").arg(message), QStringLiteral("server_error"), QString(),
            QStringLiteral("generation_failed")};
}

ApiError ApiError::generationCancelled()
{
    return {503,
            QStringLiteral("The generation was stopped in Quanta (for example, because the model was changed). Try "
                           "again."),
            QStringLiteral("server_error"), QString(), QStringLiteral("generation_cancelled")};
}

std::variant<ChatCompletionRequest, ApiError> parseChatCompletionRequest(const QByteArray& body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return ApiError::invalidRequest(QStringLiteral("The request body is not valid JSON: %1 at byte %2.")
                                            .arg(parseError.errorString(), QString::number(parseError.offset)));
    if (!document.isObject())
        return ApiError::invalidRequest(QStringLiteral("The request body must be a JSON object."));
    try {
        return readRequest(document.object());
    } catch (const InvalidField& invalid) {
        return invalid.error;
    }
}

QByteArray errorBody(const ApiError& error)
{
    const QJsonObject details{
        {QStringLiteral("message"), error.message},
        {QStringLiteral("type"), error.type},
        {QStringLiteral("param"), stringOrNull(error.param)},
        {QStringLiteral("code"), stringOrNull(error.code)},
    };
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), details}}).toJson(QJsonDocument::Compact);
}

QJsonObject modelListObject(const QString& id, qint64 created)
{
    QJsonArray data;
    if (!id.isEmpty()) {
        data.append(QJsonObject{
            {QStringLiteral("id"), id},
            {QStringLiteral("object"), QStringLiteral("model")},
            {QStringLiteral("created"), created},
            {QStringLiteral("owned_by"), QStringLiteral("quanta")},
        });
    }
    return QJsonObject{{QStringLiteral("object"), QStringLiteral("list")}, {QStringLiteral("data"), data}};
}

CompletionIdentity newCompletionIdentity(const QString& model)
{
    QByteArray random(kCompletionIdBytes, Qt::Uninitialized);
    for (char& byte : random)
        byte = static_cast<char>(QRandomGenerator::global()->bounded(256));
    return {QStringLiteral("chatcmpl-") + QString::fromLatin1(random.toHex()), QDateTime::currentSecsSinceEpoch(),
            model};
}

QString finishReason(StopReason reason)
{
    switch (reason) {
    case StopReason::EndOfGeneration:
    case StopReason::StopString:
        return QStringLiteral("stop");
    case StopReason::MaxTokens:
    case StopReason::ContextFull:
        return QStringLiteral("length");
    case StopReason::Cancelled:
        break;
    }
    return QString();
}

QJsonObject completionObject(const CompletionIdentity& identity, const QString& text, const QString& finishReason,
                             const TokenUsage& usage)
{
    const QJsonObject message{
        {QStringLiteral("role"), QStringLiteral("assistant")},
        {QStringLiteral("content"), text},
    };
    const QJsonObject choice{
        {QStringLiteral("index"), 0},
        {QStringLiteral("message"), message},
        {QStringLiteral("logprobs"), QJsonValue::Null},
        {QStringLiteral("finish_reason"), stringOrNull(finishReason)},
    };
    return QJsonObject{
        {QStringLiteral("id"), identity.id},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("created"), identity.created},
        {QStringLiteral("model"), identity.model},
        {QStringLiteral("choices"), QJsonArray{choice}},
        {QStringLiteral("usage"), usageObject(usage)},
    };
}

QJsonObject chunkObject(const CompletionIdentity& identity, const QJsonObject& delta, const QString& finishReason)
{
    const QJsonObject choice{
        {QStringLiteral("index"), 0},
        {QStringLiteral("delta"), delta},
        {QStringLiteral("logprobs"), QJsonValue::Null},
        {QStringLiteral("finish_reason"), stringOrNull(finishReason)},
    };
    return QJsonObject{
        {QStringLiteral("id"), identity.id},
        {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
        {QStringLiteral("created"), identity.created},
        {QStringLiteral("model"), identity.model},
        {QStringLiteral("choices"), QJsonArray{choice}},
    };
}

QJsonObject usageChunkObject(const CompletionIdentity& identity, const TokenUsage& usage)
{
    return QJsonObject{
        {QStringLiteral("id"), identity.id},
        {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
        {QStringLiteral("created"), identity.created},
        {QStringLiteral("model"), identity.model},
        {QStringLiteral("choices"), QJsonArray()},
        {QStringLiteral("usage"), usageObject(usage)},
    };
}

QByteArray serverSentEvent(const QJsonObject& object)
{
    return "data: " + QJsonDocument(object).toJson(QJsonDocument::Compact) + "\n\n";
}

QByteArray serverSentDone()
{
    return QByteArrayLiteral("data: [DONE]\n\n");
}

} // namespace quanta::api

// The local OpenAI-compatible API with stories260K.gguf and a real HTTP
// client on 127.0.0.1: QNetworkAccessManager, and raw sockets where a client
// must misbehave. Covered: models, greedy replies equal to InferenceService's
// own, server-sent events, stop sequences, usage, the request queue, a
// client that leaves mid-stream, and every error response, also those sent
// as soon as the headers arrive. Also covered: idle and surplus connections,
// HTTP/1.0 and "Connection: close", a server that stops while requests run
// and wait, the persisted settings and their section in the settings dialog.

#include "api/api_server.h"
#include "api/api_settings.h"
#include "api/stop_sequence_filter.h"
#include "generation/inference_service.h"
#include "test_support.h"

#include <QClipboard>
#include <QDir>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

#include <functional>
#include <memory>

// The QML modules are static libraries; this suite loads their types without
// AppContext, which imports them for the app.
Q_IMPORT_QML_PLUGIN(QuantaCorePlugin)
Q_IMPORT_QML_PLUGIN(QuantaPlugin)

using namespace quanta;

namespace {

constexpr int kTimeoutMs = 60000;
// Greedy reply length for the comparisons; stories260K never ends a story
// this early, so the reply stops at the limit.
constexpr int kReplyTokens = 40;

QString sharedModel()
{
    return QString::fromStdString(test::shared_path("models/stories260K.gguf"));
}

QJsonObject userMessage(const QString& text)
{
    return {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), text}};
}

// A greedy request with no repetition penalty, as the direct reference uses.
QJsonObject greedyRequest(const QString& prompt, int maxTokens)
{
    return {
        {QStringLiteral("messages"), QJsonArray{userMessage(prompt)}},
        {QStringLiteral("temperature"), 0},
        {QStringLiteral("max_tokens"), maxTokens},
    };
}

GenerationSettings greedySettings(int maxTokens)
{
    GenerationSettings settings;
    settings.sampling.temperature = 0.0f;
    settings.sampling.top_k = 0;
    settings.sampling.top_p = 1.0f;
    settings.sampling.min_p = 0.0f;
    settings.sampling.repeat_penalty = 1.0f;
    settings.maxTokens = maxTokens;
    return settings;
}

// One generation through InferenceService itself, as the chat window runs it.
struct DirectReply {
    QString text;
    GenerationOutcome outcome;
    bool finished = false;
    QString error;
};

DirectReply generateDirectly(InferenceService& service, std::vector<ChatMessage> messages,
                             const GenerationSettings& settings)
{
    DirectReply reply;
    QObject context;
    quint64 requestId = 0;
    QObject::connect(&service, &InferenceService::textGenerated, &context, [&](quint64 id, const QString& text) {
        if (id == requestId)
            reply.text += text;
    });
    QObject::connect(&service, &InferenceService::generationFinished, &context,
                     [&](quint64 id, const GenerationOutcome& outcome) {
                         if (id == requestId) {
                             reply.outcome = outcome;
                             reply.finished = true;
                         }
                     });
    requestId = service.startGeneration(std::move(messages), settings);
    if (requestId == 0) {
        reply.error = QStringLiteral("startGeneration returned 0");
        return reply;
    }
    if (!QTest::qWaitFor([&] { return reply.finished; }, kTimeoutMs))
        reply.error = QStringLiteral("no end of generation within %1 ms").arg(kTimeoutMs);
    return reply;
}

// A finished HTTP exchange.
struct HttpResult {
    int status = 0;
    QByteArray body;
    QJsonObject json; // the body, when it is a JSON object
    QByteArray contentType;
    QByteArray allow;
    bool finished = false;
};

class HttpClient {
public:
    explicit HttpClient(quint16 port)
        : base_(QStringLiteral("http://127.0.0.1:%1").arg(port))
    {
    }

    QNetworkReply* start(const QByteArray& method, const QString& path, const QByteArray& body = {})
    {
        QNetworkRequest request(QUrl(base_ + path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return manager_.sendCustomRequest(request, method, body);
    }

    static HttpResult wait(QNetworkReply* reply)
    {
        HttpResult result;
        result.finished = QTest::qWaitFor([reply] { return reply->isFinished(); }, kTimeoutMs);
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.json = QJsonDocument::fromJson(result.body).object();
        result.contentType = reply->rawHeader(QByteArrayLiteral("Content-Type"));
        result.allow = reply->rawHeader(QByteArrayLiteral("Allow"));
        reply->deleteLater();
        return result;
    }

    HttpResult send(const QByteArray& method, const QString& path, const QByteArray& body = {})
    {
        return wait(start(method, path, body));
    }

    HttpResult post(const QJsonObject& body)
    {
        return send("POST", QStringLiteral("/v1/chat/completions"), QJsonDocument(body).toJson());
    }

private:
    QString base_;
    QNetworkAccessManager manager_;
};

QString replyText(const HttpResult& result)
{
    return result.json[QStringLiteral("choices")][0][QStringLiteral("message")][QStringLiteral("content")].toString();
}

QString replyFinishReason(const HttpResult& result)
{
    return result.json[QStringLiteral("choices")][0][QStringLiteral("finish_reason")].toString();
}

// The data of each server-sent event, in order, [DONE] included.
QList<QByteArray> streamEvents(const QByteArray& body)
{
    QList<QByteArray> events;
    for (const QByteArray& block : body.split('\n')) {
        if (block.startsWith("data: "))
            events.append(block.mid(6));
    }
    return events;
}

// A stream's events, parsed, with what a client reassembles from them.
struct ParsedStream {
    QList<QJsonObject> chunks; // every event before [DONE]
    QString text;              // the content deltas joined
    QString finishReason;      // from the chunk that has one
    bool endsWithDone = false;
};

ParsedStream parseStream(const QByteArray& body)
{
    ParsedStream stream;
    const QList<QByteArray> events = streamEvents(body);
    stream.endsWithDone = !events.isEmpty() && events.last() == "[DONE]";
    for (const QByteArray& event : events) {
        if (event == "[DONE]")
            break;
        const QJsonObject chunk = QJsonDocument::fromJson(event).object();
        stream.chunks.append(chunk);
        const QJsonObject choice = chunk[QStringLiteral("choices")][0].toObject();
        stream.text += choice[QStringLiteral("delta")][QStringLiteral("content")].toString();
        if (choice[QStringLiteral("finish_reason")].isString())
            stream.finishReason = choice[QStringLiteral("finish_reason")].toString();
    }
    return stream;
}

// The settings section alone in a window, as the settings dialog shows it.
const char* const kSectionWindowQml = R"(
import QtQuick
import QtQuick.Controls
import Quanta
import Quanta.Core

ApplicationWindow {
    id: window
    required property ApiSettings api
    width: 560
    height: 200
    visible: true
    color: Theme.surface

    ApiServerSection {
        anchors.fill: parent
        anchors.margins: 16
        api: window.api
    }
}
)";

QQuickItem* findItem(QQuickItem* root, const QString& objectName)
{
    if (root->objectName() == objectName)
        return root;
    for (QQuickItem* child : root->childItems()) {
        if (QQuickItem* found = findItem(child, objectName))
            return found;
    }
    return nullptr;
}

void click(QQuickWindow* window, QQuickItem* item)
{
    const QPointF center = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, center.toPoint());
}

QByteArray rawHttpRequest(const QByteArray& method, const QByteArray& path, const QByteArray& body)
{
    return method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// A raw connection that collects every byte the server sends, also the ones
// that arrive together with the end of the connection.
class RawClient {
public:
    explicit RawClient(quint16 port)
    {
        QObject::connect(&socket_, &QTcpSocket::readyRead, &socket_, [this] { received_ += socket_.readAll(); });
        QObject::connect(&socket_, &QTcpSocket::disconnected, &socket_, [this] { closed_ = true; });
        socket_.connectToHost(QHostAddress::LocalHost, port);
        connected_ = socket_.waitForConnected(kTimeoutMs);
    }

    bool connected() const { return connected_; }
    void send(const QByteArray& bytes) { socket_.write(bytes); }
    void close() { socket_.disconnectFromHost(); }
    const QByteArray& received() const { return received_; }
    bool closed() const { return closed_; }
    bool waitForClose()
    {
        return QTest::qWaitFor([this] { return closed_; }, kTimeoutMs);
    }
    bool waitFor(const std::function<bool(const QByteArray&)>& condition)
    {
        return QTest::qWaitFor([&] { return condition(received_); }, kTimeoutMs);
    }

private:
    QTcpSocket socket_;
    QByteArray received_;
    bool connected_ = false;
    bool closed_ = false;
};

const QByteArray kModelsRequest = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

} // namespace

class TestApiServer : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void stopFilterHoldsBackPrefixes();
    void modelsListsLoadedModel();
    void greedyReplyMatchesDirectGeneration();
    void streamMatchesNonStreaming();
    void maxTokensEndsWithLength();
    void stopSequenceEndsReply();
    void contentPartsEqualString();
    void modelNamedOrOmitted();
    void concurrentRequestsBothComplete();
    void requestWaitsForChatReply();
    void fullQueueAnswers429();
    void clientAbortCancelsGeneration();
    void invalidJsonIs400();
    void wrongFieldsAre400_data();
    void wrongFieldsAre400();
    void unknownModelIs404();
    void noModelLoadedIs503();
    void oversizeBodyIs413();
    void endlessBodyClosesConnection();
    void unknownPathIs404();
    void wrongMethodIs405();
    void declaredOversizeBodyIs413AtOnce();
    void badContentLengthIsRejected_data();
    void badContentLengthIsRejected();
    void idleConnectionsAreClosed();
    void extraConnectionsAreRefused();
    void http10ConnectionCloses();
    void stopAnswersStreamAndQueue();
    void seedMinusOneIsRandom();
    void portInUseFailsWithMessage();
    void settingsPersistAndStartServer();
    void settingsSectionShowsUrlAndError();

private:
    std::unique_ptr<InferenceService> service_;
    std::unique_ptr<ApiServer> server_;
    std::unique_ptr<HttpClient> client_;
};

void TestApiServer::initTestCase()
{
    if (!test::shared_available())
        QSKIP("The shared models folder is missing");
    service_ = std::make_unique<InferenceService>();
    service_->loadModel(sharedModel());
    QTRY_VERIFY_WITH_TIMEOUT(!service_->loading(), kTimeoutMs);
    QVERIFY(service_->modelLoaded());

    server_ = std::make_unique<ApiServer>(*service_);
    QVERIFY(server_->start(0));
    QVERIFY(server_->running());
    QVERIFY(server_->port() > 0);
    QCOMPARE(server_->url(), QStringLiteral("http://127.0.0.1:%1/v1").arg(server_->port()));
    QVERIFY(server_->lastError().isEmpty());
    client_ = std::make_unique<HttpClient>(static_cast<quint16>(server_->port()));
}

void TestApiServer::cleanupTestCase()
{
    client_.reset();
    server_.reset();
    service_.reset();
}

void TestApiServer::init()
{
    // Every test starts with an idle service, whatever the last one left.
    if (service_)
        QTRY_VERIFY_WITH_TIMEOUT(!service_->generating(), kTimeoutMs);
}

void TestApiServer::stopFilterHoldsBackPrefixes()
{
    api::StopSequenceFilter filter({QStringLiteral("little girl"), QStringLiteral("END")});
    // "little" may start the stop sequence, so it waits for the next piece.
    QCOMPARE(filter.push(QStringLiteral("a little")), QStringLiteral("a "));
    QCOMPARE(filter.push(QStringLiteral(" dog")), QStringLiteral("little dog"));
    QVERIFY(!filter.stopped());
    // A sequence split over three pieces ends the text before it.
    QCOMPARE(filter.push(QStringLiteral(" and a lit")), QStringLiteral(" and a "));
    QCOMPARE(filter.push(QStringLiteral("tle gi")), QString());
    QCOMPARE(filter.push(QStringLiteral("rl ran")), QString());
    QVERIFY(filter.stopped());
    QCOMPARE(filter.push(QStringLiteral("more")), QString());
    QCOMPARE(filter.flush(), QString());

    // Without a stop, flush() returns what was held back.
    api::StopSequenceFilter open({QStringLiteral("END")});
    QCOMPARE(open.push(QStringLiteral("the E")), QStringLiteral("the "));
    QCOMPARE(open.flush(), QStringLiteral("E"));
}

void TestApiServer::modelsListsLoadedModel()
{
    const HttpResult result = client_->send("GET", QStringLiteral("/v1/models"));
    QVERIFY(result.finished);
    QCOMPARE(result.status, 200);
    QCOMPARE(result.contentType, QByteArrayLiteral("application/json"));
    QCOMPARE(result.json[QStringLiteral("object")].toString(), QStringLiteral("list"));
    const QJsonArray data = result.json[QStringLiteral("data")].toArray();
    QCOMPARE(data.size(), 1);
    const QJsonObject model = data[0].toObject();
    QCOMPARE(model[QStringLiteral("id")].toString(), QStringLiteral("stories260K"));
    QCOMPARE(model[QStringLiteral("object")].toString(), QStringLiteral("model"));
    QCOMPARE(model[QStringLiteral("owned_by")].toString(), QStringLiteral("quanta"));
    QVERIFY(model[QStringLiteral("created")].toInteger() > 0);
}

void TestApiServer::greedyReplyMatchesDirectGeneration()
{
    const QString prompt = QStringLiteral("Once upon a time");
    const HttpResult result = client_->post(greedyRequest(prompt, kReplyTokens));
    QVERIFY(result.finished);
    QCOMPARE(result.status, 200);
    QCOMPARE(result.json[QStringLiteral("object")].toString(), QStringLiteral("chat.completion"));
    QVERIFY(result.json[QStringLiteral("id")].toString().startsWith(QStringLiteral("chatcmpl-")));
    QCOMPARE(result.json[QStringLiteral("model")].toString(), QStringLiteral("stories260K"));
    QCOMPARE(result.json[QStringLiteral("choices")][0][QStringLiteral("message")][QStringLiteral("role")].toString(),
             QStringLiteral("assistant"));

    const DirectReply direct =
        generateDirectly(*service_, {{"user", prompt.toStdString()}}, greedySettings(kReplyTokens));
    QVERIFY2(direct.error.isEmpty(), qPrintable(direct.error));
    QVERIFY(!direct.text.isEmpty());
    QCOMPARE(replyText(result), direct.text);

    // The usage is the service's own count.
    const QJsonObject usage = result.json[QStringLiteral("usage")].toObject();
    QCOMPARE(usage[QStringLiteral("prompt_tokens")].toInt(), direct.outcome.promptTokens);
    QCOMPARE(usage[QStringLiteral("completion_tokens")].toInt(), direct.outcome.generatedTokens);
    QCOMPARE(usage[QStringLiteral("completion_tokens")].toInt(), kReplyTokens);
    QCOMPARE(usage[QStringLiteral("total_tokens")].toInt(), direct.outcome.promptTokens + kReplyTokens);
}

void TestApiServer::streamMatchesNonStreaming()
{
    QJsonObject request = greedyRequest(QStringLiteral("The cat"), kReplyTokens);
    const HttpResult whole = client_->post(request);
    QCOMPARE(whole.status, 200);

    request[QStringLiteral("stream")] = true;
    request[QStringLiteral("stream_options")] = QJsonObject{{QStringLiteral("include_usage"), true}};
    const HttpResult streamed = client_->post(request);
    QVERIFY(streamed.finished);
    QCOMPARE(streamed.status, 200);
    QCOMPARE(streamed.contentType, QByteArrayLiteral("text/event-stream"));

    const ParsedStream stream = parseStream(streamed.body);
    QVERIFY(stream.endsWithDone);
    QVERIFY(stream.chunks.size() >= 3);
    QCOMPARE(stream.text, replyText(whole));
    QCOMPARE(stream.finishReason, QStringLiteral("length"));

    // The first chunk carries the role; every chunk has the same id.
    const QJsonObject first = stream.chunks.first();
    QCOMPARE(first[QStringLiteral("object")].toString(), QStringLiteral("chat.completion.chunk"));
    QCOMPARE(first[QStringLiteral("choices")][0][QStringLiteral("delta")][QStringLiteral("role")].toString(),
             QStringLiteral("assistant"));
    for (const QJsonObject& chunk : stream.chunks)
        QCOMPARE(chunk[QStringLiteral("id")].toString(), first[QStringLiteral("id")].toString());

    // include_usage adds a last chunk with no choices and the usage.
    const QJsonObject last = stream.chunks.last();
    QVERIFY(last[QStringLiteral("choices")].toArray().isEmpty());
    QCOMPARE(last[QStringLiteral("usage")][QStringLiteral("completion_tokens")].toInt(), kReplyTokens);
    QCOMPARE(last[QStringLiteral("usage")][QStringLiteral("prompt_tokens")].toInt(),
             whole.json[QStringLiteral("usage")][QStringLiteral("prompt_tokens")].toInt());
}

void TestApiServer::maxTokensEndsWithLength()
{
    QJsonObject request = greedyRequest(QStringLiteral("Once upon a time"), 3);
    request.remove(QStringLiteral("max_tokens"));
    request[QStringLiteral("max_completion_tokens")] = 3;
    const HttpResult result = client_->post(request);
    QCOMPARE(result.status, 200);
    QCOMPARE(replyFinishReason(result), QStringLiteral("length"));
    QCOMPARE(result.json[QStringLiteral("usage")][QStringLiteral("completion_tokens")].toInt(), 3);
}

void TestApiServer::stopSequenceEndsReply()
{
    // The greedy reply to this prompt starts ", there was a little girl
    // named Lily", and "little girl" spans two tokens.
    const QString prompt = QStringLiteral("Once upon a time");
    const HttpResult plain = client_->post(greedyRequest(prompt, kReplyTokens));
    QCOMPARE(plain.status, 200);
    const QString full = replyText(plain);
    const QString stop = QStringLiteral("little girl");
    const qsizetype stopAt = full.indexOf(stop);
    QVERIFY2(stopAt > 0, qPrintable(full));

    QJsonObject request = greedyRequest(prompt, kReplyTokens);
    request[QStringLiteral("stop")] = QJsonArray{QStringLiteral("no such text"), stop};
    const HttpResult stopped = client_->post(request);
    QCOMPARE(stopped.status, 200);
    QCOMPARE(replyText(stopped), full.left(stopAt));
    QCOMPARE(replyFinishReason(stopped), QStringLiteral("stop"));

    request[QStringLiteral("stream")] = true;
    request[QStringLiteral("stop")] = stop;
    const HttpResult streamed = client_->post(request);
    QCOMPARE(streamed.status, 200);
    const ParsedStream stream = parseStream(streamed.body);
    QVERIFY(stream.endsWithDone);
    QCOMPARE(stream.text, full.left(stopAt));
    QCOMPARE(stream.finishReason, QStringLiteral("stop"));
}

void TestApiServer::contentPartsEqualString()
{
    const HttpResult asString = client_->post(greedyRequest(QStringLiteral("Once upon a time"), 10));
    QJsonObject request = greedyRequest(QString(), 10);
    const QJsonArray parts{
        QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QStringLiteral("Once upon")}},
        QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QStringLiteral(" a time")}},
    };
    request[QStringLiteral("messages")] =
        QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), parts}}};
    const HttpResult asParts = client_->post(request);
    QCOMPARE(asString.status, 200);
    QCOMPARE(asParts.status, 200);
    QCOMPARE(replyText(asParts), replyText(asString));
}

void TestApiServer::modelNamedOrOmitted()
{
    QJsonObject request = greedyRequest(QStringLiteral("Once upon a time"), 2);
    request[QStringLiteral("model")] = QStringLiteral("stories260K");
    QCOMPARE(client_->post(request).status, 200);
    request[QStringLiteral("model")] = QString();
    QCOMPARE(client_->post(request).status, 200);
    request[QStringLiteral("model")] = QJsonValue::Null;
    QCOMPARE(client_->post(request).status, 200);
}

void TestApiServer::concurrentRequestsBothComplete()
{
    // The second request waits for the first, then both get the same reply.
    const QByteArray body = QJsonDocument(greedyRequest(QStringLiteral("The dog"), kReplyTokens)).toJson();
    QNetworkReply* first = client_->start("POST", QStringLiteral("/v1/chat/completions"), body);
    QNetworkReply* second = client_->start("POST", QStringLiteral("/v1/chat/completions"), body);
    const HttpResult firstResult = HttpClient::wait(first);
    const HttpResult secondResult = HttpClient::wait(second);
    QVERIFY(firstResult.finished);
    QVERIFY(secondResult.finished);
    QCOMPARE(firstResult.status, 200);
    QCOMPARE(secondResult.status, 200);
    QVERIFY(!replyText(firstResult).isEmpty());
    QCOMPARE(replyText(secondResult), replyText(firstResult));
    QVERIFY(firstResult.json[QStringLiteral("id")] != secondResult.json[QStringLiteral("id")]);
}

void TestApiServer::requestWaitsForChatReply()
{
    // A reply the chat window started runs to its end; the API request
    // starts after it.
    QList<quint64> finishedOrder;
    QObject context;
    connect(service_.get(), &InferenceService::generationFinished, &context,
            [&](quint64 id, const GenerationOutcome&) { finishedOrder.append(id); });
    const quint64 chatRequest = service_->startGeneration({{"user", "Once upon a time"}}, greedySettings(200));
    QVERIFY(chatRequest != 0);

    const HttpResult result = client_->post(greedyRequest(QStringLiteral("The dog"), 5));
    QCOMPARE(result.status, 200);
    QCOMPARE(finishedOrder.size(), 2);
    QCOMPARE(finishedOrder.first(), chatRequest);
}

void TestApiServer::fullQueueAnswers429()
{
    // Step 1: keep the service busy with a long reply of the chat window's.
    bool chatFinished = false;
    QObject context;
    quint64 chatRequest = 0;
    connect(service_.get(), &InferenceService::generationFinished, &context,
            [&](quint64 id, const GenerationOutcome&) { chatFinished = chatFinished || id == chatRequest; });
    chatRequest = service_->startGeneration({{"user", "Once upon a time"}}, greedySettings(service_->contextSize()));
    QVERIFY(chatRequest != 0);

    // Step 2: one request more than the queue takes, on raw connections,
    // because QNetworkAccessManager sends at most six at a time.
    const int requestsBefore = server_->requestCount();
    const QByteArray request =
        rawHttpRequest("POST", "/v1/chat/completions", QJsonDocument(greedyRequest(QStringLiteral("Hi"), 1)).toJson());
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i <= ApiServer::kMaxQueuedRequests; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, static_cast<quint16>(server_->port()));
        socket->write(request);
        sockets.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(server_->requestCount(), requestsBefore + ApiServer::kMaxQueuedRequests + 1, kTimeoutMs);
    if (chatFinished) {
        service_->stopGeneration();
        QSKIP("The chat reply ended before all requests arrived, so none had to be turned away");
    }

    // Step 3: exactly one is turned away while the others wait.
    const auto responded = [&sockets] {
        int count = 0;
        for (const auto& socket : sockets)
            count += socket->bytesAvailable() > 0 ? 1 : 0;
        return count;
    };
    QTRY_VERIFY_WITH_TIMEOUT(responded() >= 1, kTimeoutMs);
    QCOMPARE(responded(), 1);
    QTcpSocket* rejected = nullptr;
    for (const auto& socket : sockets) {
        if (socket->bytesAvailable() > 0)
            rejected = socket.get();
    }
    QTRY_VERIFY_WITH_TIMEOUT(rejected->peek(1 << 16).contains("rate_limit_exceeded"), kTimeoutMs);
    QVERIFY(rejected->readAll().startsWith("HTTP/1.1 429"));
    QCOMPARE(server_->waitingRequests(), ApiServer::kMaxQueuedRequests);

    // Step 4: a client that leaves while it waits frees its place at once.
    QTcpSocket* leaving = sockets.front().get() == rejected ? sockets.back().get() : sockets.front().get();
    leaving->abort();
    QTRY_COMPARE_WITH_TIMEOUT(server_->waitingRequests(), ApiServer::kMaxQueuedRequests - 1, kTimeoutMs);
    auto latecomer = std::make_unique<QTcpSocket>();
    latecomer->connectToHost(QHostAddress::LocalHost, static_cast<quint16>(server_->port()));
    latecomer->write(request);
    QTRY_COMPARE_WITH_TIMEOUT(server_->waitingRequests(), ApiServer::kMaxQueuedRequests, kTimeoutMs);
    QVERIFY(!chatFinished);
    QCOMPARE(latecomer->bytesAvailable(), 0);

    // Step 5: once the chat's reply stops, every waiting request gets a response.
    service_->stopGeneration();
    sockets.push_back(std::move(latecomer));
    for (const auto& socket : sockets) {
        if (socket.get() == rejected || socket.get() == leaving)
            continue;
        QTRY_VERIFY_WITH_TIMEOUT(socket->bytesAvailable() > 0, kTimeoutMs);
        QVERIFY(socket->peek(16).startsWith("HTTP/1.1 200"));
    }
    QCOMPARE(server_->waitingRequests(), 0);
}

void TestApiServer::clientAbortCancelsGeneration()
{
    // Without max_tokens the reply may fill the context, far more than the
    // client reads before it goes.
    QJsonObject request{
        {QStringLiteral("messages"), QJsonArray{userMessage(QStringLiteral("Once upon a time"))}},
        {QStringLiteral("temperature"), 0},
        {QStringLiteral("stream"), true},
    };
    QList<GenerationOutcome> outcomes;
    QObject context;
    connect(service_.get(), &InferenceService::generationFinished, &context,
            [&](quint64, const GenerationOutcome& outcome) { outcomes.append(outcome); });

    QNetworkReply* reply =
        client_->start("POST", QStringLiteral("/v1/chat/completions"), QJsonDocument(request).toJson());
    bool aborted = false;
    connect(reply, &QNetworkReply::readyRead, &context, [&] {
        if (!aborted) {
            aborted = true;
            reply->abort();
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(aborted, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), 1, kTimeoutMs);
    QCOMPARE(outcomes.first().reason, StopReason::Cancelled);
    QVERIFY(outcomes.first().generatedTokens < service_->contextSize() - outcomes.first().promptTokens);
    reply->deleteLater();

    // The next request is not affected.
    const HttpResult next = client_->post(greedyRequest(QStringLiteral("Once upon a time"), 5));
    QCOMPARE(next.status, 200);
    QCOMPARE(replyFinishReason(next), QStringLiteral("length"));
}

void TestApiServer::invalidJsonIs400()
{
    const HttpResult result = client_->send("POST", QStringLiteral("/v1/chat/completions"), "{\"messages\": [");
    QCOMPARE(result.status, 400);
    QCOMPARE(result.contentType, QByteArrayLiteral("application/json"));
    const QJsonObject error = result.json[QStringLiteral("error")].toObject();
    QCOMPARE(error[QStringLiteral("type")].toString(), QStringLiteral("invalid_request_error"));
    QVERIFY2(error[QStringLiteral("message")].toString().contains(QStringLiteral("not valid JSON")),
             qPrintable(error[QStringLiteral("message")].toString()));
    QVERIFY(error.contains(QStringLiteral("param")));
    QVERIFY(error.contains(QStringLiteral("code")));
}

void TestApiServer::wrongFieldsAre400_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("param");

    const QByteArray user = R"({"role": "user", "content": "Hi"})";
    QTest::newRow("body is an array") << QByteArray("[]") << QString();
    QTest::newRow("messages missing") << QByteArray("{}") << "messages";
    QTest::newRow("messages not an array") << QByteArray(R"({"messages": "Hi"})") << "messages";
    QTest::newRow("messages empty") << QByteArray(R"({"messages": []})") << "messages";
    QTest::newRow("message not an object") << QByteArray(R"({"messages": ["Hi"]})") << "messages[0]";
    QTest::newRow("role unknown") << QByteArray(R"({"messages": [{"role": "tool", "content": "x"}]})")
                                  << "messages[0].role";
    QTest::newRow("content a number") << QByteArray(R"({"messages": [{"role": "user", "content": 5}]})")
                                      << "messages[0].content";
    QTest::newRow("content missing") << QByteArray(R"({"messages": [{"role": "user"}]})") << "messages[0].content";
    QTest::newRow("image part")
        << QByteArray(R"({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]})")
        << "messages[0].content[0].type";
    QTest::newRow("model a number") << QByteArray(R"({"model": 1, "messages": [)" + user + "]}") << "model";
    QTest::newRow("stream a string") << QByteArray(R"({"stream": "yes", "messages": [)" + user + "]}") << "stream";
    QTest::newRow("temperature a string") << QByteArray(R"({"temperature": "hot", "messages": [)" + user + "]}")
                                          << "temperature";
    QTest::newRow("temperature negative") << QByteArray(R"({"temperature": -1, "messages": [)" + user + "]}")
                                          << "temperature";
    QTest::newRow("top_p above 1") << QByteArray(R"({"top_p": 1.5, "messages": [)" + user + "]}") << "top_p";
    QTest::newRow("top_k fractional") << QByteArray(R"({"top_k": 2.5, "messages": [)" + user + "]}") << "top_k";
    QTest::newRow("max_tokens zero") << QByteArray(R"({"max_tokens": 0, "messages": [)" + user + "]}")
                                     << "max_tokens";
    QTest::newRow("seed a string") << QByteArray(R"({"seed": "7", "messages": [)" + user + "]}") << "seed";
    QTest::newRow("seed below -1") << QByteArray(R"({"seed": -2, "messages": [)" + user + "]}") << "seed";
    QTest::newRow("stop a number") << QByteArray(R"({"stop": 5, "messages": [)" + user + "]}") << "stop";
    QTest::newRow("stop item a number") << QByteArray(R"({"stop": ["a", 5], "messages": [)" + user + "]}")
                                        << "stop[1]";
    QTest::newRow("n above 1") << QByteArray(R"({"n": 2, "messages": [)" + user + "]}") << "n";
    QTest::newRow("frequency_penalty out of range")
        << QByteArray(R"({"frequency_penalty": 3, "messages": [)" + user + "]}") << "frequency_penalty";
}

void TestApiServer::wrongFieldsAre400()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, param);
    const HttpResult result = client_->send("POST", QStringLiteral("/v1/chat/completions"), body);
    QCOMPARE(result.status, 400);
    const QJsonObject error = result.json[QStringLiteral("error")].toObject();
    QCOMPARE(error[QStringLiteral("type")].toString(), QStringLiteral("invalid_request_error"));
    if (param.isEmpty())
        QVERIFY(error[QStringLiteral("param")].isNull());
    else
        QCOMPARE(error[QStringLiteral("param")].toString(), param);
    QVERIFY(!error[QStringLiteral("message")].toString().isEmpty());
}

void TestApiServer::unknownModelIs404()
{
    QJsonObject request = greedyRequest(QStringLiteral("Hi"), 2);
    request[QStringLiteral("model")] = QStringLiteral("gpt-4o");
    const HttpResult result = client_->post(request);
    QCOMPARE(result.status, 404);
    const QJsonObject error = result.json[QStringLiteral("error")].toObject();
    QCOMPARE(error[QStringLiteral("code")].toString(), QStringLiteral("model_not_found"));
    QCOMPARE(error[QStringLiteral("param")].toString(), QStringLiteral("model"));
    QVERIFY(error[QStringLiteral("message")].toString().contains(QStringLiteral("gpt-4o")));
}

void TestApiServer::noModelLoadedIs503()
{
    InferenceService empty;
    ApiServer server(empty);
    QVERIFY(server.start(0));
    HttpClient client(static_cast<quint16>(server.port()));

    const HttpResult models = client.send("GET", QStringLiteral("/v1/models"));
    QCOMPARE(models.status, 200);
    QVERIFY(models.json[QStringLiteral("data")].toArray().isEmpty());

    const HttpResult result = client.post(greedyRequest(QStringLiteral("Hi"), 2));
    QCOMPARE(result.status, 503);
    QCOMPARE(result.json[QStringLiteral("error")][QStringLiteral("code")].toString(), QStringLiteral("model_not_loaded"));
    QCOMPARE(result.json[QStringLiteral("error")][QStringLiteral("type")].toString(), QStringLiteral("server_error"));
}

void TestApiServer::oversizeBodyIs413()
{
    // Valid JSON one byte over the limit: the size alone is the fault.
    const QByteArray prefix = R"({"messages": [{"role": "user", "content": ")";
    const QByteArray suffix = R"("}]})";
    const QByteArray body =
        prefix + QByteArray(api::kMaxRequestBodyBytes + 1 - prefix.size() - suffix.size(), 'a') + suffix;
    QCOMPARE(body.size(), api::kMaxRequestBodyBytes + 1);
    const HttpResult result = client_->send("POST", QStringLiteral("/v1/chat/completions"), body);
    QCOMPARE(result.status, 413);
    QCOMPARE(result.json[QStringLiteral("error")][QStringLiteral("code")].toString(), QStringLiteral("request_too_large"));

    // The connection pool still works afterwards.
    QCOMPARE(client_->send("GET", QStringLiteral("/v1/models")).status, 200);
}

void TestApiServer::endlessBodyClosesConnection()
{
    // A client that announces 64 MiB and keeps sending is cut off long before
    // the end, instead of having its body buffered.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(server_->port()));
    QVERIFY(socket.waitForConnected(kTimeoutMs));
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Content-Length: 67108864\r\n\r\n");
    const QByteArray block(1024 * 1024, 'a');
    bool closed = false;
    connect(&socket, &QTcpSocket::disconnected, this, [&] { closed = true; });
    for (int sent = 0; sent < 64 && !closed; ++sent) {
        socket.write(block);
        QVERIFY(QTest::qWaitFor([&] { return closed || socket.bytesToWrite() == 0; }, kTimeoutMs));
    }
    QTRY_VERIFY_WITH_TIMEOUT(closed, kTimeoutMs);

    // The server is still there for everyone else.
    QCOMPARE(client_->send("GET", QStringLiteral("/v1/models")).status, 200);
}

void TestApiServer::unknownPathIs404()
{
    for (const QString& path : {QStringLiteral("/v1/completions"), QStringLiteral("/"), QStringLiteral("/v1/models/x")}) {
        const HttpResult result = client_->send("GET", path);
        QCOMPARE(result.status, 404);
        QCOMPARE(result.json[QStringLiteral("error")][QStringLiteral("code")].toString(), QStringLiteral("unknown_url"));
    }
}

void TestApiServer::wrongMethodIs405()
{
    const HttpResult get = client_->send("GET", QStringLiteral("/v1/chat/completions"));
    QCOMPARE(get.status, 405);
    QCOMPARE(get.allow, QByteArrayLiteral("POST"));
    QCOMPARE(get.json[QStringLiteral("error")][QStringLiteral("code")].toString(), QStringLiteral("method_not_allowed"));

    const HttpResult post = client_->send("POST", QStringLiteral("/v1/models"), "{}");
    QCOMPARE(post.status, 405);
    QCOMPARE(post.allow, QByteArrayLiteral("GET"));
}

void TestApiServer::declaredOversizeBodyIs413AtOnce()
{
    // The headers announce 2 MB and the client sends 2 bytes: the 413 comes
    // without waiting for the rest, and the connection closes.
    RawClient client(static_cast<quint16>(server_->port()));
    QVERIFY(client.connected());
    client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 2000000\r\n\r\n{}");
    QVERIFY2(client.waitForClose(), client.received().constData());
    QVERIFY2(client.received().startsWith("HTTP/1.1 413"), client.received().constData());
    QVERIFY(client.received().contains("Connection: close"));
    QVERIFY(client.received().contains("request_too_large"));
    QVERIFY(client.received().contains("2000000"));

    // The server is still there for everyone else.
    QCOMPARE(client_->send("GET", QStringLiteral("/v1/models")).status, 200);
}

void TestApiServer::badContentLengthIsRejected_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QByteArray>("statusLine");
    QTest::addColumn<QByteArray>("code");
    QTest::newRow("not a number") << QByteArray("Content-Length: abc\r\n") << QByteArray("HTTP/1.1 400")
                                  << QByteArray("invalid_content_length");
    QTest::newRow("negative") << QByteArray("Content-Length: -5\r\n") << QByteArray("HTTP/1.1 400")
                              << QByteArray("invalid_content_length");
    QTest::newRow("two values") << QByteArray("Content-Length: 2\r\nContent-Length: 3\r\n")
                                << QByteArray("HTTP/1.1 400") << QByteArray("invalid_content_length");
    QTest::newRow("too many digits") << QByteArray("Content-Length: 99999999999999999999999\r\n")
                                     << QByteArray("HTTP/1.1 413") << QByteArray("request_too_large");
    QTest::newRow("header block too large")
        << QByteArray("X-Padding: " + QByteArray(70000, 'a') + "\r\nContent-Length: 2\r\n")
        << QByteArray("HTTP/1.1 431") << QByteArray("headers_too_large");
}

void TestApiServer::badContentLengthIsRejected()
{
    QFETCH(QByteArray, headers);
    QFETCH(QByteArray, statusLine);
    QFETCH(QByteArray, code);
    RawClient client(static_cast<quint16>(server_->port()));
    QVERIFY(client.connected());
    client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n{}");
    QVERIFY2(client.waitForClose(), client.received().constData());
    QVERIFY2(client.received().startsWith(statusLine), client.received().constData());
    QVERIFY2(client.received().contains(code), client.received().constData());
    if (code == "invalid_content_length")
        QVERIFY2(client.received().contains("Invalid Content-Length"), client.received().constData());
}

void TestApiServer::idleConnectionsAreClosed()
{
    ApiServer server(*service_);
    server.setConnectionLimitsForTesting(ApiServer::kMaxConnections, 200);
    QVERIFY(server.start(0));
    const auto port = static_cast<quint16>(server.port());

    // Step 1: a request that stops halfway gets a 408 and the connection closes.
    RawClient partial(port);
    QVERIFY(partial.connected());
    partial.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n{\"mess");
    QVERIFY2(partial.waitForClose(), partial.received().constData());
    QVERIFY2(partial.received().startsWith("HTTP/1.1 408"), partial.received().constData());
    QVERIFY(partial.received().contains("request_timeout"));

    // Step 2: a connection that sends nothing is closed without a response.
    RawClient silent(port);
    QVERIFY(silent.connected());
    QVERIFY(silent.waitForClose());
    QVERIFY(silent.received().isEmpty());

    // Step 3: a kept-alive connection is closed after its response, once
    // idle; a request that waits in the queue meanwhile is not cut off.
    const quint64 chatRequest = service_->startGeneration({{"user", "Once upon a time"}}, greedySettings(200));
    QVERIFY(chatRequest != 0);
    RawClient kept(port);
    QVERIFY(kept.connected());
    kept.send(rawHttpRequest("POST", "/v1/chat/completions",
                             QJsonDocument(greedyRequest(QStringLiteral("The dog"), 5)).toJson()));
    QVERIFY2(kept.waitForClose(), kept.received().constData());
    QVERIFY2(kept.received().startsWith("HTTP/1.1 200"), kept.received().constData());
    QVERIFY(kept.received().contains("chat.completion"));
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, kTimeoutMs);
}

void TestApiServer::extraConnectionsAreRefused()
{
    ApiServer server(*service_);
    server.setConnectionLimitsForTesting(3, ApiServer::kIdleTimeoutMs);
    QVERIFY(server.start(0));
    const auto port = static_cast<quint16>(server.port());

    // Step 1: three idle connections fill the server.
    std::vector<std::unique_ptr<RawClient>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(std::make_unique<RawClient>(port));
        QVERIFY(open.back()->connected());
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 3, kTimeoutMs);

    // Step 2: a fourth gets a 503 and is closed; the others stay open.
    RawClient extra(port);
    QVERIFY(extra.connected());
    QVERIFY2(extra.waitForClose(), extra.received().constData());
    QVERIFY2(extra.received().startsWith("HTTP/1.1 503"), extra.received().constData());
    QVERIFY(extra.received().contains("too_many_connections"));
    QCOMPARE(server.connectionCount(), 3);
    for (const auto& client : open)
        QVERIFY(!client->closed());

    // Step 3: once one closes, a new connection is served.
    open.front()->close();
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 2, kTimeoutMs);
    RawClient next(port);
    QVERIFY(next.connected());
    next.send("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QVERIFY2(next.waitForClose(), next.received().constData());
    QVERIFY2(next.received().startsWith("HTTP/1.1 200"), next.received().constData());
}

void TestApiServer::http10ConnectionCloses()
{
    const auto port = static_cast<quint16>(server_->port());
    const auto answers = [](const QByteArray& received) { return received.count("\"object\":\"list\""); };

    // Step 1: HTTP/1.0 without keep-alive, and HTTP/1.1 with "Connection:
    // close", end with the response.
    for (const QByteArray& request : {QByteArray("GET /v1/models HTTP/1.0\r\n\r\n"),
                                      QByteArray("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")}) {
        RawClient client(port);
        QVERIFY(client.connected());
        client.send(request);
        QVERIFY2(client.waitForClose(), request.constData());
        QVERIFY2(client.received().contains(" 200 "), client.received().constData());
        QCOMPARE(answers(client.received()), 1);
    }

    // Step 2: HTTP/1.1, and HTTP/1.0 with keep-alive, stay open for the next request.
    for (const QByteArray& request : {kModelsRequest, QByteArray("GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")}) {
        RawClient client(port);
        QVERIFY(client.connected());
        client.send(request);
        QVERIFY(client.waitFor([&](const QByteArray& received) { return answers(received) == 1; }));
        client.send(request);
        QVERIFY(client.waitFor([&](const QByteArray& received) { return answers(received) == 2; }));
        QVERIFY2(!client.closed(), request.constData());
    }
}

void TestApiServer::stopAnswersStreamAndQueue()
{
    ApiServer server(*service_);
    QVERIFY(server.start(0));
    const auto port = static_cast<quint16>(server.port());

    // Step 1: keep the service busy with a long reply of the chat window's,
    // so that a stream and a plain request both wait.
    bool chatFinished = false;
    QObject context;
    quint64 chatRequest = 0;
    connect(service_.get(), &InferenceService::generationFinished, &context,
            [&](quint64 id, const GenerationOutcome&) { chatFinished = chatFinished || id == chatRequest; });
    chatRequest = service_->startGeneration({{"user", "Once upon a time"}}, greedySettings(service_->contextSize()));
    QVERIFY(chatRequest != 0);
    QJsonObject streamBody{
        {QStringLiteral("messages"), QJsonArray{userMessage(QStringLiteral("Once upon a time"))}},
        {QStringLiteral("temperature"), 0},
        {QStringLiteral("stream"), true},
    };
    RawClient streamed(port);
    QVERIFY(streamed.connected());
    streamed.send(rawHttpRequest("POST", "/v1/chat/completions", QJsonDocument(streamBody).toJson()));
    QVERIFY(QTest::qWaitFor([&] { return server.waitingRequests() == 1 || chatFinished; }, kTimeoutMs));
    RawClient waiting(port);
    QVERIFY(waiting.connected());
    waiting.send(rawHttpRequest("POST", "/v1/chat/completions",
                                QJsonDocument(greedyRequest(QStringLiteral("Hi"), 5)).toJson()));
    QVERIFY(QTest::qWaitFor([&] { return server.waitingRequests() == 2 || chatFinished; }, kTimeoutMs));
    if (chatFinished) {
        server.stop();
        QSKIP("The chat reply ended before both requests arrived, so none had to wait");
    }

    // Step 2: the server stops at the stream's first piece of text.
    bool stopped = false;
    connect(service_.get(), &InferenceService::textGenerated, &context, [&](quint64 id, const QString&) {
        if (!stopped && id != chatRequest) {
            stopped = true;
            server.stop();
        }
    });
    service_->stopGeneration();
    QTRY_VERIFY_WITH_TIMEOUT(stopped, kTimeoutMs);
    QVERIFY(!server.running());

    // Step 3: the stream ends with an error event and [DONE], the waiting
    // request gets a 503, and both connections close.
    QVERIFY2(streamed.waitForClose(), streamed.received().constData());
    const QByteArray stream = streamed.received();
    QVERIFY2(stream.startsWith("HTTP/1.1 200"), stream.constData());
    QVERIFY2(stream.contains("data: {\"error\""), stream.constData());
    QVERIFY2(stream.contains("server_stopping"), stream.constData());
    QVERIFY2(stream.endsWith("data: [DONE]\n\n\r\n0\r\n\r\n"), stream.constData());
    QVERIFY2(waiting.waitForClose(), waiting.received().constData());
    QVERIFY2(waiting.received().startsWith("HTTP/1.1 503"), waiting.received().constData());
    QVERIFY(waiting.received().contains("server_stopping"));
}

void TestApiServer::seedMinusOneIsRandom()
{
    QJsonObject request = greedyRequest(QStringLiteral("Once upon a time"), 2);
    request[QStringLiteral("seed")] = -1;
    QCOMPARE(client_->post(request).status, 200);
}

void TestApiServer::portInUseFailsWithMessage()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    ApiServer server(*service_);
    QSignalSpy errorChanged(&server, &ApiServer::lastErrorChanged);
    QVERIFY(!server.start(occupier.serverPort()));
    QVERIFY(!server.running());
    QCOMPARE(server.port(), 0);
    QVERIFY(server.url().isEmpty());
    QCOMPARE(errorChanged.count(), 1);
    QVERIFY2(server.lastError().contains(QString::number(occupier.serverPort())), qPrintable(server.lastError()));
    QVERIFY2(server.lastError().contains(QStringLiteral("in use")), qPrintable(server.lastError()));
}

void TestApiServer::settingsPersistAndStartServer()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));

    // A free port, found by listening on any and closing again.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }

    // Off by default, on port 8080.
    {
        QSettings settings(path, QSettings::IniFormat);
        ApiServer server(*service_);
        ApiSettings api(settings, server);
        QVERIFY(!api.enabled());
        QCOMPARE(api.port(), ApiSettings::kDefaultPort);
        QVERIFY(!server.running());

        api.setPort(port);
        QVERIFY(!server.running());
        api.setEnabled(true);
        QVERIFY(server.running());
        QCOMPARE(server.port(), static_cast<int>(port));
        QCOMPARE(api.server(), &server);
    }

    // The next start finds it on, and starts it.
    {
        QSettings settings(path, QSettings::IniFormat);
        ApiServer server(*service_);
        ApiSettings api(settings, server);
        QVERIFY(api.enabled());
        QCOMPARE(api.port(), static_cast<int>(port));
        QVERIFY(server.running());
        HttpClient client(port);
        QCOMPARE(client.send("GET", QStringLiteral("/v1/models")).status, 200);

        api.setEnabled(false);
        QVERIFY(!server.running());
        api.setPort(0);
        QCOMPARE(api.port(), static_cast<int>(port));
    }
    QSettings settings(path, QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("api/enabled")).toBool(), false);
    QCOMPARE(settings.value(QStringLiteral("api/port")).toInt(), static_cast<int>(port));
}

void TestApiServer::settingsSectionShowsUrlAndError()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    ApiServer server(*service_);
    ApiSettings api(settings, server);
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));

    // Step 1: the section in a window, in the app's style.
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QQmlEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QQmlComponent component(&engine);
    component.setData(kSectionWindowQml, QUrl(QStringLiteral("qrc:/test/ApiSectionWindow.qml")));
    std::unique_ptr<QObject> root(component.createWithInitialProperties({{QStringLiteral("api"), QVariant::fromValue(&api)}}));
    QVERIFY2(root, qPrintable(component.errorString()));
    auto* window = qobject_cast<QQuickWindow*>(root.get());
    QVERIFY(window != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QQuickItem* toggle = findItem(window->contentItem(), QStringLiteral("apiServerSwitch"));
    QQuickItem* urlField = findItem(window->contentItem(), QStringLiteral("apiUrlField"));
    QQuickItem* copy = findItem(window->contentItem(), QStringLiteral("apiUrlCopy"));
    QQuickItem* port = findItem(window->contentItem(), QStringLiteral("apiPortSpin"));
    QQuickItem* status = findItem(window->contentItem(), QStringLiteral("apiServerStatus"));
    QVERIFY(toggle && urlField && copy && port && status);

    // Step 2: off at first, with port 8080 written without a separator.
    QVERIFY(!toggle->property("checked").toBool());
    QVERIFY(!urlField->isVisible());
    QCOMPARE(port->property("displayText").toString(), QStringLiteral("8080"));
    QVERIFY(status->property("text").toString().contains(QStringLiteral("127.0.0.1")));

    // Step 3: on a port in use it fails, and the section shows why.
    api.setPort(occupier.serverPort());
    click(window, toggle);
    QTRY_VERIFY(api.enabled());
    QVERIFY(toggle->property("checked").toBool());
    QVERIFY(!server.running());
    QTRY_VERIFY(status->property("text").toString().contains(QString::number(occupier.serverPort())));
    QVERIFY(!urlField->isVisible());
    const QString screenshots = QStringLiteral(QUANTA_BINARY_DIR "/screenshots");
    QVERIFY(QDir().mkpath(screenshots));
    QVERIFY(window->grabWindow().save(screenshots + QStringLiteral("/api-settings-port-in-use.png")));

    // Step 4: on a free port it runs, and Copy puts the URL on the clipboard.
    const quint16 freedPort = occupier.serverPort();
    occupier.close();
    api.setEnabled(false);
    QVERIFY(!toggle->property("checked").toBool());
    api.setEnabled(true);
    QVERIFY(toggle->property("checked").toBool());
    QTRY_VERIFY(server.running());
    QCOMPARE(server.port(), static_cast<int>(freedPort));
    QTRY_VERIFY(urlField->isVisible());
    QCOMPARE(urlField->property("text").toString(), server.url());
    click(window, copy);
    QTRY_COMPARE(QGuiApplication::clipboard()->text(), server.url());
    QVERIFY(window->grabWindow().save(screenshots + QStringLiteral("/api-settings-running.png")));

    // Step 5: the switch turns it off again.
    click(window, toggle);
    QTRY_VERIFY(!server.running());
    QVERIFY(!api.enabled());
    QVERIFY(!toggle->property("checked").toBool());
}

QTEST_MAIN(TestApiServer)
#include "test_api_server.moc"

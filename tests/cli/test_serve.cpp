// quanta-cli serve end to end: it loads stories260K.gguf, prints its URL,
// responds to each kind of request over real HTTP, and exits cleanly on
// SIGTERM. A stream that runs and a request that waits at that moment both
// get a complete response. A bad model path and a port in use fail with
// exit code 1 and a message.
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

namespace {

constexpr int kTimeoutMs = 60000;

QString stories()
{
    return QString::fromStdString(quanta::test::shared_path("models/stories260K.gguf"));
}

struct HttpResult {
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray contentType;
};

HttpResult send(QNetworkAccessManager& manager, const QByteArray& method, const QUrl& url, const QByteArray& body = {})
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply* reply = manager.sendCustomRequest(request, method, body);
    HttpResult result;
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, kTimeoutMs))
        reply->abort();
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.json = QJsonDocument::fromJson(result.body).object();
    result.contentType = reply->rawHeader(QByteArrayLiteral("Content-Type"));
    delete reply;
    return result;
}

QByteArray chatRequest(bool stream)
{
    const QJsonObject request{
        {QStringLiteral("model"), QStringLiteral("stories260K")},
        {QStringLiteral("messages"),
         QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                {QStringLiteral("content"), QStringLiteral("Once upon a time")}}}},
        {QStringLiteral("temperature"), 0},
        {QStringLiteral("max_tokens"), 20},
        {QStringLiteral("stream"), stream},
    };
    return QJsonDocument(request).toJson();
}

// Starts `quanta-cli serve` with `extra` options on a free port and returns
// its base URL from the announcement on stdout, or an empty string with
// `error` set. Standard error is read only on failure.
QString startServe(QProcess& process, QString* error, const QStringList& extra = {})
{
    process.start(QStringLiteral(QUANTA_CLI_PATH),
                  QStringList{QStringLiteral("serve"), QStringLiteral("-m"), stories(), QStringLiteral("--port"),
                              QStringLiteral("0"), QStringLiteral("--device"), QStringLiteral("cpu")} +
                      extra);
    if (!process.waitForStarted(kTimeoutMs)) {
        *error = process.errorString();
        return {};
    }
    QByteArray out;
    const QRegularExpression announcement(QStringLiteral("Serving stories260K at (http://127\\.0\\.0\\.1:\\d+/v1)\n"));
    QRegularExpressionMatch match;
    const bool ended = QTest::qWaitFor(
        [&] {
            out += process.readAllStandardOutput();
            match = announcement.match(QString::fromUtf8(out));
            return match.hasMatch() || process.state() == QProcess::NotRunning;
        },
        kTimeoutMs);
    if (!ended || !match.hasMatch()) {
        *error = QString::fromUtf8(out + process.readAllStandardError());
        return {};
    }
    return match.captured(1);
}

// A raw connection that collects every byte the server sends until it
// closes the connection.
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
    const QByteArray& received() const { return received_; }
    bool waitForClose()
    {
        return QTest::qWaitFor([this] { return closed_; }, kTimeoutMs);
    }

private:
    QTcpSocket socket_;
    QByteArray received_;
    bool connected_ = false;
    bool closed_ = false;
};

QByteArray rawPost(const QByteArray& body)
{
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class TestServe : public QObject {
    Q_OBJECT

private slots:
    void helpListsOptions();
    void missingModelIsUsageError();
    void servesRequestsUntilSigterm();
    void sigtermAnswersOpenRequests();
    void badModelPathFails();
    void portInUseFails();
};

void TestServe::helpListsOptions()
{
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), {QStringLiteral("serve"), QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitCode(), 0);
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY(out.contains(QStringLiteral("--port")));
    QVERIFY(out.contains(QStringLiteral("--device")));
    QVERIFY(out.contains(QStringLiteral("--gpu-layers")));
    QVERIFY(out.contains(QStringLiteral("--ctx")));
}

void TestServe::missingModelIsUsageError()
{
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(QString::fromUtf8(process.readAllStandardError()).contains(QStringLiteral("missing required option -m")));

    // A context shorter than the smallest allowed is a usage error too.
    QProcess tooShort;
    tooShort.start(QStringLiteral(QUANTA_CLI_PATH), {QStringLiteral("serve"), QStringLiteral("-m"), QStringLiteral("x.gguf"),
                                                     QStringLiteral("--ctx"), QStringLiteral("100")});
    QVERIFY(tooShort.waitForFinished(kTimeoutMs));
    QCOMPARE(tooShort.exitCode(), 2);
    const QString err = QString::fromUtf8(tooShort.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("--ctx 100 is too small")), qPrintable(err));
}

void TestServe::servesRequestsUntilSigterm()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");

    // Step 1: start it on a free port with a 300-token context and read the
    // URL it announces.
    QProcess process;
    QString error;
    const QString base = startServe(process, &error, {QStringLiteral("--ctx"), QStringLiteral("300")});
    QVERIFY2(!base.isEmpty(), qPrintable(error));

    // Step 2: one request of each kind.
    QNetworkAccessManager manager;
    const HttpResult models = send(manager, "GET", QUrl(base + QStringLiteral("/models")));
    QCOMPARE(models.status, 200);
    QCOMPARE(models.json[QStringLiteral("data")][0][QStringLiteral("id")].toString(), QStringLiteral("stories260K"));

    const HttpResult whole = send(manager, "POST", QUrl(base + QStringLiteral("/chat/completions")), chatRequest(false));
    QCOMPARE(whole.status, 200);
    const QString text =
        whole.json[QStringLiteral("choices")][0][QStringLiteral("message")][QStringLiteral("content")].toString();
    QVERIFY(!text.isEmpty());
    QCOMPARE(whole.json[QStringLiteral("choices")][0][QStringLiteral("finish_reason")].toString(),
             QStringLiteral("length"));
    QCOMPARE(whole.json[QStringLiteral("usage")][QStringLiteral("completion_tokens")].toInt(), 20);

    const HttpResult streamed = send(manager, "POST", QUrl(base + QStringLiteral("/chat/completions")), chatRequest(true));
    QCOMPARE(streamed.status, 200);
    QCOMPARE(streamed.contentType, QByteArrayLiteral("text/event-stream"));
    QString streamedText;
    QByteArray lastEvent;
    for (const QByteArray& line : streamed.body.split('\n')) {
        if (!line.startsWith("data: "))
            continue;
        lastEvent = line.mid(6);
        if (lastEvent == "[DONE]")
            break;
        const QJsonObject chunk = QJsonDocument::fromJson(lastEvent).object();
        streamedText += chunk[QStringLiteral("choices")][0][QStringLiteral("delta")][QStringLiteral("content")].toString();
    }
    QCOMPARE(lastEvent, QByteArrayLiteral("[DONE]"));
    QCOMPARE(streamedText, text);

    const HttpResult invalid = send(manager, "POST", QUrl(base + QStringLiteral("/chat/completions")), "{not json");
    QCOMPARE(invalid.status, 400);
    QCOMPARE(invalid.json[QStringLiteral("error")][QStringLiteral("type")].toString(),
             QStringLiteral("invalid_request_error"));

    // Step 3: SIGTERM ends it cleanly.
    ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("SIGTERM received")), qPrintable(err));
    // The context that --ctx requested.
    QVERIFY2(err.contains(QStringLiteral("context 300 tokens")), qPrintable(err));
}

void TestServe::sigtermAnswersOpenRequests()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");
    QProcess process;
    QString error;
    const QString base = startServe(process, &error);
    QVERIFY2(!base.isEmpty(), qPrintable(error));
    const auto port = static_cast<quint16>(QUrl(base).port());

    // Step 1: a stream without max_tokens, which may fill the context, and
    // a request sent once the stream has begun, which waits for it.
    const QJsonObject streamBody{
        {QStringLiteral("messages"),
         QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                {QStringLiteral("content"), QStringLiteral("Once upon a time")}}}},
        {QStringLiteral("temperature"), 0},
        {QStringLiteral("stream"), true},
    };
    RawClient streamed(port);
    QVERIFY(streamed.connected());
    streamed.send(rawPost(QJsonDocument(streamBody).toJson()));
    QVERIFY(QTest::qWaitFor([&] { return streamed.received().contains("data: "); }, kTimeoutMs));
    RawClient waiting(port);
    QVERIFY(waiting.connected());
    waiting.send(rawPost(chatRequest(false)));

    // Step 2: SIGTERM. However far the stream got, it ends with [DONE] and
    // the end of its chunked body. An error event before them gives the reason.
    ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
    QVERIFY2(streamed.waitForClose(), streamed.received().constData());
    const QByteArray stream = streamed.received();
    QVERIFY2(stream.startsWith("HTTP/1.1 200"), stream.constData());
    QVERIFY2(stream.endsWith("data: [DONE]\n\n\r\n0\r\n\r\n"), stream.constData());
    if (stream.contains("data: {\"error\""))
        QVERIFY2(stream.contains("server_stopping"), stream.constData());

    // Step 3: the waiting request gets its reply or a 503, never nothing.
    QVERIFY2(waiting.waitForClose(), waiting.received().constData());
    const QByteArray reply = waiting.received();
    QVERIFY2(reply.startsWith("HTTP/1.1 200") || reply.startsWith("HTTP/1.1 503"), reply.constData());
    if (reply.startsWith("HTTP/1.1 503"))
        QVERIFY2(reply.contains("server_stopping"), reply.constData());

    // Step 4: and the process exits with 0. It may have ended already while
    // the replies were read.
    QVERIFY(process.state() == QProcess::NotRunning || process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
}

void TestServe::badModelPathFails()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("no-such-model.gguf"));
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH),
                  {QStringLiteral("serve"), QStringLiteral("-m"), missing, QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(process.readAllStandardOutput().isEmpty());
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(missing), qPrintable(err));
}

void TestServe::portInUseFails()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(occupier.serverPort());
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH),
                  {QStringLiteral("serve"), QStringLiteral("-m"), stories(), QStringLiteral("--port"), port});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitCode(), 1);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("Port %1 is already in use").arg(port)), qPrintable(err));
}

QTEST_GUILESS_MAIN(TestServe)
#include "test_serve.moc"

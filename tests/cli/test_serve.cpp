// quanta-cli serve end to end: it loads stories260K.gguf, prints its URL,
// responds to each kind of request over real HTTP, and exits cleanly on
// SIGTERM. A bad model path and a port in use fail with exit code 1 and a
// message.
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

} // namespace

class TestServe : public QObject {
    Q_OBJECT

private slots:
    void helpListsOptions();
    void missingModelIsUsageError();
    void servesRequestsUntilSigterm();
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
}

void TestServe::missingModelIsUsageError()
{
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH), {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(QString::fromUtf8(process.readAllStandardError()).contains(QStringLiteral("missing required option -m")));
}

void TestServe::servesRequestsUntilSigterm()
{
    if (!quanta::test::shared_available())
        QSKIP("shared models are not available");

    // Step 1: start it on a free port and read the URL it announces.
    QProcess process;
    process.start(QStringLiteral(QUANTA_CLI_PATH),
                  {QStringLiteral("serve"), QStringLiteral("-m"), stories(), QStringLiteral("--port"), QStringLiteral("0"),
                   QStringLiteral("--device"), QStringLiteral("cpu")});
    QVERIFY(process.waitForStarted(kTimeoutMs));
    QByteArray out;
    const QRegularExpression announcement(QStringLiteral("Serving stories260K at (http://127\\.0\\.0\\.1:\\d+/v1)\n"));
    QRegularExpressionMatch match;
    const bool announced = QTest::qWaitFor(
        [&] {
            out += process.readAllStandardOutput();
            match = announcement.match(QString::fromUtf8(out));
            return match.hasMatch() || process.state() == QProcess::NotRunning;
        },
        kTimeoutMs);
    QVERIFY2(announced && match.hasMatch(),
             qPrintable(QString::fromUtf8(out + process.readAllStandardError())));
    const QString base = match.captured(1);

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

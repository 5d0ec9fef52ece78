#include "api/http_output.h"

#include "api/guarded_tcp_server.h"

namespace quanta::api {

namespace {

QHttpServerResponder::StatusCode statusCode(int status)
{
    return static_cast<QHttpServerResponder::StatusCode>(status);
}

} // namespace

void writeJsonResponse(QHttpServerResponder& responder, int status, const QByteArray& body, const QByteArray& allow)
{
    responder.writeStatusLine(statusCode(status));
    responder.writeHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    responder.writeHeader(QByteArrayLiteral("Content-Length"), QByteArray::number(body.size()));
    if (!allow.isEmpty())
        responder.writeHeader(QByteArrayLiteral("Allow"), allow);
    // writeBody() ends the header block before the first body byte, also
    // for an empty body.
    responder.writeBody(body);
    GuardedTcpServer::responseFinished(responder.socket());
}

void writeErrorResponse(QHttpServerResponder& responder, const ApiError& error)
{
    writeJsonResponse(responder, error.status, errorBody(error));
}

void beginEventStream(QHttpServerResponder& responder)
{
    responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    responder.writeHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream"));
    responder.writeHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
    responder.writeHeader(QByteArrayLiteral("Transfer-Encoding"), QByteArrayLiteral("chunked"));
    responder.writeBody(QByteArray());
}

void writeChunk(QHttpServerResponder& responder, const QByteArray& data)
{
    if (data.isEmpty())
        return;
    responder.writeBody(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void endChunks(QHttpServerResponder& responder)
{
    responder.writeBody(QByteArrayLiteral("0\r\n\r\n"));
    GuardedTcpServer::responseFinished(responder.socket());
}

} // namespace quanta::api

#include "api/guarded_tcp_server.h"

#include "api/openai_protocol.h"
#include "logging/log_categories.h"

#include <QTcpSocket>

namespace quanta::api {

namespace {

// A connection's byte count since its last request reached a handler.
class CountingSocket : public QTcpSocket {
public:
    using QTcpSocket::QTcpSocket;
    qint64 receivedBytes = 0;
};

} // namespace

GuardedTcpServer::GuardedTcpServer(qint64 maxBytesPerRequest, QObject* parent)
    : QTcpServer(parent), maxBytesPerRequest_(maxBytesPerRequest)
{
}

void GuardedTcpServer::requestReceived(QTcpSocket* socket)
{
    if (auto* counting = dynamic_cast<CountingSocket*>(socket))
        counting->receivedBytes = 0;
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto* socket = new CountingSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcApi).noquote() << "Cannot accept a connection:" << socket->errorString();
        delete socket;
        return;
    }

    // Connected before QHttpServer connects its own readyRead handler, so
    // this runs first and counts only the bytes that arrived since QHttpServer
    // last read the socket.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
        socket->receivedBytes += socket->bytesAvailable();
        if (socket->receivedBytes > maxBytesPerRequest_)
            rejectOversizeRequest(socket, socket->receivedBytes);
    });
    addPendingConnection(socket);
}

void GuardedTcpServer::rejectOversizeRequest(QTcpSocket* socket, qint64 receivedBytes)
{
    qCWarning(lcApi).noquote() << "Closing a connection from" << socket->peerAddress().toString() << "after"
                               << receivedBytes << "bytes of one request; the cap is" << maxBytesPerRequest_;

    // Step 1: stop QHttpServer from reading on, and drop what it buffered in
    // its read transaction. Later bytes are read and thrown away.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    socket->readAll();
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });

    // Step 2: respond with 413 and close once it is sent. A client that is
    // still sending may see the connection reset before it reads the response.
    ApiError error = ApiError::bodyTooLarge(receivedBytes);
    error.message = QStringLiteral("The request has more than %1 bytes; the body limit is %2 bytes.")
                        .arg(maxBytesPerRequest_)
                        .arg(kMaxRequestBodyBytes);
    const QByteArray body = errorBody(error);
    socket->write("HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: application/json\r\nContent-Length: " +
                  QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}

} // namespace quanta::api

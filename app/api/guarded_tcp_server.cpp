#include "api/guarded_tcp_server.h"

#include "api/openai_protocol.h"
#include "logging/log_categories.h"

#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <memory>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#endif

namespace quanta::api {

namespace {

// Connections over the limit are logged once, then at every this many, so a
// flood of them does not flood the log.
constexpr int kRejectedConnectionsLogInterval = 100;
// Digits of the largest Content-Length that is parsed as a number; longer
// ones are far over any body limit.
constexpr qsizetype kMaxLengthDigits = 18;

const char* reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 413:
        return "Request Entity Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        break;
    }
    return "Error";
}

// A complete error response that ends the connection, for requests that
// never reach QHttpServer.
QByteArray closingErrorResponse(const ApiError& error)
{
    const QByteArray body = errorBody(error);
    return "HTTP/1.1 " + QByteArray::number(error.status) + ' ' + reasonPhrase(error.status) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

// QHttpServer skips these before a request line, left over from the
// previous request.
bool isLeadingWhitespace(char c)
{
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
}

// The index just after the empty line that ends the header block in
// `buffer`, or -1. Like QHttpServer 6.4, a bare LF ends a line too. The
// search starts at `from`, before which no end was found.
qsizetype headerBlockEnd(const QByteArray& buffer, qsizetype from)
{
    const qsizetype start = std::max<qsizetype>(0, from - 2);
    const qsizetype crlf = buffer.indexOf("\n\r\n", start);
    const qsizetype lf = buffer.indexOf("\n\n", start);
    if (crlf < 0 && lf < 0)
        return -1;
    if (lf < 0 || (crlf >= 0 && crlf < lf))
        return crlf + 3;
    return lf + 2;
}

// The fields of a header block that the guard uses.
struct RequestHead {
    QByteArray version;               // "HTTP/1.1", from the request line
    QList<QByteArray> contentLengths; // each Content-Length value, trimmed
    bool hasTransferEncoding = false;
    QByteArray connection;            // the Connection header, lowercase
};

RequestHead parseRequestHead(const QByteArray& block)
{
    RequestHead head;
    const QList<QByteArray> lines = block.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (line.endsWith('\r'))
            line.chop(1);
        if (i == 0) {
            head.version = line.mid(line.lastIndexOf(' ') + 1);
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            head.contentLengths.append(value);
        else if (name == "transfer-encoding")
            head.hasTransferEncoding = true;
        else if (name == "connection")
            head.connection += value.toLower() + ',';
    }
    return head;
}

// Ends the sending side once `socket` has written everything, so the client
// reads the response and then the end of the stream, while the server can
// still read (and drop) what the client sends.
void shutDownSending(QTcpSocket* socket)
{
#if defined(Q_OS_UNIX)
    ::shutdown(static_cast<int>(socket->socketDescriptor()), SHUT_WR);
#else
    socket->disconnectFromHost();
#endif
}

// Sends `response` and closes `socket` in the way that lets the client read
// it: a close with unread bytes in the receive buffer would reset the
// connection and could drop the response. So the server stops sending, then
// reads and drops what the client still sends until the client closes, up
// to `maxDrainBytes` or `lingerMs`, and aborts after that.
void answerAndClose(QTcpSocket* socket, const QByteArray& response, qint64 maxDrainBytes, int lingerMs)
{
    auto drained = std::make_shared<qint64>(socket->readAll().size());
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, drained, maxDrainBytes] {
        *drained += socket->readAll().size();
        if (*drained > maxDrainBytes)
            socket->abort();
    });
    QTimer::singleShot(lingerMs, socket, [socket] { socket->abort(); });

    socket->write(response);
    socket->flush();
    if (socket->bytesToWrite() == 0) {
        shutDownSending(socket);
        return;
    }
    QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [socket] {
        if (socket->bytesToWrite() == 0)
            shutDownSending(socket);
    });
}

bool allDigits(const QByteArray& text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

// A connection, with the guard's state of the request on it.
class GuardedTcpServer::GuardedSocket : public QTcpSocket {
public:
    enum class Phase {
        Header,       // reading a header block
        Body,         // counting a Content-Length body
        AwaitHandler, // the request is read, or its body is chunked: wait for requestReceived()
    };

    using QTcpSocket::QTcpSocket;

    Phase phase = Phase::Header;
    QByteArray header;                    // the header block so far, leading whitespace left out
    qint64 bodyLeft = 0;                  // body bytes still to come in Phase::Body
    qint64 receivedBytes = 0;             // bytes since the last request reached a handler
    int requestsInHandlers = 0;           // requests taken by a handler whose response has not ended
    std::deque<bool> closeAfterResponse;  // per request read, oldest first: close after its response
    bool rejected = false;                // the guard sent an error response and is closing
    QTimer idleTimer;                     // single shot: no complete request in time
};

GuardedTcpServer::GuardedTcpServer(const Limits& limits, QObject* parent)
    : QTcpServer(parent), limits_(limits)
{
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    // Step 1: one connection over the limit gets a 503 and is closed at once.
    if (connectionCount_ >= limits_.maxConnections) {
        rejectConnection(descriptor);
        return;
    }
    auto* socket = new GuardedSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcApi).noquote() << "Cannot accept a connection:" << socket->errorString();
        delete socket;
        return;
    }

    // Step 2: it counts until it closes, and has the idle timeout to send
    // its first request.
    ++connectionCount_;
    connect(socket, &QTcpSocket::disconnected, this, [this] { --connectionCount_; });
    socket->idleTimer.setSingleShot(true);
    socket->idleTimer.setInterval(limits_.idleTimeoutMs);
    connect(&socket->idleTimer, &QTimer::timeout, this, [this, socket] { closeIdleConnection(socket); });
    socket->idleTimer.start();

    // Step 3: connected before QHttpServer connects its own readyRead
    // handler, so the guard inspects each byte before QHttpServer reads it.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspectNewBytes(socket); });
    addPendingConnection(socket);
}

void GuardedTcpServer::rejectConnection(qintptr descriptor)
{
    // A plain socket that never reaches QHttpServer. It is deleted when it
    // closes, or after the idle timeout when the client does not read.
    auto* socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    ++rejectedConnections_;
    if (rejectedConnections_ == 1 || rejectedConnections_ % kRejectedConnectionsLogInterval == 0)
        qCWarning(lcApi).noquote() << "Closing a connection from" << socket->peerAddress().toString() << "because"
                                   << connectionCount_ << "connections are open, the limit;" << rejectedConnections_
                                   << "closed so far";
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    answerAndClose(socket, closingErrorResponse(ApiError::tooManyConnections(limits_.maxConnections)),
                   limits_.maxBytesPerRequest, limits_.idleTimeoutMs);
}

void GuardedTcpServer::requestReceived(QTcpSocket* socket)
{
    auto* guarded = dynamic_cast<GuardedSocket*>(socket);
    if (!guarded)
        return;
    guarded->receivedBytes = 0;
    ++guarded->requestsInHandlers;
    guarded->idleTimer.stop();
    // QHttpServer has read this request to its last byte, so the bytes that
    // follow start the next one.
    guarded->phase = GuardedSocket::Phase::Header;
    guarded->header.clear();
    guarded->bodyLeft = 0;
}

void GuardedTcpServer::responseFinished(QTcpSocket* socket)
{
    auto* guarded = dynamic_cast<GuardedSocket*>(socket);
    if (!guarded || guarded->rejected)
        return;
    guarded->requestsInHandlers = std::max(0, guarded->requestsInHandlers - 1);
    bool close = false;
    if (!guarded->closeAfterResponse.empty()) {
        close = guarded->closeAfterResponse.front();
        guarded->closeAfterResponse.pop_front();
    }

    // The close waits for the event loop, because the writer of the response
    // may still be inside its own call chain, which the disconnected signal
    // would re-enter.
    if (close) {
        QMetaObject::invokeMethod(guarded, [guarded] { guarded->disconnectFromHost(); }, Qt::QueuedConnection);
        return;
    }
    if (guarded->requestsInHandlers == 0)
        guarded->idleTimer.start();
}

void GuardedTcpServer::closeAllConnections()
{
    for (QTcpSocket* socket : findChildren<QTcpSocket*>(Qt::FindDirectChildrenOnly)) {
        socket->flush();
        socket->disconnectFromHost();
    }
}

void GuardedTcpServer::inspectNewBytes(GuardedSocket* socket)
{
    // Step 1: the bytes QHttpServer has not read yet. In each readyRead,
    // QHttpServer 6.4 reads a request up to its last byte, and the guard
    // stops at the same place, so none of these bytes were inspected before.
    const QByteArray fresh = socket->peek(socket->bytesAvailable());
    socket->receivedBytes += fresh.size();
    if (socket->receivedBytes > limits_.maxBytesPerRequest) {
        ApiError error = ApiError::bodyTooLarge(socket->receivedBytes);
        error.message = QStringLiteral("The request has more than %1 bytes; the body limit is %2 bytes.")
                            .arg(QString::number(limits_.maxBytesPerRequest), QString::number(limits_.maxBodyBytes));
        rejectRequest(socket, error);
        return;
    }

    // Step 2: follow the request through its header block and its body.
    qsizetype position = 0;
    while (position < fresh.size() && !socket->rejected) {
        switch (socket->phase) {
        case GuardedSocket::Phase::Header: {
            if (socket->header.isEmpty()) {
                while (position < fresh.size() && isLeadingWhitespace(fresh[position]))
                    ++position;
            }
            const qsizetype searchedBefore = socket->header.size();
            socket->header += fresh.mid(position);
            const qsizetype end = headerBlockEnd(socket->header, searchedBefore);
            if (end < 0 || end > kMaxHeaderBytes) {
                position = fresh.size();
                if (socket->header.size() > kMaxHeaderBytes)
                    rejectRequest(socket, ApiError::headersTooLarge(kMaxHeaderBytes));
                break;
            }
            position = fresh.size() - (socket->header.size() - end);
            socket->header.truncate(end);
            inspectHeaderBlock(socket);
            socket->header.clear();
            break;
        }
        case GuardedSocket::Phase::Body: {
            const qint64 take = std::min<qint64>(socket->bodyLeft, fresh.size() - position);
            socket->bodyLeft -= take;
            position += take;
            if (socket->bodyLeft == 0)
                socket->phase = GuardedSocket::Phase::AwaitHandler;
            break;
        }
        case GuardedSocket::Phase::AwaitHandler:
            position = fresh.size();
            break;
        }
    }
}

void GuardedTcpServer::inspectHeaderBlock(GuardedSocket* socket)
{
    // Step 1: whether the connection closes after the response. HTTP/1.0
    // keeps it open only when asked, HTTP/1.1 unless asked (RFC 9112, 9.3).
    const RequestHead head = parseRequestHead(socket->header);
    const bool keepAliveRequested = head.connection.contains("keep-alive");
    const bool closeRequested = head.connection.contains("close");
    socket->closeAfterResponse.push_back(closeRequested || (head.version == "HTTP/1.0" && !keepAliveRequested));

    // Step 2: a chunked body, or no body: QHttpServer frames it, and the
    // guard waits for the handler.
    socket->phase = GuardedSocket::Phase::AwaitHandler;
    if (head.hasTransferEncoding || head.contentLengths.isEmpty())
        return;

    // Step 3: one Content-Length, a byte count within the limit. Several
    // different values could make two parsers frame the body differently.
    const QByteArray value = head.contentLengths.first();
    for (const QByteArray& other : head.contentLengths) {
        if (other != value) {
            rejectRequest(socket, ApiError::invalidContentLength(QString::fromLatin1(head.contentLengths.join(", "))));
            return;
        }
    }
    if (!allDigits(value)) {
        rejectRequest(socket, ApiError::invalidContentLength(QString::fromLatin1(value)));
        return;
    }
    QByteArray digits = value;
    while (digits.size() > 1 && digits.startsWith('0'))
        digits.remove(0, 1);
    const qint64 length = digits.size() <= kMaxLengthDigits ? digits.toLongLong() : -1;
    if (length < 0 || length > limits_.maxBodyBytes) {
        rejectRequest(socket, ApiError::declaredBodyTooLarge(QString::fromLatin1(digits)));
        return;
    }
    socket->bodyLeft = length;
    if (length > 0)
        socket->phase = GuardedSocket::Phase::Body;
}

void GuardedTcpServer::closeIdleConnection(GuardedSocket* socket)
{
    if (socket->rejected || socket->requestsInHandlers > 0)
        return;

    // A request that is partly sent gets a 408; a connection kept alive
    // between requests closes without one, as clients expect.
    const bool partial = socket->phase != GuardedSocket::Phase::Header || !socket->header.isEmpty();
    if (partial) {
        rejectRequest(socket, ApiError::requestTimeout(limits_.idleTimeoutMs));
        return;
    }
    qCInfo(lcApi).noquote() << "Closing a connection from" << socket->peerAddress().toString() << "that sent no request for"
                            << limits_.idleTimeoutMs << "ms";
    socket->disconnectFromHost();
}

void GuardedTcpServer::rejectRequest(GuardedSocket* socket, const ApiError& error)
{
    qCWarning(lcApi).noquote() << "Answering" << error.status << "and closing the connection from"
                               << socket->peerAddress().toString() << "-" << error.message;
    socket->rejected = true;
    socket->idleTimer.stop();

    // Step 1: stop QHttpServer from reading on, and drop what it buffered in
    // its read transaction.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();

    // Step 2: respond and close. A client still sending a body may send up
    // to the per-request cap more; past it, or after the idle timeout, the
    // connection is cut.
    answerAndClose(socket, closingErrorResponse(error), limits_.maxBytesPerRequest, limits_.idleTimeoutMs);
}

} // namespace quanta::api

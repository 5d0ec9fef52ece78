#include "downloads/content_disposition.h"

#include "downloads/download_state.h"

#include <QList>

namespace quanta {

namespace {

// NAME_MAX of ext4, XFS and Btrfs.
constexpr qsizetype kMaxNameBytes = 255;

struct Parameter {
    QByteArray name;  // lowercase
    QByteArray value; // without the quotes and backslash escapes of a quoted string
};

// The name=value parameters after the disposition type ("attachment",
// "inline") of a Content-Disposition value. A semicolon inside a quoted
// string does not end its parameter.
QList<Parameter> dispositionParameters(const QByteArray& header)
{
    QList<Parameter> parameters;
    const qsizetype size = header.size();
    qsizetype i = header.indexOf(';');
    if (i < 0)
        return parameters;
    ++i;
    while (i < size) {
        // Step 1: the name, up to '=' or the next ';'.
        qsizetype end = i;
        while (end < size && header[end] != '=' && header[end] != ';')
            ++end;
        Parameter parameter;
        parameter.name = header.mid(i, end - i).trimmed().toLower();
        i = end + 1;
        if (end >= size || header[end] == ';')
            continue;

        // Step 2: the value, a quoted string or a token.
        while (i < size && (header[i] == ' ' || header[i] == '\t'))
            ++i;
        if (i < size && header[i] == '"') {
            for (++i; i < size && header[i] != '"'; ++i) {
                if (header[i] == '\\' && i + 1 < size)
                    ++i;
                parameter.value += header[i];
            }
            while (i < size && header[i] != ';')
                ++i;
        } else {
            end = i;
            while (end < size && header[end] != ';')
                ++end;
            parameter.value = header.mid(i, end - i).trimmed();
            i = end;
        }
        ++i;
        parameters.append(parameter);
    }
    return parameters;
}

// Decodes an RFC 8187 ext-value, CHARSET'LANGUAGE'PERCENT-ENCODED-BYTES.
// Returns an empty string for a charset other than UTF-8 and ISO-8859-1,
// the two that RFC 8187 requires.
QString decodeExtendedValue(const QByteArray& value)
{
    const qsizetype first = value.indexOf('\'');
    const qsizetype second = first < 0 ? -1 : value.indexOf('\'', first + 1);
    if (second < 0)
        return {};
    const QByteArray charset = value.left(first).trimmed().toLower();
    const QByteArray bytes = QByteArray::fromPercentEncoding(value.mid(second + 1));
    if (charset == "utf-8")
        return QString::fromUtf8(bytes);
    if (charset == "iso-8859-1")
        return QString::fromLatin1(bytes);
    return {};
}

} // namespace

QString fileNameFromContentDisposition(const QByteArray& header)
{
    QString extended;
    QString plain;
    for (const Parameter& parameter : dispositionParameters(header)) {
        if (parameter.name == "filename*")
            extended = decodeExtendedValue(parameter.value);
        else if (parameter.name == "filename")
            plain = QString::fromUtf8(parameter.value);
    }

    // RFC 6266, section 4.3: filename* wins, because filename cannot carry
    // every character and servers send it as a fallback for old clients.
    const QString fromExtended = sanitizedFileName(extended);
    return fromExtended.isEmpty() ? sanitizedFileName(plain) : fromExtended;
}

QString sanitizedFileName(const QString& name)
{
    // Step 1: the last path segment, as browsers do with a name that
    // contains folders.
    QString segment = name;
    segment.replace(QLatin1Char('\\'), QLatin1Char('/'));
    segment = segment.section(QLatin1Char('/'), -1);

    // Step 2: no control characters, no surrounding spaces, and no leading
    // dots, which would hide the model or reach into .partial.
    QString cleaned;
    for (const QChar c : segment) {
        if (c.category() != QChar::Other_Control)
            cleaned += c;
    }
    cleaned = cleaned.trimmed();
    while (cleaned.startsWith(QLatin1Char('.')))
        cleaned.remove(0, 1);
    cleaned = cleaned.trimmed();

    // Step 3: what remains must be a valid model name.
    if (cleaned.toUtf8().size() > kMaxNameBytes || !invalidModelNameReason(cleaned).isEmpty())
        return {};
    return cleaned;
}

} // namespace quanta

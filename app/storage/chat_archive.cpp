#include "storage/chat_archive.h"

#include "common/json_type_name.h"
#include "logging/log_categories.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <vector>

namespace quanta {

namespace {

const QString kFormat = QStringLiteral("quanta-chat");
constexpr int kFormatVersion = 1;

// The largest integer that a JSON number (an IEEE double) stores exactly.
constexpr double kMaxExactInteger = 9007199254740992.0; // 2^53

QString isoTime(const QDateTime& time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonValue idOrNull(qint64 id)
{
    return id != 0 ? QJsonValue(static_cast<double>(id)) : QJsonValue(QJsonValue::Null);
}

// Reads the fields of one JSON object and throws StorageError naming the
// file, where the object is (`place`) and what is wrong.
class FieldReader {
public:
    FieldReader(const QString& fileName, const QJsonObject& object, const QString& place)
        : fileName_(fileName), object_(object), place_(place)
    {
    }

    [[noreturn]] void fail(const QString& problem) const
    {
        const QString where = place_.isEmpty() ? QString() : place_ + QLatin1String(": ");
        throw StorageError(QStringLiteral("Cannot import the chat file %1: %2%3")
                               .arg(QDir::toNativeSeparators(fileName_), where, problem)
                               .toStdString());
    }

    QString string(const char* key, bool required, const QString& fallback = {}) const
    {
        const QJsonValue value = fieldOrFail(key, required);
        if (value.isUndefined())
            return fallback;
        if (!value.isString())
            failType(key, "a string", value);
        return value.toString();
    }

    bool boolean(const char* key, bool fallback) const
    {
        const QJsonValue value = object_.value(QLatin1String(key));
        if (value.isUndefined())
            return fallback;
        if (!value.isBool())
            failType(key, "true or false", value);
        return value.toBool();
    }

    // An integer from `minimum` to `maximum`; 0 for null or a missing
    // optional field.
    qint64 integer(const char* key, bool required, bool nullable, double minimum, double maximum) const
    {
        const QJsonValue value = fieldOrFail(key, required);
        if (value.isUndefined() || (nullable && value.isNull()))
            return 0;
        const double number = value.toDouble();
        if (!value.isDouble() || std::floor(number) != number || number < minimum || number > maximum)
            fail(QStringLiteral("\"%1\" must be an integer from %2 to %3, found %4")
                     .arg(QLatin1String(key))
                     .arg(minimum, 0, 'f', 0)
                     .arg(maximum, 0, 'f', 0)
                     .arg(value.isDouble() ? QString::number(number) : jsonTypeName(value)));
        return static_cast<qint64>(number);
    }

    double number(const char* key, double fallback) const
    {
        const QJsonValue value = object_.value(QLatin1String(key));
        if (value.isUndefined())
            return fallback;
        if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < 0)
            fail(QStringLiteral("\"%1\" must be a number of 0 or more, found %2")
                     .arg(QLatin1String(key), value.isDouble() ? QString::number(value.toDouble()) : jsonTypeName(value)));
        return value.toDouble();
    }

    // An ISO 8601 time; invalid (the import time) when the field is missing.
    QDateTime time(const char* key) const
    {
        const QString text = string(key, false);
        if (text.isEmpty())
            return {};
        const QDateTime parsed = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!parsed.isValid())
            fail(QStringLiteral("\"%1\" must be an ISO 8601 time such as 2024-05-01T12:00:00.000Z, found \"%2\"")
                     .arg(QLatin1String(key), text.left(40)));
        return parsed.toUTC();
    }

    QJsonValue value(const char* key, bool required) const { return fieldOrFail(key, required); }

private:
    QJsonValue fieldOrFail(const char* key, bool required) const
    {
        const QJsonValue value = object_.value(QLatin1String(key));
        if (value.isUndefined() && required)
            fail(QStringLiteral("the field \"%1\" is missing").arg(QLatin1String(key)));
        return value;
    }

    [[noreturn]] void failType(const char* key, const char* expected, const QJsonValue& found) const
    {
        fail(QStringLiteral("\"%1\" must be %2, found %3").arg(QLatin1String(key), QLatin1String(expected), jsonTypeName(found)));
    }

    QString fileName_;
    QJsonObject object_;
    QString place_;
};

MessageRecord readMessage(const QString& fileName, const QJsonValue& item, qsizetype index)
{
    const QString place = QStringLiteral("message %1 of the list").arg(index + 1);
    if (!item.isObject())
        FieldReader(fileName, {}, place).fail(QStringLiteral("it must be an object, found %1").arg(jsonTypeName(item)));
    const FieldReader fields(fileName, item.toObject(), place);

    MessageRecord message;
    message.id = fields.integer("id", true, false, 1, kMaxExactInteger);
    message.parentId = fields.integer("parentId", true, true, 1, kMaxExactInteger);
    message.role = fields.string("role", true);
    if (message.role != QLatin1String("system") && message.role != QLatin1String("user")
        && message.role != QLatin1String("assistant"))
        fields.fail(QStringLiteral("unknown role \"%1\"; expected system, user or assistant").arg(message.role.left(40)));
    message.content = fields.string("content", true);
    message.complete = fields.boolean("complete", true);
    message.createdAt = fields.time("createdAt");
    message.tokenCount = static_cast<int>(fields.integer("tokenCount", false, false, 0, std::numeric_limits<int>::max()));
    message.tokensPerSecond = fields.number("tokensPerSecond", 0);
    return message;
}

// Orders `messages` parents first, and otherwise by their ids in the file,
// after checking that every parent exists and that no chain of parents
// loops. Sibling order follows the ids, so the order of the file's ids is
// kept among siblings.
QList<MessageRecord> parentsFirst(const FieldReader& file, const QList<MessageRecord>& messages)
{
    // Step 1: index the ids.
    QHash<qint64, qsizetype> indexOf;
    indexOf.reserve(messages.size());
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (indexOf.contains(messages[i].id))
            file.fail(QStringLiteral("message id %1 appears twice").arg(messages[i].id));
        indexOf.insert(messages[i].id, i);
    }

    // Step 2: every parent exists.
    std::vector<std::vector<qsizetype>> children(static_cast<size_t>(messages.size()));
    std::vector<qsizetype> roots;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const qint64 parentId = messages[i].parentId;
        if (parentId == 0) {
            roots.push_back(i);
            continue;
        }
        const auto parent = indexOf.constFind(parentId);
        if (parent == indexOf.constEnd())
            file.fail(QStringLiteral("message %1 has the parent id %2, but no message has that id")
                          .arg(messages[i].id)
                          .arg(parentId));
        children[static_cast<size_t>(*parent)].push_back(i);
    }

    // Step 3: walk down from the first messages, smallest id first. A
    // message never reached sits on a loop of parents, or below one.
    const auto laterId = [&](qsizetype a, qsizetype b) { return messages[a].id > messages[b].id; };
    std::priority_queue<qsizetype, std::vector<qsizetype>, decltype(laterId)> ready(laterId, roots);
    QList<MessageRecord> ordered;
    ordered.reserve(messages.size());
    std::vector<bool> reached(static_cast<size_t>(messages.size()), false);
    while (!ready.empty()) {
        const qsizetype next = ready.top();
        ready.pop();
        reached[static_cast<size_t>(next)] = true;
        ordered.append(messages[next]);
        for (const qsizetype child : children[static_cast<size_t>(next)])
            ready.push(child);
    }
    if (ordered.size() != messages.size()) {
        // Follow the parents from an unreached message until one repeats:
        // that one is on the loop.
        qsizetype at = 0;
        while (reached[static_cast<size_t>(at)])
            ++at;
        std::vector<bool> seen(static_cast<size_t>(messages.size()), false);
        while (!seen[static_cast<size_t>(at)]) {
            seen[static_cast<size_t>(at)] = true;
            at = indexOf.value(messages[at].parentId);
        }
        QStringList loop;
        qsizetype step = at;
        do {
            loop.append(QString::number(messages[step].id));
            step = indexOf.value(messages[step].parentId);
        } while (step != at && loop.size() < 10);
        file.fail(QStringLiteral("the parent ids make a cycle through the messages %1").arg(loop.join(QLatin1String(", "))));
    }
    return ordered;
}

} // namespace

QByteArray exportChatJson(const ChatStore& store, qint64 chatId)
{
    // Step 1: the chat.
    const ChatRecord chat = store.chat(chatId);
    QJsonObject root;
    root.insert(QStringLiteral("format"), kFormat);
    root.insert(QStringLiteral("version"), kFormatVersion);
    root.insert(QStringLiteral("title"), chat.title);
    root.insert(QStringLiteral("modelPath"), chat.modelPath);
    root.insert(QStringLiteral("systemPrompt"), chat.systemPrompt);
    root.insert(QStringLiteral("settings"), QJsonDocument::fromJson(chat.settingsJson.toUtf8()).object());
    root.insert(QStringLiteral("pinned"), chat.pinned);
    root.insert(QStringLiteral("createdAt"), isoTime(chat.createdAt));
    root.insert(QStringLiteral("updatedAt"), isoTime(chat.updatedAt));
    root.insert(QStringLiteral("leafMessageId"), idOrNull(chat.leafMessageId));

    // Step 2: every message of every branch, oldest first.
    QJsonArray messages;
    for (const MessageRecord& message : store.messages(chatId)) {
        QJsonObject item;
        item.insert(QStringLiteral("id"), static_cast<double>(message.id));
        item.insert(QStringLiteral("parentId"), idOrNull(message.parentId));
        item.insert(QStringLiteral("role"), message.role);
        item.insert(QStringLiteral("content"), message.content);
        item.insert(QStringLiteral("complete"), message.complete);
        item.insert(QStringLiteral("createdAt"), isoTime(message.createdAt));
        item.insert(QStringLiteral("tokenCount"), message.tokenCount);
        item.insert(QStringLiteral("tokensPerSecond"), message.tokensPerSecond);
        messages.append(item);
    }
    root.insert(QStringLiteral("messages"), messages);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString exportChatMarkdown(const ChatStore& store, qint64 chatId)
{
    const ChatRecord chat = store.chat(chatId);
    QString title = chat.title;
    title.replace(QLatin1Char('\n'), QLatin1Char(' '));
    QString markdown = QStringLiteral("# %1\n\n").arg(title);
    if (!chat.systemPrompt.isEmpty())
        markdown += QStringLiteral("## System prompt\n\n%1\n\n").arg(chat.systemPrompt);

    for (const MessageRecord& message : store.activeBranch(chatId)) {
        QString heading = QStringLiteral("Assistant");
        if (message.role == QLatin1String("user"))
            heading = QStringLiteral("User");
        else if (message.role == QLatin1String("system"))
            heading = QStringLiteral("System");
        markdown += QStringLiteral("### %1\n\n%2\n\n").arg(heading, message.content);
        if (!message.complete)
            markdown += QStringLiteral("*(The reply stopped before it was complete.)*\n\n");
    }
    return markdown;
}

qint64 importChatJson(ChatStore& store, const QByteArray& json, const QString& fileName)
{
    const FieldReader file(fileName, {}, {});

    // Step 1: size, then JSON syntax.
    if (json.size() > kMaxChatImportBytes)
        file.fail(QStringLiteral("the file has %1 bytes, more than the limit of %2 bytes (64 MiB)")
                      .arg(json.size())
                      .arg(kMaxChatImportBytes));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        file.fail(QStringLiteral("invalid JSON at byte %1: %2").arg(parseError.offset).arg(parseError.errorString()));
    if (!document.isObject())
        file.fail(QStringLiteral("the file must contain one JSON object, found %1")
                      .arg(document.isArray() ? QStringLiteral("an array") : QStringLiteral("something else")));
    const QJsonObject root = document.object();
    const FieldReader fields(fileName, root, {});

    // Step 2: format and version.
    const QString format = fields.string("format", true);
    if (format != kFormat)
        fields.fail(QStringLiteral("\"format\" is \"%1\", but a Quanta chat file has \"%2\"").arg(format.left(40), kFormat));
    const qint64 version = fields.integer("version", true, false, 0, kMaxExactInteger);
    if (version != kFormatVersion)
        fields.fail(QStringLiteral("it has version %1, but this version of Quanta reads version %2 only")
                        .arg(version)
                        .arg(kFormatVersion));

    // Step 3: the chat's fields.
    ChatRecord chat;
    chat.title = normalizedChatTitle(fields.string("title", true));
    if (chat.title.isEmpty())
        chat.title = QFileInfo(fileName).completeBaseName();
    chat.modelPath = fields.string("modelPath", false);
    chat.systemPrompt = fields.string("systemPrompt", false);
    chat.pinned = fields.boolean("pinned", false);
    chat.createdAt = fields.time("createdAt");
    fields.time("updatedAt");
    const QJsonValue settings = fields.value("settings", false);
    if (!settings.isUndefined() && !settings.isNull()) {
        if (!settings.isObject())
            fields.fail(QStringLiteral("\"settings\" must be an object, found %1").arg(jsonTypeName(settings)));
        if (!settings.toObject().isEmpty())
            chat.settingsJson = QString::fromUtf8(QJsonDocument(settings.toObject()).toJson(QJsonDocument::Compact));
    }
    chat.leafMessageId = fields.integer("leafMessageId", false, true, 1, kMaxExactInteger);

    // Step 4: the messages.
    const QJsonValue list = fields.value("messages", true);
    if (!list.isArray())
        fields.fail(QStringLiteral("\"messages\" must be an array, found %1").arg(jsonTypeName(list)));
    const QJsonArray items = list.toArray();
    if (items.size() > kMaxChatImportMessages)
        fields.fail(QStringLiteral("it has %1 messages, more than the limit of %2")
                        .arg(items.size())
                        .arg(kMaxChatImportMessages));
    QList<MessageRecord> messages;
    messages.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i)
        messages.append(readMessage(fileName, items.at(i), i));

    // Step 5: the tree: parents exist, no cycles, the leaf exists.
    const QList<MessageRecord> ordered = parentsFirst(file, messages);
    if (chat.leafMessageId != 0
        && std::none_of(messages.begin(), messages.end(), [&](const MessageRecord& m) { return m.id == chat.leafMessageId; }))
        fields.fail(QStringLiteral("\"leafMessageId\" is %1, but no message has that id").arg(chat.leafMessageId));

    // Step 6: one transaction, so a failure leaves nothing behind.
    const qint64 chatId = store.importChat(chat, ordered);
    qCInfo(lcStorage).noquote() << "Imported chat" << chatId << "with" << ordered.size() << "messages from"
                                << QDir::toNativeSeparators(fileName);
    return chatId;
}

} // namespace quanta

// Chats to and from files: JSON with the whole message tree (for import and
// backups) and Markdown with the branch on screen (for reading).
//
// The JSON file is one object. It has "format": "quanta-chat" and
// "version": 1, then the chat's "title", "modelPath", "systemPrompt",
// "settings" (an object), "pinned", "createdAt" and "updatedAt" (ISO 8601,
// UTC), and "leafMessageId". "messages" is an array of objects with "id",
// "parentId" (null for a first message), "role", "content", "complete",
// "createdAt", "tokenCount" and "tokensPerSecond".
#pragma once

#include "storage/chat_store.h"

#include <QByteArray>
#include <QString>

namespace quanta {

// Limits on an imported file, so that a hostile file cannot exhaust memory.
inline constexpr qint64 kMaxChatImportBytes = qint64{64} * 1024 * 1024;
inline constexpr int kMaxChatImportMessages = 100000;

// Writes the chat (marked deleted or not) with every branch. Throws
// StorageError when the chat does not exist.
QByteArray exportChatJson(const ChatStore& store, qint64 chatId);

// Writes the title, the system prompt and the branch on screen, one "###
// User" or "### Assistant" section per message, with the text as it is, so
// code blocks stay intact.
QString exportChatMarkdown(const ChatStore& store, qint64 chatId);

// Checks `json` completely, then creates a new chat from it in one
// transaction, with new ids, and returns the chat's id. Throws StorageError
// naming `fileName` and the problem. The problems found are: invalid JSON
// (with the byte offset), a wrong format or version, a missing field or one
// of the wrong type, an unknown role, a parent id that does not exist or
// makes a cycle, and a file over kMaxChatImportMessages messages or
// kMaxChatImportBytes bytes.
qint64 importChatJson(ChatStore& store, const QByteArray& json, const QString& fileName);

} // namespace quanta

// Full-text search over chat messages: turns what the user typed into a
// query that FTS5 always accepts, and runs it.
#pragma once

#include "storage/chat_schema.h"
#include "storage/chat_store.h"

#include <QList>
#include <QString>
#include <QStringList>

struct sqlite3;

namespace quanta::chat_search {

// The user's search text, split into words. Every word is required.
struct SearchQuery {
    // FTS5 MATCH expression: each word as a quoted string (a double quote
    // inside doubled), so operators such as NEAR(, AND, * or - are plain
    // text. Empty when no word can use the index.
    QString match;
    // Words shorter than the trigram tokenizer's 3 characters, which the
    // index cannot find; they are matched with LIKE on the message text.
    QStringList likeTerms;
    // Every word that takes part, for marking matches in snippets.
    QStringList terms;

    bool isEmpty() const { return match.isEmpty() && likeTerms.isEmpty(); }
};

// At most this many words of a query take part; the rest are ignored.
inline constexpr int kMaxSearchTerms = 16;

SearchQuery buildQuery(const QString& text, chat_schema::Tokenizer tokenizer);

// Runs `text` against the messages of every chat not marked deleted. Hits
// found through the index come best match first (bm25). A query of short
// words only cannot use the index, so it lists the newest messages first.
QList<SearchHit> search(sqlite3* db, const QString& path, chat_schema::Tokenizer tokenizer, const QString& text,
                        int limit);

} // namespace quanta::chat_search

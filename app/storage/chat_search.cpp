#include "storage/chat_search.h"

#include "storage/sqlite_statement.h"

#include <QDateTime>

#include <algorithm>

namespace quanta::chat_search {

namespace {

using chat_schema::Tokenizer;
using sql::Statement;

// The trigram tokenizer indexes every run of 3 characters, so a shorter
// word is not in the index.
constexpr int kTrigramLength = 3;

// Tokens snippet() shows around the matches. A trigram token is about one
// character, a unicode61 token one word.
constexpr int kTrigramSnippetTokens = 48;
constexpr int kWordSnippetTokens = 12;

// Characters shown before and after the first match in a snippet built
// without the index.
constexpr int kLikeSnippetContext = 24;

// Hits one search returns at most, whatever the caller asks for.
constexpr int kMaxLimit = 1000;

const QString kEllipsis = QStringLiteral("\u2026");

// Splits at white space and at control characters: FTS5 reads its query up
// to the first NUL, so a NUL inside a quoted word would end the string.
QStringList splitWords(const QString& text)
{
    QStringList words;
    QString word;
    for (const QChar c : text) {
        if (c.isSpace() || c.category() == QChar::Other_Control) {
            if (!word.isEmpty())
                words.append(word);
            word.clear();
        } else {
            word.append(c);
        }
    }
    if (!word.isEmpty())
        words.append(word);
    return words;
}

bool hasLetterOrNumber(const QString& word)
{
    return std::any_of(word.begin(), word.end(), [](QChar c) { return c.isLetterOrNumber(); });
}

// A string FTS5 reads as one phrase of plain text.
QString quoted(const QString& word)
{
    QString escaped = word;
    escaped.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

// A LIKE pattern that finds `word` anywhere, with '\' as the escape.
QString containsPattern(const QString& word)
{
    QString escaped;
    for (const QChar c : word) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('%') || c == QLatin1Char('_'))
            escaped.append(QLatin1Char('\\'));
        escaped.append(c);
    }
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

// Marks every occurrence of the terms in a window of `content` around the
// first one, as snippet() does for index hits.
QString likeSnippet(const QString& content, const QStringList& terms)
{
    // Step 1: find the first match of any term.
    qsizetype first = content.size();
    for (const QString& term : terms) {
        const qsizetype at = content.indexOf(term, 0, Qt::CaseInsensitive);
        if (at >= 0)
            first = std::min(first, at);
    }
    if (first == content.size())
        first = 0;

    // Step 2: cut a window around it.
    const qsizetype begin = std::max<qsizetype>(0, first - kLikeSnippetContext);
    const qsizetype end = std::min(content.size(), first + 2 * kLikeSnippetContext);
    const QString window = content.mid(begin, end - begin);

    // Step 3: bracket the matches in the window, longest term first where
    // two start at the same place.
    QString marked;
    qsizetype i = 0;
    while (i < window.size()) {
        qsizetype length = 0;
        for (const QString& term : terms) {
            if (term.size() > length && window.mid(i, term.size()).compare(term, Qt::CaseInsensitive) == 0)
                length = term.size();
        }
        if (length > 0) {
            marked += QLatin1Char('[') + window.mid(i, length) + QLatin1Char(']');
            i += length;
        } else {
            marked += window[i];
            ++i;
        }
    }
    return (begin > 0 ? kEllipsis : QString()) + marked + (end < content.size() ? kEllipsis : QString());
}

} // namespace

SearchQuery buildQuery(const QString& text, Tokenizer tokenizer)
{
    SearchQuery query;
    QStringList phrases;
    for (const QString& word : splitWords(text)) {
        if (query.terms.size() >= kMaxSearchTerms)
            break;
        if (tokenizer == Tokenizer::Trigram) {
            // Trigram matches substrings, so a word is found inside longer
            // words and needs no prefix operator.
            if (word.toUcs4().size() < kTrigramLength)
                query.likeTerms.append(word);
            else
                phrases.append(quoted(word));
        } else {
            // unicode61 drops punctuation, and a word of punctuation only
            // would be an empty phrase.
            if (!hasLetterOrNumber(word))
                continue;
            phrases.append(quoted(word) + QLatin1Char('*'));
        }
        query.terms.append(word);
    }
    query.match = phrases.join(QLatin1Char(' '));
    return query;
}

QList<SearchHit> search(sqlite3* db, const QString& path, Tokenizer tokenizer, const QString& text, int limit)
{
    // Step 1: the query; nothing to look for finds nothing.
    const SearchQuery query = buildQuery(text, tokenizer);
    if (query.isEmpty() || limit <= 0)
        return {};
    const bool useIndex = !query.match.isEmpty();

    // Step 2: the SQL, with one LIKE per short word. The index lists its
    // hits by rank, the table scan by age.
    // NOTE: a query of only 1- or 2-character words (common in Chinese)
    // reads every message, because the trigram index cannot find them. LIKE
    // ignores case for ASCII letters only.
    QByteArray sql;
    if (useIndex) {
        const int snippetTokens = tokenizer == Tokenizer::Trigram ? kTrigramSnippetTokens : kWordSnippetTokens;
        sql = "SELECT m.chat_id, m.id, c.title, m.role, m.created_at, "
              "snippet(messages_fts, 0, '[', ']', '\u2026', "
              + QByteArray::number(snippetTokens)
              + ") FROM messages_fts JOIN messages AS m ON m.id = messages_fts.rowid "
                "JOIN chats AS c ON c.id = m.chat_id "
                "WHERE messages_fts MATCH ? AND c.deleted_at IS NULL";
    } else {
        sql = "SELECT m.chat_id, m.id, c.title, m.role, m.created_at, m.content "
              "FROM messages AS m JOIN chats AS c ON c.id = m.chat_id WHERE c.deleted_at IS NULL";
    }
    for (qsizetype i = 0; i < query.likeTerms.size(); ++i)
        sql += " AND m.content LIKE ? ESCAPE '\\'";
    sql += useIndex ? " ORDER BY bm25(messages_fts) LIMIT ?" : " ORDER BY m.id DESC LIMIT ?";

    // Step 3: bind and read.
    Statement statement(db, path, sql.constData());
    int index = 1;
    if (useIndex)
        statement.bind(index++, query.match);
    for (const QString& term : query.likeTerms)
        statement.bind(index++, containsPattern(term));
    statement.bind(index, static_cast<qint64>(std::min(limit, kMaxLimit)));

    QList<SearchHit> hits;
    while (statement.step("searching chats")) {
        SearchHit hit;
        hit.chatId = statement.int64(0);
        hit.messageId = statement.int64(1);
        hit.chatTitle = statement.text(2);
        hit.role = statement.text(3);
        hit.createdAt = QDateTime::fromMSecsSinceEpoch(statement.int64(4), Qt::UTC);
        hit.snippet = useIndex ? statement.text(5) : likeSnippet(statement.text(5), query.terms);
        hits.append(hit);
    }
    return hits;
}

} // namespace quanta::chat_search

// splitMarkdownBlocks: prose and fenced code blocks, on whole and on
// partial (streaming) replies.

#include "chats/markdown_blocks.h"

#include <QTest>

using namespace quanta;

namespace {

MarkdownBlock prose(const QString& text)
{
    return {MarkdownBlock::Kind::Prose, text, QString(), true};
}

MarkdownBlock code(const QString& text, const QString& language, bool closed = true)
{
    return {MarkdownBlock::Kind::Code, text, language, closed};
}

} // namespace

class TestMarkdownBlocks : public QObject {
    Q_OBJECT

private slots:
    void split_data();
    void split();
    void streamingPrefixesNeverLoseText();
};

void TestMarkdownBlocks::split_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<MarkdownBlock>>("expected");

    QTest::newRow("plain") << QStringLiteral("Hello **world**.") << QList{prose(QStringLiteral("Hello **world**."))};
    QTest::newRow("empty") << QString() << QList<MarkdownBlock>{};
    QTest::newRow("code between prose")
        << QStringLiteral("Try this:\n```cpp\nint main() {\n    return 0;\n}\n```\nThen run it.")
        << QList{prose(QStringLiteral("Try this:")),
                 code(QStringLiteral("int main() {\n    return 0;\n}"), QStringLiteral("cpp")),
                 prose(QStringLiteral("Then run it."))};
    QTest::newRow("tilde fence with info words")
        << QStringLiteral("~~~python title=x\nprint(1)\n~~~")
        << QList{code(QStringLiteral("print(1)"), QStringLiteral("python"))};
    QTest::newRow("longer closing fence closes")
        << QStringLiteral("```\na\n`````\nb") << QList{code(QStringLiteral("a"), QString()), prose(QStringLiteral("b"))};
    QTest::newRow("shorter fence inside stays code")
        << QStringLiteral("````md\n```\ninner\n```\n````")
        << QList{code(QStringLiteral("```\ninner\n```"), QStringLiteral("md"))};
    QTest::newRow("other fence character inside stays code")
        << QStringLiteral("```\n~~~\n```") << QList{code(QStringLiteral("~~~"), QString())};
    QTest::newRow("indented four spaces is not a fence")
        << QStringLiteral("    ```\nx") << QList{prose(QStringLiteral("```\nx"))};
    QTest::newRow("inline backticks are not a fence")
        << QStringLiteral("use ```a`b``` inline") << QList{prose(QStringLiteral("use ```a`b``` inline"))};
    QTest::newRow("unclosed fence while streaming")
        << QStringLiteral("Here:\n```js\nconsole.log(")
        << QList{prose(QStringLiteral("Here:")), code(QStringLiteral("console.log("), QStringLiteral("js"), false)};
    QTest::newRow("fence just opened") << QStringLiteral("```") << QList{code(QString(), QString(), false)};
    QTest::newRow("closing fence with text after is code")
        << QStringLiteral("```\na\n``` not closed\n```")
        << QList{code(QStringLiteral("a\n``` not closed"), QString())};
    QTest::newRow("Chinese prose") << QStringLiteral("你好\n```\n代码\n```")
                                   << QList{prose(QStringLiteral("你好")), code(QStringLiteral("代码"), QString())};
}

void TestMarkdownBlocks::split()
{
    QFETCH(QString, text);
    QFETCH(QList<MarkdownBlock>, expected);
    const QList<MarkdownBlock> blocks = splitMarkdownBlocks(text);
    QCOMPARE(blocks.size(), expected.size());
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        QCOMPARE(int(blocks[i].kind), int(expected[i].kind));
        QCOMPARE(blocks[i].text, expected[i].text);
        QCOMPARE(blocks[i].language, expected[i].language);
        QCOMPARE(blocks[i].closed, expected[i].closed);
    }
}

// Every prefix of a reply (as it streams in) splits without losing a
// character of code: the code text of the prefix is a prefix of the code of
// the whole reply.
void TestMarkdownBlocks::streamingPrefixesNeverLoseText()
{
    const QString reply = QStringLiteral("Intro\n```py\ndef f(x):\n    return x * 2\n```\nOutro with `code`.");
    const QString finalCode = splitMarkdownBlocks(reply).at(1).text;
    for (qsizetype n = 0; n <= reply.size(); ++n) {
        QString codeText;
        for (const MarkdownBlock& block : splitMarkdownBlocks(reply.left(n))) {
            if (block.kind == MarkdownBlock::Kind::Code)
                codeText += block.text;
        }
        QVERIFY2(finalCode.startsWith(codeText), qPrintable(QStringLiteral("prefix %1: %2").arg(n).arg(codeText)));
    }
}

QTEST_APPLESS_MAIN(TestMarkdownBlocks)
#include "test_markdown_blocks.moc"

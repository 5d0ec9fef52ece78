// Templates the interpreter cannot run. Each error names the construct and
// its line and column, and hostile templates stop at a limit with an error
// that names the limit.
#include "chat/jinja/template.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace quanta;
using json = nlohmann::ordered_json;
using Kind = jinja::TemplateError::Kind;

Q_DECLARE_METATYPE(jinja::TemplateError::Kind)

namespace {

// Parses and renders `source`; returns the error it throws.
jinja::TemplateError renderError(const std::string& source, const jinja::RenderOptions& options = {})
{
    try {
        const jinja::Template chatTemplate(source);
        const std::string text = chatTemplate.render(json{{"items", json::array({1, 2})}}, options);
        throw std::runtime_error("rendered without an error: " + text);
    } catch (const jinja::TemplateError& error) {
        return error;
    }
}

} // namespace

class JinjaErrorTest : public QObject {
    Q_OBJECT

private slots:
    void errorNamesConstructAndPosition_data();
    void errorNamesConstructAndPosition();
    void errorIsFormatError();
    void templateNameStartsMessage();

    void loopIterationLimit();
    void outputLimit();
    void stringSizeLimit();
    void totalStringLimit();
    void containerItemLimit();
    void macroRecursionLimit();
    void recursiveLoopLimit();
    void nestingLimitWhileParsing();
    void nestingLimitWhileRendering();
    void rangeLimit();
    void selfContainingValueToJson();
    void hugeFormatWidthRejected();
};

void JinjaErrorTest::errorNamesConstructAndPosition_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    // Syntax errors.
    QTest::newRow("for without target") << QByteArray("{% for %}") << Kind::Syntax
                                        << QByteArray("expected a variable name to assign to, found '%}'") << 1 << 8;
    QTest::newRow("filter name missing") << QByteArray("line one\n{{ x | }}") << Kind::Syntax
                                         << QByteArray("expected a name for the filter after '|'") << 2 << 8;
    QTest::newRow("unclosed if") << QByteArray("{% if true %}\nno end") << Kind::Syntax
                                 << QByteArray("the 'if' block opened on line 1 needs '{% endif %}'") << 2 << 7;
    QTest::newRow("stray endfor") << QByteArray("{% endfor %}") << Kind::Syntax
                                  << QByteArray("unexpected 'endfor': no block is open") << 1 << 4;
    QTest::newRow("mismatched end tag") << QByteArray("{% for x in items %}\n{% endif %}") << Kind::Syntax
                                        << QByteArray("the innermost open block is 'for' from line 1") << 2 << 4;
    QTest::newRow("unknown tag") << QByteArray("{% frobnicate %}") << Kind::Syntax
                                 << QByteArray("unknown tag 'frobnicate'") << 1 << 1;
    QTest::newRow("unbalanced bracket") << QByteArray("{{ (1, 2 }}") << Kind::Syntax
                                        << QByteArray("unexpected '}', expected ')'") << 1 << 10;
    QTest::newRow("unclosed string") << QByteArray("{{ \"abc }}") << Kind::Syntax
                                     << QByteArray("unclosed string literal") << 1 << 4;
    QTest::newRow("unclosed comment") << QByteArray("ok {# open") << Kind::Syntax
                                      << QByteArray("unclosed comment") << 1 << 4;
    QTest::newRow("break outside loop") << QByteArray("{% break %}") << Kind::Syntax
                                        << QByteArray("'break' outside of a for loop") << 1 << 1;
    QTest::newRow("default before required") << QByteArray("{% macro m(a=1, b) %}{% endmacro %}") << Kind::Syntax
                                             << QByteArray("parameter 'b' without a default") << 1 << 17;
    QTest::newRow("column counts characters") << QByteArray("héllo {{ 1 +* 2 }}") << Kind::Syntax
                                              << QByteArray("expected an expression, found '*'") << 1 << 13;

    // Constructs this interpreter does not implement.
    QTest::newRow("include tag") << QByteArray("{% include 'x' %}") << Kind::Unsupported
                                 << QByteArray("the 'include' tag is not supported") << 1 << 1;
    QTest::newRow("unknown filter") << QByteArray("{{ items|groupby('a') }}") << Kind::Unsupported
                                    << QByteArray("the filter 'groupby' is not supported") << 1 << 10;
    QTest::newRow("unknown test") << QByteArray("{{ x is frob }}") << Kind::Unsupported
                                  << QByteArray("the test 'frob' is not supported") << 1 << 6;
    QTest::newRow("named unicode escape") << QByteArray("{{ \"\\N{DASH}\" }}") << Kind::Unsupported
                                          << QByteArray("\\N{...} escapes") << 1 << 5;

    // Errors while rendering.
    QTest::newRow("attribute of undefined") << QByteArray("{% set x = 1 %}\n  {{ foo.bar }}") << Kind::Render
                                            << QByteArray("'foo' is undefined") << 2 << 9;
    QTest::newRow("int plus string") << QByteArray("{{ 1 + 'a' }}") << Kind::Render
                                     << QByteArray("unsupported operand type(s) for +: 'int' and 'str'") << 1 << 6;
    QTest::newRow("division by zero") << QByteArray("{{ 1 // 0 }}") << Kind::Render
                                      << QByteArray("integer division or modulo by zero") << 1 << 6;
    QTest::newRow("loop over int") << QByteArray("{% for x in 5 %}{% endfor %}") << Kind::Render
                                   << QByteArray("for loop: 'int' object is not iterable") << 1 << 1;
    QTest::newRow("attribute on non-namespace") << QByteArray("{% set q = 1 %}{% set q.x = 1 %}") << Kind::Render
                                                << QByteArray("only namespace() objects take attributes") << 1 << 16;
    QTest::newRow("sort mixed types") << QByteArray("{{ [1, 'a']|sort }}") << Kind::Render
                                      << QByteArray("'<' is not supported between instances of 'str' and 'int'")
                                      << 1 << 13;
    QTest::newRow("tojson of undefined") << QByteArray("{{ nothing|tojson }}") << Kind::Render
                                         << QByteArray("Object of type Undefined is not JSON serializable") << 1 << 12;
    QTest::newRow("missing method") << QByteArray("{{ 'a'.nope() }}") << Kind::Render
                                    << QByteArray("'str object' has no attribute 'nope'") << 1 << 7;
    QTest::newRow("integer overflow") << QByteArray("{{ 9223372036854775807 + 1 }}") << Kind::Render
                                      << QByteArray("integer overflow in '+'") << 1 << 24;
    QTest::newRow("wrong filter argument") << QByteArray("{{ items|join(d=1, x=2) }}") << Kind::Render
                                           << QByteArray("filter 'join' got an unexpected keyword argument 'x'")
                                           << 1 << 10;
    QTest::newRow("raise_exception") << QByteArray("{{ raise_exception('nope') }}") << Kind::Raised
                                     << QByteArray("the template raised an error: nope") << 1 << 4;
}

void JinjaErrorTest::errorNamesConstructAndPosition()
{
    QFETCH(QByteArray, source);
    QFETCH(Kind, kind);
    QFETCH(QByteArray, message);
    QFETCH(int, line);
    QFETCH(int, column);
    const jinja::TemplateError error = renderError(source.toStdString());
    const QByteArray what(error.what());
    QVERIFY2(what.contains(message), what.constData());
    QCOMPARE(error.kind(), kind);
    QCOMPARE(error.line(), line);
    QCOMPARE(error.column(), column);
    QVERIFY2(what.contains("line " + QByteArray::number(line) + ", column " + QByteArray::number(column)),
             what.constData());
}

void JinjaErrorTest::errorIsFormatError()
{
    // Callers that catch the engine's errors catch template errors too.
    try {
        const jinja::Template chatTemplate("{% if %}");
        QFAIL("the template must not parse");
    } catch (const FormatError& error) {
        QVERIFY(std::string(error.what()).find("expected an expression") != std::string::npos);
    }
}

void JinjaErrorTest::templateNameStartsMessage()
{
    try {
        const jinja::Template chatTemplate("{{ x", "model.jinja");
        QFAIL("the template must not parse");
    } catch (const jinja::TemplateError& error) {
        QVERIFY2(std::string(error.what()).rfind("model.jinja, line 1, column 1: ", 0) == 0, error.what());
    }
}

void JinjaErrorTest::loopIterationLimit()
{
    jinja::RenderOptions options;
    options.limits.max_loop_iterations = 1000;
    const jinja::TemplateError error =
        renderError("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}", options);
    QCOMPARE(error.kind(), Kind::Limit);
    QVERIFY2(std::string(error.what()).find("more than 1000 loop iterations") != std::string::npos, error.what());

    // The default limit stops a billion iterations quickly.
    const jinja::TemplateError nested =
        renderError("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
    QCOMPARE(nested.kind(), Kind::Limit);
}

void JinjaErrorTest::outputLimit()
{
    jinja::RenderOptions options;
    options.limits.max_output_bytes = 1000;
    const jinja::TemplateError error = renderError("{% for i in range(100) %}0123456789ABCDEF{% endfor %}", options);
    QCOMPARE(error.kind(), Kind::Limit);
    QVERIFY2(std::string(error.what()).find("the output exceeds the limit of 1000 bytes") != std::string::npos,
             error.what());
}

void JinjaErrorTest::stringSizeLimit()
{
    const jinja::TemplateError repeat = renderError("{{ 'x' * 100000000 }}");
    QCOMPARE(repeat.kind(), Kind::Limit);
    QVERIFY2(std::string(repeat.what()).find("exceeds the limit of 16777216 bytes") != std::string::npos,
             repeat.what());

    const jinja::TemplateError doubling =
        renderError("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}");
    QCOMPARE(doubling.kind(), Kind::Limit);
}

void JinjaErrorTest::totalStringLimit()
{
    jinja::RenderOptions options;
    options.limits.max_total_string_bytes = 100000;
    const jinja::TemplateError error =
        renderError("{% set ns = namespace(s='') %}{% for i in range(1000) %}{% set ns.s = ns.s ~ 'abc' %}{% endfor %}",
                    options);
    QCOMPARE(error.kind(), Kind::Limit);
    QVERIFY2(std::string(error.what()).find("bytes of strings in total") != std::string::npos, error.what());
}

void JinjaErrorTest::containerItemLimit()
{
    const jinja::TemplateError doubling =
        renderError("{% set ns = namespace(l=[1]) %}{% for i in range(30) %}{% set ns.l = ns.l + ns.l %}{% endfor %}");
    QCOMPARE(doubling.kind(), Kind::Limit);
    QVERIFY2(std::string(doubling.what()).find("exceeds the limit of 1000000 items") != std::string::npos,
             doubling.what());

    QCOMPARE(renderError("{{ [0] * 10000000 }}").kind(), Kind::Limit);
}

void JinjaErrorTest::macroRecursionLimit()
{
    const jinja::TemplateError error = renderError("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    QCOMPARE(error.kind(), Kind::Limit);
    QVERIFY2(std::string(error.what()).find("macro calls nested deeper than 64 levels") != std::string::npos,
             error.what());
}

void JinjaErrorTest::recursiveLoopLimit()
{
    const jinja::TemplateError error = renderError("{% for i in [1] recursive %}{{ loop([i]) }}{% endfor %}");
    QCOMPARE(error.kind(), Kind::Limit);
    QVERIFY2(std::string(error.what()).find("recursive loop calls nested deeper") != std::string::npos, error.what());
}

void JinjaErrorTest::nestingLimitWhileParsing()
{
    const std::string parentheses = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
    const jinja::TemplateError expressions = renderError(parentheses);
    QCOMPARE(expressions.kind(), Kind::Limit);
    QVERIFY2(std::string(expressions.what()).find("expressions nested deeper than") != std::string::npos,
             expressions.what());

    std::string blocks;
    for (int i = 0; i < 500; ++i)
        blocks += "{% if true %}";
    for (int i = 0; i < 500; ++i)
        blocks += "{% endif %}";
    const jinja::TemplateError nested = renderError(blocks);
    QCOMPARE(nested.kind(), Kind::Limit);
    QVERIFY2(std::string(nested.what()).find("blocks nested deeper than 100 levels") != std::string::npos,
             nested.what());

    QCOMPARE(renderError("{{ " + std::string(5000, '-') + "1 }}").kind(), Kind::Limit);
    std::string negations = "{{ ";
    for (int i = 0; i < 5000; ++i)
        negations += "not ";
    QCOMPARE(renderError(negations + "1 }}").kind(), Kind::Limit);
}

void JinjaErrorTest::nestingLimitWhileRendering()
{
    // Each macro level adds its body's depth: a small limit catches it
    // before the call-depth limit does.
    jinja::RenderOptions options;
    options.limits.max_nesting_depth = 50;
    const jinja::TemplateError error =
        renderError("{% macro f(n) %}{% if true %}{% if true %}{{ f(n + 1) }}{% endif %}{% endif %}{% endmacro %}"
                    "{{ f(0) }}",
                    options);
    QCOMPARE(error.kind(), Kind::Limit);
    QVERIFY2(std::string(error.what()).find("nested deeper than 50 levels") != std::string::npos, error.what());
}

void JinjaErrorTest::rangeLimit()
{
    const jinja::TemplateError error = renderError("{{ range(200000)|length }}");
    QCOMPARE(error.kind(), Kind::Limit);
    QVERIFY2(std::string(error.what()).find("range(): more than 100000 items") != std::string::npos, error.what());
}

void JinjaErrorTest::selfContainingValueToJson()
{
    const jinja::TemplateError error = renderError("{% set a = [] %}{% set _ = a.append(a) %}{{ a|tojson }}");
    QCOMPARE(error.kind(), Kind::Render);
    QVERIFY2(std::string(error.what()).find("circular reference") != std::string::npos, error.what());
}

void JinjaErrorTest::hugeFormatWidthRejected()
{
    QCOMPARE(renderError("{{ '%99999d' % 1 }}").kind(), Kind::Render);
    QCOMPARE(renderError("{{ '{:99999}'.format(1) }}").kind(), Kind::Render);
}

QTEST_APPLESS_MAIN(JinjaErrorTest)
#include "test_jinja_errors.moc"

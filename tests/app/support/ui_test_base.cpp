#include "ui_test_base.h"

#include "test_support.h"

#include <QDir>
#include <QRegularExpression>
#include <QSettings>

namespace quanta::test {

QString sharedStoriesModel()
{
    return QString::fromStdString(shared_path("models/stories260K.gguf"));
}

QString screenshotPath(const QString& name)
{
    const QString folder = QStringLiteral(QUANTA_BINARY_DIR "/screenshots");
    QDir().mkpath(folder);
    return folder + QLatin1Char('/') + name;
}

QList<QQuickItem*> findItems(QQuickItem* root, const QString& objectName)
{
    QList<QQuickItem*> found;
    if (root->objectName() == objectName)
        found.append(root);
    for (QQuickItem* child : root->childItems())
        found.append(findItems(child, objectName));
    return found;
}

void UiTestBase::setUpApp()
{
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY2(dir_->isValid(), qPrintable(dir_->errorString()));

    // A warning from our QML (a broken binding, a missing property) fails
    // the test, because it means part of the window does not work.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("qrc:/qt/qml/Quanta/")));
}

void UiTestBase::tearDownApp()
{
    // The window refers to the context's services, so it goes first.
    engine_.reset();
    context_.reset();
    dir_.reset();
}

void UiTestBase::startApp(const QString& modelPath, const QString& language, const QVariantMap& extraSettings)
{
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        settings.setValue(QStringLiteral("ui/language"), language);
        for (auto it = extraSettings.constBegin(); it != extraSettings.constEnd(); ++it)
            settings.setValue(it.key(), it.value());
    }
    AppOptions options;
    options.databasePath = databasePath();
    options.modelsFolder = modelsFolder();
    options.settingsPath = settingsPath();
    options.modelPath = modelPath;

    context_ = std::make_unique<AppContext>(options);
    engine_ = std::make_unique<QQmlApplicationEngine>();
    QVERIFY(context_->start(*engine_));
    QVERIFY(window() != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(window()));
}

QQuickWindow* UiTestBase::window() const
{
    const QList<QObject*> roots = engine_->rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(roots.first());
}

QQuickItem* UiTestBase::findItem(const char* objectName) const
{
    const QList<QQuickItem*> found = findItems(window()->contentItem(), QString::fromLatin1(objectName));
    for (QQuickItem* candidate : found) {
        if (candidate->isVisible())
            return candidate;
    }
    return found.isEmpty() ? window()->findChild<QQuickItem*>(QString::fromLatin1(objectName)) : found.first();
}

void UiTestBase::typeText(const QString& text)
{
    // QTest::keyClicks() exists only for widgets, so type key by key.
    for (const QChar character : text)
        QTest::keyClick(window(), character.toLatin1());
}

void UiTestBase::typeAndSend(const QString& text)
{
    QQuickItem* input = item("messageInput");
    QVERIFY(input != nullptr);
    input->forceActiveFocus();
    QTRY_VERIFY(input->hasActiveFocus());
    typeText(text);
    QCOMPARE(input->property("text").toString(), text);
    QTest::keyClick(window(), Qt::Key_Return);
}

void UiTestBase::click(QQuickItem* target)
{
    QVERIFY(target != nullptr);
    QVERIFY(target->isVisible());
    const QPointF center = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
    QTest::mouseClick(window(), Qt::LeftButton, Qt::NoModifier, center.toPoint());
}

void UiTestBase::saveScreenshot(const QString& name)
{
    const QImage image = window()->grabWindow();
    QVERIFY(!image.isNull());
    const QString path = screenshotPath(name);
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo().noquote() << "Screenshot:" << path;
}

} // namespace quanta::test

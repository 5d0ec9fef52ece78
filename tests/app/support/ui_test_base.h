// Shared by the suites that drive the real window: starts the app the way
// main.cpp does (AppContext and Main.qml under the offscreen platform) with a
// temporary database, models folder and settings file, and finds, clicks and
// types into its items. Screenshots go to <build>/screenshots/.
#pragma once

#include "app_context.h"

#include <QObject>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace quanta::test {

// Loading the tiny model and generating a few hundred tokens takes well
// under a second here; the limit only has to catch a hang.
constexpr int kUiTimeoutMs = 60000;

// Helpers check with QVERIFY, which returns from the helper only, so this
// macro also ends the test when the helper failed.
#define CHECKED(call)                                                                                                  \
    do {                                                                                                               \
        call;                                                                                                          \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)

QString sharedStoriesModel();
QString screenshotPath(const QString& name);
// The items under `root` with the given object name. The visual tree is
// searched because it contains delegates and popups that findChild() misses.
QList<QQuickItem*> findItems(QQuickItem* root, const QString& objectName);

class UiTestBase : public QObject {
    Q_OBJECT

protected:
    // Call from the suite's init() and cleanup() slots.
    void setUpApp();
    void tearDownApp();

    // Starts the app with `modelPath` (may be empty) and the UI language.
    // `extraSettings` are written to the settings file first.
    void startApp(const QString& modelPath, const QString& language = QStringLiteral("en"),
                  const QVariantMap& extraSettings = {});
    QQuickWindow* window() const;
    // The visible item with this object name, else the first hidden one.
    template <typename T = QQuickItem>
    T* item(const char* objectName) const
    {
        return qobject_cast<T*>(findItem(objectName));
    }
    QQuickItem* findItem(const char* objectName) const;
    void typeText(const QString& text);
    void typeAndSend(const QString& text);
    void click(QQuickItem* target);
    void saveScreenshot(const QString& name);

    QString databasePath() const { return dir_->filePath(QStringLiteral("chats.sqlite")); }
    QString modelsFolder() const { return dir_->filePath(QStringLiteral("models")); }
    QString settingsPath() const { return dir_->filePath(QStringLiteral("settings.ini")); }

    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<AppContext> context_;
    std::unique_ptr<QQmlApplicationEngine> engine_;
};

} // namespace quanta::test

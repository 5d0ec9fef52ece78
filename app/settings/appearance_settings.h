// The look of the app: light or dark theme (or the system's), and a text
// size factor for readers who need larger text. Persisted in QSettings and
// applied at once through the Theme singleton's bindings.
#pragma once

#include <QObject>
#include <QSettings>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class AppearanceSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("AppearanceSettings is created by the application.")
    // "system", "light" or "dark".
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    // The theme in use.
    Q_PROPERTY(bool dark READ dark NOTIFY themeChanged)
    // 1.0 (normal), 1.15 (large) or 1.3 (larger); any value in [0.8, 2] is kept.
    Q_PROPERTY(double textScale READ textScale WRITE setTextScale NOTIFY textScaleChanged)
    // How much larger than usual the system's UI font is, at least 1, so the
    // app grows with a larger system font setting. The UI scales its text
    // by textScale * systemTextScale.
    Q_PROPERTY(double systemTextScale READ systemTextScale NOTIFY textScaleChanged)

public:
    static inline const QString kSystem = QStringLiteral("system");
    static inline const QString kLight = QStringLiteral("light");
    static inline const QString kDark = QStringLiteral("dark");

    explicit AppearanceSettings(QSettings& settings, QObject* parent = nullptr);

    QString theme() const { return theme_; }
    void setTheme(const QString& theme);
    bool dark() const;
    double textScale() const { return textScale_; }
    void setTextScale(double scale);
    static double systemTextScale();

    // Whether the system's palette is dark: its window colour is darker
    // than mid grey. (Qt 6.4 has no colour-scheme hint.)
    static bool systemPrefersDark();

signals:
    void themeChanged();
    void textScaleChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QSettings& settings_;
    QString theme_;
    double textScale_ = 1.0;
};

} // namespace quanta

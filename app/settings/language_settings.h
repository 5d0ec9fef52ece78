// The UI language setting: English, Simplified Chinese, or the system
// locale's choice between them. Persisted in QSettings and applied at once.
#pragma once

#include <QObject>
#include <QSettings>
#include <QTranslator>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;

namespace quanta {

class LanguageSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("LanguageSettings is created by the application.")
    // "system", "en" or "zh_CN".
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
    // The language in use: "en" or "zh_CN".
    Q_PROPERTY(QString effectiveLanguage READ effectiveLanguage NOTIFY languageChanged)

public:
    static inline const QString kSystem = QStringLiteral("system");
    static inline const QString kEnglish = QStringLiteral("en");
    static inline const QString kChinese = QStringLiteral("zh_CN");

    explicit LanguageSettings(QSettings& settings, QObject* parent = nullptr);
    ~LanguageSettings() override;

    QString language() const { return language_; }
    QString effectiveLanguage() const { return effective_; }
    void setLanguage(const QString& language);

    // The engine whose bindings are re-evaluated after a switch.
    void setEngine(QQmlEngine* engine) { engine_ = engine; }

    // Installs the translators for the chosen language.
    void apply();

    // The supported language that best matches the system's UI languages.
    static QString systemLanguage();

signals:
    void languageChanged();

private:
    void removeTranslators();

    QSettings& settings_;
    QQmlEngine* engine_ = nullptr;
    QString language_;
    QString effective_;
    std::unique_ptr<QTranslator> appTranslator_;
    std::unique_ptr<QTranslator> qtTranslator_;
};

} // namespace quanta

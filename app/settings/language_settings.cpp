#include "settings/language_settings.h"

#include "logging/log_categories.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QQmlEngine>

namespace quanta {

namespace {

const QString kSettingsKey = QStringLiteral("ui/language");

// The app's catalogs, compiled from resources/translations by lrelease.
const QString kTranslationsResource = QStringLiteral(":/i18n");

bool isSupported(const QString& language)
{
    return language == LanguageSettings::kSystem || language == LanguageSettings::kEnglish ||
           language == LanguageSettings::kChinese;
}

} // namespace

LanguageSettings::LanguageSettings(QSettings& settings, QObject* parent)
    : QObject(parent), settings_(settings)
{
    language_ = settings_.value(kSettingsKey, kSystem).toString();
    if (!isSupported(language_)) {
        qCWarning(lcUi) << "Unknown UI language" << language_ << "in the settings; using the system's";
        language_ = kSystem;
    }
    effective_ = language_ == kSystem ? systemLanguage() : language_;
}

LanguageSettings::~LanguageSettings()
{
    removeTranslators();
}

QString LanguageSettings::systemLanguage()
{
    // uiLanguages() lists the user's languages in order of preference, e.g.
    // {"zh-Hans-CN", "zh-CN", "zh", "en"}. Simplified Chinese is zh with the
    // Hans script, or zh in mainland China or Singapore.
    for (const QString& name : QLocale::system().uiLanguages()) {
        const QLocale locale(name);
        if (locale.language() == QLocale::English)
            return kEnglish;
        if (locale.language() == QLocale::Chinese) {
            if (locale.script() == QLocale::SimplifiedHanScript || locale.territory() == QLocale::China ||
                locale.territory() == QLocale::Singapore)
                return kChinese;
        }
    }
    return kEnglish;
}

void LanguageSettings::setLanguage(const QString& language)
{
    if (!isSupported(language)) {
        qCWarning(lcUi) << "Ignoring unknown UI language" << language;
        return;
    }
    if (language == language_)
        return;
    language_ = language;
    settings_.setValue(kSettingsKey, language_);
    settings_.sync();
    effective_ = language_ == kSystem ? systemLanguage() : language_;
    qCInfo(lcUi) << "UI language set to" << language_ << "; showing" << effective_;
    apply();
    emit languageChanged();
}

void LanguageSettings::removeTranslators()
{
    if (appTranslator_)
        QCoreApplication::removeTranslator(appTranslator_.get());
    if (qtTranslator_)
        QCoreApplication::removeTranslator(qtTranslator_.get());
    appTranslator_.reset();
    qtTranslator_.reset();
}

void LanguageSettings::apply()
{
    // Step 1: drop the previous language's catalogs.
    removeTranslators();
    QLocale::setDefault(QLocale(effective_));

    // Step 2: the app's strings. English is the source language, so its
    // catalog contains only the plural forms.
    auto appTranslator = std::make_unique<QTranslator>();
    if (appTranslator->load(QStringLiteral("quanta_") + effective_, kTranslationsResource)) {
        QCoreApplication::installTranslator(appTranslator.get());
        appTranslator_ = std::move(appTranslator);
    } else {
        qCWarning(lcUi) << "No translation catalog for" << effective_ << "in" << kTranslationsResource;
    }

    // Step 3: Qt's own strings (dialog buttons, the file dialog), when the
    // system has Qt's translations installed.
    if (effective_ != kEnglish) {
        auto qtTranslator = std::make_unique<QTranslator>();
        const QString qtDir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
        if (qtTranslator->load(QStringLiteral("qt_") + effective_, qtDir)) {
            QCoreApplication::installTranslator(qtTranslator.get());
            qtTranslator_ = std::move(qtTranslator);
        } else {
            qCDebug(lcUi) << "Qt's own translations for" << effective_ << "not found in" << qtDir;
        }
    }

    // Step 4: re-evaluate every qsTr() binding.
    if (engine_) {
        engine_->setUiLanguage(effective_);
        engine_->retranslate();
    }
    qCDebug(lcUi) << "UI language:" << effective_ << "(setting:" << language_ << ")";
}

} // namespace quanta

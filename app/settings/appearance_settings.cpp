#include "settings/appearance_settings.h"

#include "logging/log_categories.h"

#include <QEvent>
#include <QFontInfo>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

namespace quanta {

namespace {

const QString kThemeKey = QStringLiteral("ui/theme");
const QString kTextScaleKey = QStringLiteral("ui/textScale");

// The pixel size of a usual UI font (10 pt at 96 dpi), against which the
// system's font is measured.
constexpr double kUsualFontPixels = 13.0;

constexpr double kMinTextScale = 0.8;
constexpr double kMaxTextScale = 2.0;

bool isTheme(const QString& theme)
{
    return theme == AppearanceSettings::kSystem || theme == AppearanceSettings::kLight ||
           theme == AppearanceSettings::kDark;
}

} // namespace

AppearanceSettings::AppearanceSettings(QSettings& settings, QObject* parent)
    : QObject(parent), settings_(settings)
{
    theme_ = settings_.value(kThemeKey, kSystem).toString();
    if (!isTheme(theme_)) {
        qCWarning(lcUi) << "Unknown theme" << theme_ << "in the settings; following the system";
        theme_ = kSystem;
    }
    bool ok = false;
    const double scale = settings_.value(kTextScaleKey, 1.0).toDouble(&ok);
    textScale_ = ok ? std::clamp(scale, kMinTextScale, kMaxTextScale) : 1.0;

    // A change of the system palette can switch the "system" theme.
    if (qGuiApp != nullptr)
        qGuiApp->installEventFilter(this);
}

void AppearanceSettings::setTheme(const QString& theme)
{
    if (theme == theme_ || !isTheme(theme))
        return;
    theme_ = theme;
    settings_.setValue(kThemeKey, theme_);
    qCInfo(lcUi) << "Theme:" << theme_;
    emit themeChanged();
}

bool AppearanceSettings::dark() const
{
    if (theme_ == kSystem)
        return systemPrefersDark();
    return theme_ == kDark;
}

void AppearanceSettings::setTextScale(double scale)
{
    const double clamped = std::clamp(scale, kMinTextScale, kMaxTextScale);
    if (qFuzzyCompare(clamped, textScale_))
        return;
    textScale_ = clamped;
    settings_.setValue(kTextScaleKey, textScale_);
    emit textScaleChanged();
}

double AppearanceSettings::systemTextScale()
{
    if (qGuiApp == nullptr)
        return 1.0;
    const double pixels = QFontInfo(QGuiApplication::font()).pixelSize();
    return std::clamp(pixels / kUsualFontPixels, 1.0, kMaxTextScale);
}

bool AppearanceSettings::systemPrefersDark()
{
    if (qGuiApp == nullptr)
        return false;
    return QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
}

bool AppearanceSettings::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == qGuiApp && event->type() == QEvent::ApplicationPaletteChange && theme_ == kSystem)
        emit themeChanged();
    if (watched == qGuiApp && event->type() == QEvent::ApplicationFontChange)
        emit textScaleChanged();
    return QObject::eventFilter(watched, event);
}

} // namespace quanta

pragma Singleton
import QtQuick

// Colours, sizes and spacing of the light and dark themes, in one place.
// Main.qml binds `dark` and `textScale` to the appearance settings.
QtObject {
    property bool dark: false
    property real textScale: 1.0

    readonly property color windowBackground: dark ? "#15171c" : "#f5f6f8"
    readonly property color surface: dark ? "#1e2128" : "#ffffff"
    readonly property color sidebar: dark ? "#1a1c22" : "#eef0f4"
    readonly property color sidebarHover: dark ? "#2a2e37" : "#e2e5eb"
    readonly property color sidebarSelected: dark ? "#2f3150" : "#dcdff8"
    readonly property color border: dark ? "#30343e" : "#e2e4e9"
    readonly property color divider: dark ? "#2b2f38" : "#d8dbe2"

    readonly property color textPrimary: dark ? "#e6e8ee" : "#1b1f29"
    readonly property color textSecondary: dark ? "#9aa1b2" : "#687083"
    readonly property color textOnAccent: "#ffffff"

    readonly property color accent: dark ? "#6d67f0" : "#4f46e5"
    readonly property color accentHover: dark ? "#7f7af3" : "#4338ca"
    readonly property color accentPressed: dark ? "#5a53e8" : "#3730a3"
    readonly property color accentSoft: dark ? "#262845" : "#eef0ff"
    readonly property color disabled: dark ? "#454a56" : "#c3c7d1"

    readonly property color userBubble: dark ? "#4f46e5" : "#4f46e5"
    readonly property color assistantBubble: dark ? "#242832" : "#f1f3f6"
    readonly property color codeBackground: dark ? "#111317" : "#f8f9fb"
    readonly property color codeHeader: dark ? "#1b1e25" : "#eceef2"
    readonly property color warning: dark ? "#e0a341" : "#a15c07"
    readonly property color link: dark ? "#9c98ff" : "#3f37c9"

    readonly property color errorBackground: dark ? "#3a1d1f" : "#fdecec"
    readonly property color errorBorder: dark ? "#6b2b2b" : "#f5c2c0"
    readonly property color errorText: dark ? "#ffb4ae" : "#8f1d1a"

    readonly property int radius: 10
    readonly property int bubbleRadius: 16
    readonly property int spacing: 8
    readonly property int margin: 16
    readonly property int sidebarWidth: Math.round(280 * Math.min(textScale, 1.2))
    readonly property int topBarHeight: Math.round(60 * Math.max(1, textScale * 0.9))
    readonly property int contentMaxWidth: Math.round(860 * Math.min(textScale, 1.3))

    readonly property int fontSize: Math.round(14 * textScale)
    readonly property int smallFontSize: Math.round(12 * textScale)
    readonly property int titleFontSize: Math.round(16 * textScale)
    readonly property string monospaceFamily: "monospace"
}

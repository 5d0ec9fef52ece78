pragma Singleton
import QtQuick

// Colours, sizes and spacing of the light theme, in one place.
QtObject {
    readonly property color windowBackground: "#f5f6f8"
    readonly property color surface: "#ffffff"
    readonly property color sidebar: "#eef0f4"
    readonly property color sidebarHover: "#e2e5eb"
    readonly property color sidebarSelected: "#dcdff8"
    readonly property color border: "#e2e4e9"
    readonly property color divider: "#d8dbe2"

    readonly property color textPrimary: "#1b1f29"
    readonly property color textSecondary: "#687083"
    readonly property color textOnAccent: "#ffffff"

    readonly property color accent: "#4f46e5"
    readonly property color accentHover: "#4338ca"
    readonly property color accentPressed: "#3730a3"
    readonly property color accentSoft: "#eef0ff"
    readonly property color disabled: "#c3c7d1"

    readonly property color userBubble: "#4f46e5"
    readonly property color assistantBubble: "#f1f3f6"
    readonly property color warning: "#a15c07"

    readonly property color errorBackground: "#fdecec"
    readonly property color errorBorder: "#f5c2c0"
    readonly property color errorText: "#8f1d1a"

    readonly property int radius: 10
    readonly property int bubbleRadius: 16
    readonly property int spacing: 8
    readonly property int margin: 16
    readonly property int sidebarWidth: 280
    readonly property int topBarHeight: 60
    readonly property int contentMaxWidth: 860

    readonly property int fontSize: 14
    readonly property int smallFontSize: 12
    readonly property int titleFontSize: 16
}

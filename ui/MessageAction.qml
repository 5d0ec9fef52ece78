import QtQuick
import QtQuick.Controls

// A small text button under a message.
ToolButton {
    id: action

    implicitHeight: Math.round(26 * Theme.textScale)
    font.pixelSize: Theme.smallFontSize
    hoverEnabled: true

    contentItem: Label {
        text: action.text
        color: !action.enabled ? Theme.disabled : action.hovered ? Theme.accent : Theme.textSecondary
        font: action.font
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        radius: 6
        color: action.down ? Theme.sidebarHover : "transparent"
    }
}

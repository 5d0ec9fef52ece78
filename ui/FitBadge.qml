import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Whether a model fits the chosen device, in a colour per verdict, with the
// memory it needs below; the tooltip gives the estimate and the memory it
// was compared with.
ColumnLayout {
    id: badge

    // quanta::Fit: 0 unknown, 1 fits, 2 runs partly on the CPU, 3 too large.
    property int fit: 0
    property string text
    property string details
    // "Needs about 1.2 GiB"; empty hides the line.
    property string memoryText

    readonly property color goodColor: Theme.dark ? "#4cc38a" : "#1a7f52"

    objectName: "fitBadge"
    visible: text.length > 0
    spacing: 0
    Accessible.name: text
    Accessible.description: details
    ToolTip.visible: hover.hovered && details.length > 0
    ToolTip.delay: 400
    ToolTip.text: details

    HoverHandler {
        id: hover
    }

    Label {
        Layout.alignment: Qt.AlignRight
        text: badge.text
        font.pixelSize: Theme.smallFontSize
        font.bold: badge.fit === 3
        color: badge.fit === 1 ? badge.goodColor : badge.fit === 2 ? Theme.warning
                                                  : badge.fit === 3 ? Theme.errorText : Theme.textSecondary
    }

    Label {
        Layout.alignment: Qt.AlignRight
        visible: badge.memoryText.length > 0
        text: badge.memoryText
        font.pixelSize: Theme.smallFontSize
        color: Theme.textSecondary
    }
}

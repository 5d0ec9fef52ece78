import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// "Chat deleted" with Undo, while the deleted chat can still come back.
Rectangle {
    id: bar

    required property ChatController controller

    objectName: "undoBar"
    visible: controller.undoTitle.length > 0
    width: Math.min(row.implicitWidth + 2 * Theme.margin, parent ? parent.width - 2 * Theme.margin : 480)
    implicitHeight: row.implicitHeight + Theme.spacing * 2
    radius: Theme.radius
    color: Theme.dark ? "#e6e8ee" : "#1b1f29"

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.spacing
        spacing: Theme.margin

        Label {
            Layout.fillWidth: true
            Layout.maximumWidth: 420
            text: qsTr("Deleted \u201c%1\u201d").arg(bar.controller.undoTitle)
            textFormat: Text.PlainText
            maximumLineCount: 1
            elide: Text.ElideRight
            color: Theme.dark ? "#1b1f29" : "#ffffff"
        }
        Button {
            objectName: "undoButton"
            text: qsTr("Undo")
            flat: true
            onClicked: bar.controller.undoDelete()
        }
    }
}

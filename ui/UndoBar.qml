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
    implicitWidth: row.implicitWidth + 2 * Theme.margin
    implicitHeight: row.implicitHeight + Theme.spacing * 2
    radius: Theme.radius
    color: Theme.dark ? "#e6e8ee" : "#1b1f29"

    RowLayout {
        id: row
        anchors.centerIn: parent
        spacing: Theme.margin

        Label {
            Layout.maximumWidth: 420
            text: qsTr("Deleted \u201c%1\u201d").arg(bar.controller.undoTitle)
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

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A dismissable error message above the chat, hidden while `message` is empty.
Rectangle {
    id: banner

    property string message

    signal dismissed()

    objectName: "errorBanner"
    visible: message.length > 0
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacing + 4 : 0
    radius: Theme.radius
    color: Theme.errorBackground
    border.color: Theme.errorBorder

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.spacing + 2
        anchors.leftMargin: Theme.margin
        spacing: Theme.spacing

        Label {
            objectName: "errorText"
            Layout.fillWidth: true
            text: banner.message
            wrapMode: Text.Wrap
            color: Theme.errorText
        }

        Button {
            text: qsTr("Dismiss")
            flat: true
            onClicked: banner.dismissed()
        }
    }
}

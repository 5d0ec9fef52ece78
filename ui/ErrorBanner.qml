import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A dismissable message above the chat, hidden while `message` is empty: an
// error, or with `informational` a notice in a calmer colour.
Rectangle {
    id: banner

    property string message
    property bool informational: false
    // objectName of the message label, for tests.
    property string textObjectName: "errorText"

    signal dismissed()

    objectName: "errorBanner"
    visible: message.length > 0
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacing + 4 : 0
    radius: Theme.radius
    color: informational ? Theme.sidebar : Theme.errorBackground
    border.color: informational ? Theme.warning : Theme.errorBorder

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.spacing + 2
        anchors.leftMargin: Theme.margin
        spacing: Theme.spacing

        Label {
            objectName: banner.textObjectName
            Layout.fillWidth: true
            text: banner.message
            // Paths have no spaces to break at.
            wrapMode: Text.WrapAtWordBoundaryOrAnywhere
            color: banner.informational ? Theme.textPrimary : Theme.errorText
        }

        Button {
            text: qsTr("Dismiss")
            flat: true
            onClicked: banner.dismissed()
        }
    }
}

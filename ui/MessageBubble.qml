import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One message: the user's on the right in the accent colour, the model's on
// the left. A streaming reply shows a cursor, and an interrupted one says so.
Item {
    id: message

    required property string role
    required property string content
    required property bool streaming
    required property bool interrupted

    readonly property bool fromUser: role === "user"
    readonly property int columnWidth: Math.min(width - 2 * Theme.margin * 2, Theme.contentMaxWidth)
    readonly property int maxBubbleWidth: Math.round(columnWidth * (fromUser ? 0.75 : 0.85))
    readonly property int padding: 14

    implicitHeight: column.implicitHeight

    ColumnLayout {
        id: column
        width: message.columnWidth
        anchors.horizontalCenter: parent.horizontalCenter
        spacing: 4

        Label {
            Layout.alignment: message.fromUser ? Qt.AlignRight : Qt.AlignLeft
            text: message.fromUser ? qsTr("You") : message.role === "system" ? qsTr("System") : qsTr("Assistant")
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            font.bold: true
        }

        Rectangle {
            id: bubble
            Layout.alignment: message.fromUser ? Qt.AlignRight : Qt.AlignLeft
            implicitWidth: Math.min(body.implicitWidth, message.maxBubbleWidth - 2 * message.padding) + 2 * message.padding
            implicitHeight: body.height + 2 * message.padding
            radius: Theme.bubbleRadius
            color: message.fromUser ? Theme.userBubble : Theme.assistantBubble

            TextEdit {
                id: body
                x: message.padding
                y: message.padding
                width: bubble.implicitWidth - 2 * message.padding
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                color: message.fromUser ? Theme.textOnAccent : Theme.textPrimary
                selectionColor: message.fromUser ? Theme.accentPressed : Theme.accent
                selectedTextColor: Theme.textOnAccent
                font.pixelSize: Theme.fontSize + 1
                // The cursor block marks a reply that is still coming in.
                text: message.streaming ? message.content + " ▍" : message.content
            }
        }

        Label {
            visible: message.interrupted
            Layout.alignment: Qt.AlignLeft
            text: qsTr("Interrupted: this reply was not finished.")
            color: Theme.warning
            font.pixelSize: Theme.smallFontSize
            font.italic: true
        }

        Label {
            visible: !message.fromUser && !message.streaming && !message.interrupted && message.content.length === 0
            Layout.alignment: Qt.AlignLeft
            text: qsTr("The model ended its reply without any text.")
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            font.italic: true
        }
    }
}

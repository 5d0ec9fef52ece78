import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// A fenced code block in a reply: its language and a Copy button above
// monospace text that scrolls sideways instead of wrapping.
Rectangle {
    id: block

    required property string code
    required property string language
    required property ChatController controller

    implicitHeight: layout.implicitHeight
    radius: 8
    color: Theme.codeBackground
    border.color: Theme.border

    ColumnLayout {
        id: layout
        anchors.left: parent.left
        anchors.right: parent.right
        spacing: 0

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: header.implicitHeight + 8
            color: Theme.codeHeader
            radius: 8

            RowLayout {
                id: header
                anchors.fill: parent
                anchors.leftMargin: 10
                anchors.rightMargin: 4

                Label {
                    Layout.fillWidth: true
                    text: block.language.length > 0 ? block.language : qsTr("code")
                    color: Theme.textSecondary
                    font.pixelSize: Theme.smallFontSize
                    font.family: Theme.monospaceFamily
                }
                MessageAction {
                    id: copyButton
                    objectName: "copyCodeButton"
                    property bool copied: false
                    text: copied ? qsTr("Copied") : qsTr("Copy code")
                    onClicked: {
                        block.controller.copyText(block.code)
                        copied = true
                        copiedTimer.restart()
                    }
                    Timer {
                        id: copiedTimer
                        interval: 1500
                        onTriggered: copyButton.copied = false
                    }
                }
            }
        }

        Flickable {
            Layout.fillWidth: true
            Layout.preferredHeight: codeText.implicitHeight + 20
            contentWidth: codeText.implicitWidth + 20
            contentHeight: codeText.implicitHeight + 20
            clip: true
            flickableDirection: Flickable.HorizontalFlick
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.horizontal: ScrollBar {}

            TextEdit {
                id: codeText
                objectName: "codeText"
                x: 10
                y: 10
                readOnly: true
                selectByMouse: true
                textFormat: TextEdit.PlainText
                text: block.code
                color: Theme.textPrimary
                selectionColor: Theme.accent
                selectedTextColor: Theme.textOnAccent
                font.family: Theme.monospaceFamily
                font.pixelSize: Theme.fontSize
            }
        }
    }
}

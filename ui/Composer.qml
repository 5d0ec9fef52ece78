import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The message input with Send and Stop. Enter sends, Shift+Enter adds a
// line, Esc stops the reply.
Rectangle {
    id: composer

    required property ChatController controller
    required property InferenceService inference

    readonly property bool hasText: input.text.trim().length > 0

    function focusInput() {
        input.forceActiveFocus()
    }

    function submit() {
        if (!composer.controller.canSend || !composer.hasText)
            return
        if (composer.controller.send(input.text))
            input.clear()
    }

    implicitHeight: frame.implicitHeight + 2 * Theme.margin
    color: Theme.windowBackground

    Rectangle {
        id: frame
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin * 2, Theme.contentMaxWidth)
        implicitHeight: Math.min(row.implicitHeight, 220) + 2 * Theme.spacing
        radius: Theme.bubbleRadius
        color: Theme.surface
        border.color: input.activeFocus ? Theme.accent : Theme.border
        border.width: input.activeFocus ? 2 : 1

        RowLayout {
            id: row
            anchors.fill: parent
            anchors.margins: Theme.spacing
            anchors.leftMargin: Theme.margin
            spacing: Theme.spacing

            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredHeight: Math.min(input.implicitHeight, 200)

                TextArea {
                    id: input
                    objectName: "messageInput"
                    focus: true
                    wrapMode: TextArea.Wrap
                    font.pixelSize: Theme.fontSize + 1
                    color: Theme.textPrimary
                    placeholderText: composer.inference.modelLoaded
                                     ? qsTr("Message the model…  (Enter to send, Shift+Enter for a new line)")
                                     : qsTr("Load a model to start chatting")
                    placeholderTextColor: Theme.textSecondary
                    background: null

                    Keys.onReturnPressed: event => {
                        if (event.modifiers & Qt.ShiftModifier) {
                            event.accepted = false
                            return
                        }
                        event.accepted = true
                        composer.submit()
                    }
                    Keys.onEnterPressed: event => {
                        if (event.modifiers & Qt.ShiftModifier) {
                            event.accepted = false
                            return
                        }
                        event.accepted = true
                        composer.submit()
                    }
                    Keys.onEscapePressed: composer.controller.stop()
                }
            }

            Button {
                id: sendButton
                objectName: "sendButton"
                Layout.alignment: Qt.AlignBottom
                visible: !composer.controller.replying
                enabled: composer.controller.canSend && composer.hasText
                text: qsTr("Send")
                onClicked: composer.submit()

                contentItem: Label {
                    text: sendButton.text
                    color: Theme.textOnAccent
                    font.bold: true
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    implicitWidth: 84
                    implicitHeight: 38
                    radius: Theme.radius
                    color: !sendButton.enabled ? Theme.disabled
                                               : sendButton.down ? Theme.accentPressed
                                                                 : sendButton.hovered ? Theme.accentHover : Theme.accent
                }
            }

            Button {
                id: stopButton
                objectName: "stopButton"
                Layout.alignment: Qt.AlignBottom
                visible: composer.controller.replying
                text: qsTr("Stop")
                onClicked: composer.controller.stop()

                contentItem: Label {
                    text: "■  " + stopButton.text
                    color: Theme.textPrimary
                    font.bold: true
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    implicitWidth: 84
                    implicitHeight: 38
                    radius: Theme.radius
                    color: stopButton.down ? Theme.sidebarHover : Theme.sidebar
                    border.color: Theme.border
                }
            }
        }
    }
}

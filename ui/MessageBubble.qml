import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// One message: the user's on the right in the accent colour, the model's on
// the left with Markdown and code blocks. Below it: the alternatives
// (regenerated replies, edited messages), the reply's tokens and speed, and
// the actions copy, edit, regenerate and delete.
Item {
    id: message

    required property double messageId
    required property string role
    required property string content
    required property var blocks
    required property bool streaming
    required property bool interrupted
    required property int tokenCount
    required property double tokensPerSecond
    required property int siblingIndex
    required property int siblingCount
    required property ChatController controller
    // Actions that change the branch wait while a reply is generated.
    property bool busy: false

    // The delete action asks the list to confirm first.
    signal deleteRequested(double messageId)

    readonly property bool fromUser: role === "user"
    readonly property int columnWidth: Math.min(width - 2 * Theme.margin * 2, Theme.contentMaxWidth)
    readonly property int maxBubbleWidth: Math.round(columnWidth * (fromUser ? 0.75 : 0.92))
    readonly property int padding: 14
    property bool editing: false

    implicitHeight: column.implicitHeight

    HoverHandler {
        id: hover
    }

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

        // The user's text, or the box that edits it.
        Rectangle {
            id: userBubble
            visible: message.fromUser
            Layout.alignment: Qt.AlignRight
            implicitWidth: message.editing ? message.maxBubbleWidth
                                           : Math.min(userText.implicitWidth, message.maxBubbleWidth - 2 * message.padding)
                                             + 2 * message.padding
            implicitHeight: (message.editing ? editor.implicitHeight : userText.height) + 2 * message.padding
            radius: Theme.bubbleRadius
            color: message.editing ? Theme.surface : Theme.userBubble
            border.color: message.editing ? Theme.accent : "transparent"

            TextEdit {
                id: userText
                visible: !message.editing
                x: message.padding
                y: message.padding
                width: userBubble.implicitWidth - 2 * message.padding
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                color: Theme.textOnAccent
                selectionColor: Theme.accentPressed
                selectedTextColor: Theme.textOnAccent
                font.pixelSize: Theme.fontSize + 1
                // Megabytes of text would stall the layout, so very long
                // messages show their start (Copy takes all of it).
                text: message.content.length > 100000 ? message.content.substring(0, 100000) + " …" : message.content
            }

            ColumnLayout {
                id: editor
                visible: message.editing
                x: message.padding
                y: message.padding
                width: userBubble.width - 2 * message.padding
                spacing: Theme.spacing

                TextArea {
                    id: editArea
                    objectName: "editMessageInput"
                    Layout.fillWidth: true
                    wrapMode: TextArea.Wrap
                    color: Theme.textPrimary
                    font.pixelSize: Theme.fontSize + 1
                    background: null
                    Keys.onEscapePressed: message.editing = false
                    // As in the message box: Enter sends, Shift+Enter adds a line.
                    Keys.onReturnPressed: event => {
                        if (event.modifiers & Qt.ShiftModifier) {
                            event.accepted = false
                            return
                        }
                        if (editArea.text.trim().length > 0
                                && message.controller.editAndResend(message.messageId, editArea.text))
                            message.editing = false
                    }
                }

                RowLayout {
                    Layout.alignment: Qt.AlignRight
                    spacing: Theme.spacing

                    Button {
                        text: qsTr("Cancel")
                        onClicked: message.editing = false
                    }
                    Button {
                        objectName: "editSendButton"
                        text: qsTr("Send")
                        enabled: editArea.text.trim().length > 0 && message.controller.canSend
                        highlighted: true
                        onClicked: {
                            if (message.controller.editAndResend(message.messageId, editArea.text))
                                message.editing = false
                        }
                    }
                }
            }
        }

        // The model's reply: prose as Markdown, code in boxes.
        Rectangle {
            id: replyBubble
            visible: !message.fromUser
            Layout.alignment: Qt.AlignLeft
            Layout.preferredWidth: message.maxBubbleWidth
            implicitHeight: blocksColumn.implicitHeight + 2 * message.padding
            radius: Theme.bubbleRadius
            color: Theme.assistantBubble

            ColumnLayout {
                id: blocksColumn
                x: message.padding
                y: message.padding
                width: replyBubble.width - 2 * message.padding
                spacing: Theme.spacing

                Repeater {
                    // A count rather than the list: while a reply streams, the
                    // delegates stay, and each one updates only when its own
                    // block's text changes, so a long reply does not rebuild
                    // every block at each update.
                    model: message.fromUser ? 0 : message.blocks.length

                    delegate: Loader {
                        id: blockLoader
                        required property int index
                        readonly property var block: message.blocks[index] ?? ({})
                        // String copies, which signal a change only when the value differs.
                        readonly property string kind: block.kind ?? ""
                        readonly property string html: block.html ?? ""
                        readonly property string code: block.text ?? ""
                        readonly property string language: block.language ?? ""

                        Layout.fillWidth: true
                        sourceComponent: kind === "code" ? codeComponent : proseComponent

                        Component {
                            id: proseComponent

                            TextEdit {
                                objectName: "proseText"
                                readOnly: true
                                selectByMouse: true
                                wrapMode: TextEdit.Wrap
                                textFormat: TextEdit.RichText
                                text: blockLoader.html
                                color: Theme.textPrimary
                                selectionColor: Theme.accent
                                selectedTextColor: Theme.textOnAccent
                                font.pixelSize: Theme.fontSize + 1
                                // Only web links open; a reply cannot point the
                                // desktop at a local file or program.
                                onLinkActivated: link => {
                                    if (/^https?:\/\//i.test(link))
                                        Qt.openUrlExternally(link)
                                }
                            }
                        }

                        Component {
                            id: codeComponent

                            CodeBlock {
                                code: blockLoader.code
                                language: blockLoader.language
                                controller: message.controller
                            }
                        }
                    }
                }

                Label {
                    visible: message.streaming
                    text: "▍"
                    color: Theme.textSecondary
                }
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

        // Alternatives, numbers and actions.
        RowLayout {
            id: footer
            Layout.alignment: message.fromUser ? Qt.AlignRight : Qt.AlignLeft
            spacing: 2
            visible: !message.streaming && !message.editing

            ToolButton {
                objectName: "previousAlternative"
                visible: message.siblingCount > 1
                enabled: message.siblingIndex > 1 && !message.busy
                text: "‹"
                Accessible.name: qsTr("Previous version")
                onClicked: message.controller.showAlternative(message.messageId, -1)
            }
            Label {
                objectName: "alternativeLabel"
                visible: message.siblingCount > 1
                text: qsTr("%1 / %2").arg(message.siblingIndex).arg(message.siblingCount)
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
            }
            ToolButton {
                objectName: "nextAlternative"
                visible: message.siblingCount > 1
                enabled: message.siblingIndex < message.siblingCount && !message.busy
                text: "›"
                Accessible.name: qsTr("Next version")
                onClicked: message.controller.showAlternative(message.messageId, 1)
            }

            Label {
                objectName: "replyStats"
                visible: !message.fromUser && message.tokenCount > 0
                Layout.leftMargin: Theme.spacing
                Layout.rightMargin: Theme.spacing
                text: qsTr("%1 tokens · %2 tokens/s").arg(message.tokenCount)
                                                     .arg(Number(message.tokensPerSecond).toLocaleString(Qt.locale(), "f", 1))
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
            }

            // The actions show on hover, so a long chat stays calm.
            Row {
                spacing: 2
                opacity: hover.hovered || message.activeFocus ? 1 : 0.35

                MessageAction {
                    objectName: "copyMessageButton"
                    text: qsTr("Copy")
                    onClicked: message.controller.copyText(message.content)
                }
                MessageAction {
                    objectName: "editMessageButton"
                    visible: message.fromUser
                    enabled: !message.busy
                    text: qsTr("Edit")
                    onClicked: {
                        editArea.text = message.content
                        message.editing = true
                        editArea.forceActiveFocus()
                    }
                }
                MessageAction {
                    objectName: "regenerateButton"
                    visible: !message.fromUser
                    enabled: !message.busy && message.controller.canSend
                    text: qsTr("Regenerate")
                    onClicked: message.controller.regenerate(message.messageId)
                }
                MessageAction {
                    objectName: "deleteMessageButton"
                    enabled: !message.busy
                    text: qsTr("Delete")
                    onClicked: message.deleteRequested(message.messageId)
                }
            }
        }
    }
}

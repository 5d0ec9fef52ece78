import QtQuick
import QtQuick.Controls

// Confirms deleting a chat and its messages.
AppDialog {
    id: dialog

    property double chatId: 0
    property string chatTitle

    signal deleteAccepted(double chatId)

    function openFor(id, title) {
        chatId = id
        chatTitle = title
        open()
    }

    objectName: "deleteChatDialog"
    title: qsTr("Delete chat?")
    footer: DialogButtonBox {
        padding: 12
        background: null

        Button {
            objectName: "confirmDeleteButton"
            text: qsTr("Delete")
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
    onAccepted: deleteAccepted(chatId)

    Label {
        width: parent.width
        wrapMode: Text.WordWrap
        text: qsTr("“%1” and all its messages will be deleted. This cannot be undone.").arg(dialog.chatTitle)
    }
}

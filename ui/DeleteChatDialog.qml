import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Confirms deleting a chat and its messages.
Dialog {
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
    modal: true
    width: 420
    standardButtons: Dialog.Yes | Dialog.No
    onAccepted: deleteAccepted(chatId)

    Label {
        width: parent.width
        wrapMode: Text.WordWrap
        text: qsTr("“%1” and all its messages will be deleted. This cannot be undone.").arg(dialog.chatTitle)
    }
}

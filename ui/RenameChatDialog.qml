import QtQuick.Controls
import QtQuick.Layouts

// Asks for a chat's new title.
AppDialog {
    id: dialog

    property double chatId: 0

    signal renameAccepted(double chatId, string title)

    function openFor(id, title) {
        chatId = id
        titleField.text = title
        open()
        titleField.selectAll()
        titleField.forceActiveFocus()
    }

    objectName: "renameChatDialog"
    title: qsTr("Rename chat")
    standardButtons: Dialog.Ok | Dialog.Cancel
    onAccepted: {
        if (titleField.text.trim().length > 0)
            renameAccepted(chatId, titleField.text)
    }

    ColumnLayout {
        anchors.fill: parent

        TextField {
            id: titleField
            objectName: "chatTitleField"
            Layout.fillWidth: true
            placeholderText: qsTr("Chat title")
            maximumLength: 200
            selectByMouse: true
            onAccepted: dialog.accept()
        }
    }
}

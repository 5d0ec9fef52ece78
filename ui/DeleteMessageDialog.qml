import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Asks before a message is deleted: the message goes with every message
// after it, on every branch, and there is no undo.
AppDialog {
    id: dialog

    property double messageId: 0

    signal deleteConfirmed(double messageId)

    function openFor(id) {
        messageId = id
        open()
    }

    objectName: "deleteMessageDialog"
    title: qsTr("Delete message?")
    width: 460

    Label {
        width: parent.width
        wrapMode: Text.Wrap
        text: qsTr("This message and everything after it in this chat will be deleted, including the other versions of later messages. This cannot be undone.")
        color: Theme.textPrimary
    }

    footer: DialogButtonBox {
        padding: 12
        background: null

        Button {
            objectName: "confirmDeleteMessageButton"
            text: qsTr("Delete")
            DialogButtonBox.buttonRole: DialogButtonBox.DestructiveRole
            onClicked: {
                dialog.deleteConfirmed(dialog.messageId)
                dialog.close()
            }
        }

        Button {
            objectName: "cancelDeleteMessageButton"
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            onClicked: dialog.close()
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Asks before a model is deleted from the models folder.
AppDialog {
    id: dialog

    property string path
    property string name

    signal deleteConfirmed(string path)

    function openFor(modelPath, modelName) {
        path = modelPath
        name = modelName
        open()
    }

    objectName: "deleteModelDialog"
    title: qsTr("Delete model?")
    standardButtons: Dialog.Cancel
    width: 480

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("%1 will be deleted from the disk. Only this model's file or folder is removed; chats that used it are kept.")
                  .arg(dialog.name)
            color: Theme.textPrimary
        }

        Label {
            Layout.fillWidth: true
            text: dialog.path
            elide: Text.ElideMiddle
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
        }
    }

    footer: DialogButtonBox {
        padding: 12
        background: null

        Button {
            objectName: "confirmDeleteModelButton"
            text: qsTr("Delete")
            DialogButtonBox.buttonRole: DialogButtonBox.DestructiveRole
            onClicked: {
                dialog.deleteConfirmed(dialog.path)
                dialog.close()
            }
        }

        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            onClicked: dialog.close()
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Quanta.Core

// The models folder in the settings: where the library lists and downloads
// models. A change applies at once and is saved; `quanta-cli download`
// uses the same folder.
ColumnLayout {
    id: section

    required property LibrarySettings librarySettings

    spacing: Theme.spacing

    Label {
        text: qsTr("Models folder")
        font.bold: true
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing

        Label {
            objectName: "modelsFolderPath"
            Layout.fillWidth: true
            text: section.librarySettings.modelsFolder
            elide: Text.ElideMiddle
            color: Theme.textSecondary
            ToolTip.visible: folderHover.hovered
            ToolTip.text: text

            HoverHandler {
                id: folderHover
            }
        }

        Button {
            objectName: "changeModelsFolderButton"
            text: qsTr("Change…")
            onClicked: folderDialog.open()
        }

        Button {
            text: qsTr("Default")
            enabled: section.librarySettings.modelsFolder !== section.librarySettings.defaultFolder
            ToolTip.visible: hovered
            ToolTip.delay: 400
            ToolTip.text: section.librarySettings.defaultFolder
            onClicked: section.librarySettings.resetModelsFolder()
        }
    }

    Label {
        objectName: "modelsFolderError"
        Layout.fillWidth: true
        visible: text.length > 0
        text: section.librarySettings.lastError
        wrapMode: Text.Wrap
        color: Theme.errorText
        font.pixelSize: Theme.smallFontSize
    }

    FolderDialog {
        id: folderDialog
        title: qsTr("Choose the models folder")
        currentFolder: section.librarySettings.modelsFolderUrl
        onAccepted: section.librarySettings.setModelsFolderUrl(selectedFolder)
    }
}

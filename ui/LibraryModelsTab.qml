import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Quanta.Core

// "My models": every model in the models folder with its format,
// quantization, parameters, size, context length, architecture and whether
// it fits the chosen device, and the actions Load, Show in folder and Delete.
ColumnLayout {
    id: tab

    required property ModelLibrary library
    required property ModelListModel models
    required property InferenceService inference
    required property LibrarySettings librarySettings

    signal deleteRequested(string path, string name)
    signal modelChosen()

    spacing: Theme.spacing

    RowLayout {
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        Layout.bottomMargin: 0
        spacing: Theme.spacing

        Label {
            text: qsTr("Models folder:")
            color: Theme.textSecondary
        }

        Label {
            objectName: "libraryFolderPath"
            Layout.fillWidth: true
            text: tab.librarySettings.modelsFolder
            elide: Text.ElideMiddle
            color: Theme.textPrimary
        }

        BusyIndicator {
            running: tab.models.scanning
            visible: running
            implicitWidth: 24
            implicitHeight: 24
        }

        Button {
            objectName: "libraryOpenFolderButton"
            text: qsTr("Open folder")
            onClicked: Qt.openUrlExternally(tab.librarySettings.modelsFolderUrl)
        }

        Button {
            objectName: "libraryChangeFolderButton"
            text: qsTr("Change folder…")
            onClicked: folderDialog.open()
        }

        Button {
            text: qsTr("Refresh")
            onClicked: tab.models.refresh()
        }
    }

    Label {
        objectName: "libraryEmptyText"
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        visible: tab.models.count === 0 && !tab.models.scanning
        wrapMode: Text.Wrap
        text: qsTr("No models here yet. Download one from Recommended or Search Hugging Face, or copy .gguf files and model folders into this folder.")
        color: Theme.textSecondary
    }

    ListView {
        id: list
        objectName: "libraryModelList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 2
        model: tab.models
        ScrollBar.vertical: ScrollBar {}

        delegate: Rectangle {
            id: row

            required property string name
            required property string path
            required property string sizeText
            required property string kind
            required property string format
            required property string details
            required property string problem
            required property int fit
            required property string fitText
            required property string fitDetails
            required property double memoryBytes

            readonly property bool loaded: path === tab.inference.modelPath

            objectName: "libraryModelRow"
            width: ListView.view.width
            implicitHeight: content.implicitHeight + 2 * Theme.spacing + 4
            color: loaded ? Theme.accentSoft : Theme.surface

            RowLayout {
                id: content
                anchors.fill: parent
                anchors.leftMargin: Theme.margin
                anchors.rightMargin: Theme.margin
                spacing: Theme.margin

                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2

                    RowLayout {
                        spacing: Theme.spacing

                        Label {
                            text: row.name
                            font.bold: true
                            color: Theme.textPrimary
                            elide: Text.ElideMiddle
                            Layout.maximumWidth: row.width * 0.45
                        }

                        Label {
                            objectName: "libraryModelFormat"
                            visible: row.format.length > 0
                            text: row.format
                            color: Theme.accent
                            font.pixelSize: Theme.smallFontSize
                            font.bold: true
                        }

                        Label {
                            text: qsTr("%1 · %2").arg(row.sizeText).arg(row.kind)
                            color: Theme.textSecondary
                            font.pixelSize: Theme.smallFontSize
                        }
                    }

                    Label {
                        objectName: "libraryModelDetails"
                        Layout.fillWidth: true
                        text: row.problem.length > 0 ? qsTr("Cannot be read: %1").arg(row.problem) : row.details
                        elide: Text.ElideRight
                        color: row.problem.length > 0 ? Theme.errorText : Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                    }
                }

                FitBadge {
                    fit: row.fit
                    text: row.fitText
                    details: row.fitDetails
                    memoryText: row.memoryBytes > 0 ? qsTr("Needs about %1").arg(tab.library.formatSize(row.memoryBytes)) : ""
                }

                Button {
                    objectName: "libraryLoadButton"
                    text: row.loaded ? qsTr("Loaded") : qsTr("Load")
                    enabled: !row.loaded && row.problem.length === 0
                    highlighted: !row.loaded
                    onClicked: {
                        tab.library.loadModel(row.path)
                        tab.modelChosen()
                    }
                }

                Button {
                    text: qsTr("Show in folder")
                    flat: true
                    onClicked: tab.library.showInFileManager(row.path)
                }

                Button {
                    objectName: "libraryDeleteButton"
                    text: qsTr("Delete…")
                    flat: true
                    enabled: !row.loaded
                    ToolTip.visible: hovered && row.loaded
                    ToolTip.text: qsTr("Choose another model before deleting this one.")
                    onClicked: tab.deleteRequested(row.path, row.name)
                }
            }
        }
    }

    FolderDialog {
        id: folderDialog
        title: qsTr("Choose the models folder")
        currentFolder: tab.librarySettings.modelsFolderUrl
        onAccepted: tab.librarySettings.setModelsFolderUrl(selectedFolder)
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQml.Models
import Quanta.Core

// A button with the loaded model's name. Its menu lists the models folder
// (GGUF files and Hugging Face folders) and offers "Open model file…" and
// "Open model folder…".
Button {
    id: picker

    required property InferenceService inference
    required property ModelListModel models
    // Switches models for the open chat, so the chat remembers its model at
    // once; without it the picker loads through `inference`.
    property ModelLibrary library: null

    signal openFileRequested()
    signal openFolderRequested()
    signal libraryRequested()

    objectName: "modelPicker"
    implicitHeight: 38
    leftPadding: 14
    rightPadding: 14
    text: inference.modelLoaded ? inference.modelFileName : qsTr("Choose a model")
    ToolTip.visible: hovered && inference.modelLoaded
    ToolTip.text: inference.modelPath
    onClicked: modelMenu.open()

    contentItem: RowLayout {
        spacing: Theme.spacing

        Rectangle {
            implicitWidth: 8
            implicitHeight: 8
            radius: 4
            color: picker.inference.modelLoaded ? "#22a06b" : picker.inference.loading ? "#e2a03f" : Theme.disabled
        }

        Label {
            Layout.fillWidth: true
            text: picker.text
            elide: Text.ElideMiddle
            color: Theme.textPrimary
            font.bold: true
        }

        Label {
            text: "▾"
            color: Theme.textSecondary
        }
    }

    background: Rectangle {
        radius: Theme.radius
        color: picker.down ? Theme.sidebarHover : picker.hovered ? Theme.sidebar : Theme.surface
        border.color: Theme.border
    }

    Menu {
        id: modelMenu
        objectName: "modelMenu"
        y: picker.height + 4
        width: Math.max(picker.width, 460)

        MenuItem {
            id: folderItem
            enabled: false
            text: qsTr("Models in %1").arg(picker.models.folder)
            contentItem: Label {
                text: folderItem.text
                elide: Text.ElideMiddle
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
            }
        }

        Instantiator {
            model: picker.models
            delegate: MenuItem {
                id: modelItem
                required property string name
                required property string path
                required property string sizeText
                required property string kind
                required property string details
                required property string problem
                text: qsTr("%1  (%2, %3)").arg(name).arg(sizeText).arg(kind)
                checkable: true
                checked: path === picker.inference.modelPath
                onTriggered: picker.library ? picker.library.loadModel(path) : picker.inference.loadModel(path)
                ToolTip.visible: hovered && problem !== ""
                ToolTip.text: problem
                ToolTip.delay: 500

                contentItem: ColumnLayout {
                    spacing: 2

                    // The name gives way to the size and kind when space is short.
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing

                        Label {
                            Layout.fillWidth: true
                            leftPadding: modelItem.checkable && modelItem.indicator ? modelItem.indicator.width + modelItem.spacing : 0
                            text: modelItem.name
                            elide: Text.ElideMiddle
                            color: Theme.textPrimary
                        }

                        Label {
                            objectName: "modelKind"
                            text: qsTr("%1, %2").arg(modelItem.sizeText).arg(modelItem.kind)
                            color: Theme.textSecondary
                            font.pixelSize: Theme.smallFontSize
                        }
                    }

                    Label {
                        Layout.fillWidth: true
                        leftPadding: modelItem.checkable && modelItem.indicator ? modelItem.indicator.width + modelItem.spacing : 0
                        text: modelItem.details
                        elide: Text.ElideRight
                        color: modelItem.problem !== "" ? Theme.errorText : Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                    }
                }
            }
            onObjectAdded: (index, object) => modelMenu.insertItem(index + 1, object)
            onObjectRemoved: (index, object) => modelMenu.removeItem(object)
        }

        MenuItem {
            enabled: false
            visible: picker.models.count === 0
            height: visible ? implicitHeight : 0
            text: qsTr("No .gguf files or model folders here yet")
        }

        MenuSeparator {}

        MenuItem {
            objectName: "openModelFileItem"
            text: qsTr("Open model file…")
            onTriggered: picker.openFileRequested()
        }

        MenuItem {
            objectName: "openModelFolderItem"
            text: qsTr("Open model folder…")
            onTriggered: picker.openFolderRequested()
        }

        MenuItem {
            objectName: "manageModelsItem"
            text: qsTr("Manage and download models…")
            onTriggered: picker.libraryRequested()
        }

        MenuItem {
            text: qsTr("Show models folder")
            onTriggered: Qt.openUrlExternally(picker.models.folderUrl)
        }

        MenuItem {
            text: qsTr("Refresh list")
            onTriggered: picker.models.refresh()
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// Shown while the open chat has no messages: how to get a model, or an
// invitation to start.
Item {
    id: empty

    required property InferenceService inference
    required property ModelListModel models

    signal openFileRequested()
    signal openFolderRequested()

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin * 2, 560)
        spacing: Theme.margin

        Rectangle {
            Layout.alignment: Qt.AlignHCenter
            implicitWidth: 64
            implicitHeight: 64
            radius: 18
            color: Theme.accentSoft

            Label {
                anchors.centerIn: parent
                text: "Q"
                color: Theme.accent
                font.pixelSize: 32
                font.bold: true
            }
        }

        Label {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            font.pixelSize: 22
            font.bold: true
            color: Theme.textPrimary
            text: empty.inference.modelLoaded ? qsTr("What shall we talk about?")
                                              : empty.inference.loading ? qsTr("Loading the model…")
                                                                        : qsTr("No model loaded")
        }

        Label {
            objectName: "emptyStateHint"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            color: Theme.textSecondary
            text: {
                if (empty.inference.modelLoaded)
                    return qsTr("Type a message below. Enter sends it, Shift+Enter starts a new line, Esc stops the reply.")
                if (empty.inference.loading)
                    return qsTr("%1 is loading. You can type your first message meanwhile.").arg(empty.inference.loadingName)
                if (empty.models.count > 0)
                    return qsTr("Choose one of the %n model(s) in your models folder from the menu at the top right, or open a model file or folder from anywhere.", "", empty.models.count)
                return qsTr("Put .gguf model files or Hugging Face model folders into the models folder below and pick one from the menu at the top right, or open a model from anywhere.")
            }
        }

        TextField {
            objectName: "modelsFolderField"
            Layout.fillWidth: true
            visible: !empty.inference.modelLoaded && !empty.inference.loading
            readOnly: true
            selectByMouse: true
            text: empty.models.folder
            horizontalAlignment: Text.AlignHCenter
            color: Theme.textPrimary
            background: Rectangle {
                radius: Theme.radius
                color: Theme.sidebar
                border.color: Theme.border
            }
        }

        RowLayout {
            Layout.alignment: Qt.AlignHCenter
            visible: !empty.inference.modelLoaded && !empty.inference.loading
            spacing: Theme.spacing

            Button {
                id: openButton
                objectName: "emptyStateOpenButton"
                text: qsTr("Open model file…")
                onClicked: empty.openFileRequested()

                contentItem: Label {
                    text: openButton.text
                    color: Theme.textOnAccent
                    font.bold: true
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    implicitWidth: 180
                    implicitHeight: 40
                    radius: Theme.radius
                    color: openButton.down ? Theme.accentPressed : openButton.hovered ? Theme.accentHover : Theme.accent
                }
            }

            // A Hugging Face folder (GPTQ, AWQ or float safetensors).
            Button {
                id: openFolderButton
                objectName: "emptyStateOpenFolderButton"
                text: qsTr("Open model folder…")
                onClicked: empty.openFolderRequested()

                contentItem: Label {
                    text: openFolderButton.text
                    color: Theme.accent
                    font.bold: true
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    implicitWidth: 180
                    implicitHeight: 40
                    radius: Theme.radius
                    color: openFolderButton.down ? Theme.sidebarHover : openFolderButton.hovered ? Theme.sidebar : Theme.surface
                    border.color: Theme.accent
                }
            }
        }
    }
}

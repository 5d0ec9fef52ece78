import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// Above the chat: its title, the model's name and details, load progress,
// and the model picker.
Rectangle {
    id: bar

    required property ChatController controller
    required property InferenceService inference
    required property ModelListModel models

    signal openFileRequested()

    implicitHeight: Theme.topBarHeight
    color: Theme.surface

    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: 1
        color: Theme.border
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin * 1.5
        anchors.rightMargin: Theme.margin
        spacing: Theme.margin

        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2

            Label {
                Layout.fillWidth: true
                text: bar.controller.currentTitle.length > 0 ? bar.controller.currentTitle : qsTr("New conversation")
                font.pixelSize: Theme.titleFontSize
                font.bold: true
                elide: Text.ElideRight
                color: Theme.textPrimary
            }

            Label {
                objectName: "modelDetails"
                Layout.fillWidth: true
                elide: Text.ElideRight
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
                text: {
                    if (bar.inference.loading)
                        return qsTr("Loading %1…").arg(bar.inference.loadingName)
                    if (!bar.inference.modelLoaded)
                        return qsTr("No model loaded")
                    // The picker shows the file name, so general.name is added
                    // only when it differs, and the architecture only when it
                    // differs from general.name.
                    let details = []
                    const name = bar.inference.modelName
                    const architecture = bar.inference.modelArchitecture
                    if (name.length > 0 && name !== bar.inference.modelFileName)
                        details.push(name)
                    if (architecture.length > 0 && architecture !== name)
                        details.push(architecture)
                    if (bar.inference.modelFileType.length > 0)
                        details.push(bar.inference.modelFileType)
                    details.push(bar.inference.modelSizeText)
                    details.push(qsTr("context %1 tokens").arg(bar.inference.contextSize))
                    if (bar.controller.lastTokensPerSecond > 0)
                        details.push(qsTr("last reply %1 tokens/s").arg(bar.controller.lastTokensPerSecond.toFixed(1)))
                    return details.join("  ·  ")
                }
            }
        }

        RowLayout {
            visible: bar.inference.loading
            spacing: Theme.spacing

            ProgressBar {
                objectName: "loadProgress"
                Layout.preferredWidth: 160
                from: 0
                to: 1
                value: bar.inference.loadProgress
            }

            Label {
                text: qsTr("%1%").arg(Math.round(bar.inference.loadProgress * 100))
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
                Layout.preferredWidth: 36
            }

            Button {
                text: qsTr("Cancel")
                flat: true
                onClicked: bar.inference.cancelLoad()
            }
        }

        ModelPicker {
            Layout.maximumWidth: 320
            inference: bar.inference
            models: bar.models
            onOpenFileRequested: bar.openFileRequested()
        }
    }
}

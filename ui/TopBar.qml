import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// Above the chat: its title, the model's name and details, load progress,
// the device the model runs on, "Chat settings", "Models", "Memory",
// "Compare quantizations" and the model picker.
Rectangle {
    id: bar

    required property ChatController controller
    required property InferenceService inference
    required property ModelListModel models
    // Switches models for the open chat; null loads through `inference`.
    property ModelLibrary library: null

    signal openFileRequested()
    signal openFolderRequested()
    signal deviceSettingsRequested()
    signal compareRequested()
    signal chatSettingsRequested()
    signal libraryRequested()
    signal memoryRequested()

    // Taller than usual when larger text needs it.
    implicitHeight: Math.max(Theme.topBarHeight, barRow.implicitHeight + 2 * Theme.spacing)
    color: Theme.surface

    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: 1
        color: Theme.border
    }

    RowLayout {
        id: barRow
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
                textFormat: Text.PlainText
                maximumLineCount: 1
                font.pixelSize: Theme.titleFontSize
                font.bold: true
                elide: Text.ElideRight
                color: Theme.textPrimary
            }

            Label {
                id: modelDetails

                objectName: "modelDetails"
                Layout.fillWidth: true
                elide: Text.ElideRight
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
                // A narrow window cuts the line short; hovering shows all of it.
                ToolTip.visible: truncated && detailsHover.hovered
                ToolTip.text: text
                ToolTip.delay: 500

                HoverHandler {
                    id: detailsHover
                }

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

        DeviceStatus {
            id: deviceStatus
            inference: bar.inference
        }

        // Where the model runs. A warning sign marks a fallback to fewer GPU
        // layers or to the CPU; the tooltip gives the reason, and a click
        // opens the settings where the device is chosen.
        Button {
            id: deviceButton

            readonly property string details: deviceStatus.details
            readonly property bool warning: deviceStatus.hasFallback

            objectName: "deviceStatus"
            visible: bar.inference.modelLoaded && !bar.inference.loading
            flat: true
            Layout.maximumWidth: 240
            text: deviceStatus.shortText
            Accessible.description: details
            ToolTip.visible: hovered
            ToolTip.delay: 400
            ToolTip.text: details
            onClicked: bar.deviceSettingsRequested()

            contentItem: RowLayout {
                spacing: 4

                Label {
                    objectName: "deviceWarning"
                    visible: deviceButton.warning
                    text: "⚠"
                    color: Theme.warning
                    font.pixelSize: Theme.fontSize
                }

                Label {
                    Layout.fillWidth: true
                    text: deviceButton.text
                    elide: Text.ElideRight
                    color: deviceButton.warning ? Theme.warning : Theme.textSecondary
                    font.pixelSize: Theme.smallFontSize
                }
            }
        }

        Button {
            objectName: "chatSettingsButton"
            flat: true
            visible: bar.controller.currentChatId !== 0
            text: qsTr("Chat settings")
            ToolTip.visible: hovered
            ToolTip.delay: 400
            ToolTip.text: qsTr("This chat's system prompt and sampling settings")
            onClicked: bar.chatSettingsRequested()
        }

        Button {
            objectName: "libraryButton"
            flat: true
            text: qsTr("Models")
            ToolTip.visible: hovered
            ToolTip.delay: 400
            ToolTip.text: qsTr("Your models, recommended models, Hugging Face search and downloads")
            onClicked: bar.libraryRequested()
        }

        Button {
            objectName: "memoryButton"
            flat: true
            text: qsTr("Memory")
            ToolTip.visible: hovered
            ToolTip.delay: 400
            ToolTip.text: qsTr("Plan a model's GPU memory and RAM, and inspect where the memory goes")
            onClicked: bar.memoryRequested()
        }

        Button {
            objectName: "compareButton"
            flat: true
            text: qsTr("Compare quantizations")
            ToolTip.visible: hovered
            ToolTip.delay: 400
            ToolTip.text: qsTr("Measure the size, speed and quality of several variants of a model on this computer")
            onClicked: bar.compareRequested()
        }

        ModelPicker {
            Layout.maximumWidth: 320
            inference: bar.inference
            models: bar.models
            library: bar.library
            onLibraryRequested: bar.libraryRequested()
            onOpenFileRequested: bar.openFileRequested()
            onOpenFolderRequested: bar.openFolderRequested()
        }
    }
}

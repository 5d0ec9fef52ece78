import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// Settings: the UI language, the compute device and the models folder, each
// applied as soon as it is picked. A device change loads the current model
// again.
AppDialog {
    id: dialog

    required property LanguageSettings language
    required property AppearanceSettings appearance
    required property BackendSettings backend
    required property InferenceService inference
    // The local API server's settings; its section is hidden while none is set.
    required property ApiSettings api
    // Where the library keeps and downloads models.
    required property LibrarySettings librarySettings

    // The device choices: automatic, the CPU, then every Vulkan device the
    // backend found. A saved device that is no longer there stays listed, so
    // the box shows what is set.
    readonly property var deviceOptions: {
        let options = [
            {
                value: "auto",
                text: qsTr("Automatic"),
                usable: true,
                tooltip: qsTr("The best GPU. A software driver such as llvmpipe is used only when chosen here.")
            },
            { value: "cpu", text: qsTr("CPU only"), usable: true, tooltip: "" }
        ]
        let savedFound = dialog.backend.device === "auto" || dialog.backend.device === "cpu"
        for (const device of dialog.backend.devices) {
            options.push({
                value: device.uuid,
                text: device.label,
                usable: device.usable,
                tooltip: device.usable ? "" : qsTr("Cannot be used: %1").arg(device.reason)
            })
            if (device.uuid === dialog.backend.device)
                savedFound = true
        }
        if (!savedFound) {
            options.push({
                value: dialog.backend.device,
                text: dialog.backend.enumerating ? dialog.backend.device
                                                 : qsTr("Device not found (%1)").arg(dialog.backend.device),
                usable: false,
                tooltip: qsTr("No Vulkan device with this UUID is present, so the model runs on the CPU.")
            })
        }
        return options
    }

    // Layers the spin box offers when "Automatic" is turned off: all of the
    // loaded model's, or, when none is loaded, 32, the layer count of the
    // common 7B and 8B models.
    readonly property int defaultGpuLayers: dialog.inference.layerCount > 0 ? dialog.inference.layerCount : 32
    // Above any model's layer count; the engine caps a request at the model's.
    readonly property int maxGpuLayers: 999

    objectName: "settingsDialog"
    title: qsTr("Settings")
    standardButtons: Dialog.Close
    width: 520

    DeviceStatus {
        id: deviceStatus
        inference: dialog.inference
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label {
            text: qsTr("Language")
            font.bold: true
        }

        ButtonGroup {
            id: languageGroup
        }

        RadioButton {
            objectName: "languageSystem"
            text: qsTr("Same as the system")
            ButtonGroup.group: languageGroup
            checked: dialog.language.language === "system"
            onClicked: dialog.language.language = "system"
        }

        // Each language is named in itself, so it can be found whatever the
        // current language is.
        RadioButton {
            objectName: "languageEnglish"
            text: "English"
            ButtonGroup.group: languageGroup
            checked: dialog.language.language === "en"
            onClicked: dialog.language.language = "en"
        }

        RadioButton {
            objectName: "languageChinese"
            text: "简体中文"
            ButtonGroup.group: languageGroup
            checked: dialog.language.language === "zh_CN"
            onClicked: dialog.language.language = "zh_CN"
        }

        Label {
            Layout.topMargin: Theme.margin
            text: qsTr("Appearance")
            font.bold: true
        }

        RowLayout {
            spacing: Theme.spacing

            Label {
                text: qsTr("Theme")
            }
            ComboBox {
                id: themeCombo
                objectName: "themeCombo"
                textRole: "text"
                valueRole: "value"
                model: [
                    { value: "system", text: qsTr("Same as the system") },
                    { value: "light", text: qsTr("Light") },
                    { value: "dark", text: qsTr("Dark") }
                ]
                // An index from the setting, so that it survives the model
                // being rebuilt when the language changes.
                currentIndex: ["system", "light", "dark"].indexOf(dialog.appearance.theme)
                onActivated: index => dialog.appearance.theme = ["system", "light", "dark"][index]
            }

            Label {
                Layout.leftMargin: Theme.margin
                text: qsTr("Text size")
            }
            ComboBox {
                id: textSizeCombo
                objectName: "textSizeCombo"
                textRole: "text"
                valueRole: "value"
                model: [
                    { value: 1.0, text: qsTr("Normal") },
                    { value: 1.15, text: qsTr("Large") },
                    { value: 1.3, text: qsTr("Larger") }
                ]
                currentIndex: {
                    const scale = dialog.appearance.textScale
                    return scale >= 1.25 ? 2 : scale >= 1.1 ? 1 : 0
                }
                onActivated: index => dialog.appearance.textScale = [1.0, 1.15, 1.3][index]
            }
        }

        Label {
            Layout.topMargin: Theme.margin
            text: qsTr("Compute device")
            font.bold: true
        }

        ComboBox {
            id: deviceCombo

            objectName: "deviceCombo"
            Layout.fillWidth: true
            model: dialog.deviceOptions
            textRole: "text"
            valueRole: "value"
            currentIndex: dialog.deviceOptions.findIndex(option => option.value === dialog.backend.device)
            onActivated: index => {
                dialog.backend.device = dialog.deviceOptions[index].value
                // A choice made here replaces the binding, so restore it.
                currentIndex = Qt.binding(
                    () => dialog.deviceOptions.findIndex(option => option.value === dialog.backend.device))
            }

            delegate: ItemDelegate {
                required property var modelData
                required property int index

                objectName: "deviceOption"
                width: deviceCombo.width
                text: modelData.text
                enabled: modelData.usable
                highlighted: deviceCombo.highlightedIndex === index
                hoverEnabled: true
                ToolTip.visible: hovered && modelData.tooltip.length > 0
                ToolTip.delay: 400
                ToolTip.text: modelData.tooltip
            }
        }

        Label {
            objectName: "deviceListStatus"
            Layout.fillWidth: true
            visible: text.length > 0
            wrapMode: Text.Wrap
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            text: {
                if (dialog.backend.enumerating)
                    return qsTr("Looking for Vulkan devices…")
                if (dialog.backend.enumerationError.length > 0)
                    return qsTr("Vulkan is not available, so models run on the CPU: %1")
                        .arg(dialog.backend.enumerationError)
                if (dialog.backend.devices.length === 0)
                    return qsTr("No Vulkan device was found, so models run on the CPU.")
                return ""
            }
        }

        RowLayout {
            spacing: Theme.spacing
            enabled: dialog.backend.device !== "cpu"

            Label {
                text: qsTr("GPU layers")
            }

            CheckBox {
                objectName: "gpuLayersAuto"
                text: qsTr("Automatic")
                checked: dialog.backend.gpuLayers < 0
                onToggled: dialog.backend.gpuLayers = checked ? -1 : gpuLayersSpin.value
            }

            SpinBox {
                id: gpuLayersSpin

                objectName: "gpuLayersSpin"
                enabled: dialog.backend.gpuLayers >= 0
                editable: true
                from: 0
                to: dialog.maxGpuLayers
                value: dialog.backend.gpuLayers >= 0 ? dialog.backend.gpuLayers : dialog.defaultGpuLayers
                onValueModified: dialog.backend.gpuLayers = value
            }
        }

        RowLayout {
            spacing: Theme.spacing

            Label {
                text: qsTr("Context length")
            }

            CheckBox {
                objectName: "contextAuto"
                text: qsTr("Automatic")
                checked: dialog.backend.contextLength === 0
                onToggled: {
                    contextApply.stop()
                    dialog.backend.contextLength = checked ? 0 : contextSpin.value
                }
            }

            SpinBox {
                id: contextSpin

                objectName: "contextSpin"
                enabled: dialog.backend.contextLength > 0
                editable: true
                from: 256
                // Up to the loaded model's training context; any length without one.
                to: dialog.inference.trainingContextSize > 0 ? Math.max(dialog.inference.trainingContextSize, from)
                                                             : 1048576
                stepSize: 512
                value: dialog.backend.contextLength > 0 ? dialog.backend.contextLength
                                                        : (dialog.inference.contextSize > 0 ? dialog.inference.contextSize
                                                                                           : 4096)
                // Each step would load the model again: apply the value once
                // the user stops changing it.
                onValueModified: contextApply.restart()
            }

            Timer {
                id: contextApply

                interval: 800
                onTriggered: dialog.backend.contextLength = contextSpin.value
            }

            Label {
                text: qsTr("tokens")
                color: Theme.textSecondary
            }
        }

        Label {
            objectName: "contextNote"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            text: {
                const trained = dialog.inference.modelLoaded ? dialog.inference.trainingContextSize : 0
                const base = qsTr("Automatic uses the model's training context, at most 4,096 tokens. A longer context keeps more of the chat but needs more memory; changing it loads the model again.")
                return trained > 0 ? base + " " + qsTr("This model was trained for %1 tokens, the most it can use.").arg(trained.toLocaleString(Qt.locale(), "f", 0))
                                   : base
            }
        }

        // Where the loaded model runs now, and why not on the GPU.
        Label {
            objectName: "deviceInUse"
            Layout.fillWidth: true
            visible: text.length > 0
            wrapMode: Text.Wrap
            color: deviceStatus.hasFallback ? Theme.warning : Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            text: {
                if (dialog.inference.reloadPending)
                    return qsTr("The model is loaded again with these settings when the reply finishes.")
                if (dialog.inference.loading)
                    return qsTr("Loading %1…").arg(dialog.inference.loadingName)
                return deviceStatus.details
            }
        }

        ModelsFolderSection {
            Layout.fillWidth: true
            Layout.topMargin: Theme.margin
            librarySettings: dialog.librarySettings
        }

        ApiServerSection {
            Layout.fillWidth: true
            Layout.topMargin: Theme.margin
            api: dialog.api
        }
    }
}

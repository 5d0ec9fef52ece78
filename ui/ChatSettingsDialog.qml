import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The open chat's own system prompt and sampling settings. Values equal to
// the app's defaults are not stored, so "Use defaults" is always one click.
AppDialog {
    id: dialog

    required property ChatController controller

    function load() {
        const values = controller.chatSettings
        systemPrompt.text = controller.chatSystemPrompt
        temperature.value = Math.round(values.temperature * 100)
        topK.value = values.topK
        topP.value = Math.round(values.topP * 100)
        minP.value = Math.round(values.minP * 100)
        repeatPenalty.value = Math.round(values.repeatPenalty * 100)
        maxTokens.value = values.maxTokens
        seed.text = values.seed > 0 ? String(values.seed) : ""
    }

    function save() {
        controller.saveChatSettings(systemPrompt.text, {
            temperature: temperature.value / 100,
            topK: topK.value,
            topP: topP.value / 100,
            minP: minP.value / 100,
            repeatPenalty: repeatPenalty.value / 100,
            maxTokens: maxTokens.value,
            seed: seed.text.length > 0 ? Number(seed.text) : 0
        })
    }

    objectName: "chatSettingsDialog"
    title: qsTr("Chat settings")
    width: Math.min(560 * Theme.textScale, parent ? parent.width - 40 : 560)
    standardButtons: Dialog.Save | Dialog.Cancel
    onAboutToShow: load()
    onAccepted: save()

    // A spin box that shows value / 100 with two decimals.
    component DecimalSpin: SpinBox {
        editable: true
        stepSize: 5
        textFromValue: (value, locale) => Number(value / 100).toLocaleString(locale, "f", 2)
        valueFromText: (text, locale) => Math.round(Number.fromLocaleString(locale, text) * 100)
        validator: DoubleValidator { bottom: 0; decimals: 2 }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label {
            text: qsTr("System prompt")
            font.bold: true
        }
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: 110
            TextArea {
                id: systemPrompt
                objectName: "systemPromptInput"
                wrapMode: TextArea.Wrap
                placeholderText: qsTr("Instructions the model sees before every message of this chat, e.g. \"Answer briefly.\"")
            }
        }

        Label {
            Layout.topMargin: Theme.spacing
            text: qsTr("Sampling")
            font.bold: true
        }
        GridLayout {
            columns: 2
            columnSpacing: Theme.margin
            rowSpacing: 4

            Label { text: qsTr("Temperature") }
            DecimalSpin { id: temperature; objectName: "temperatureSpin"; from: 0; to: 500 }
            Label { text: qsTr("Top-k (0: off)") }
            SpinBox { id: topK; editable: true; from: 0; to: 1000 }
            Label { text: qsTr("Top-p") }
            DecimalSpin { id: topP; from: 0; to: 100 }
            Label { text: qsTr("Min-p") }
            DecimalSpin { id: minP; from: 0; to: 100; stepSize: 1 }
            Label { text: qsTr("Repetition penalty") }
            DecimalSpin { id: repeatPenalty; from: 100; to: 200; stepSize: 1 }
            Label { text: qsTr("Reply length limit (tokens)") }
            SpinBox { id: maxTokens; objectName: "maxTokensSpin"; editable: true; from: 1; to: 32768; stepSize: 64 }
            Label { text: qsTr("Seed (empty: random)") }
            TextField {
                id: seed
                validator: RegularExpressionValidator { regularExpression: /[0-9]{0,15}/ }
                placeholderText: qsTr("random")
            }
        }

        Button {
            objectName: "resetChatSettings"
            Layout.topMargin: Theme.spacing
            text: qsTr("Use the default sampling settings")
            enabled: dialog.controller.chatSettings.custom === true
            onClicked: {
                dialog.controller.resetChatSettings()
                dialog.load()
            }
        }
    }
}

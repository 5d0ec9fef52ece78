import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The left column of the compare screen: which variants, which text, the
// perplexity window, Start and Cancel with the progress, and the saved
// comparisons.
Rectangle {
    id: setup

    required property CompareController compare
    required property ModelListModel models

    // Paths of the checked models, in the order they were checked.
    property var selectedPaths: []

    function setSelected(path, selected) {
        let paths = selectedPaths.filter(p => p !== path)
        if (selected)
            paths.push(path)
        selectedPaths = paths
    }

    // Window lengths offered, in tokens. 512 is what llama.cpp's perplexity
    // tool uses by default, so figures can be compared with published ones.
    readonly property var contextLengths: [128, 256, 512, 1024, 2048]

    color: Theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing

        Label {
            text: qsTr("Variants")
            font.bold: true
            color: Theme.textPrimary
        }

        Label {
            Layout.fillWidth: true
            text: qsTr("Check two or more files or folders of the same model, e.g. its Q4_K_M, Q8_0 and GPTQ versions.")
            wrapMode: Text.Wrap
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
        }

        ListView {
            id: variantList

            objectName: "compareVariantList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 120
            clip: true
            enabled: !setup.compare.running
            model: setup.models
            ScrollBar.vertical: ScrollBar {}

            delegate: CheckDelegate {
                id: variantItem

                required property string name
                required property string path
                required property string sizeText
                required property string quantization
                required property string problem

                objectName: "variantCheck"
                width: ListView.view.width
                padding: 4
                text: name
                checked: setup.selectedPaths.indexOf(path) >= 0
                onToggled: setup.setSelected(path, checked)
                ToolTip.visible: hovered
                ToolTip.delay: 500
                ToolTip.text: problem.length > 0 ? problem : path

                contentItem: ColumnLayout {
                    spacing: 0

                    Label {
                        Layout.fillWidth: true
                        rightPadding: variantItem.indicator.width + variantItem.spacing
                        text: variantItem.name
                        elide: Text.ElideMiddle
                        color: Theme.textPrimary
                    }

                    Label {
                        Layout.fillWidth: true
                        rightPadding: variantItem.indicator.width + variantItem.spacing
                        text: variantItem.quantization.length > 0
                              ? qsTr("%1, %2").arg(variantItem.quantization).arg(variantItem.sizeText)
                              : variantItem.sizeText
                        elide: Text.ElideRight
                        color: variantItem.problem.length > 0 ? Theme.errorText : Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                    }
                }
            }

            Label {
                anchors.fill: parent
                visible: setup.models.count === 0
                text: qsTr("No models in %1 yet. Put the variants to compare there.").arg(setup.models.folder)
                wrapMode: Text.Wrap
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
            }
        }

        Label {
            Layout.topMargin: Theme.spacing
            text: qsTr("Text")
            font.bold: true
            color: Theme.textPrimary
        }

        ButtonGroup {
            id: textGroup
        }

        RadioButton {
            objectName: "compareSampleText"
            Layout.fillWidth: true
            enabled: !setup.compare.running
            ButtonGroup.group: textGroup
            text: qsTr("Sample stories (English)")
            checked: setup.compare.textPath.length === 0
            onClicked: {
                setup.compare.useSampleText()
                checked = Qt.binding(() => setup.compare.textPath.length === 0)
            }
        }

        RadioButton {
            objectName: "compareOwnText"
            Layout.fillWidth: true
            enabled: !setup.compare.running
            ButtonGroup.group: textGroup
            text: qsTr("Your own file")
            checked: setup.compare.textPath.length > 0
            onClicked: {
                // Checked only once a file is chosen, so that the buttons
                // always show the text a comparison measures.
                checked = Qt.binding(() => setup.compare.textPath.length > 0)
                if (setup.compare.textPath.length === 0)
                    textDialog.open()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.margin * 2
            spacing: Theme.spacing

            Label {
                objectName: "compareTextName"
                Layout.fillWidth: true
                text: setup.compare.textPath.length > 0 ? setup.compare.textName : qsTr("No file chosen")
                elide: Text.ElideMiddle
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
                ToolTip.visible: textNameHover.hovered && setup.compare.textPath.length > 0
                ToolTip.text: setup.compare.textPath

                HoverHandler {
                    id: textNameHover
                }
            }

            Button {
                objectName: "compareChooseText"
                enabled: !setup.compare.running
                text: qsTr("Choose…")
                onClicked: textDialog.open()
            }
        }

        RowLayout {
            Layout.topMargin: Theme.spacing
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                text: qsTr("Window (tokens)")
                color: Theme.textPrimary
            }

            ComboBox {
                objectName: "compareContextCombo"
                Layout.preferredWidth: 90
                enabled: !setup.compare.running
                model: setup.contextLengths
                currentIndex: setup.contextLengths.indexOf(setup.compare.contextLength)
                onActivated: index => setup.compare.contextLength = setup.contextLengths[index]
                ToolTip.visible: hovered
                ToolTip.delay: 500
                ToolTip.text: qsTr("Perplexity is measured over windows of this many tokens. Longer windows give lower perplexity and take longer.")
            }
        }

        RowLayout {
            Layout.topMargin: Theme.spacing
            Layout.fillWidth: true
            spacing: Theme.spacing

            Button {
                objectName: "compareStartButton"
                Layout.fillWidth: true
                highlighted: true
                visible: !setup.compare.running
                enabled: setup.selectedPaths.length >= 2
                text: setup.selectedPaths.length >= 2 ? qsTr("Compare %1 variants").arg(setup.selectedPaths.length)
                                                      : qsTr("Compare")
                onClicked: setup.compare.start(setup.selectedPaths)
            }

            Button {
                objectName: "compareCancelButton"
                Layout.fillWidth: true
                visible: setup.compare.running
                text: qsTr("Cancel")
                onClicked: setup.compare.cancel()
            }
        }

        ProgressBar {
            objectName: "compareProgress"
            Layout.fillWidth: true
            visible: setup.compare.running
            from: 0
            to: 1
            value: setup.compare.progress
        }

        Label {
            objectName: "compareStatus"
            Layout.fillWidth: true
            visible: setup.compare.running
            text: setup.compare.statusText
            wrapMode: Text.Wrap
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
        }

        CompareHistory {
            Layout.topMargin: Theme.spacing
            Layout.fillWidth: true
            Layout.preferredHeight: 180
            compare: setup.compare
        }
    }

    CompareTextDialog {
        id: textDialog
        onTextChosen: url => setup.compare.setTextFileUrl(url)
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The memory planner: pick a model, a context length and the GPU layers,
// and see whether it fits the device the settings choose, how many layers
// go to the GPU and how much RAM it needs. The estimate follows each change.
ColumnLayout {
    id: panel

    required property MemoryPlanner planner
    required property ModelListModel models

    // The largest context the controls offer: the model's training context.
    readonly property int maxContext: Math.max(panel.planner.trainingContext, 256)

    spacing: Theme.spacing

    component FigureRow: RowLayout {
        id: row

        property alias name: nameLabel.text
        property alias value: valueLabel.text
        property string valueObjectName

        Layout.fillWidth: true
        spacing: Theme.spacing

        Label {
            id: nameLabel
            Layout.fillWidth: true
            color: Theme.textSecondary
            wrapMode: Text.Wrap
        }

        Label {
            id: valueLabel
            objectName: row.valueObjectName
            color: Theme.textPrimary
            font.bold: true
        }
    }

    Label {
        Layout.fillWidth: true
        Layout.topMargin: Theme.margin
        Layout.leftMargin: Theme.margin
        Layout.rightMargin: Theme.margin
        text: qsTr("Memory planner")
        font.pixelSize: Theme.titleFontSize
        font.bold: true
        color: Theme.textPrimary
    }

    Label {
        Layout.fillWidth: true
        Layout.leftMargin: Theme.margin
        Layout.rightMargin: Theme.margin
        text: qsTr("An estimate from the model file's header, before anything is loaded.")
        color: Theme.textSecondary
        font.pixelSize: Theme.smallFontSize
        wrapMode: Text.Wrap
    }

    GridLayout {
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        columns: 2
        columnSpacing: Theme.margin
        rowSpacing: Theme.spacing

        Label {
            text: qsTr("Model")
            color: Theme.textSecondary
        }

        ComboBox {
            id: modelBox
            objectName: "plannerModelBox"
            Layout.fillWidth: true
            model: panel.models
            textRole: "name"
            valueRole: "path"
            displayText: currentIndex >= 0 ? currentText
                                           : (panel.planner.modelPath.length > 0
                                              ? panel.planner.modelPath.split("/").pop()
                                              : qsTr("Choose a model"))
            onActivated: panel.planner.modelPath = currentValue

            // Bindings that survive the user's own changes of the control.
            Binding on currentIndex {
                value: panel.models.indexOfPath(panel.planner.modelPath)
            }
        }

        Label {
            text: qsTr("Context length")
            color: Theme.textSecondary
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Slider {
                id: contextSlider
                objectName: "plannerContextSlider"
                Layout.fillWidth: true
                from: 128
                to: panel.maxContext
                stepSize: 128
                snapMode: Slider.SnapAlways
                onMoved: panel.planner.contextLength = Math.round(value)

                Binding on value {
                    when: !contextSlider.pressed
                    value: panel.planner.contextUsed > 0 ? panel.planner.contextUsed : panel.maxContext
                }
            }

            SpinBox {
                objectName: "plannerContextSpin"
                from: 1
                to: 16777216
                stepSize: 256
                editable: true
                onValueModified: panel.planner.contextLength = value

                Binding on value {
                    value: panel.planner.contextUsed
                }
            }
        }

        Label {
            text: qsTr("GPU layers")
            color: Theme.textSecondary
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            CheckBox {
                id: autoLayers
                objectName: "plannerAutoLayers"
                text: qsTr("As many as fit")
                onToggled: panel.planner.gpuLayers = checked ? -1 : panel.planner.layersOnGpu

                Binding on checked {
                    value: panel.planner.gpuLayers < 0
                }
            }

            SpinBox {
                objectName: "plannerGpuLayersSpin"
                enabled: !autoLayers.checked
                from: 0
                to: Math.max(panel.planner.layerCount, 0)
                onValueModified: panel.planner.gpuLayers = value

                Binding on value {
                    value: panel.planner.gpuLayers < 0 ? panel.planner.layersOnGpu : panel.planner.gpuLayers
                }
            }
        }
    }

    BusyIndicator {
        Layout.alignment: Qt.AlignHCenter
        visible: panel.planner.busy
        running: visible
    }

    // The verdict.
    Rectangle {
        objectName: "plannerVerdict"
        Layout.fillWidth: true
        Layout.leftMargin: Theme.margin
        Layout.rightMargin: Theme.margin
        visible: panel.planner.valid || panel.planner.error.length > 0
        implicitHeight: verdictColumn.implicitHeight + 2 * Theme.margin
        radius: Theme.radius
        color: panel.planner.fits ? Theme.accentSoft : Theme.errorBackground
        border.color: panel.planner.fits ? Theme.border : Theme.errorBorder

        ColumnLayout {
            id: verdictColumn
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.spacing

            Label {
                objectName: "plannerFitText"
                Layout.fillWidth: true
                font.bold: true
                color: panel.planner.fits ? Theme.textPrimary : Theme.errorText
                text: {
                    if (!panel.planner.valid)
                        return qsTr("No estimate")
                    if (panel.planner.fits)
                        return qsTr("Fits")
                    return panel.planner.fitsGpu ? qsTr("Does not fit in RAM") : qsTr("Does not fit the GPU budget")
                }
            }

            Label {
                objectName: "plannerLayersText"
                Layout.fillWidth: true
                visible: panel.planner.valid
                color: Theme.textPrimary
                wrapMode: Text.Wrap
                text: {
                    if (panel.planner.layersOnGpu === 0)
                        return qsTr("Every layer runs on the CPU.")
                    const layers = qsTr("%1 of %2 layers on %3").arg(panel.planner.layersOnGpu)
                        .arg(panel.planner.layerCount).arg(panel.planner.deviceName)
                    return panel.planner.outputOnGpu ? qsTr("%1, with the output").arg(layers) : layers
                }
            }

            Label {
                objectName: "plannerExplanation"
                Layout.fillWidth: true
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
                wrapMode: Text.Wrap
                text: panel.planner.explanation
            }
        }
    }

    // The figures.
    ColumnLayout {
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        visible: panel.planner.valid
        spacing: Theme.spacing

        Label {
            text: qsTr("GPU")
            font.bold: true
            color: Theme.textPrimary
        }

        ProgressBar {
            objectName: "plannerGpuBar"
            Layout.fillWidth: true
            visible: panel.planner.gpuBudgetBytes > 0
            from: 0
            to: Math.max(panel.planner.gpuBudgetBytes, 1)
            value: Math.min(panel.planner.gpuPeakBytes, panel.planner.gpuBudgetBytes)
        }

        FigureRow {
            name: panel.planner.budgetIsEstimate ? qsTr("Budget (estimate: the heap size)") : qsTr("Budget")
            value: panel.planner.gpuBudgetBytes > 0 ? panel.planner.formatBytes(panel.planner.gpuBudgetBytes) : qsTr("No GPU")
        }
        FigureRow {
            name: qsTr("Weights on the GPU")
            value: panel.planner.formatBytes(panel.planner.gpuWeightsBytes)
            valueObjectName: "plannerGpuWeights"
        }
        FigureRow {
            name: qsTr("KV cache on the GPU")
            value: panel.planner.formatBytes(panel.planner.gpuKvCacheBytes)
            valueObjectName: "plannerGpuKvCache"
        }
        FigureRow {
            name: qsTr("Activations on the GPU")
            value: panel.planner.formatBytes(panel.planner.gpuScratchBytes)
        }
        FigureRow {
            name: qsTr("Upload staging buffer (while loading)")
            value: panel.planner.formatBytes(panel.planner.stagingBytes)
        }
        FigureRow {
            name: qsTr("GPU memory after loading (most while loading)")
            value: qsTr("%1 (%2)").arg(panel.planner.formatBytes(panel.planner.gpuBytes))
                .arg(panel.planner.formatBytes(panel.planner.gpuPeakBytes))
            valueObjectName: "plannerGpuTotal"
        }

        Label {
            Layout.topMargin: Theme.spacing
            text: qsTr("RAM")
            font.bold: true
            color: Theme.textPrimary
        }

        FigureRow {
            name: qsTr("Weights read from the mapped file")
            value: panel.planner.formatBytes(panel.planner.ramMappedBytes)
        }
        FigureRow {
            name: qsTr("Weights copied into memory (CPU layers, norms as F32, repacked GPTQ/AWQ)")
            value: panel.planner.formatBytes(panel.planner.ramCopiedBytes)
        }
        FigureRow {
            name: qsTr("KV cache in RAM")
            value: panel.planner.formatBytes(panel.planner.ramKvCacheBytes)
            valueObjectName: "plannerRamKvCache"
        }
        FigureRow {
            name: qsTr("Activations in RAM")
            value: panel.planner.formatBytes(panel.planner.ramScratchBytes)
        }
        FigureRow {
            name: qsTr("RAM needed")
            value: panel.planner.formatBytes(panel.planner.ramBytes)
            valueObjectName: "plannerRamTotal"
        }
        FigureRow {
            name: qsTr("Available now")
            visible: panel.planner.ramAvailableBytes > 0
            value: panel.planner.formatBytes(panel.planner.ramAvailableBytes)
        }

        Label {
            Layout.topMargin: Theme.spacing
            text: qsTr("Model")
            font.bold: true
            color: Theme.textPrimary
        }

        FigureRow {
            name: qsTr("Weights in all")
            value: panel.planner.formatBytes(panel.planner.weightsBytes)
        }
        FigureRow {
            name: qsTr("KV cache in all (%1 tokens)").arg(panel.planner.contextUsed)
            value: panel.planner.formatBytes(panel.planner.kvCacheBytes)
        }
        FigureRow {
            name: qsTr("Activations in all")
            value: panel.planner.formatBytes(panel.planner.scratchBytes)
        }
    }

    Item {
        Layout.fillHeight: true
    }
}

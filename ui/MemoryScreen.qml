import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// "Memory": the whole window, above the chat. The planner on the left
// estimates a model before it is loaded; the inspector on the right shows
// where the memory of the loaded model goes, live.
Popup {
    id: screen

    required property MemoryPlanner planner
    required property MemoryMonitor monitor
    required property InferenceService inference
    required property ModelListModel models

    objectName: "memoryScreen"
    parent: Overlay.overlay
    x: 0
    y: 0
    width: parent ? parent.width : 0
    height: parent ? parent.height : 0
    modal: true
    focus: true
    padding: 0
    closePolicy: Popup.CloseOnEscape

    // The planner starts with the loaded model, or the first in the library.
    onAboutToShow: {
        if (screen.planner.modelPath.length > 0)
            return
        if (screen.inference.modelLoaded)
            screen.planner.modelPath = screen.inference.modelPath
        else if (screen.models.count > 0)
            screen.planner.modelPath = screen.models.data(screen.models.index(0, 0), ModelListModel.PathRole)
    }

    // The inspector samples only while it is shown.
    Binding {
        target: screen.monitor
        property: "active"
        value: screen.opened
    }

    background: Rectangle {
        color: Theme.windowBackground
    }

    contentItem: ColumnLayout {
        spacing: 0

        // Title bar.
        Rectangle {
            Layout.fillWidth: true
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
                        text: qsTr("Memory")
                        font.pixelSize: Theme.titleFontSize
                        font.bold: true
                        color: Theme.textPrimary
                    }

                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Plan a model's memory before loading it, and see where the memory of the loaded model goes.")
                        color: Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                        elide: Text.ElideRight
                    }
                }

                Button {
                    objectName: "memoryCloseButton"
                    text: qsTr("Back to chat")
                    onClicked: screen.close()
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            ScrollView {
                Layout.fillHeight: true
                Layout.preferredWidth: Math.round(screen.width * 0.42)
                contentWidth: availableWidth

                MemoryPlannerPanel {
                    width: parent.width
                    planner: screen.planner
                    models: screen.models
                }
            }

            Rectangle {
                Layout.fillHeight: true
                Layout.preferredWidth: 1
                color: Theme.divider
            }

            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true
                contentWidth: availableWidth

                VramInspector {
                    width: parent.width
                    monitor: screen.monitor
                    inference: screen.inference
                }
            }
        }
    }
}

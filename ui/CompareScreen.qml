import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// "Compare quantizations": the whole window, above the chat. The setup and
// saved comparisons on the left, the result table and chart in the middle,
// and what each figure means on the right. A run goes on when the screen is
// closed.
Popup {
    id: screen

    required property CompareController compare
    required property ModelListModel models

    objectName: "compareScreen"
    parent: Overlay.overlay
    x: 0
    y: 0
    width: parent ? parent.width : 0
    height: parent ? parent.height : 0
    modal: true
    focus: true
    padding: 0
    closePolicy: Popup.CloseOnEscape

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
                        text: qsTr("Compare quantizations")
                        font.pixelSize: Theme.titleFontSize
                        font.bold: true
                        color: Theme.textPrimary
                    }

                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Measure variants of one model on this computer, one after another, to choose which to download and use.")
                        color: Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                        elide: Text.ElideRight
                    }
                }

                Button {
                    objectName: "compareCloseButton"
                    text: qsTr("Back to chat")
                    onClicked: screen.close()
                }
            }
        }

        ErrorBanner {
            objectName: "compareErrorBanner"
            textObjectName: "compareErrorText"
            Layout.fillWidth: true
            Layout.margins: Theme.margin
            Layout.bottomMargin: 0
            message: screen.compare.errorMessage
            onDismissed: screen.compare.dismissError()
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            CompareSetup {
                Layout.fillHeight: true
                Layout.preferredWidth: 240
                compare: screen.compare
                models: screen.models
            }

            Rectangle {
                Layout.fillHeight: true
                Layout.preferredWidth: 1
                color: Theme.divider
            }

            CompareResults {
                Layout.fillWidth: true
                Layout.fillHeight: true
                compare: screen.compare
            }

            Rectangle {
                Layout.fillHeight: true
                Layout.preferredWidth: 1
                color: Theme.divider
            }

            CompareExplanation {
                Layout.fillHeight: true
                Layout.preferredWidth: 240
            }
        }
    }
}

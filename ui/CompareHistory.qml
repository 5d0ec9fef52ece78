import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// Saved comparisons, newest first: a click shows one, the × deletes it after
// a confirmation.
ColumnLayout {
    id: history

    required property CompareController compare

    spacing: Theme.spacing

    Label {
        text: qsTr("Saved comparisons")
        font.bold: true
        color: Theme.textPrimary
    }

    ListView {
        id: savedList

        objectName: "compareSavedList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 2
        model: history.compare.savedComparisons
        ScrollBar.vertical: ScrollBar {}

        delegate: ItemDelegate {
            id: savedItem

            required property var modelData

            objectName: "compareSavedItem"
            width: ListView.view.width
            padding: 6
            highlighted: modelData.id === history.compare.currentComparisonId
            onClicked: history.compare.openComparison(modelData.id)
            ToolTip.visible: hovered
            ToolTip.delay: 500
            ToolTip.text: modelData.title

            background: Rectangle {
                radius: Theme.radius - 4
                color: savedItem.highlighted ? Theme.sidebarSelected
                                             : savedItem.hovered ? Theme.sidebarHover : "transparent"
            }

            contentItem: RowLayout {
                spacing: 4

                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 0

                    Label {
                        Layout.fillWidth: true
                        text: savedItem.modelData.title
                        elide: Text.ElideRight
                        color: Theme.textPrimary
                        font.pixelSize: Theme.smallFontSize
                    }

                    Label {
                        Layout.fillWidth: true
                        text: savedItem.modelData.details
                        elide: Text.ElideRight
                        color: Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize - 1
                    }
                }

                ToolButton {
                    objectName: "compareDeleteSaved"
                    text: "×"
                    enabled: !history.compare.running
                    Accessible.name: qsTr("Delete this comparison")
                    ToolTip.visible: hovered
                    ToolTip.delay: 400
                    ToolTip.text: qsTr("Delete this comparison")
                    onClicked: deleteDialog.openFor(savedItem.modelData.id, savedItem.modelData.title)
                }
            }
        }

        Label {
            anchors.fill: parent
            visible: savedList.count === 0
            text: qsTr("Finished comparisons are saved here.")
            wrapMode: Text.Wrap
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
        }
    }

    AppDialog {
        id: deleteDialog

        property double comparisonId: 0
        property string comparisonTitle

        function openFor(id, title) {
            comparisonId = id
            comparisonTitle = title
            open()
        }

        objectName: "compareDeleteDialog"
        parent: Overlay.overlay
        anchors.centerIn: parent
        title: qsTr("Delete comparison?")
        footer: DialogButtonBox {
            padding: 12
            background: null

            Button {
                objectName: "compareConfirmDelete"
                text: qsTr("Delete")
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            Button {
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
        onAccepted: history.compare.deleteComparison(comparisonId)

        Label {
            width: parent.width
            wrapMode: Text.WordWrap
            text: qsTr("The saved results of “%1” will be deleted. The model files stay where they are.").arg(deleteDialog.comparisonTitle)
        }
    }
}

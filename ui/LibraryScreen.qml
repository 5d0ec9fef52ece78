import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// "Models": the whole window, above the chat. Tabs for the models in the
// models folder, the recommended catalog, the Hugging Face search and the
// downloads. Downloads go on when the screen is closed.
Popup {
    id: screen

    required property ModelLibrary library
    required property ModelListModel models
    required property InferenceService inference
    required property LibrarySettings librarySettings

    property alias currentTab: tabs.currentIndex

    function openTab(index) {
        tabs.currentIndex = index
        open()
    }

    objectName: "libraryScreen"
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

            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: Theme.margin * 1.5
                anchors.rightMargin: Theme.margin
                spacing: Theme.margin

                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2

                    Label {
                        text: qsTr("Models")
                        font.pixelSize: Theme.titleFontSize
                        font.bold: true
                        color: Theme.textPrimary
                    }

                    Label {
                        objectName: "libraryBudgetText"
                        Layout.fillWidth: true
                        text: screen.library.budgetText
                        color: Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                        elide: Text.ElideRight
                    }
                }

                Label {
                    visible: screen.inference.loading
                    text: qsTr("Loading %1… %2%").arg(screen.inference.loadingName)
                                                  .arg(Math.round(screen.inference.loadProgress * 100))
                    color: Theme.textSecondary
                    font.pixelSize: Theme.smallFontSize
                }

                Button {
                    objectName: "libraryCloseButton"
                    text: qsTr("Back to chat")
                    onClicked: screen.close()
                }
            }
        }

        TabBar {
            id: tabs
            objectName: "libraryTabs"
            Layout.fillWidth: true

            TabButton {
                objectName: "libraryModelsTab"
                text: qsTr("My models (%1)").arg(screen.models.count)
            }

            TabButton {
                objectName: "libraryCatalogTab"
                text: qsTr("Recommended")
            }

            TabButton {
                objectName: "libraryHubTab"
                text: qsTr("Search Hugging Face")
            }

            TabButton {
                objectName: "libraryDownloadsTab"
                text: screen.library.downloads && screen.library.downloads.activeCount > 0
                      ? qsTr("Downloads (%1 active)").arg(screen.library.downloads.activeCount)
                      : qsTr("Downloads")
            }
        }

        ErrorBanner {
            objectName: "libraryErrorBanner"
            textObjectName: "libraryErrorText"
            Layout.fillWidth: true
            Layout.margins: Theme.margin
            Layout.bottomMargin: 0
            message: screen.library.lastError
            onDismissed: screen.library.dismissError()
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            LibraryModelsTab {
                objectName: "libraryModelsPage"
                library: screen.library
                models: screen.models
                inference: screen.inference
                librarySettings: screen.librarySettings
                onDeleteRequested: (path, name) => deleteDialog.openFor(path, name)
                onModelChosen: screen.close()
            }

            CatalogTab {
                objectName: "libraryCatalogPage"
                library: screen.library
                inference: screen.inference
                onDownloadStarted: tabs.currentIndex = 3
                onModelChosen: screen.close()
            }

            HubSearchTab {
                objectName: "libraryHubPage"
                library: screen.library
                onDownloadStarted: tabs.currentIndex = 3
            }

            DownloadsTab {
                objectName: "libraryDownloadsPage"
                library: screen.library
                inference: screen.inference
                onModelChosen: screen.close()
            }
        }
    }

    DeleteModelDialog {
        id: deleteDialog
        parent: Overlay.overlay
        anchors.centerIn: parent
        onDeleteConfirmed: path => screen.library.deleteModel(path)
    }
}

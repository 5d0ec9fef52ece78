import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// "Search Hugging Face": repositories of GGUF, GPTQ or AWQ models, most
// downloaded first; a repository's files with the quantization guessed from
// their names, their sizes and whether each fits, before anything is
// downloaded. A GGUF file downloads on its own, a GPTQ or AWQ repository as
// one folder.
ColumnLayout {
    id: tab

    required property ModelLibrary library

    readonly property HuggingFaceSearch hub: library.hub
    readonly property HubFileListModel files: library.hub.files
    property string selectedRepository

    signal downloadStarted()

    function runSearch() {
        tab.selectedRepository = ""
        tab.hub.clearFiles()
        tab.hub.search(queryField.text, formatBox.currentValue)
    }

    spacing: Theme.spacing

    RowLayout {
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        Layout.bottomMargin: 0
        spacing: Theme.spacing

        TextField {
            id: queryField
            objectName: "hubSearchField"
            Layout.fillWidth: true
            placeholderText: qsTr("Search models, for example \"qwen2.5 1.5b instruct\"")
            selectByMouse: true
            onAccepted: tab.runSearch()
        }

        ComboBox {
            id: formatBox
            objectName: "hubFormatBox"
            textRole: "text"
            valueRole: "value"
            model: [
                { value: "gguf", text: qsTr("GGUF") },
                { value: "gptq", text: qsTr("GPTQ") },
                { value: "awq", text: qsTr("AWQ") }
            ]
        }

        Button {
            objectName: "hubSearchButton"
            text: qsTr("Search")
            highlighted: true
            enabled: !tab.hub.searching
            onClicked: tab.runSearch()
        }

        BusyIndicator {
            running: tab.hub.searching || tab.hub.listing
            visible: running
            implicitWidth: 28
            implicitHeight: 28
        }
    }

    ErrorBanner {
        objectName: "hubSearchError"
        textObjectName: "hubSearchErrorText"
        Layout.fillWidth: true
        Layout.leftMargin: Theme.margin
        Layout.rightMargin: Theme.margin
        message: tab.hub.searchError
        onDismissed: tab.hub.dismissErrors()
    }

    RowLayout {
        Layout.fillWidth: true
        Layout.fillHeight: true
        spacing: 0

        // The repositories found.
        ColumnLayout {
            Layout.fillHeight: true
            Layout.fillWidth: false
            Layout.preferredWidth: tab.width * 0.35
            spacing: 0

            Label {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                visible: tab.hub.results.count === 0 && !tab.hub.searching && tab.hub.searchError.length === 0
                wrapMode: Text.Wrap
                text: tab.hub.searched ? qsTr("No repositories found. Try other words or another format.")
                                       : qsTr("Search Hugging Face for GGUF, GPTQ and AWQ models. Sizes and the memory each model needs are shown before you download.")
                color: Theme.textSecondary
            }

            ListView {
                objectName: "hubResultList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: tab.hub.results
                ScrollBar.vertical: ScrollBar {}

                delegate: ItemDelegate {
                    id: result

                    required property string repository
                    required property string downloadsText
                    required property string format

                    objectName: "hubResultRow"
                    width: ListView.view.width
                    highlighted: repository === tab.selectedRepository
                    onClicked: {
                        tab.selectedRepository = repository
                        tab.hub.listFiles(repository, format)
                    }

                    contentItem: ColumnLayout {
                        spacing: 2

                        Label {
                            Layout.fillWidth: true
                            text: result.repository
                            elide: Text.ElideMiddle
                            font.bold: true
                            color: result.highlighted ? Theme.textOnAccent : Theme.textPrimary
                        }

                        Label {
                            Layout.fillWidth: true
                            text: result.format.length > 0 ? qsTr("%1 · %2").arg(result.format).arg(result.downloadsText)
                                                           : result.downloadsText
                            color: result.highlighted ? Theme.textOnAccent : Theme.textSecondary
                            font.pixelSize: Theme.smallFontSize
                        }
                    }
                }
            }
        }

        Rectangle {
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            color: Theme.divider
        }

        // The files of the chosen repository.
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                Layout.bottomMargin: 0
                visible: tab.selectedRepository.length === 0
                wrapMode: Text.Wrap
                text: qsTr("Choose a repository to see its files.")
                color: Theme.textSecondary
            }

            Label {
                objectName: "hubRepositoryTitle"
                Layout.fillWidth: true
                Layout.leftMargin: Theme.margin
                Layout.topMargin: Theme.margin
                visible: tab.files.repository.length > 0
                text: tab.files.repository
                font.bold: true
                font.pixelSize: Theme.titleFontSize
                elide: Text.ElideMiddle
                color: Theme.textPrimary
            }

            ErrorBanner {
                objectName: "hubListError"
                textObjectName: "hubListErrorText"
                Layout.fillWidth: true
                Layout.leftMargin: Theme.margin
                Layout.rightMargin: Theme.margin
                message: tab.hub.listError
                onDismissed: tab.hub.dismissErrors()
            }

            // A GPTQ, AWQ or safetensors repository is one download.
            RowLayout {
                objectName: "hubFolderDownload"
                Layout.fillWidth: true
                Layout.leftMargin: Theme.margin
                Layout.rightMargin: Theme.margin
                visible: tab.files.isFolderModel
                spacing: Theme.margin

                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: qsTr("%1 model folder: %n file(s), %2", "", tab.files.folderFileCount)
                          .arg(tab.files.format).arg(tab.files.folderSizeText)
                    color: Theme.textPrimary
                }

                FitBadge {
                    fit: tab.files.folderFit
                    text: tab.files.folderFitText
                    details: tab.files.folderFitDetails
                }

                Button {
                    objectName: "hubDownloadFolderButton"
                    text: qsTr("Download folder")
                    highlighted: true
                    onClicked: {
                        if (tab.library.downloadHubRepository().length > 0)
                            tab.downloadStarted()
                    }
                }
            }

            ListView {
                objectName: "hubFileList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                spacing: 2
                model: tab.files
                ScrollBar.vertical: ScrollBar {}

                delegate: Rectangle {
                    id: file

                    required property string path
                    required property string sizeText
                    required property string quantization
                    required property bool isModelFile
                    required property bool downloadable
                    required property string note
                    required property int fit
                    required property string fitText
                    required property string fitDetails
                    required property double memoryBytes

                    objectName: "hubFileRow"
                    width: ListView.view.width
                    implicitHeight: fileRow.implicitHeight + Theme.spacing * 2
                    color: Theme.surface

                    RowLayout {
                        id: fileRow
                        anchors.fill: parent
                        anchors.leftMargin: Theme.margin
                        anchors.rightMargin: Theme.margin
                        spacing: Theme.margin

                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2

                            Label {
                                Layout.fillWidth: true
                                text: file.path
                                elide: Text.ElideMiddle
                                color: file.isModelFile ? Theme.textPrimary : Theme.textSecondary
                                font.bold: file.isModelFile
                            }

                            Label {
                                Layout.fillWidth: true
                                text: file.note.length > 0 ? qsTr("%1 · %2").arg(file.sizeText).arg(file.note)
                                      : file.quantization.length > 0 ? qsTr("%1 · %2").arg(file.quantization).arg(file.sizeText)
                                                                     : file.sizeText
                                wrapMode: Text.Wrap
                                color: file.note.length > 0 ? Theme.warning : Theme.textSecondary
                                font.pixelSize: Theme.smallFontSize
                            }
                        }

                        FitBadge {
                            visible: file.isModelFile && text.length > 0
                            fit: file.fit
                            text: file.fitText
                            details: file.fitDetails
                            memoryText: file.memoryBytes > 0 ? qsTr("Needs about %1").arg(tab.library.formatSize(file.memoryBytes)) : ""
                        }

                        Button {
                            objectName: "hubDownloadFileButton"
                            visible: file.downloadable
                            text: qsTr("Download")
                            onClicked: {
                                if (tab.library.downloadHubFile(file.path).length > 0)
                                    tab.downloadStarted()
                            }
                        }
                    }
                }
            }
        }
    }
}

import QtQuick.Dialogs

// Picks the text file a comparison measures perplexity on.
FileDialog {
    id: dialog

    signal textChosen(url url)

    objectName: "compareTextDialog"
    title: qsTr("Choose a text file")
    fileMode: FileDialog.OpenFile
    nameFilters: [qsTr("Text files (*.txt *.md)"), qsTr("All files (*)")]
    onAccepted: {
        if (selectedFile.toString().length > 0)
            textChosen(selectedFile)
    }
}

import QtQuick.Dialogs

// Picks a GGUF file from anywhere on disk.
FileDialog {
    id: dialog

    property string modelsFolderUrl

    signal modelChosen(url url)

    objectName: "modelFileDialog"
    title: qsTr("Open model file")
    fileMode: FileDialog.OpenFile
    currentFolder: modelsFolderUrl
    nameFilters: [qsTr("GGUF models (*.gguf)"), qsTr("All files (*)")]
    onAccepted: {
        if (selectedFile.toString().length > 0)
            modelChosen(selectedFile)
    }
}

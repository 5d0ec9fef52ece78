import QtQuick.Dialogs

// Picks a Hugging Face model folder (config.json, *.safetensors and
// tokenizer.json) from anywhere on disk.
FolderDialog {
    id: dialog

    property string modelsFolderUrl

    signal modelChosen(url url)

    objectName: "modelFolderDialog"
    title: qsTr("Open model folder")
    currentFolder: modelsFolderUrl
    onAccepted: {
        if (selectedFolder.toString().length > 0)
            modelChosen(selectedFolder)
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The main window: chat list on the left, the open chat on the right.
ApplicationWindow {
    id: window

    required property ChatController controller
    required property ChatListModel chats
    required property MessageListModel messages
    required property ModelListModel models
    required property InferenceService inference
    required property LanguageSettings language
    required property BackendSettings backend
    required property CompareController compare

    width: 1280
    height: 800
    minimumWidth: 760
    minimumHeight: 480
    visible: true
    title: controller.currentTitle.length > 0 ? qsTr("%1 – Quanta").arg(controller.currentTitle) : "Quanta"
    color: Theme.windowBackground
    font.pixelSize: Theme.fontSize

    palette.window: Theme.windowBackground
    palette.base: Theme.surface
    palette.text: Theme.textPrimary
    palette.windowText: Theme.textPrimary
    palette.buttonText: Theme.textPrimary
    palette.button: Theme.surface
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.textOnAccent
    palette.placeholderText: Theme.textSecondary

    Shortcut {
        sequence: "Esc"
        enabled: window.inference.generating
        onActivated: window.controller.stop()
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        ChatSidebar {
            Layout.fillHeight: true
            Layout.preferredWidth: Theme.sidebarWidth
            chats: window.chats
            controller: window.controller
            onRenameRequested: (chatId, title) => renameDialog.openFor(chatId, title)
            onDeleteRequested: (chatId, title) => deleteDialog.openFor(chatId, title)
            onSettingsRequested: settingsDialog.open()
        }

        Rectangle {
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            color: Theme.divider
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            TopBar {
                Layout.fillWidth: true
                controller: window.controller
                inference: window.inference
                models: window.models
                onOpenFileRequested: modelFileDialog.open()
                onOpenFolderRequested: modelFolderDialog.open()
                onDeviceSettingsRequested: settingsDialog.open()
                onCompareRequested: compareScreen.open()
            }

            ErrorBanner {
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                Layout.bottomMargin: 0
                message: window.controller.errorMessage
                onDismissed: window.controller.dismissError()
            }

            ErrorBanner {
                objectName: "templateNotice"
                textObjectName: "templateNoticeText"
                informational: true
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                Layout.bottomMargin: 0
                message: window.controller.templateNotice
                onDismissed: window.controller.dismissTemplateNotice()
            }

            Item {
                Layout.fillWidth: true
                Layout.fillHeight: true

                MessageList {
                    anchors.fill: parent
                    visible: window.messages.count > 0
                    model: window.messages
                }

                EmptyState {
                    anchors.fill: parent
                    visible: window.messages.count === 0
                    inference: window.inference
                    models: window.models
                    onOpenFileRequested: modelFileDialog.open()
                    onOpenFolderRequested: modelFolderDialog.open()
                }
            }

            Composer {
                Layout.fillWidth: true
                controller: window.controller
                inference: window.inference
            }
        }
    }

    CompareScreen {
        id: compareScreen
        compare: window.compare
        models: window.models
    }

    SettingsDialog {
        id: settingsDialog
        anchors.centerIn: parent
        language: window.language
        backend: window.backend
        inference: window.inference
    }

    RenameChatDialog {
        id: renameDialog
        anchors.centerIn: parent
        onRenameAccepted: (chatId, title) => window.controller.renameChat(chatId, title)
    }

    DeleteChatDialog {
        id: deleteDialog
        anchors.centerIn: parent
        onDeleteAccepted: chatId => window.controller.deleteChat(chatId)
    }

    ModelFileDialog {
        id: modelFileDialog
        modelsFolderUrl: window.models.folderUrl
        onModelChosen: url => window.inference.loadModelUrl(url)
    }

    ModelFolderDialog {
        id: modelFolderDialog
        modelsFolderUrl: window.models.folderUrl
        onModelChosen: url => window.inference.loadModelUrl(url)
    }
}

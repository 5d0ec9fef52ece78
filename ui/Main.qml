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
    required property AppearanceSettings appearance
    required property ChatSearchModel search
    required property ModelLibrary library
    required property LibrarySettings librarySettings
    required property ApiSettings api
    required property MemoryPlanner memoryPlanner
    required property MemoryMonitor memoryMonitor

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

    // The theme follows the appearance settings.
    Binding {
        target: Theme
        property: "dark"
        value: window.appearance.dark
    }
    Binding {
        target: Theme
        property: "textScale"
        value: window.appearance.textScale * window.appearance.systemTextScale
    }

    Shortcut {
        sequence: "Esc"
        enabled: window.controller.replying
        onActivated: window.controller.stop()
    }
    Shortcut {
        objectName: "newChatShortcut"
        sequence: "Ctrl+N"
        onActivated: {
            window.controller.newChat()
            composer.focusInput()
        }
    }
    Shortcut {
        sequence: StandardKey.Find
        onActivated: sidebar.focusSearch()
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        ChatSidebar {
            id: sidebar
            Layout.fillHeight: true
            Layout.preferredWidth: Theme.sidebarWidth
            chats: window.chats
            controller: window.controller
            search: window.search
            onRenameRequested: (chatId, title) => renameDialog.openFor(chatId, title)
            onDeleteRequested: chatId => window.controller.deleteChat(chatId)
            onSettingsRequested: settingsDialog.open()
            onExportRequested: (chatId, title, format) => chatFileDialog.exportChat(chatId, title, format)
            onImportRequested: chatFileDialog.importChat()
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
                library: window.library
                onOpenFileRequested: modelFileDialog.open()
                onOpenFolderRequested: modelFolderDialog.open()
                onLibraryRequested: libraryScreen.open()
                onDeviceSettingsRequested: settingsDialog.open()
                onCompareRequested: compareScreen.open()
                onMemoryRequested: memoryScreen.open()
                onChatSettingsRequested: chatSettingsDialog.open()
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

            ErrorBanner {
                objectName: "contextNotice"
                textObjectName: "contextNoticeText"
                informational: true
                Layout.fillWidth: true
                Layout.margins: Theme.margin
                Layout.bottomMargin: 0
                message: window.controller.contextNotice
                onDismissed: window.controller.dismissContextNotice()
            }

            Item {
                Layout.fillWidth: true
                Layout.fillHeight: true

                MessageList {
                    anchors.fill: parent
                    visible: window.messages.count > 0
                    model: window.messages
                    controller: window.controller
                    busy: window.inference.generating
                }

                UndoBar {
                    anchors.horizontalCenter: parent.horizontalCenter
                    anchors.bottom: parent.bottom
                    anchors.bottomMargin: Theme.spacing
                    z: 2
                    controller: window.controller
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
                id: composer
                Layout.fillWidth: true
                controller: window.controller
                inference: window.inference
            }
        }
    }

    LibraryScreen {
        id: libraryScreen
        library: window.library
        models: window.models
        inference: window.inference
        librarySettings: window.librarySettings
    }

    MemoryScreen {
        id: memoryScreen
        planner: window.memoryPlanner
        monitor: window.memoryMonitor
        inference: window.inference
        models: window.models
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
        appearance: window.appearance
        backend: window.backend
        api: window.api
        inference: window.inference
        librarySettings: window.librarySettings
    }

    RenameChatDialog {
        id: renameDialog
        anchors.centerIn: parent
        onRenameAccepted: (chatId, title) => window.controller.renameChat(chatId, title)
    }

    ChatSettingsDialog {
        id: chatSettingsDialog
        anchors.centerIn: parent
        controller: window.controller
    }

    ChatFileDialog {
        id: chatFileDialog
        controller: window.controller
    }

    ModelFileDialog {
        id: modelFileDialog
        modelsFolderUrl: window.models.folderUrl
        onModelChosen: url => window.library.loadModelUrl(url)
    }

    ModelFolderDialog {
        id: modelFolderDialog
        modelsFolderUrl: window.models.folderUrl
        onModelChosen: url => window.library.loadModelUrl(url)
    }
}

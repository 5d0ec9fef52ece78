import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The left column: the app's name, "New chat", the chat list and Settings.
Rectangle {
    id: sidebar

    required property ChatListModel chats
    required property ChatController controller

    signal renameRequested(double chatId, string title)
    signal deleteRequested(double chatId, string title)
    signal settingsRequested()

    color: Theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing * 1.5

        RowLayout {
            spacing: Theme.spacing
            Layout.bottomMargin: Theme.spacing

            Rectangle {
                implicitWidth: 30
                implicitHeight: 30
                radius: 8
                color: Theme.accent

                Label {
                    anchors.centerIn: parent
                    text: "Q"
                    color: Theme.textOnAccent
                    font.bold: true
                    font.pixelSize: 17
                }
            }

            Label {
                text: "Quanta"
                font.pixelSize: 19
                font.bold: true
                color: Theme.textPrimary
            }
        }

        Button {
            id: newChatButton
            objectName: "newChatButton"
            Layout.fillWidth: true
            implicitHeight: 40
            text: qsTr("New chat")
            icon.color: Theme.textOnAccent
            onClicked: sidebar.controller.newChat()

            contentItem: Label {
                text: "+  " + newChatButton.text
                color: Theme.textOnAccent
                font.bold: true
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                radius: Theme.radius
                color: newChatButton.down ? Theme.accentPressed
                                          : newChatButton.hovered ? Theme.accentHover : Theme.accent
            }
        }

        Label {
            text: qsTr("Chats")
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            font.bold: true
            Layout.topMargin: Theme.spacing
        }

        ListView {
            id: chatList
            objectName: "chatList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: sidebar.chats
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            delegate: ChatListItem {
                width: ListView.view.width
                currentChatId: sidebar.controller.currentChatId
                onSelected: chatId => sidebar.controller.selectChat(chatId)
                onRenameRequested: (chatId, title) => sidebar.renameRequested(chatId, title)
                onDeleteRequested: (chatId, title) => sidebar.deleteRequested(chatId, title)
            }

            Label {
                anchors.top: parent.top
                anchors.topMargin: Theme.spacing
                width: parent.width
                visible: chatList.count === 0
                text: qsTr("No chats yet. Your conversations will appear here.")
                wrapMode: Text.WordWrap
                color: Theme.textSecondary
            }
        }

        ItemDelegate {
            id: settingsButton
            objectName: "settingsButton"
            Layout.fillWidth: true
            text: qsTr("Settings")
            onClicked: sidebar.settingsRequested()

            contentItem: Label {
                text: "⚙  " + settingsButton.text
                color: Theme.textPrimary
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                radius: Theme.radius
                color: settingsButton.hovered ? Theme.sidebarHover : "transparent"
            }
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One chat in the sidebar, with a menu to rename or delete it.
ItemDelegate {
    id: item

    required property double chatId
    required property string title
    property double currentChatId: 0
    readonly property bool current: chatId === currentChatId

    signal selected(double chatId)
    signal renameRequested(double chatId, string title)
    signal deleteRequested(double chatId, string title)

    implicitHeight: 40
    onClicked: selected(chatId)

    background: Rectangle {
        radius: Theme.radius
        color: item.current ? Theme.sidebarSelected : item.hovered ? Theme.sidebarHover : "transparent"
    }

    contentItem: RowLayout {
        spacing: Theme.spacing

        Label {
            Layout.fillWidth: true
            text: item.title
            elide: Text.ElideRight
            color: Theme.textPrimary
            font.bold: item.current
        }

        ToolButton {
            id: menuButton
            objectName: "chatMenuButton"
            visible: item.hovered || item.current || chatMenu.visible
            implicitWidth: 28
            implicitHeight: 28
            text: "⋯"
            Accessible.name: qsTr("Chat actions")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Rename or delete this chat")
            onClicked: chatMenu.popup(menuButton, 0, menuButton.height)
        }
    }

    Menu {
        id: chatMenu

        MenuItem {
            objectName: "renameChatItem"
            text: qsTr("Rename…")
            onTriggered: item.renameRequested(item.chatId, item.title)
        }
        MenuItem {
            objectName: "deleteChatItem"
            text: qsTr("Delete…")
            onTriggered: item.deleteRequested(item.chatId, item.title)
        }
    }
}

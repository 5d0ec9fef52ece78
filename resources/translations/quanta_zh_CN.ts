<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatListItem</name>
    <message>
        <source>Chat actions</source>
        <translation>对话操作</translation>
    </message>
    <message>
        <source>Rename or delete this chat</source>
        <translation>重命名或删除此对话</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
</context>
<context>
    <name>ChatSidebar</name>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>No chats yet. Your conversations will appear here.</source>
        <translation>还没有对话。你的对话会显示在这里。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message the model…  (Enter to send, Shift+Enter for a new line)</source>
        <translation>给模型发消息…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <source>Load a model to start chatting</source>
        <translation>加载模型后即可开始聊天</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
</context>
<context>
    <name>DeleteChatDialog</name>
    <message>
        <source>Delete chat?</source>
        <translation>删除对话？</translation>
    </message>
    <message>
        <source>“%1” and all its messages will be deleted. This cannot be undone.</source>
        <translation>将删除“%1”及其全部消息。此操作无法撤销。</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>DeviceStatus</name>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Only %1 of %2 layers run on %3: %4</source>
        <translation>%2 层中只有 %1 层在 %3 上运行：%4</translation>
    </message>
    <message>
        <source>%1 of %2 layers run on %3.</source>
        <translation>%2 层中有 %1 层在 %3 上运行。</translation>
    </message>
    <message>
        <source>The model runs on the CPU: %1</source>
        <translation>模型在 CPU 上运行：%1</translation>
    </message>
    <message>
        <source>The model runs on the CPU.</source>
        <translation>模型在 CPU 上运行。</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>What shall we talk about?</source>
        <translation>想聊点什么？</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>尚未加载模型</translation>
    </message>
    <message>
        <source>Type a message below. Enter sends it, Shift+Enter starts a new line, Esc stops the reply.</source>
        <translation>在下方输入消息。按 Enter 发送，Shift+Enter 换行，Esc 停止回复。</translation>
    </message>
    <message>
        <source>%1 is loading. You can type your first message meanwhile.</source>
        <translation>正在加载 %1，你可以先输入第一条消息。</translation>
    </message>
    <message>
        <source>Open model file…</source>
        <translation>打开模型文件…</translation>
    </message>
    <message numerus="yes">
        <source>Choose one of the %n model(s) in your models folder from the menu at the top right, or open a model file or folder from anywhere.</source>
        <translation>
            <numerusform>模型文件夹中有 %n 个模型，可在右上角的菜单中选择；也可以打开任意位置的模型文件或文件夹。</numerusform>
        </translation>
    </message>
    <message>
        <source>Put .gguf model files or Hugging Face model folders into the models folder below and pick one from the menu at the top right, or open a model from anywhere.</source>
        <translation>将 .gguf 模型文件或 Hugging Face 模型文件夹放入下方的模型文件夹，再在右上角的菜单中选择；也可以打开任意位置的模型。</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>%1 – Quanta</source>
        <translation>%1 – Quanta</translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Interrupted: this reply was not finished.</source>
        <translation>已中断：这条回复没有完成。</translation>
    </message>
    <message>
        <source>The model ended its reply without any text.</source>
        <translation>模型结束了回复，但没有输出任何文字。</translation>
    </message>
</context>
<context>
    <name>ModelFileDialog</name>
    <message>
        <source>Open model file</source>
        <translation>打开模型文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ModelFolderDialog</name>
    <message>
        <source>Open model folder</source>
        <translation>打开模型文件夹</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Choose a model</source>
        <translation>选择模型</translation>
    </message>
    <message>
        <source>Models in %1</source>
        <translation>%1 中的模型</translation>
    </message>
    <message>
        <source>Open model file…</source>
        <translation>打开模型文件…</translation>
    </message>
    <message>
        <source>Show models folder</source>
        <translation>在文件管理器中显示模型文件夹</translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation>刷新列表</translation>
    </message>
    <message>
        <source>%1  (%2, %3)</source>
        <translation>%1  (%2，%3)</translation>
    </message>
    <message>
        <source>No .gguf files or model folders here yet</source>
        <translation>这里还没有 .gguf 文件或模型文件夹</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
</context>
<context>
    <name>RenameChatDialog</name>
    <message>
        <source>Rename chat</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <source>Chat title</source>
        <translation>对话标题</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>The best GPU. A software driver such as llvmpipe is used only when chosen here.</source>
        <translation>使用最好的 GPU。llvmpipe 这类软件驱动只有在这里选中时才会使用。</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>仅 CPU</translation>
    </message>
    <message>
        <source>Cannot be used: %1</source>
        <translation>无法使用：%1</translation>
    </message>
    <message>
        <source>Device not found (%1)</source>
        <translation>找不到设备（%1）</translation>
    </message>
    <message>
        <source>No Vulkan device with this UUID is present, so the model runs on the CPU.</source>
        <translation>没有此 UUID 对应的 Vulkan 设备，因此模型在 CPU 上运行。</translation>
    </message>
    <message>
        <source>Compute device</source>
        <translation>计算设备</translation>
    </message>
    <message>
        <source>Looking for Vulkan devices…</source>
        <translation>正在查找 Vulkan 设备…</translation>
    </message>
    <message>
        <source>Vulkan is not available, so models run on the CPU: %1</source>
        <translation>Vulkan 不可用，因此模型在 CPU 上运行：%1</translation>
    </message>
    <message>
        <source>No Vulkan device was found, so models run on the CPU.</source>
        <translation>未找到 Vulkan 设备，因此模型在 CPU 上运行。</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>The model is loaded again on the chosen device when the reply finishes.</source>
        <translation>回复结束后，模型会在所选设备上重新加载。</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>尚未加载模型</translation>
    </message>
    <message>
        <source>context %1 tokens</source>
        <translation>上下文 %1 个 token</translation>
    </message>
    <message>
        <source>last reply %1 tokens/s</source>
        <translation>上次回复 %1 token/秒</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Chat with local language models.</source>
        <translation>与本地语言模型聊天。</translation>
    </message>
    <message>
        <source>Keep chats in the SQLite database FILE (default: %1).</source>
        <translation>将对话保存在 SQLite 数据库文件 FILE 中（默认：%1）。</translation>
    </message>
    <message>
        <source>Unexpected argument: %1</source>
        <translation>无法识别的参数：%1</translation>
    </message>
    <message>
        <source>Try &apos;quanta --help&apos;.</source>
        <translation>运行 “quanta --help” 查看用法。</translation>
    </message>
    <message>
        <source>Open the model at PATH at start: a GGUF file or a Hugging Face folder.</source>
        <translation>启动时打开 PATH 处的模型：GGUF 文件或 Hugging Face 文件夹。</translation>
    </message>
    <message>
        <source>List the .gguf files and Hugging Face folders in DIR in the model picker (default: %1).</source>
        <translation>在模型选择菜单中列出 DIR 中的 .gguf 文件和 Hugging Face 文件夹（默认：%1）。</translation>
    </message>
</context>
<context>
    <name>quanta::AppContext</name>
    <message>
        <source>The chat database %1 was damaged and could not be read. It was kept as %2, and a new, empty database was created.</source>
        <translation>对话数据库 %1 已损坏，无法读取。原文件已保留为 %2，并已新建一个空数据库。</translation>
    </message>
    <message>
        <source>Chats cannot be saved: %1 Chats from this session are kept in memory and are lost when Quanta closes.</source>
        <translation>无法保存对话：%1 本次的对话只保存在内存中，关闭 Quanta 后将会丢失。</translation>
    </message>
</context>
<context>
    <name>quanta::BackendSettings</name>
    <message>
        <source>discrete GPU</source>
        <translation>独立显卡</translation>
    </message>
    <message>
        <source>integrated GPU</source>
        <translation>集成显卡</translation>
    </message>
    <message>
        <source>virtual GPU</source>
        <translation>虚拟 GPU</translation>
    </message>
    <message>
        <source>software</source>
        <translation>软件实现</translation>
    </message>
    <message>
        <source>other device</source>
        <translation>其他设备</translation>
    </message>
    <message>
        <source>about %1</source>
        <translation>约 %1</translation>
    </message>
    <message>
        <source>%1 — %2, %3</source>
        <extracomment>A compute device in the settings: its name, kind and the memory the model may use, e.g. &quot;llvmpipe (LLVM 15.0.6, 256 bits) — software, about 2.0 GiB&quot;.</extracomment>
        <translation>%1 — %2，%3</translation>
    </message>
</context>
<context>
    <name>quanta::ChatController</name>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>The reply could not start because no model is ready.</source>
        <translation>没有可用的模型，无法开始回复。</translation>
    </message>
    <message>
        <source>The reply failed: %1</source>
        <translation>回复失败：%1</translation>
    </message>
    <message>
        <source>Saving or reading chats failed: %1</source>
        <translation>保存或读取对话失败：%1</translation>
    </message>
    <message>
        <source>Loading the model failed: %1</source>
        <translation>加载模型失败：%1</translation>
    </message>
</context>
<context>
    <name>quanta::InferenceWorker</name>
    <message>
        <source>Not enough memory to load %1. Close other programs or choose a smaller model.</source>
        <translation>内存不足，无法加载 %1。请关闭其他程序，或选择更小的模型。</translation>
    </message>
    <message>
        <source>Loading %1 failed: %2</source>
        <translation>加载 %1 失败：%2</translation>
    </message>
    <message>
        <source>No model is loaded. Choose a model first.</source>
        <translation>尚未加载模型。请先选择一个模型。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template could not be used, so the prompt was written in the %1 format instead: %2</source>
        <translation>无法使用模型自带的聊天模板，因此改用 %1 格式编写提示词：%2</translation>
    </message>
</context>
<context>
    <name>quanta::ModelListModel</name>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 参数</translation>
    </message>
    <message>
        <source>%1 context</source>
        <translation>上下文 %1</translation>
    </message>
    <message>
        <source>Hugging Face folder</source>
        <translation>Hugging Face 文件夹</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>GGUF 文件</translation>
    </message>
</context>
</TS>

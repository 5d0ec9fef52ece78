<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ApiServerSection</name>
    <message>
        <source>Local API server</source>
        <translation>本地 API 服务器</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Lets programs on this computer use the loaded model through an OpenAI-compatible API. It listens on 127.0.0.1 only and has no authentication.</source>
        <translation>让本机上的程序通过与 OpenAI 兼容的 API 使用已加载的模型。它只监听 127.0.0.1，且没有身份验证。</translation>
    </message>
</context>
<context>
    <name>CatalogTab</name>
    <message>
        <source>Chat models that Quanta runs, from Hugging Face. Check each model&apos;s licence before you use it.</source>
        <translation>Quanta 可以运行的聊天模型，来自 Hugging Face。使用前请查看每个模型的许可证。</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Needs about %1</source>
        <translation>约需 %1</translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation>已加载</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
</context>
<context>
    <name>ChatFileDialog</name>
    <message>
        <source>Import chat</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <source>Export chat as JSON</source>
        <translation>将对话导出为 JSON</translation>
    </message>
    <message>
        <source>Export chat as Markdown</source>
        <translation>将对话导出为 Markdown</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Markdown files (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <source>Quanta chat files (*.json)</source>
        <translation>Quanta 对话文件 (*.json)</translation>
    </message>
</context>
<context>
    <name>ChatListItem</name>
    <message>
        <source>Chat actions</source>
        <translation>对话操作</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <source>Pin, rename, export or delete this chat</source>
        <translation>置顶、重命名、导出或删除此对话</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>导出为 Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>导出为 JSON…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ChatSettingsDialog</name>
    <message>
        <source>Chat settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Instructions the model sees before every message of this chat, e.g. &quot;Answer briefly.&quot;</source>
        <translation>模型在此对话的每条消息之前看到的指示，例如“回答要简短。”</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-k (0: off)</source>
        <translation>Top-k（0：关闭）</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Reply length limit (tokens)</source>
        <translation>回复长度上限（token）</translation>
    </message>
    <message>
        <source>Seed (empty: random)</source>
        <translation>种子（留空：随机）</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Use the default sampling settings</source>
        <translation>使用默认采样设置</translation>
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
    <message>
        <source>Search all chats</source>
        <translation>搜索所有对话</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>No messages match.</source>
        <translation>没有匹配的消息。</translation>
    </message>
    <message>
        <source>Import chat…</source>
        <translation>导入对话…</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
</context>
<context>
    <name>CompareChart</name>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL 散度</translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation>磁盘占用</translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation>生成速度（token/秒）</translation>
    </message>
    <message>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Shorter is better</source>
        <translation>越短越好</translation>
    </message>
    <message>
        <source>Longer is better</source>
        <translation>越长越好</translation>
    </message>
</context>
<context>
    <name>CompareExplanation</name>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>How much disk space the download takes. Smaller files download faster and usually need less memory, which leaves room for longer conversations.</source>
        <translation>下载后占用的磁盘空间。文件越小，下载越快，通常也越省内存，可以留出空间进行更长的对话。</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>Graphics memory the variant took on the GPU: its weights plus working buffers. A variant that does not fit runs partly on the CPU, and replies get much slower. Empty when it ran on the CPU alone.</source>
        <translation>该版本在 GPU 上占用的显存：权重加上运行时的缓冲区。放不下的版本会有一部分在 CPU 上运行，回复会明显变慢。只在 CPU 上运行时此项为空。</translation>
    </message>
    <message>
        <source>RAM growth</source>
        <translation>内存增长</translation>
    </message>
    <message>
        <source>How much the memory use of Quanta grew while the variant was loaded and running. Other programs share what is left, so on a computer with little memory pick a variant well below the free amount.</source>
        <translation>加载并运行该版本时 Quanta 的内存占用增加了多少。其余内存由其他程序共用，所以在内存较小的电脑上，应选择明显小于可用内存的版本。</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Seconds from opening the files to being ready. The first load after a restart is usually slower, because the files then come from the disk and not from the system&apos;s cache.</source>
        <translation>从打开文件到可以使用所需的秒数。重启后的第一次加载通常更慢，因为这时文件要从磁盘读取，而不是来自系统缓存。</translation>
    </message>
    <message>
        <source>Prompt tokens/s</source>
        <translation>提示词 token/秒</translation>
    </message>
    <message>
        <source>How fast the model reads your message and the conversation so far. Higher is better: it decides how long you wait before the reply starts, most of all with long chats or pasted documents.</source>
        <translation>模型读取你的消息和之前对话的速度。越高越好：它决定了回复开始前要等多久，对话很长或粘贴了文档时尤其明显。</translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation>生成 token/秒</translation>
    </message>
    <message>
        <source>How fast the reply is written. A token is about three quarters of an English word, or one or two Chinese characters. Higher is better; from about 10 tokens/s on, most people read slower than the model writes.</source>
        <translation>写出回复的速度。一个 token 大约相当于四分之三个英文单词，或一到两个汉字。越高越好；达到约 10 token/秒后，大多数人的阅读速度就跟不上模型的输出了。</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>How well the variant predicts the text: lower is better. Only compare it between variants of the same model on the same text and window. A difference of about 1% is hard to notice in a chat; several percent shows as more mistakes and less coherent replies. The ± is the statistical uncertainty.</source>
        <translation>该版本对文本的预测能力：越低越好。只应在同一模型的不同版本之间、用相同的文本和窗口比较。约 1% 的差别在聊天中很难察觉；相差几个百分点时，错误会变多，回复也更不连贯。± 后面是统计误差。</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL 散度</translation>
    </message>
    <message>
        <source>How far the variant&apos;s predictions are from the reference (the largest variant), averaged over the text; 0 means the same. It finds changes that perplexity can average away. As a rule of thumb, below about 0.01 the two behave almost alike, and above about 0.1 the difference is easy to notice.</source>
        <translation>该版本的预测与参照版本（最大的版本）相差多远，取整段文本的平均值；0 表示完全相同。它能发现困惑度在平均时掩盖掉的变化。粗略地说，低于约 0.01 时两者表现几乎一样，高于约 0.1 时差别就很容易察觉。</translation>
    </message>
    <message>
        <source>Top-token agreement</source>
        <translation>首选 token 一致率</translation>
    </message>
    <message>
        <source>How often the variant&apos;s most likely next token is the same as the reference&apos;s. Nearer to 100% means replies closer to the reference&apos;s. It is easier to read than KL divergence but misses smaller changes in confidence.</source>
        <translation>该版本最可能的下一个 token 与参照版本相同的比例。越接近 100%，回复就越接近参照版本。它比 KL 散度更直观，但察觉不到把握程度上的细小变化。</translation>
    </message>
    <message>
        <source>What the numbers mean</source>
        <translation>各项数字的含义</translation>
    </message>
    <message>
        <source>Every figure was measured on this computer, with the text, window and device shown. Speed and memory change with the device and with other running programs; the quality figures change very little.</source>
        <translation>所有数字都是在这台电脑上、用所显示的文本、窗口和设备测得的。速度和内存会随设备以及其他正在运行的程序而变化；质量指标则几乎不变。</translation>
    </message>
</context>
<context>
    <name>CompareExport</name>
    <message>
        <source>Quantization comparison</source>
        <translation>量化版本比较</translation>
    </message>
    <message>
        <source>Date: %1</source>
        <translation>日期：%1</translation>
    </message>
    <message>
        <source>Text: %1 (%2 tokens, SHA-256 `%3`)</source>
        <translation>文本：%1（%2 个 token，SHA-256 `%3`）</translation>
    </message>
    <message>
        <source>Perplexity window: %1 tokens</source>
        <translation>困惑度窗口：%1 个 token</translation>
    </message>
    <message>
        <source>Device setting: %1</source>
        <translation>设备设置：%1</translation>
    </message>
    <message>
        <source>The run was cancelled before every variant was measured.</source>
        <translation>本次运行在所有版本测完之前被取消。</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Size (MiB)</source>
        <translation>大小（MiB）</translation>
    </message>
    <message>
        <source>VRAM (MiB)</source>
        <translation>显存（MiB）</translation>
    </message>
    <message>
        <source>RAM growth (MiB)</source>
        <translation>内存增长（MiB）</translation>
    </message>
    <message>
        <source>Load (s)</source>
        <translation>加载（秒）</translation>
    </message>
    <message>
        <source>Prompt (tokens/s)</source>
        <translation>提示词（token/秒）</translation>
    </message>
    <message>
        <source>Generation (tokens/s)</source>
        <translation>生成（token/秒）</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>KL mean</source>
        <translation>KL 均值</translation>
    </message>
    <message>
        <source>KL p99</source>
        <translation>KL p99</translation>
    </message>
    <message>
        <source>Top-token agreement</source>
        <translation>首选 token 一致率</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>参照</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Writing %1 failed: %2</source>
        <translation>写入 %1 失败：%2</translation>
    </message>
    <message>
        <source>Saving %1 failed: %2</source>
        <translation>保存 %1 失败：%2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Choose a folder you can write to.</source>
        <translation>无法写入 %1：%2。请选择一个你有写入权限的文件夹。</translation>
    </message>
</context>
<context>
    <name>CompareExportDialog</name>
    <message>
        <source>Export as CSV</source>
        <translation>导出为 CSV</translation>
    </message>
    <message>
        <source>Export as Markdown</source>
        <translation>导出为 Markdown</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Markdown files (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
</context>
<context>
    <name>CompareHistory</name>
    <message>
        <source>Saved comparisons</source>
        <translation>已保存的比较</translation>
    </message>
    <message>
        <source>Delete this comparison</source>
        <translation>删除此比较</translation>
    </message>
    <message>
        <source>Finished comparisons are saved here.</source>
        <translation>完成的比较会保存在这里。</translation>
    </message>
    <message>
        <source>Delete comparison?</source>
        <translation>删除比较？</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The saved results of “%1” will be deleted. The model files stay where they are.</source>
        <translation>“%1”的已保存结果将被删除。模型文件保持不变。</translation>
    </message>
</context>
<context>
    <name>CompareResults</name>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export Markdown…</source>
        <translation>导出 Markdown…</translation>
    </message>
    <message>
        <source>Which variant is right for this computer?</source>
        <translation>哪个版本最适合这台电脑？</translation>
    </message>
    <message>
        <source>Check the variants on the left and press Compare. Each one is loaded in turn with the device from the settings, timed, and scored on the text; the largest one is the reference the others are measured against. The results are saved and can be exported.</source>
        <translation>在左侧勾选要比较的版本，然后点击“比较”。每个版本会依次用设置中的设备加载、计时，并在文本上评分；最大的版本作为参照，其余版本都与它对比。结果会被保存，也可以导出。</translation>
    </message>
</context>
<context>
    <name>CompareScreen</name>
    <message>
        <source>Compare quantizations</source>
        <translation>比较量化版本</translation>
    </message>
    <message>
        <source>Measure variants of one model on this computer, one after another, to choose which to download and use.</source>
        <translation>在这台电脑上逐个测量同一模型的不同版本，帮你选择下载和使用哪一个。</translation>
    </message>
    <message>
        <source>Back to chat</source>
        <translation>返回对话</translation>
    </message>
</context>
<context>
    <name>CompareSetup</name>
    <message>
        <source>Variants</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Check two or more files or folders of the same model, e.g. its Q4_K_M, Q8_0 and GPTQ versions.</source>
        <translation>勾选同一模型的两个或更多文件或文件夹，例如它的 Q4_K_M、Q8_0 和 GPTQ 版本。</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>No models in %1 yet. Put the variants to compare there.</source>
        <translation>%1 中还没有模型。请把要比较的版本放到这里。</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Window (tokens)</source>
        <translation>窗口（token）</translation>
    </message>
    <message>
        <source>Perplexity is measured over windows of this many tokens. Longer windows give lower perplexity and take longer.</source>
        <translation>困惑度按这么多个 token 的窗口来测量。窗口越长，困惑度越低，耗时也越长。</translation>
    </message>
    <message>
        <source>Compare %1 variants</source>
        <translation>比较 %1 个版本</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Sample stories (English)</source>
        <translation>示例故事（英文）</translation>
    </message>
    <message>
        <source>Your own file</source>
        <translation>你自己的文件</translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation>未选择文件</translation>
    </message>
</context>
<context>
    <name>CompareTable</name>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>RAM growth</source>
        <translation>内存增长</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Prompt tokens/s</source>
        <translation>提示词 token/秒</translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation>生成 token/秒</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL 散度</translation>
    </message>
    <message>
        <source>Top-token agreement</source>
        <translation>首选 token 一致率</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>参照</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
</context>
<context>
    <name>CompareTextDialog</name>
    <message>
        <source>Choose a text file</source>
        <translation>选择文本文件</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md)</source>
        <translation>文本文件 (*.txt *.md)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
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
    <name>DeleteMessageDialog</name>
    <message>
        <source>Delete message?</source>
        <translation>删除消息？</translation>
    </message>
    <message>
        <source>This message and everything after it in this chat will be deleted, including the other versions of later messages. This cannot be undone.</source>
        <translation>这条消息以及本对话中它之后的所有内容都会被删除，包括后续消息的其他版本。此操作无法撤销。</translation>
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
    <name>DeleteModelDialog</name>
    <message>
        <source>Delete model?</source>
        <translation>删除模型？</translation>
    </message>
    <message>
        <source>%1 will be deleted from the disk. Only this model&apos;s file or folder is removed; chats that used it are kept.</source>
        <translation>将从磁盘删除 %1。只删除这个模型的文件或文件夹；用过它的对话会保留。</translation>
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
    <name>DownloadJob</name>
    <message>
        <source>Cannot move %1 to %2: %3.</source>
        <translation>无法将 %1 移动到 %2：%3。</translation>
    </message>
    <message>
        <source>Cannot move %1 into %2: %3 and %4 other names for it are taken. Rename or delete some of them and resume the download.</source>
        <translation>无法将 %1 移入 %2：%3 以及另外 %4 个可用名称都已被占用。请重命名或删除其中一些，然后继续下载。</translation>
    </message>
</context>
<context>
    <name>DownloadManager</name>
    <message>
        <source>it must be a single name that does not start with a dot</source>
        <translation>它必须是一个不以点开头的单一名称</translation>
    </message>
</context>
<context>
    <name>DownloadRecord</name>
    <message>
        <source>file %1 has an invalid &quot;%2&quot;</source>
        <translation>第 %1 个文件的“%2”无效</translation>
    </message>
    <message>
        <source>not a JSON object (%1 at offset %2)</source>
        <translation>不是 JSON 对象（%1，位于偏移 %2）</translation>
    </message>
    <message>
        <source>version %1 is not supported, expected %2</source>
        <translation>不支持版本 %1，需要版本 %2</translation>
    </message>
    <message>
        <source>invalid &quot;id&quot;</source>
        <translation>“id”无效</translation>
    </message>
    <message>
        <source>invalid &quot;destinationName&quot;</source>
        <translation>“destinationName”无效</translation>
    </message>
    <message>
        <source>&quot;files&quot; has %1 entries</source>
        <translation>“files”有 %1 项</translation>
    </message>
    <message>
        <source>the name is empty</source>
        <translation>名称为空</translation>
    </message>
    <message>
        <source>the name is an absolute path</source>
        <translation>名称是绝对路径</translation>
    </message>
    <message>
        <source>the name contains a backslash or a control character</source>
        <translation>名称包含反斜杠或控制字符</translation>
    </message>
    <message>
        <source>the name has an empty, &quot;.&quot; or &quot;..&quot; part</source>
        <translation>名称中有空的、“.”或“..”部分</translation>
    </message>
</context>
<context>
    <name>DownloadsTab</name>
    <message>
        <source>No downloads. Models you download from Recommended or Search Hugging Face appear here until they are in the models folder.</source>
        <translation>没有下载任务。从“推荐”或“搜索 Hugging Face”下载的模型会显示在这里，直到它们进入模型文件夹。</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n file(s))</source>
        <translation>
            <numerusform>%1（%n 个文件）</numerusform>
        </translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>In the models folder: %1</source>
        <translation>已在模型文件夹中：%1</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/秒</translation>
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
    <name>HubSearchTab</name>
    <message>
        <source>Search models, for example &quot;qwen2.5 1.5b instruct&quot;</source>
        <translation>搜索模型，例如“qwen2.5 1.5b instruct”</translation>
    </message>
    <message>
        <source>GGUF</source>
        <translation>GGUF</translation>
    </message>
    <message>
        <source>GPTQ</source>
        <translation>GPTQ</translation>
    </message>
    <message>
        <source>AWQ</source>
        <translation>AWQ</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>No repositories found. Try other words or another format.</source>
        <translation>没有找到仓库。请换个关键词或格式再试。</translation>
    </message>
    <message>
        <source>Search Hugging Face for GGUF, GPTQ and AWQ models. Sizes and the memory each model needs are shown before you download.</source>
        <translation>在 Hugging Face 上搜索 GGUF、GPTQ 和 AWQ 模型。下载前会显示每个模型的大小和所需内存。</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Choose a repository to see its files.</source>
        <translation>选择一个仓库以查看其中的文件。</translation>
    </message>
    <message numerus="yes">
        <source>%1 model folder: %n file(s), %2</source>
        <translation>
            <numerusform>%1 模型文件夹：%n 个文件，%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Download folder</source>
        <translation>下载文件夹</translation>
    </message>
    <message>
        <source>Needs about %1</source>
        <translation>约需 %1</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
</context>
<context>
    <name>LibraryModelsTab</name>
    <message>
        <source>Models folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Change folder…</source>
        <translation>更改文件夹…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>No models here yet. Download one from Recommended or Search Hugging Face, or copy .gguf files and model folders into this folder.</source>
        <translation>这里还没有模型。可以从“推荐”或“搜索 Hugging Face”下载，或者把 .gguf 文件和模型文件夹复制到这个文件夹。</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>Needs about %1</source>
        <translation>约需 %1</translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation>已加载</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Choose another model before deleting this one.</source>
        <translation>请先选择其他模型，再删除这个模型。</translation>
    </message>
    <message>
        <source>Choose the models folder</source>
        <translation>选择模型文件夹</translation>
    </message>
</context>
<context>
    <name>LibraryScreen</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Loading %1… %2%</source>
        <translation>正在加载 %1… %2%</translation>
    </message>
    <message>
        <source>Back to chat</source>
        <translation>返回对话</translation>
    </message>
    <message>
        <source>My models (%1)</source>
        <translation>我的模型（%1）</translation>
    </message>
    <message>
        <source>Recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <source>Search Hugging Face</source>
        <translation>搜索 Hugging Face</translation>
    </message>
    <message>
        <source>Downloads (%1 active)</source>
        <translation>下载（%1 个进行中）</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载</translation>
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
    <name>MemoryFit</name>
    <message>
        <source>Memory need unknown</source>
        <translation>所需内存未知</translation>
    </message>
    <message>
        <source>Fits the GPU</source>
        <translation>可放入 GPU</translation>
    </message>
    <message>
        <source>Fits the memory</source>
        <translation>内存足够</translation>
    </message>
    <message>
        <source>Runs partly on the CPU</source>
        <translation>部分在 CPU 上运行</translation>
    </message>
    <message>
        <source>Too large for this computer</source>
        <translation>对这台电脑来说太大</translation>
    </message>
    <message>
        <source>Needs about %1: %2 of weights, %3 of KV cache for %4 tokens and %5 of buffers.</source>
        <translation>约需 %1：权重 %2，%4 个词元的 KV 缓存 %3，缓冲区 %5。</translation>
    </message>
    <message>
        <source>Needs about %1: %2 of weights and %3 of KV cache for %4 tokens.</source>
        <translation>约需 %1：权重 %2，%4 个词元的 KV 缓存 %3。</translation>
    </message>
    <message>
        <source>Needs about %1: %2 of weights and an allowance for the KV cache.</source>
        <translation>约需 %1：权重 %2，另为 KV 缓存预留了空间。</translation>
    </message>
    <message>
        <source>%1 has about %2 (its heap size; the driver reports no budget).</source>
        <translation>%1 约有 %2（显存堆大小；驱动未报告预算）。</translation>
    </message>
    <message>
        <source>%1 has %2 available.</source>
        <translation>%1 可用 %2。</translation>
    </message>
    <message>
        <source>The computer has %1 of memory.</source>
        <translation>这台电脑有 %1 内存。</translation>
    </message>
    <message>
        <source>The model runs on the CPU, and the computer has %1 of memory.</source>
        <translation>模型在 CPU 上运行，这台电脑有 %1 内存。</translation>
    </message>
</context>
<context>
    <name>MemoryPlannerPanel</name>
    <message>
        <source>Memory planner</source>
        <translation>内存规划</translation>
    </message>
    <message>
        <source>An estimate from the model file&apos;s header, before anything is loaded.</source>
        <translation>根据模型文件头估算，无需先加载模型。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Choose a model</source>
        <translation>选择模型</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>As many as fit</source>
        <translation>尽可能多</translation>
    </message>
    <message>
        <source>No estimate</source>
        <translation>无法估算</translation>
    </message>
    <message>
        <source>Fits</source>
        <translation>放得下</translation>
    </message>
    <message>
        <source>Does not fit in RAM</source>
        <translation>内存放不下</translation>
    </message>
    <message>
        <source>Does not fit the GPU budget</source>
        <translation>超出 GPU 预算</translation>
    </message>
    <message>
        <source>Every layer runs on the CPU.</source>
        <translation>所有层都在 CPU 上运行。</translation>
    </message>
    <message>
        <source>%1 of %2 layers on %3</source>
        <translation>%2 层中有 %1 层在 %3 上</translation>
    </message>
    <message>
        <source>%1, with the output</source>
        <translation>%1，输出层也在其上</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Budget (estimate: the heap size)</source>
        <translation>预算（估计值：堆大小）</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <source>No GPU</source>
        <translation>无 GPU</translation>
    </message>
    <message>
        <source>Weights on the GPU</source>
        <translation>GPU 上的权重</translation>
    </message>
    <message>
        <source>KV cache on the GPU</source>
        <translation>GPU 上的 KV 缓存</translation>
    </message>
    <message>
        <source>Activations on the GPU</source>
        <translation>GPU 上的激活值</translation>
    </message>
    <message>
        <source>Upload staging buffer (while loading)</source>
        <translation>上传暂存缓冲区（加载时）</translation>
    </message>
    <message>
        <source>GPU memory after loading (most while loading)</source>
        <translation>加载后的显存（加载过程中的峰值）</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Weights read from the mapped file</source>
        <translation>从映射文件读取的权重</translation>
    </message>
    <message>
        <source>KV cache in RAM</source>
        <translation>内存中的 KV 缓存</translation>
    </message>
    <message>
        <source>Activations in RAM</source>
        <translation>内存中的激活值</translation>
    </message>
    <message>
        <source>RAM needed</source>
        <translation>所需内存</translation>
    </message>
    <message>
        <source>Available now</source>
        <translation>当前可用</translation>
    </message>
    <message>
        <source>Weights in all</source>
        <translation>权重总计</translation>
    </message>
    <message>
        <source>KV cache in all (%1 tokens)</source>
        <translation>KV 缓存总计（%1 个 token）</translation>
    </message>
    <message>
        <source>Activations in all</source>
        <translation>激活值总计</translation>
    </message>
    <message>
        <source>Weights copied into memory (CPU layers, norms as F32, repacked GPTQ/AWQ)</source>
        <translation>复制到内存中的权重（CPU 层、F32 归一化权重、重新打包的 GPTQ/AWQ）</translation>
    </message>
</context>
<context>
    <name>MemoryScreen</name>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Plan a model&apos;s memory before loading it, and see where the memory of the loaded model goes.</source>
        <translation>在加载模型之前规划它所需的内存，并查看已加载模型的内存都用在了哪里。</translation>
    </message>
    <message>
        <source>Back to chat</source>
        <translation>返回对话</translation>
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
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <source>%1 tokens · %2 tokens/s</source>
        <translation>%1 个 token · %2 token/秒</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
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
    <name>ModelFormat</name>
    <message>
        <source>%1 %2-bit</source>
        <translation>%1 %2 位</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>每组 %1</translation>
    </message>
    <message>
        <source>one group per row</source>
        <translation>每行一组</translation>
    </message>
    <message>
        <source>act-order</source>
        <translation>act-order 排序</translation>
    </message>
    <message>
        <source>, </source>
        <comment>separator between the parts of a format</comment>
        <translation>，</translation>
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
    <message>
        <source>Manage and download models…</source>
        <translation>管理和下载模型…</translation>
    </message>
</context>
<context>
    <name>ModelsFolderSection</name>
    <message>
        <source>Models folder</source>
        <translation>模型文件夹</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>Choose the models folder</source>
        <translation>选择模型文件夹</translation>
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
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>文字大小</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Large</source>
        <translation>大</translation>
    </message>
    <message>
        <source>Larger</source>
        <translation>更大</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>个 token</translation>
    </message>
    <message>
        <source>Automatic uses the model&apos;s training context, at most 4,096 tokens. A longer context keeps more of the chat but needs more memory; changing it loads the model again.</source>
        <translation>“自动”使用模型训练时的上下文长度，最多 4096 个 token。更长的上下文能保留更多对话内容，但需要更多内存；更改后会重新加载模型。</translation>
    </message>
    <message>
        <source>This model was trained for %1 tokens, the most it can use.</source>
        <translation>此模型的训练上下文为 %1 个 token，这也是它能使用的上限。</translation>
    </message>
    <message>
        <source>The model is loaded again with these settings when the reply finishes.</source>
        <translation>回复结束后，会按这些设置重新加载模型。</translation>
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
    <message>
        <source>Compare quantizations</source>
        <translation>比较量化版本</translation>
    </message>
    <message>
        <source>Measure the size, speed and quality of several variants of a model on this computer</source>
        <translation>在这台电脑上测量同一模型多个版本的大小、速度和质量</translation>
    </message>
    <message>
        <source>Chat settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <source>This chat&apos;s system prompt and sampling settings</source>
        <translation>此对话的系统提示词和采样设置</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Your models, recommended models, Hugging Face search and downloads</source>
        <translation>你的模型、推荐模型、Hugging Face 搜索和下载</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Plan a model&apos;s GPU memory and RAM, and inspect where the memory goes</source>
        <translation>规划模型所需的显存和内存，并查看内存的去向</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <source>Deleted “%1”</source>
        <translation>已删除“%1”</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
</context>
<context>
    <name>VramInspector</name>
    <message>
        <source>VRAM inspector</source>
        <translation>显存检视器</translation>
    </message>
    <message>
        <source>The model runs on the CPU; no GPU memory is in use.</source>
        <translation>模型在 CPU 上运行，没有占用显存。</translation>
    </message>
    <message>
        <source>No GPU is chosen, and no model is loaded.</source>
        <translation>没有选择 GPU，也没有加载模型。</translation>
    </message>
    <message>
        <source>%1, running %2 of %3 layers</source>
        <translation>%1，运行 %3 层中的 %2 层</translation>
    </message>
    <message>
        <source>%1, with no model loaded on it</source>
        <translation>%1，其上没有加载模型</translation>
    </message>
    <message>
        <source>Memory heaps</source>
        <translation>内存堆</translation>
    </message>
    <message>
        <source>Heap %1, device-local, %2</source>
        <translation>堆 %1，设备本地，%2</translation>
    </message>
    <message>
        <source>Heap %1, %2</source>
        <translation>堆 %1，%2</translation>
    </message>
    <message>
        <source>The last five minutes</source>
        <translation>最近五分钟</translation>
    </message>
    <message>
        <source>The chart is not available in this build of Quanta.</source>
        <translation>此版本的 Quanta 无法显示图表。</translation>
    </message>
    <message>
        <source>Quanta&apos;s GPU memory by category</source>
        <translation>Quanta 的显存（按类别）</translation>
    </message>
    <message>
        <source>In all</source>
        <translation>总计</translation>
    </message>
    <message>
        <source>Weights per layer</source>
        <translation>每层权重</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>KV cache of the CPU layers</source>
        <translation>CPU 层的 KV 缓存</translation>
    </message>
    <message>
        <source>Activations of the CPU</source>
        <translation>CPU 的激活值</translation>
    </message>
    <message>
        <source>Quanta&apos;s resident memory (all of the process)</source>
        <translation>Quanta 的常驻内存（整个进程）</translation>
    </message>
    <message>
        <source>Speed of the last reply</source>
        <translation>上一条回复的速度</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 token/秒</translation>
    </message>
    <message>
        <source>No reply yet</source>
        <translation>尚无回复</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Seconds before now</source>
        <translation>距现在的秒数</translation>
    </message>
    <message>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <source>Quanta&apos;s GPU memory</source>
        <translation>Quanta 的显存</translation>
    </message>
    <message>
        <source>Heaps: Quanta&apos;s blocks (no driver figures)</source>
        <translation>内存堆：Quanta 的内存块（驱动未提供数据）</translation>
    </message>
    <message>
        <source>Heaps in use (driver)</source>
        <translation>内存堆已用（驱动数据）</translation>
    </message>
    <message>
        <source>Process RAM</source>
        <translation>进程内存</translation>
    </message>
    <message>
        <source>… of which mapped files, such as the token embedding</source>
        <translation>……其中映射文件（如词元嵌入）</translation>
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
    <name>quanta::ApiServer</name>
    <message>
        <source>Port %1 is already in use by another program. Choose another port.</source>
        <translation>端口 %1 已被其他程序占用。请选择其他端口。</translation>
    </message>
    <message>
        <source>The API server cannot listen on 127.0.0.1:%1: %2</source>
        <translation>API 服务器无法监听 127.0.0.1:%1：%2</translation>
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
    <message>
        <source>Comparisons cannot be saved: %1 Results from this session are kept in memory and are lost when Quanta closes.</source>
        <translation>无法保存比较结果：%1 本次会话的结果保存在内存中，Quanta 关闭后将丢失。</translation>
    </message>
    <message>
        <source>The chat database %1 is read-only. Your chats can be read, but new messages are kept in memory only and are lost when Quanta closes.</source>
        <translation>对话数据库 %1 是只读的。你可以查看已有对话，但新消息只保存在内存中，关闭 Quanta 后将会丢失。</translation>
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
    <name>quanta::CatalogModel</name>
    <message>
        <source>about %1</source>
        <translation>约 %1</translation>
    </message>
    <message>
        <source>%1 parameters · %2 · %3 context · licence %4</source>
        <translation>%1 参数 · %2 · %3 上下文 · 许可证 %4</translation>
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
    <message>
        <source>Exporting the chat to %1 failed: %2</source>
        <translation>将对话导出到 %1 失败：%2</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Importing %1 failed: %2</source>
        <translation>导入 %1 失败：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier message(s) did not fit in the model&apos;s context of %1 tokens, so this reply was written without them.</source>
        <translation>
            <numerusform>有 %n 条较早的消息超出了模型 %1 个 token 的上下文，因此这条回复是在没有它们的情况下生成的。</numerusform>
        </translation>
    </message>
    <message>
        <source>Importing %1 failed: the file has %2 bytes, more than a chat export can have (%3).</source>
        <translation>导入 %1 失败：该文件有 %2 字节，超过了对话导出文件的上限（%3）。</translation>
    </message>
</context>
<context>
    <name>quanta::ChatSearchModel</name>
    <message>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
</context>
<context>
    <name>quanta::CompareController</name>
    <message>
        <source>%1 tokens</source>
        <translation>%1 个 token</translation>
    </message>
    <message>
        <source>window of %1 tokens</source>
        <translation>窗口 %1 个 token</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>A comparison is running already. Wait for it to finish, or cancel it.</source>
        <translation>已有比较正在运行。请等它完成，或取消它。</translation>
    </message>
    <message>
        <source>Choose at least two variants of the model to compare.</source>
        <translation>请至少选择该模型的两个版本进行比较。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>The comparison could not be saved: %1</source>
        <translation>无法保存比较结果：%1</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>第 %1 个，共 %2 个</translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation>%1（%2）：%3</translation>
    </message>
    <message>
        <source>Wait for the running comparison to finish, or cancel it, before opening another one.</source>
        <translation>请等正在运行的比较完成或将其取消，再打开其他比较。</translation>
    </message>
    <message>
        <source>The comparison could not be opened: %1</source>
        <translation>无法打开比较：%1</translation>
    </message>
    <message>
        <source>The comparison could not be deleted: %1</source>
        <translation>无法删除比较：%1</translation>
    </message>
    <message>
        <source>%1  ·  %2  ·  window of %3 tokens</source>
        <translation>%1  ·  %2  ·  窗口 %3 个 token</translation>
    </message>
    <message>
        <source>Saved comparisons could not be read: %1</source>
        <translation>无法读取已保存的比较：%1</translation>
    </message>
</context>
<context>
    <name>quanta::CompareResultModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 ± %2</source>
        <translation>%1 ± %2</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Not measured: the run was cancelled</source>
        <translation>未测量：运行已取消</translation>
    </message>
    <message>
        <source>Computing the SHA-256 hash… %1%</source>
        <translation>正在计算 SHA-256 哈希… %1%</translation>
    </message>
    <message>
        <source>Loading… %1%</source>
        <translation>正在加载… %1%</translation>
    </message>
    <message>
        <source>Measuring speed…</source>
        <translation>正在测量速度…</translation>
    </message>
    <message>
        <source>Measuring perplexity… %1%</source>
        <translation>正在测量困惑度… %1%</translation>
    </message>
</context>
<context>
    <name>quanta::CompareWorker</name>
    <message>
        <source>Cannot create a temporary folder for the reference logits in %1: %2</source>
        <translation>无法在 %1 中为参照 logits 创建临时文件夹：%2</translation>
    </message>
    <message>
        <source>Not enough memory to measure %1. Close other programs, or compare smaller variants.</source>
        <translation>内存不足，无法测量 %1。请关闭其他程序，或比较更小的版本。</translation>
    </message>
</context>
<context>
    <name>quanta::DownloadJob</name>
    <message>
        <source>Not enough free space to download %1: it needs %2 more and %3 to spare, but %4 has %5 free. Free some space, then resume the download.</source>
        <translation>可用空间不足，无法下载 %1：还需要 %2，另需预留 %3，但 %4 只有 %5 可用。请释放一些空间，然后继续下载。</translation>
    </message>
    <message>
        <source>Cannot read %1 to continue the download. Cancel the download and start it again.</source>
        <translation>无法读取 %1 以继续下载。请取消此下载并重新开始。</translation>
    </message>
    <message>
        <source>Cannot open %1 for writing: %2.</source>
        <translation>无法打开 %1 进行写入：%2。</translation>
    </message>
    <message>
        <source>Cannot truncate %1: %2.</source>
        <translation>无法截断 %1：%2。</translation>
    </message>
    <message>
        <source>%1 has %2 bytes on the server, but %3 were expected. The file on the server may have changed.</source>
        <translation>服务器上的 %1 有 %2 字节，但预期为 %3 字节。服务器上的文件可能已更改。</translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Free some space on the disk, then resume the download.</source>
        <translation>无法写入 %1：%2。请释放一些磁盘空间，然后继续下载。</translation>
    </message>
    <message>
        <source>the connection ended after %1 of %2 bytes</source>
        <translation>连接在收到 %2 字节中的 %1 字节后中断</translation>
    </message>
    <message>
        <source>Download of %1 failed: the server answered HTTP %2 %3.</source>
        <translation>下载 %1 失败：服务器返回 HTTP %2 %3。</translation>
    </message>
    <message>
        <source>Download of %1 failed: %2.</source>
        <translation>下载 %1 失败：%2。</translation>
    </message>
    <message>
        <source>the server answered HTTP %1 %2</source>
        <translation>服务器返回 HTTP %1 %2</translation>
    </message>
    <message>
        <source>no data arrived for %1 seconds</source>
        <translation>%1 秒内没有收到数据</translation>
    </message>
    <message>
        <source>Download of %1 failed after %2 tries: %3.</source>
        <translation>下载 %1 在尝试 %2 次后失败：%3。</translation>
    </message>
    <message>
        <source>the download request</source>
        <translation>下载请求</translation>
    </message>
    <message>
        <source>the server&apos;s X-Linked-Etag header</source>
        <translation>服务器的 X-Linked-Etag 标头</translation>
    </message>
    <message>
        <source>%1 is corrupt: its SHA-256 is %2, but %3 expects %4. The file was deleted; resume the download to fetch it again.</source>
        <translation>%1 已损坏：它的 SHA-256 是 %2，但%3要求为 %4。该文件已删除；请继续下载以重新获取。</translation>
    </message>
    <message>
        <source>Cannot move %1 to %2 to finish the download.</source>
        <translation>无法将 %1 移动到 %2 以完成下载。</translation>
    </message>
</context>
<context>
    <name>quanta::DownloadListModel</name>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Checking the downloaded part</source>
        <translation>正在检查已下载的部分</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>正在下载</translation>
    </message>
    <message>
        <source>Waiting to retry</source>
        <translation>等待重试</translation>
    </message>
    <message>
        <source>Moving into the models folder</source>
        <translation>正在移入模型文件夹</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>quanta::DownloadManager</name>
    <message>
        <source>its id %1 differs from its folder&apos;s name</source>
        <translation>它的 ID %1 与所在文件夹的名称不一致</translation>
    </message>
    <message>
        <source>The download state %1 is unreadable: %2. Cancel this download to delete its files.</source>
        <translation>下载状态文件 %1 无法读取：%2。请取消此下载以删除其文件。</translation>
    </message>
    <message>
        <source>Invalid download URL %1: expected an http:// or https:// address.</source>
        <translation>下载地址 %1 无效：需要 http:// 或 https:// 地址。</translation>
    </message>
    <message>
        <source>Cannot tell a file name from the URL %1; give the file a name.</source>
        <translation>无法从地址 %1 得出文件名；请为文件指定名称。</translation>
    </message>
    <message>
        <source>Invalid file name &quot;%1&quot; for %2: %3.</source>
        <translation>%2 的文件名“%1”无效：%3。</translation>
    </message>
    <message>
        <source>the name is reserved</source>
        <translation>该名称是保留名称</translation>
    </message>
    <message>
        <source>Two files of the download are named &quot;%1&quot;.</source>
        <translation>此下载中有两个文件都名为“%1”。</translation>
    </message>
    <message>
        <source>Invalid SHA-256 &quot;%1&quot; for %2: expected 64 hexadecimal digits.</source>
        <translation>%2 的 SHA-256“%1”无效：需要 64 位十六进制数字。</translation>
    </message>
    <message>
        <source>The download has no files.</source>
        <translation>此下载不包含任何文件。</translation>
    </message>
    <message>
        <source>A download of several files needs a folder name.</source>
        <translation>包含多个文件的下载需要一个文件夹名称。</translation>
    </message>
    <message>
        <source>Invalid model name &quot;%1&quot;: %2.</source>
        <translation>模型名称“%1”无效：%2。</translation>
    </message>
    <message>
        <source>%1 is in the models folder already. Delete or rename it, or download under another name.</source>
        <translation>模型文件夹中已有 %1。请删除或重命名它，或者用其他名称下载。</translation>
    </message>
    <message>
        <source>%1 is being downloaded already; resume or cancel that download.</source>
        <translation>%1 已在下载中；请继续或取消该下载。</translation>
    </message>
    <message>
        <source>Cannot create the download folder %1: %2</source>
        <translation>无法创建下载文件夹 %1：%2</translation>
    </message>
    <message>
        <source>permission denied or the disk is full</source>
        <translation>权限不足或磁盘已满</translation>
    </message>
</context>
<context>
    <name>quanta::HubFileListModel</name>
    <message>
        <source>size unknown</source>
        <translation>大小未知</translation>
    </message>
    <message>
        <source>Split into several files, which Quanta cannot load yet.</source>
        <translation>拆分为多个文件，Quanta 暂时无法加载。</translation>
    </message>
</context>
<context>
    <name>quanta::HubRepositoryListModel</name>
    <message>
        <source>%1 downloads</source>
        <translation>%1 次下载</translation>
    </message>
</context>
<context>
    <name>quanta::HuggingFaceSearch</name>
    <message>
        <source>Hugging Face sent %1, more than a search or file list can be. Try again later.</source>
        <translation>Hugging Face 发来了 %1，超出了搜索结果或文件列表应有的大小。请稍后再试。</translation>
    </message>
    <message>
        <source>Unknown format &quot;%1&quot;: choose GGUF, GPTQ or AWQ.</source>
        <translation>未知格式“%1”：请选择 GGUF、GPTQ 或 AWQ。</translation>
    </message>
    <message>
        <source>the model search at %1</source>
        <translation>%1 上的模型搜索</translation>
    </message>
    <message>
        <source>Hugging Face sent a search response that cannot be read: %1.</source>
        <translation>Hugging Face 返回的搜索结果无法读取：%1。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a Hugging Face repository name (owner/name).</source>
        <translation>“%1”不是 Hugging Face 仓库名（所有者/名称）。</translation>
    </message>
    <message>
        <source>the repository %1</source>
        <translation>仓库 %1</translation>
    </message>
    <message>
        <source>Hugging Face sent a file list for %1 that cannot be read: %2.</source>
        <translation>Hugging Face 返回的 %1 文件列表无法读取：%2。</translation>
    </message>
    <message>
        <source>Hugging Face turned the request down because it received too many (HTTP 429). Wait a minute and try again.</source>
        <translation>Hugging Face 收到的请求过多，拒绝了这次请求（HTTP 429）。请等一分钟再试。</translation>
    </message>
    <message>
        <source>Hugging Face could not find %1 (HTTP 404). Check the name.</source>
        <translation>Hugging Face 找不到%1（HTTP 404）。请检查名称。</translation>
    </message>
    <message>
        <source>Hugging Face answered HTTP %1 for %2. Try again later.</source>
        <translation>Hugging Face 对%2返回了 HTTP %1。请稍后再试。</translation>
    </message>
    <message>
        <source>The request for %1 timed out. Check the internet connection and try again.</source>
        <translation>对%1的请求超时。请检查网络连接后再试。</translation>
    </message>
    <message>
        <source>Cannot reach %1: %2. Check the internet connection.</source>
        <translation>无法连接 %1：%2。请检查网络连接。</translation>
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
    <name>quanta::LibrarySettings</name>
    <message>
        <source>Choose a folder for the models.</source>
        <translation>请为模型选择一个文件夹。</translation>
    </message>
    <message>
        <source>%1 is a file, not a folder. Choose a folder for the models.</source>
        <translation>%1 是文件，不是文件夹。请为模型选择一个文件夹。</translation>
    </message>
    <message>
        <source>Cannot create the folder %1. Check the permissions of the folder above it.</source>
        <translation>无法创建文件夹 %1。请检查上级文件夹的权限。</translation>
    </message>
    <message>
        <source>The folder %1 is not writable: %2. Choose a folder you can write to.</source>
        <translation>文件夹 %1 不可写：%2。请选择一个可写的文件夹。</translation>
    </message>
    <message>
        <source>%1 is not a folder on this computer.</source>
        <translation>%1 不是这台电脑上的文件夹。</translation>
    </message>
</context>
<context>
    <name>quanta::MemoryMonitor</name>
    <message>
        <source>Quanta&apos;s own allocations: %1 of %2 in memory blocks, of which its buffers use %3. The driver reports no budget or usage (VK_EXT_memory_budget), so the budget is the heap size, an estimate, and other programs&apos; memory is not shown.</source>
        <translation>Quanta 自身的分配：%2 中的 %1 为内存块，其中缓冲区使用了 %3。驱动没有提供预算和用量（VK_EXT_memory_budget），因此预算取堆大小，只是估计值，也不显示其他程序占用的内存。</translation>
    </message>
    <message>
        <source>%1 in use of a %2 budget (this process, from the driver); Quanta&apos;s memory blocks: %3.</source>
        <translation>预算 %2 中已用 %1（本进程，来自驱动）；Quanta 的内存块：%3。</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <source>Activations (scratch)</source>
        <translation>激活值（临时缓冲区）</translation>
    </message>
    <message>
        <source>Staging (uploads)</source>
        <translation>暂存（上传）</translation>
    </message>
    <message>
        <source>Output and RoPE divisors</source>
        <translation>输出层与 RoPE 除数</translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation>第 %1 层</translation>
    </message>
</context>
<context>
    <name>quanta::MemoryPlanner</name>
    <message>
        <source>The model cannot be planned: %1</source>
        <translation>无法为该模型做内存规划：%1</translation>
    </message>
    <message numerus="yes">
        <source>All %n layer(s) run on %1, which needs %2 of its %3 budget.</source>
        <translation>
            <numerusform>全部 %n 层都在 %1 上运行，需要占用其 %3 预算中的 %2。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n layer(s) run on %2, which needs %3 of its %4 budget; the other layers run on the CPU.</source>
        <translation>
            <numerusform>%n 层中有 %1 层在 %2 上运行，需要占用其 %4 预算中的 %3；其余各层在 CPU 上运行。</numerusform>
        </translation>
    </message>
    <message>
        <source>No layer fits the %1 budget of %2, so the model runs on the CPU.</source>
        <translation>%2 的 %1 预算放不下任何一层，因此模型在 CPU 上运行。</translation>
    </message>
    <message>
        <source>The model runs on the CPU: %1.</source>
        <translation>模型在 CPU 上运行：%1。</translation>
    </message>
    <message>
        <source>The model runs on the CPU.</source>
        <translation>模型在 CPU 上运行。</translation>
    </message>
    <message>
        <source>That is more than the budget, so loading may run fewer layers there; choose fewer GPU layers or a shorter context.</source>
        <translation>这超出了预算，因此加载时可能会少放几层到 GPU 上；请减少 GPU 层数或缩短上下文。</translation>
    </message>
    <message>
        <source>The driver reports no memory budget, so the budget is an estimate from the heap size.</source>
        <translation>驱动没有提供内存预算，因此预算是根据堆大小估计的。</translation>
    </message>
    <message>
        <source>The computer needs %1 of RAM: %2 of weights read from the file, %3 of weights copied into memory, %4 of KV cache and %5 of activations.</source>
        <translation>需要 %1 内存：从文件读取的权重 %2，复制到内存中的权重 %3，KV 缓存 %4，激活值 %5。</translation>
    </message>
    <message>
        <source>That is more than the %1 of memory available now.</source>
        <translation>这超过了当前可用的 %1 内存。</translation>
    </message>
</context>
<context>
    <name>quanta::MessageListModel</name>
    <message>
        <source>This message has %1 characters, so only the first %2 are shown, as plain text. Copy or export the chat to read all of it.</source>
        <translation>这条消息有 %1 个字符，因此只以纯文本显示前 %2 个。复制或导出对话即可阅读全文。</translation>
    </message>
</context>
<context>
    <name>quanta::ModelLibrary</name>
    <message>
        <source>Estimates are for %1 with %2 of memory for models, and %3 of system memory.</source>
        <translation>估算基于 %1（可供模型使用 %2）和 %3 系统内存。</translation>
    </message>
    <message>
        <source>Estimates are for the CPU with %1 of system memory.</source>
        <translation>估算基于 CPU 和 %1 系统内存。</translation>
    </message>
    <message>
        <source>The memory of this computer is unknown, so no estimate says whether a model fits.</source>
        <translation>无法得知这台电脑的内存，因此无法估算模型是否放得下。</translation>
    </message>
    <message numerus="yes">
        <source>%n second(s) left</source>
        <translation>
            <numerusform>剩余 %n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s) left</source>
        <translation>
            <numerusform>剩余 %n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min left</source>
        <translation>剩余 %1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>%1 is not a model in the models folder, so it was not deleted.</source>
        <translation>%1 不是模型文件夹中的模型，因此没有删除。</translation>
    </message>
    <message>
        <source>%1 is in use. Choose another model first, then delete this one.</source>
        <translation>%1 正在使用中。请先选择其他模型，再删除这个模型。</translation>
    </message>
    <message>
        <source>some files could not be removed</source>
        <translation>有些文件无法删除</translation>
    </message>
    <message>
        <source>Deleting %1 failed: %2.</source>
        <translation>删除 %1 失败：%2。</translation>
    </message>
    <message>
        <source>No file manager could open %1.</source>
        <translation>没有文件管理器能打开 %1。</translation>
    </message>
    <message>
        <source>The catalog has no model &quot;%1&quot;.</source>
        <translation>目录中没有模型“%1”。</translation>
    </message>
    <message>
        <source>%1 is not a GGUF file that Quanta can download from %2.</source>
        <translation>%1 不是 Quanta 能从 %2 下载的 GGUF 文件。</translation>
    </message>
    <message>
        <source>%1 is not a GPTQ, AWQ or safetensors model folder.</source>
        <translation>%1 不是 GPTQ、AWQ 或 safetensors 模型文件夹。</translation>
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

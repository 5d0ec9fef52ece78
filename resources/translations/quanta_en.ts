<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ApiServerSection</name>
    <message>
        <source>Local API server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lets programs on this computer use the loaded model through an OpenAI-compatible API. It listens on 127.0.0.1 only and has no authentication.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CatalogTab</name>
    <message>
        <source>Chat models that Quanta runs, from Hugging Face. Check each model&apos;s licence before you use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs about %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatFileDialog</name>
    <message>
        <source>Import chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export chat as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export chat as Markdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Markdown files (*.md)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quanta chat files (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatListItem</name>
    <message>
        <source>Chat actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pin, rename, export or delete this chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatSettingsDialog</name>
    <message>
        <source>Chat settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instructions the model sees before every message of this chat, e.g. &quot;Answer briefly.&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-k (0: off)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply length limit (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed (empty: random)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>random</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the default sampling settings</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatSidebar</name>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No chats yet. Your conversations will appear here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search all chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No messages match.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import chat…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <source>code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareChart</name>
    <message>
        <source>Perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shorter is better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longer is better</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareExplanation</name>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much disk space the download takes. Smaller files download faster and usually need less memory, which leaves room for longer conversations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graphics memory the variant took on the GPU: its weights plus working buffers. A variant that does not fit runs partly on the CPU, and replies get much slower. Empty when it ran on the CPU alone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM growth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much the memory use of Quanta grew while the variant was loaded and running. Other programs share what is left, so on a computer with little memory pick a variant well below the free amount.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds from opening the files to being ready. The first load after a restart is usually slower, because the files then come from the disk and not from the system&apos;s cache.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How fast the model reads your message and the conversation so far. Higher is better: it decides how long you wait before the reply starts, most of all with long chats or pasted documents.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How fast the reply is written. A token is about three quarters of an English word, or one or two Chinese characters. Higher is better; from about 10 tokens/s on, most people read slower than the model writes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How well the variant predicts the text: lower is better. Only compare it between variants of the same model on the same text and window. A difference of about 1% is hard to notice in a chat; several percent shows as more mistakes and less coherent replies. The ± is the statistical uncertainty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How far the variant&apos;s predictions are from the reference (the largest variant), averaged over the text; 0 means the same. It finds changes that perplexity can average away. As a rule of thumb, below about 0.01 the two behave almost alike, and above about 0.1 the difference is easy to notice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-token agreement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How often the variant&apos;s most likely next token is the same as the reference&apos;s. Nearer to 100% means replies closer to the reference&apos;s. It is easier to read than KL divergence but misses smaller changes in confidence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the numbers mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every figure was measured on this computer, with the text, window and device shown. Speed and memory change with the device and with other running programs; the quality figures change very little.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareExport</name>
    <message>
        <source>Quantization comparison</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text: %1 (%2 tokens, SHA-256 `%3`)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity window: %1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device setting: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run was cancelled before every variant was measured.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size (MiB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VRAM (MiB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM growth (MiB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt (tokens/s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation (tokens/s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KL mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KL p99</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-token agreement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Choose a folder you can write to.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareExportDialog</name>
    <message>
        <source>Export as CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export as Markdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Markdown files (*.md)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareHistory</name>
    <message>
        <source>Saved comparisons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete this comparison</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished comparisons are saved here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete comparison?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The saved results of “%1” will be deleted. The model files stay where they are.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareResults</name>
    <message>
        <source>Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which variant is right for this computer?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the variants on the left and press Compare. Each one is loaded in turn with the device from the settings, timed, and scored on the text; the largest one is the reference the others are measured against. The results are saved and can be exported.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareScreen</name>
    <message>
        <source>Compare quantizations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measure variants of one model on this computer, one after another, to choose which to download and use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to chat</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareSetup</name>
    <message>
        <source>Variants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check two or more files or folders of the same model, e.g. its Q4_K_M, Q8_0 and GPTQ versions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No models in %1 yet. Put the variants to compare there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity is measured over windows of this many tokens. Longer windows give lower perplexity and take longer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare %1 variants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample stories (English)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your own file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareTable</name>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM growth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-token agreement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareTextDialog</name>
    <message>
        <source>Choose a text file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text files (*.txt *.md)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message the model…  (Enter to send, Shift+Enter for a new line)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a model to start chatting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeleteMessageDialog</name>
    <message>
        <source>Delete message?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This message and everything after it in this chat will be deleted, including the other versions of later messages. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeleteModelDialog</name>
    <message>
        <source>Delete model?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 will be deleted from the disk. Only this model&apos;s file or folder is removed; chats that used it are kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeviceStatus</name>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only %1 of %2 layers run on %3: %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 layers run on %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model runs on the CPU: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model runs on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DownloadJob</name>
    <message>
        <source>Cannot move %1 to %2: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot move %1 into %2: %3 and %4 other names for it are taken. Rename or delete some of them and resume the download.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DownloadManager</name>
    <message>
        <source>it must be a single name that does not start with a dot</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DownloadRecord</name>
    <message>
        <source>file %1 has an invalid &quot;%2&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not a JSON object (%1 at offset %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>version %1 is not supported, expected %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid &quot;id&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid &quot;destinationName&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;files&quot; has %1 entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name is an absolute path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name contains a backslash or a control character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name has an empty, &quot;.&quot; or &quot;..&quot; part</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DownloadsTab</name>
    <message>
        <source>No downloads. Models you download from Recommended or Search Hugging Face appear here until they are in the models folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n file(s))</source>
        <translation>
            <numerusform>%1 (%n file)</numerusform>
            <numerusform>%1 (%n files)</numerusform>
        </translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In the models folder: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>What shall we talk about?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a message below. Enter sends it, Shift+Enter starts a new line, Esc stops the reply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is loading. You can type your first message meanwhile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Choose one of the %n model(s) in your models folder from the menu at the top right, or open a model file or folder from anywhere.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Put .gguf model files or Hugging Face model folders into the models folder below and pick one from the menu at the top right, or open a model from anywhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HubSearchTab</name>
    <message>
        <source>Search models, for example &quot;qwen2.5 1.5b instruct&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GGUF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPTQ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AWQ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No repositories found. Try other words or another format.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search Hugging Face for GGUF, GPTQ and AWQ models. Sizes and the memory each model needs are shown before you download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a repository to see its files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 model folder: %n file(s), %2</source>
        <translation>
            <numerusform>%1 model folder: %n file, %2</numerusform>
            <numerusform>%1 model folder: %n files, %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Download folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs about %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LibraryModelsTab</name>
    <message>
        <source>Models folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No models here yet. Download one from Recommended or Search Hugging Face, or copy .gguf files and model folders into this folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs about %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another model before deleting this one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the models folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LibraryScreen</name>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1… %2%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My models (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recommended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search Hugging Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloads (%1 active)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>%1 – Quanta</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MemoryFit</name>
    <message>
        <source>Memory need unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fits the GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fits the memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs partly on the CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too large for this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs about %1: %2 of weights, %3 of KV cache for %4 tokens and %5 of buffers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs about %1: %2 of weights and %3 of KV cache for %4 tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs about %1: %2 of weights and an allowance for the KV cache.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has about %2 (its heap size; the driver reports no budget).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has %2 available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The computer has %1 of memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model runs on the CPU, and the computer has %1 of memory.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MemoryPlannerPanel</name>
    <message>
        <source>Memory planner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An estimate from the model file&apos;s header, before anything is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As many as fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No estimate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Does not fit in RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Does not fit the GPU budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every layer runs on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 layers on %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, with the output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Budget (estimate: the heap size)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights on the GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KV cache on the GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activations on the GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload staging buffer (while loading)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU memory after loading (most while loading)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights read from the mapped file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KV cache in RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activations in RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Available now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights in all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KV cache in all (%1 tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activations in all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights copied into memory (CPU layers, norms as F32, repacked GPTQ/AWQ)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MemoryScreen</name>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan a model&apos;s memory before loading it, and see where the memory of the loaded model goes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to chat</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted: this reply was not finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model ended its reply without any text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens · %2 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelFileDialog</name>
    <message>
        <source>Open model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelFolderDialog</name>
    <message>
        <source>Open model folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelFormat</name>
    <message>
        <source>%1 %2-bit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>group %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one group per row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>act-order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, </source>
        <comment>separator between the parts of a format</comment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Choose a model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show models folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  (%2, %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No .gguf files or model folders here yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manage and download models…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelsFolderSection</name>
    <message>
        <source>Models folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the models folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RenameChatDialog</name>
    <message>
        <source>Rename chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat title</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The best GPU. A software driver such as llvmpipe is used only when chosen here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device not found (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No Vulkan device with this UUID is present, so the model runs on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking for Vulkan devices…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vulkan is not available, so models run on the CPU: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No Vulkan device was found, so models run on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Larger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic uses the model&apos;s training context, at most 4,096 tokens. A longer context keeps more of the chat but needs more memory; changing it loads the model again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This model was trained for %1 tokens, the most it can use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model is loaded again with these settings when the reply finishes.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>context %1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last reply %1 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare quantizations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measure the size, speed and quality of several variants of a model on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This chat&apos;s system prompt and sampling settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your models, recommended models, Hugging Face search and downloads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan a model&apos;s GPU memory and RAM, and inspect where the memory goes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <source>Deleted “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VramInspector</name>
    <message>
        <source>VRAM inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model runs on the CPU; no GPU memory is in use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No GPU is chosen, and no model is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, running %2 of %3 layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, with no model loaded on it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory heaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heap %1, device-local, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heap %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last five minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chart is not available in this build of Quanta.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quanta&apos;s GPU memory by category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights per layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KV cache of the CPU layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activations of the CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quanta&apos;s resident memory (all of the process)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed of the last reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No reply yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds before now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quanta&apos;s GPU memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heaps: Quanta&apos;s blocks (no driver figures)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heaps in use (driver)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Process RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>… of which mapped files, such as the token embedding</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Chat with local language models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep chats in the SQLite database FILE (default: %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected argument: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try &apos;quanta --help&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the model at PATH at start: a GGUF file or a Hugging Face folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the .gguf files and Hugging Face folders in DIR in the model picker (default: %1).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::ApiServer</name>
    <message>
        <source>Port %1 is already in use by another program. Choose another port.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The API server cannot listen on 127.0.0.1:%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::AppContext</name>
    <message>
        <source>The chat database %1 was damaged and could not be read. It was kept as %2, and a new, empty database was created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chats cannot be saved: %1 Chats from this session are kept in memory and are lost when Quanta closes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparisons cannot be saved: %1 Results from this session are kept in memory and are lost when Quanta closes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chat database %1 is read-only. Your chats can be read, but new messages are kept in memory only and are lost when Quanta closes.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::BackendSettings</name>
    <message>
        <source>discrete GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>integrated GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>virtual GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>software</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>other device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>about %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2, %3</source>
        <extracomment>A compute device in the settings: its name, kind and the memory the model may use, e.g. &quot;llvmpipe (LLVM 15.0.6, 256 bits) — software, about 2.0 GiB&quot;.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::CatalogModel</name>
    <message>
        <source>about %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 parameters · %2 · %3 context · licence %4</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::ChatController</name>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reply could not start because no model is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reply failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving or reading chats failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the model failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting the chat to %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n earlier message(s) did not fit in the model&apos;s context of %1 tokens, so this reply was written without them.</source>
        <translation>
            <numerusform>%n earlier message did not fit in the model&apos;s context of %1 tokens, so this reply was written without them.</numerusform>
            <numerusform>%n earlier messages did not fit in the model&apos;s context of %1 tokens, so this reply was written without them.</numerusform>
        </translation>
    </message>
    <message>
        <source>Importing %1 failed: the file has %2 bytes, more than a chat export can have (%3).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::ChatSearchModel</name>
    <message>
        <source>Search failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::CompareController</name>
    <message>
        <source>%1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>window of %1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A comparison is running already. Wait for it to finish, or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least two variants of the model to compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The comparison could not be saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the running comparison to finish, or cancel it, before opening another one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The comparison could not be opened: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The comparison could not be deleted: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  ·  %2  ·  window of %3 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved comparisons could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::CompareResultModel</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ± %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not measured: the run was cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing the SHA-256 hash… %1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading… %1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measuring speed…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measuring perplexity… %1%</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::CompareWorker</name>
    <message>
        <source>Cannot create a temporary folder for the reference logits in %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not enough memory to measure %1. Close other programs, or compare smaller variants.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::DownloadJob</name>
    <message>
        <source>Not enough free space to download %1: it needs %2 more and %3 to spare, but %4 has %5 free. Free some space, then resume the download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1 to continue the download. Cancel the download and start it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1 for writing: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot truncate %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has %2 bytes on the server, but %3 were expected. The file on the server may have changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Free some space on the disk, then resume the download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the connection ended after %1 of %2 bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download of %1 failed: the server answered HTTP %2 %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download of %1 failed: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the server answered HTTP %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no data arrived for %1 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download of %1 failed after %2 tries: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the download request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the server&apos;s X-Linked-Etag header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is corrupt: its SHA-256 is %2, but %3 expects %4. The file was deleted; resume the download to fetch it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot move %1 to %2 to finish the download.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::DownloadListModel</name>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the downloaded part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting to retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moving into the models folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::DownloadManager</name>
    <message>
        <source>its id %1 differs from its folder&apos;s name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download state %1 is unreadable: %2. Cancel this download to delete its files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid download URL %1: expected an http:// or https:// address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot tell a file name from the URL %1; give the file a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid file name &quot;%1&quot; for %2: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name is reserved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Two files of the download are named &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid SHA-256 &quot;%1&quot; for %2: expected 64 hexadecimal digits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download has no files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A download of several files needs a folder name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid model name &quot;%1&quot;: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is in the models folder already. Delete or rename it, or download under another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is being downloaded already; resume or cancel that download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the download folder %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>permission denied or the disk is full</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::HubFileListModel</name>
    <message>
        <source>size unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split into several files, which Quanta cannot load yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::HubRepositoryListModel</name>
    <message>
        <source>%1 downloads</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::HuggingFaceSearch</name>
    <message>
        <source>Hugging Face sent %1, more than a search or file list can be. Try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown format &quot;%1&quot;: choose GGUF, GPTQ or AWQ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the model search at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face sent a search response that cannot be read: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a Hugging Face repository name (owner/name).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the repository %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face sent a file list for %1 that cannot be read: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face turned the request down because it received too many (HTTP 429). Wait a minute and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face could not find %1 (HTTP 404). Check the name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face answered HTTP %1 for %2. Try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request for %1 timed out. Check the internet connection and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach %1: %2. Check the internet connection.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::InferenceWorker</name>
    <message>
        <source>Not enough memory to load %1. Close other programs or choose a smaller model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model is loaded. Choose a model first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model&apos;s chat template could not be used, so the prompt was written in the %1 format instead: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::LibrarySettings</name>
    <message>
        <source>Choose a folder for the models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a file, not a folder. Choose a folder for the models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1. Check the permissions of the folder above it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 is not writable: %2. Choose a folder you can write to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a folder on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::MemoryMonitor</name>
    <message>
        <source>Quanta&apos;s own allocations: %1 of %2 in memory blocks, of which its buffers use %3. The driver reports no budget or usage (VK_EXT_memory_budget), so the budget is the heap size, an estimate, and other programs&apos; memory is not shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in use of a %2 budget (this process, from the driver); Quanta&apos;s memory blocks: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activations (scratch)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staging (uploads)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output and RoPE divisors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::MemoryPlanner</name>
    <message>
        <source>The model cannot be planned: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>All %n layer(s) run on %1, which needs %2 of its %3 budget.</source>
        <translation>
            <numerusform>The only layer runs on %1, which needs %2 of its %3 budget.</numerusform>
            <numerusform>All %n layers run on %1, which needs %2 of its %3 budget.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n layer(s) run on %2, which needs %3 of its %4 budget; the other layers run on the CPU.</source>
        <translation>
            <numerusform>%1 of %n layer runs on %2, which needs %3 of its %4 budget; the other layers run on the CPU.</numerusform>
            <numerusform>%1 of %n layers run on %2, which needs %3 of its %4 budget; the other layers run on the CPU.</numerusform>
        </translation>
    </message>
    <message>
        <source>No layer fits the %1 budget of %2, so the model runs on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model runs on the CPU: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model runs on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That is more than the budget, so loading may run fewer layers there; choose fewer GPU layers or a shorter context.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The driver reports no memory budget, so the budget is an estimate from the heap size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The computer needs %1 of RAM: %2 of weights read from the file, %3 of weights copied into memory, %4 of KV cache and %5 of activations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That is more than the %1 of memory available now.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::MessageListModel</name>
    <message>
        <source>This message has %1 characters, so only the first %2 are shown, as plain text. Copy or export the chat to read all of it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::ModelLibrary</name>
    <message>
        <source>Estimates are for %1 with %2 of memory for models, and %3 of system memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimates are for the CPU with %1 of system memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The memory of this computer is unknown, so no estimate says whether a model fits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n second(s) left</source>
        <translation>
            <numerusform>%n second left</numerusform>
            <numerusform>%n seconds left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s) left</source>
        <translation>
            <numerusform>%n minute left</numerusform>
            <numerusform>%n minutes left</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a model in the models folder, so it was not deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is in use. Choose another model first, then delete this one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>some files could not be removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting %1 failed: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No file manager could open %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The catalog has no model &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a GGUF file that Quanta can download from %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a GPTQ, AWQ or safetensors model folder.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>quanta::ModelListModel</name>
    <message>
        <source>Reading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>

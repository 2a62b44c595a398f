// The admin pages work without this script; it only moves focus to a refusal, so a screen
// reader hears it, and copies a new API token to the clipboard.

const summary = document.getElementById("error-summary");
if (summary) summary.focus();

for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  if (!source) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = source.textContent.trim();
    let copied = false;
    try {
      // Needs a secure context (https or localhost); elsewhere, select it for the person.
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    if (status) {
      status.textContent = copied
        ? "Copied. Paste it into your secret store now."
        : "Selected: press Ctrl+C (or ⌘C) to copy it.";
    }
  });
}

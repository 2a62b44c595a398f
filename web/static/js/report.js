// The after-action report: a Print button where a script can offer one (the browser's own
// Print works everywhere; the print stylesheet in steady.css does the rest).
const button = document.getElementById("print-report");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

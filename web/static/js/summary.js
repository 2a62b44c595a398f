// The summary across schools: drawn again when the live feed brings a change to incidents or
// tasks, and every minute (tasks turn overdue with the clock alone).
import { LiveFeed, refreshPage, refreshSoon } from "./steady.js";

const main = document.getElementById("main");
const IGNORED = new Set(["note_added", "note_corrected", "note_shared"]);
const soon = () => refreshSoon(200, 800);

new LiveFeed({
  position: main.dataset.position,
  onEvent(event) {
    if (event.help_request) return; // the help desk's news: not the summary's
    if (!IGNORED.has(event.type)) soon();
  },
  onCaughtUp({ resumed, missed }) {
    if (resumed && missed) soon();
  },
}).start();

setInterval(() => {
  if (document.visibilityState === "visible") refreshPage();
}, 60000);

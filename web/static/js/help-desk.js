// The help desk's queue: the live feed brings each help request's news (its reference and what
// happened, nothing more), and the rows are fetched again and put in place, so a request that
// arrives or changes shows at once without a reload; and every minute without news, for the
// clocks. The page works without this script; the rows are then as of when it was drawn.
import { LiveFeed, announce } from "./steady.js";

const main = document.getElementById("main");
const seconds = Number(main.dataset.refreshSeconds) || 60;

function references(root) {
  return new Set(Array.from(root.querySelectorAll("[data-reference]"), (row) => row.dataset.reference));
}

let fetching = null;
let again = false;

async function refresh() {
  if (fetching) {
    again = true; // news during a fetch: fetch once more after it
    return;
  }
  fetching = fetchRows().finally(() => {
    fetching = null;
    if (again) {
      again = false;
      refresh();
    }
  });
}

async function fetchRows() {
  const shown = document.getElementById("desk-queue");
  if (!shown) return;
  let response;
  try {
    response = await fetch("/help-desk/queue", { headers: { Accept: "text/html" }, credentials: "same-origin" });
  } catch {
    return; // offline for a moment: the next news or round tries again
  }
  if (!response.ok || response.redirected) return; // signed out: the rows stay as they were
  const html = await response.text();
  const parsed = new DOMParser().parseFromString(html, "text/html").getElementById("desk-queue");
  if (!parsed) return;
  const before = references(shown);
  const arrived = [...references(parsed)].filter((reference) => !before.has(reference));
  // Keep focus where it was if it sits inside the rows being replaced.
  const focused = document.activeElement && shown.contains(document.activeElement) ? document.activeElement.id : "";
  shown.replaceWith(parsed);
  if (focused) document.getElementById(focused)?.focus();
  if (arrived.length) announce(`New help request${arrived.length === 1 ? "" : "s"}: ${arrived.join(", ")}`);
}

new LiveFeed({
  position: main.dataset.position,
  onEvent(event) {
    if (event.help_request) refresh();
  },
  onCaughtUp({ resumed, missed }) {
    if (resumed && missed) refresh();
  },
}).start();

setInterval(() => {
  if (!document.hidden) refresh();
}, seconds * 1000);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh();
});

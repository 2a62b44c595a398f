// The help desk's queue: refetches its rows every few seconds (the page's data-refresh-seconds)
// and puts them in place, so a request that arrives or changes shows without a reload. The
// page works without this script; the rows are then as of when it was drawn.
import { announce } from "./steady.js";

const main = document.getElementById("main");
const seconds = Number(main.dataset.refreshSeconds) || 15;

function references(root) {
  return new Set(Array.from(root.querySelectorAll("[data-reference]"), (row) => row.dataset.reference));
}

async function refresh() {
  const shown = document.getElementById("desk-queue");
  if (!shown || document.hidden) return;
  let response;
  try {
    response = await fetch("/help-desk/queue", { headers: { Accept: "text/html" }, credentials: "same-origin" });
  } catch {
    return; // offline for a moment: the next round tries again
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

setInterval(refresh, seconds * 1000);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh();
});

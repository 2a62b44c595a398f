// The commander's view: its counts are fetched again every few seconds and put in place, so a
// class that reports shows without a reload. The page works without this script; its counts are
// then as of when it was drawn.
import { announce } from "./steady.js";

const main = document.getElementById("main");
const seconds = Number(main.dataset.refreshSeconds) || 5;
let fetching = false;

async function refresh() {
  const shown = document.getElementById("acct-counts");
  if (!shown || fetching || document.hidden) return;
  fetching = true;
  try {
    const response = await fetch(main.dataset.counts, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok || response.redirected) return; // signed out: the counts stay as they were
    const parsed = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("acct-counts");
    if (!parsed) return;
    const before = shown.querySelector("#count-missing")?.textContent;
    shown.replaceWith(parsed);
    const after = parsed.querySelector("#count-missing")?.textContent;
    if (before !== after) announce(`Missing students: ${after}`);
  } catch {
    // offline for a moment: the next round tries again
  } finally {
    fetching = false;
  }
}

setInterval(refresh, seconds * 1000);
document.addEventListener("visibilitychange", refresh);

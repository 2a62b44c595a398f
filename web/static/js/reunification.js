// Reunification's pages: every few seconds the page's live part (the counts and the cases at
// this station) is fetched again and put in place, so a case another station moved shows
// without a reload. A form being filled in there is never replaced under the person's hands.
// The page works without this script; it is then as of when it was drawn.
const main = document.getElementById("main");
const seconds = Number(main.dataset.refreshSeconds) || 4;
const fragment = main.dataset.fragment;

function busy(shown) {
  const active = document.activeElement;
  if (active && shown.contains(active) && active.matches("input, textarea, select")) return true;
  return Array.from(shown.querySelectorAll("input[type=text], textarea")).some((field) => field.value.trim());
}

async function refresh() {
  const shown = document.getElementById("reunify-live");
  if (!shown || !fragment || busy(shown)) return;
  let response;
  try {
    response = await fetch(fragment, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  } catch {
    return; // offline for a moment: the next round tries again
  }
  if (!response.ok || response.redirected) return;
  const parsed = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("reunify-live");
  if (parsed && !busy(shown)) shown.replaceWith(parsed);
}

setInterval(refresh, seconds * 1000);

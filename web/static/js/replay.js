// The replay page: the scrubber, Previous and Next show another version without a full page
// load, keeping focus where it was. Without this script the same controls work as a plain form
// and links; with it the range moves the page as soon as it moves.
import { announce, morph } from "./steady.js";

const main = document.getElementById("main");
const base = `/incidents/${encodeURIComponent(main.dataset.reference)}/replay`;
let latestRequest = 0;
let timer = null;

// The "Show version" button is only needed without a script (see steady.css).
document.body.dataset.replayLive = "true";

function range() {
  return document.getElementById("replay-version");
}

function showChosen(version) {
  const output = document.getElementById("replay-output");
  const latest = main.dataset.latest;
  if (output) output.textContent = `${version} of ${latest}`;
  const input = range();
  if (input) input.setAttribute("aria-valuetext", `Version ${version} of ${latest}`);
}

async function load(url, { push }) {
  const request = ++latestRequest;
  let response;
  try {
    response = await fetch(url, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    location.assign(url); // let the browser say what went wrong
    return;
  }
  if (request !== latestRequest) return; // a later choice is on its way
  if (response.redirected && new URL(response.url).pathname === "/signin") {
    location.assign(response.url);
    return;
  }
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.getElementById("main");
  if (!fresh || request !== latestRequest) return;
  const focused = document.activeElement ? document.activeElement.id : "";
  morph(main, fresh);
  document.title = doc.title;
  if (push) history.pushState({ replay: true }, "", url);
  const input = range();
  if (input) input.value = main.dataset.version;
  // A button that stopped being one (Previous at version 1) hands focus to the scrubber.
  const still = focused && document.getElementById(focused);
  if (focused && (!still || still.getAttribute("aria-disabled") === "true") && input) input.focus();
  const when = document.getElementById("replay-when");
  const what = document.querySelector(".changes__event");
  announce(
    [when ? when.textContent : "", what ? what.textContent : ""]
      .map((text) => text.replace(/\s+/g, " ").trim())
      .join(" "),
  );
}

function go(version) {
  clearTimeout(timer);
  // A short wait lets a drag settle on a version before asking for it.
  timer = setTimeout(() => load(`${base}?version=${version}`, { push: true }), 120);
}

main.addEventListener("input", (event) => {
  if (event.target.id !== "replay-version") return;
  showChosen(event.target.value);
  go(event.target.value);
});

main.addEventListener("submit", (event) => {
  if (event.target.id !== "scrubber-form") return;
  event.preventDefault();
  go(range().value);
});

main.addEventListener("click", (event) => {
  const link = event.target.closest("#replay-prev, #replay-next, #replay-latest");
  if (!link) return;
  event.preventDefault();
  if (!link.dataset.version) return;
  showChosen(link.dataset.version);
  if (range()) range().value = link.dataset.version;
  go(link.dataset.version);
});

window.addEventListener("popstate", () => {
  load(location.href, { push: false });
});

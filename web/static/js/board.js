// The board: every open incident, kept current by the live feed.
//
// Most events change one incident: only its card is fetched again. Events that change which
// incidents are listed, or their order (opened, closed, reopened, severity), refresh the board.
import { LiveFeed, makeChangeAnnouncer, morph, refreshPage } from "./steady.js";

const main = document.getElementById("main");
const announceChange = makeChangeAnnouncer();
const RELIST = new Set([
  "incident_opened",
  "incident_closed",
  "incident_reopened",
  "severity_changed",
  // For a partner's board: an incident shared with them appears, one no longer shared goes.
  "incident_shared",
  "incident_share_ended",
]);
const changed = new Set();
let relist = false;
let timer = null;

function soon() {
  if (timer) return;
  // A short, random wait gathers a burst into one fetch, and keeps a thousand boards from
  // asking at the same instant.
  timer = setTimeout(flush, 60 + Math.random() * 240);
}

async function flush() {
  timer = null;
  const refs = Array.from(changed);
  changed.clear();
  if (relist) {
    relist = false;
    await refreshPage({ flash: true });
    return;
  }
  await Promise.all(refs.map(refreshCard));
  updateSummary();
}

async function refreshCard(reference) {
  const current = document.getElementById(`card-${reference}`);
  if (!current) return; // not on this board (another school, or closed)
  const response = await fetch(`/incidents/${encodeURIComponent(reference)}/card`, {
    headers: { Accept: "text/html" },
    credentials: "same-origin",
    cache: "no-store",
  });
  if (response.redirected && new URL(response.url).pathname === "/signin") {
    location.assign(response.url);
    return;
  }
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.querySelector("article.card");
  const still = document.getElementById(`card-${reference}`);
  if (fresh && still) morph(still, fresh, { flash: true });
}

// The sentence above the cards, from the cards themselves.
function updateSummary() {
  const summary = document.getElementById("board-summary");
  if (!summary) return;
  const cards = Array.from(document.querySelectorAll(".card[data-reference]"));
  const open = cards.filter((c) => c.dataset.status === "open").length;
  const closed = cards.length - open;
  const overdue = cards.reduce((sum, c) => sum + (Number(c.dataset.overdue) || 0), 0);
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  let counts = `${plural(open, "open incident")}`;
  if (summary.dataset.showAll === "true") counts += `, ${closed} closed`;
  document.getElementById("board-counts").textContent = counts;
  const slot = document.getElementById("board-overdue");
  slot.textContent = "";
  if (overdue) {
    const strong = document.createElement("strong");
    strong.className = "overdue-text";
    strong.textContent = plural(overdue, "overdue task");
    slot.append(" · ", strong);
  }
  const timeZone = document.body.dataset.timezone || undefined;
  let clock;
  try {
    clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone }).format(new Date());
  } catch (error) {
    clock = new Date().toTimeString().slice(0, 5);
  }
  document.getElementById("board-time").textContent = `· as of ${clock}`;
}

const feed = new LiveFeed({
  position: main.dataset.position,
  onEvent(event) {
    if (!event.incident) return; // a follow-up's or a person's news: not on the board's cards
    announceChange(event);
    if (RELIST.has(event.type)) {
      relist = true;
    } else if (event.incident) {
      changed.add(event.incident.reference);
    }
    soon();
  },
  onCaughtUp({ resumed, missed }) {
    // Back after a gap: the events replayed above already asked for what changed; a full
    // refresh also puts right anything the clock changed meanwhile (overdue tasks).
    if (resumed) {
      relist = relist || missed > 0;
      if (relist) soon();
    }
  },
});
feed.start();

// Overdue counts change with the clock as well as with events.
setInterval(() => {
  if (document.visibilityState === "visible") refreshPage();
}, 60000);

// Shared by every page: calling the API, the live feed, and refreshing a page in place.
// Plain modules, no build step, no inline script: the pages stay CSP-friendly.

const API = "/api/v1";

// ---------------------------------------------------------------------------------------------
// The API: JSON in, JSON out, an Idempotency-Key on every POST so a retried click never doubles.

const pendingKeys = new Map(); // request signature -> key, kept until the request succeeds

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field || null;
  }
}

// The CSRF token the server set in the csrftoken cookie, sent back in a header on every POST.
export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

export async function apiGet(path) {
  const response = await fetch(API + path, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  return readResponse(response);
}

export async function apiPost(path, body, { key: givenKey } = {}) {
  const text = JSON.stringify(body);
  const signature = path + "\n" + text;
  let key = givenKey || pendingKeys.get(signature);
  if (!key) {
    key = newKey();
  }
  pendingKeys.set(signature, key);
  let response;
  try {
    response = await fetch(API + path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Idempotency-Key": key,
        "X-CSRFToken": csrfToken(),
      },
      credentials: "same-origin",
      body: text,
    });
  } catch (error) {
    // The same key goes with the retry: if the first attempt did land, nothing doubles.
    const unreachable = new ApiError(0, "Steady could not be reached.");
    unreachable.key = key;
    throw unreachable;
  }
  const result = await readResponse(response);
  pendingKeys.delete(signature);
  return result;
}

async function readResponse(response) {
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    const message =
      (data && data.error) ||
      `Steady answered ${response.status} ${response.statusText || ""}`.trim() + ".";
    if (response.status >= 500 || !data || !data.error) {
      pendingKeys.clear();
    }
    throw new ApiError(response.status, message, data && data.field);
  }
  return data;
}

function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  // randomUUID needs a secure context; plain http on a LAN address is not one.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// Commands kept while Steady cannot be reached: in memory and in sessionStorage (a reload keeps
// them), each with its Idempotency-Key, sent in order when the connection returns. The server
// answers a key it has seen with the first answer, so a command that did land is not done twice.

const OUTBOX_KEY = "steady-outbox";

export class Outbox {
  constructor({ onChange = () => {}, onSent = () => {}, onRefused = () => {} } = {}) {
    this.onChange = onChange;
    this.onSent = onSent;
    this.onRefused = onRefused;
    this.items = [];
    this.sending = null;
    try {
      this.items = JSON.parse(sessionStorage.getItem(OUTBOX_KEY) || "[]");
    } catch (error) {
      this.items = [];
    }
    window.addEventListener("online", () => this.flush());
  }

  save() {
    try {
      sessionStorage.setItem(OUTBOX_KEY, JSON.stringify(this.items));
    } catch (error) {
      /* private mode: kept in memory only */
    }
    this.onChange(this.items);
  }

  keep(path, body, key, label) {
    this.items.push({ path, body, key, label });
    this.save();
  }

  // Sends what is kept, oldest first; stops at the first that still cannot reach Steady.
  flush() {
    if (this.sending || !this.items.length) return this.sending;
    this.sending = (async () => {
      let sent = 0;
      try {
        while (this.items.length) {
          const item = this.items[0];
          try {
            await apiPost(item.path, item.body, { key: item.key });
            sent += 1;
          } catch (error) {
            // Still away (or the store is: a 503 saved nothing): try again on the next return.
            if (error instanceof ApiError && (error.status === 0 || error.status >= 500)) break;
            this.onRefused(item, error); // refused on its merits: say so, keep no longer
          }
          this.items.shift();
          this.save();
        }
      } finally {
        this.sending = null;
      }
      if (sent) this.onSent(sent);
    })();
    return this.sending;
  }
}

// ---------------------------------------------------------------------------------------------
// Messages for screen readers (and a visible echo where a page has one).

let announceTimer = null;
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  clearTimeout(announceTimer);
  region.textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages too.
  announceTimer = setTimeout(() => {
    region.textContent = text;
  }, 50);
}

export function showError(element, message) {
  if (!element) return;
  element.textContent = message || "";
  element.classList.toggle("is-visible", Boolean(message));
}

// ---------------------------------------------------------------------------------------------
// Refreshing in place: fetch this page again and morph the DOM towards it, keeping focus, typed
// text, open <details> and error messages where they are.

export function morph(current, fresh, options = {}) {
  if (current.nodeType !== fresh.nodeType || current.nodeName !== fresh.nodeName) {
    current.replaceWith(document.importNode(fresh, true));
    return;
  }
  if (current.nodeType === Node.TEXT_NODE || current.nodeType === Node.COMMENT_NODE) {
    if (current.nodeValue !== fresh.nodeValue) current.nodeValue = fresh.nodeValue;
    return;
  }
  if (current.nodeType !== Node.ELEMENT_NODE) return;
  if (current.hasAttribute("data-keep")) return;
  if (current.isEqualNode(fresh)) return;
  syncAttributes(current, fresh);
  if (current.nodeName === "TEXTAREA") {
    // Its text is its default value; once someone has typed, the browser keeps what they typed.
    if (current.defaultValue !== fresh.defaultValue) current.defaultValue = fresh.defaultValue;
    return;
  }
  morphChildren(current, fresh, options);
  if (options.flash && current.hasAttribute("data-flash")) {
    current.classList.remove("is-updated");
    void current.offsetWidth; // restart the highlight animation
    current.classList.add("is-updated");
  }
}

function morphChildren(current, fresh, options) {
  const keyed = new Map();
  for (const child of current.children) {
    if (child.id) keyed.set(child.id, child);
  }
  let cursor = current.firstChild;
  for (const next of Array.from(fresh.childNodes)) {
    let match = null;
    if (next.nodeType === Node.ELEMENT_NODE && next.id) {
      match = keyed.get(next.id) || null;
    } else if (
      cursor &&
      cursor.nodeType === next.nodeType &&
      cursor.nodeName === next.nodeName &&
      !(cursor.nodeType === Node.ELEMENT_NODE && cursor.id)
    ) {
      match = cursor;
    }
    if (match) {
      if (match === cursor) {
        cursor = cursor.nextSibling;
      } else {
        current.insertBefore(match, cursor);
      }
      keyed.delete(match.id);
      morph(match, next, options);
    } else {
      current.insertBefore(document.importNode(next, true), cursor);
    }
  }
  while (cursor) {
    const after = cursor.nextSibling;
    current.removeChild(cursor);
    cursor = after;
  }
}

const KEEP_ATTRIBUTES = { DETAILS: ["open"], DIALOG: ["open"] };

function syncAttributes(current, fresh) {
  const keep = KEEP_ATTRIBUTES[current.nodeName] || [];
  for (const { name } of Array.from(current.attributes)) {
    if (!fresh.hasAttribute(name) && !keep.includes(name)) current.removeAttribute(name);
  }
  for (const { name, value } of Array.from(fresh.attributes)) {
    if (keep.includes(name)) continue;
    if (current.getAttribute(name) !== value) current.setAttribute(name, value);
  }
}

let refreshing = null;
let refreshAgain = false;
let flashNext = false;

// Fetches the page again and morphs <main>; coalesces bursts into at most one extra fetch.
// `flash` highlights what changed: for others' changes, not for the person's own.
export function refreshPage({ flash = false } = {}) {
  flashNext = flashNext || flash;
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        const options = { flash: flashNext };
        flashNext = false;
        await refreshOnce(options);
      } while (refreshAgain);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// For pages that redraw on any of many live events: a short, random wait gathers a burst into
// one fetch (and spreads the fetches of many open pages).
let refreshTimer = null;
export function refreshSoon(least = 60, spread = 240) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refreshPage({ flash: true });
  }, least + Math.random() * spread);
}

async function refreshOnce(options) {
  let response;
  try {
    response = await fetch(location.pathname + location.search, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    return; // cannot reach Steady: the page stays as it is, and the banner says so
  }
  if (response.redirected && new URL(response.url).pathname === "/signin") {
    location.assign(response.url);
    return;
  }
  if (response.status === 403 || response.status === 404) {
    // No longer theirs to see (a share ended, a role changed): don't leave it on screen.
    location.reload();
    return;
  }
  if (!response.ok) return;
  const html = await response.text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  const fresh = doc.getElementById("main");
  const current = document.getElementById("main");
  if (fresh && current) {
    morph(current, fresh, options);
    document.dispatchEvent(new CustomEvent("steady:refreshed"));
  }
}

// ---------------------------------------------------------------------------------------------
// The live feed: every event after the last position seen, then live events. Reconnects with
// exponential backoff and resumes where it left off, so nothing is missed and nothing doubles.

const STATES = {
  connecting: "Connecting to live updates…",
  catching_up: "Catching up on changes…",
  live: "Live",
  caught_up: "Caught up — live",
  disconnected: "Disconnected — reconnecting…",
};

export class LiveFeed {
  constructor({ position, onEvent, onCaughtUp }) {
    this.position = Number(position) || 0;
    this.onEvent = onEvent;
    this.onCaughtUp = onCaughtUp || (() => {});
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.watchdog = null;
    this.wasDisconnected = false;
    this.missed = 0;
    this.stopped = false;
    this.banner = document.getElementById("connection");
    this.text = document.getElementById("connection-text");
    this.detail = document.getElementById("connection-detail");
    this.retry = document.getElementById("connection-retry");
    if (this.retry) this.retry.addEventListener("click", () => this.reconnectNow());
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.socket) this.reconnectNow();
    });
    window.addEventListener("pagehide", () => this.stop());
    // Back from the browser's page cache: the feed was stopped and the page may be stale.
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) location.reload();
    });
  }

  start() {
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    if (this.socket) this.socket.close(1000, "page closed");
  }

  setState(state) {
    if (this.banner) this.banner.dataset.state = state;
    document.body.dataset.connection = state;
    if (this.text) this.text.textContent = STATES[state];
    if (this.detail) {
      this.detail.textContent =
        state === "disconnected"
          ? `What you see may be out of date; last heard from Steady at ${this.lastHeard()}.`
          : "";
    }
    if (this.retry) this.retry.hidden = state !== "disconnected";
  }

  lastHeard() {
    const at = this.heardAt || new Date();
    const timeZone = document.body.dataset.timezone || undefined;
    try {
      return at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
    } catch (error) {
      return at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    }
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/ws/board?after=${this.position}`;
    if (!this.wasDisconnected) this.setState("connecting");
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.missed = 0;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.setState("catching_up");
      this.feedWatchdog();
    });
    socket.addEventListener("message", (message) => {
      if (this.socket !== socket) return;
      this.feedWatchdog();
      this.heardAt = new Date();
      let data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      this.receive(data);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearTimeout(this.watchdog);
      if (this.stopped) return;
      // 1013 (try again later): this client fell behind; resume from the last position seen.
      if (event.code === 1013) this.attempt = Math.min(this.attempt, 1);
      this.wasDisconnected = true;
      this.setState("disconnected");
      this.scheduleReconnect();
    });
  }

  receive(data) {
    if (data.type === "heartbeat") return;
    if (data.type === "caught_up") {
      if (typeof data.position === "number") this.position = Math.max(this.position, data.position);
      this.attempt = 0;
      const resumed = this.wasDisconnected;
      this.wasDisconnected = false;
      this.setState(resumed ? "caught_up" : "live");
      if (resumed) {
        announce(
          this.missed
            ? `Reconnected. Caught up on ${this.missed} change${this.missed === 1 ? "" : "s"}.`
            : "Reconnected. Nothing changed while you were disconnected.",
        );
      }
      this.onCaughtUp({ resumed, missed: this.missed });
      return;
    }
    if (typeof data.position !== "number" || data.position <= this.position) return; // seen
    this.position = data.position;
    this.missed += 1;
    this.onEvent(data);
  }

  feedWatchdog() {
    clearTimeout(this.watchdog);
    // Heartbeats come every few seconds; silence this long means a dead connection.
    this.watchdog = setTimeout(() => {
      if (this.socket) this.socket.close(4000, "no heartbeat");
    }, 45000);
  }

  scheduleReconnect() {
    clearTimeout(this.timer);
    const base = Math.min(15000, 500 * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    this.connect();
  }
}

// ---------------------------------------------------------------------------------------------
// Words for what others did, for the screen-reader announcer.

export function describeEvent(event) {
  const who = event.actor && event.actor.user ? event.actor.user : "Someone";
  // A drill is said to be one in every announcement: never heard as the real thing.
  const ref = event.incident ? `${event.incident.drill ? "DRILL " : ""}${event.incident.reference}` : "";
  const data = event.data || {};
  const statusWords = {
    todo: "to do",
    in_progress: "in progress",
    blocked: "blocked",
    done: "done",
    not_applicable: "not applicable",
  };
  switch (event.type) {
    case "incident_opened":
      return `${who} opened ${ref}: ${data.title || ""}`;
    case "playbook_applied":
      return `${who} applied the playbook ${data.playbook_title || data.playbook_id} to ${ref}`;
    case "task_added":
      return `${who} added a task to ${ref}`;
    case "milestone_recorded":
      return data.title
        ? `${who} recorded ${data.title} on ${ref}`
        : `${who} changed when tasks of ${ref} are due`;
    case "task_assigned":
      return `${who} assigned task ${data.task_id} of ${ref} to ${data.assignee}`;
    case "task_status_changed":
      return `${who} marked task ${data.task_id} of ${ref} ${statusWords[data.status] || data.status}`;
    case "task_rescheduled":
      return `${who} rescheduled task ${data.task_id} of ${ref}`;
    case "tasks_carried_over":
      return `${who} carried open tasks of ${ref} into ${data.follow_up}`;
    case "tasks_carried_in":
      return `${who} carried tasks of ${data.follows} into ${ref}`;
    case "note_added":
      return `${who} added a note to ${ref}`;
    case "note_corrected":
      return `${who} corrected a note on ${ref}`;
    case "severity_changed":
      return `${who} changed the severity of ${ref} to ${data.severity}`;
    case "phase_advanced":
      return `${who} moved ${ref} to ${data.phase}`;
    case "incident_closed":
      return `${who} closed ${ref}`;
    case "incident_reopened":
      return `${who} reopened ${ref}`;
    case "incident_shared":
      return `${who} shared ${ref} with ${data.organisation_name || data.organisation}`;
    case "incident_share_ended":
      return `${who} ended the share of ${ref} with ${data.organisation_name || data.organisation}`;
    case "note_shared":
      return `${who} shared a note on ${ref} with ${data.organisation_name || data.organisation}`;
    case "everyone_accounted_for":
      return `${who} recorded everyone accounted for on ${ref}`;
    case "reunification_completed":
      return `${who} recorded reunification completed on ${ref}`;
    default:
      return `${ref} changed`;
  }
}

// Announces others' changes, at most one message every few seconds, so a burst stays readable.
export function makeChangeAnnouncer() {
  let queue = [];
  let timer = null;
  const me = document.body.dataset.user || "";
  return (event) => {
    if (event.actor && event.actor.user === me) return;
    queue.push(describeEvent(event));
    if (timer) return;
    timer = setTimeout(() => {
      const text = queue.length === 1 ? queue[0] : `${queue.length} changes: ${queue.slice(-1)[0]}, and others.`;
      queue = [];
      timer = null;
      announce(text);
    }, 1500);
  };
}

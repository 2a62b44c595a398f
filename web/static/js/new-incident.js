// Opening an incident: suggest the playbooks for the chosen kind, open it, apply them, go there.
import { ApiError, apiPost, showError } from "./steady.js";

const form = document.getElementById("open-form");
const kind = document.getElementById("kind");
const hint = document.getElementById("playbooks-hint");
const submit = document.getElementById("open-submit");
const summary = document.getElementById("error-summary");
const summaryList = document.getElementById("error-summary-list");
const formError = document.getElementById("form-error");
const zone = form.dataset.timezone;
const choices = Array.from(document.querySelectorAll(".choice--playbook"));

function suggest() {
  const chosen = kind.value;
  let shown = 0;
  for (const choice of choices) {
    const fits = Boolean(chosen) && choice.dataset.kinds.split(" ").includes(chosen);
    const box = choice.querySelector("input");
    choice.hidden = !fits;
    box.checked = fits; // suggested playbooks start ticked; untick any you do not want
    if (fits) shown += 1;
  }
  const label = kind.options[kind.selectedIndex].text;
  if (!chosen) {
    hint.textContent = "Choose a kind of incident to see the playbooks written for it.";
  } else if (shown) {
    hint.textContent = `${shown} playbook${shown === 1 ? " is" : "s are"} written for “${label}”. Ticked ones are applied as soon as the incident is open.`;
  } else {
    hint.textContent = `No playbook is written for “${label}” yet; add tasks on the incident page.`;
  }
}
kind.addEventListener("change", suggest);
suggest();

// A wall-clock time in the district's zone (from datetime-local) as an instant with its offset.
export function zonedIso(local, timeZone) {
  const [date, time] = local.split("T");
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let guess = wall;
  for (let i = 0; i < 3; i += 1) {
    guess = wall - offsetAt(guess, timeZone);
  }
  const offset = offsetAt(guess, timeZone) / 60000;
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date}T${pad(h)}:${pad(mi)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function offsetAt(instant, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

const FIELD_IDS = { title: "title", kind: "kind", severity: "severity", schools: "schools", summary: "summary", occurred_at: "occurred-at" };

function clearErrors() {
  summary.hidden = true;
  summaryList.textContent = "";
  showError(formError, "");
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll(".form-error")) showError(el, "");
}

function fieldError(name, message) {
  const slot = document.getElementById(`${name}-error`);
  showError(slot, message);
  const target = document.getElementById(FIELD_IDS[name] || name);
  if (target) target.setAttribute("aria-invalid", "true");
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `#${focusTarget(name).id}`;
  link.textContent = message;
  item.append(link);
  summaryList.append(item);
}

function focusTarget(name) {
  if (name === "severity") return document.getElementById("severity-1");
  if (name === "schools") return document.getElementById("school-1") || document.getElementById("other-schools");
  return document.getElementById(FIELD_IDS[name] || name) || form;
}

function showSummary() {
  summary.hidden = false;
  summary.focus();
}

summaryList.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (!link) return;
  event.preventDefault();
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (target) target.focus();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const data = new FormData(form);
  const title = String(data.get("title") || "").trim();
  const schools = data.getAll("schools").map(String);
  for (const other of String(data.get("other_schools") || "").split(",")) {
    if (other.trim()) schools.push(other.trim());
  }
  const occurred = String(data.get("occurred_at") || "");
  const problems = [];
  if (!title) problems.push(["title", "Say in a few words what happened."]);
  if (!kind.value) problems.push(["kind", "Choose the kind of incident."]);
  if (!data.get("severity")) problems.push(["severity", "Choose a severity; you can change it later."]);
  if (!schools.length) problems.push(["schools", "Choose at least one school."]);
  if (!occurred) problems.push(["occurred_at", "Say when it happened (district time)."]);
  if (problems.length) {
    for (const [name, message] of problems) fieldError(name, message);
    showSummary();
    return;
  }
  const playbooks = data.getAll("playbooks").map(String);
  const body = {
    title,
    kind: kind.value,
    severity: Number(data.get("severity")),
    schools,
    summary: String(data.get("summary") || "").trim(),
    occurred_at: zonedIso(occurred, zone),
    drill: data.get("drill") === "yes",
  };
  submit.disabled = true;
  submit.textContent = body.drill ? "Opening the drill…" : "Opening…";
  let opened;
  try {
    opened = await apiPost("/incidents", body);
  } catch (error) {
    submit.disabled = false;
    submit.textContent = "Open incident";
    if (error instanceof ApiError && error.field && FIELD_IDS[error.field]) {
      fieldError(error.field, error.message);
      showSummary();
    } else {
      showError(formError, error.message);
    }
    return;
  }
  const ref = encodeURIComponent(opened.reference);
  const failed = [];
  for (const playbookId of playbooks) {
    submit.textContent = "Applying playbooks…";
    try {
      await apiPost(`/incidents/${ref}/playbooks`, { playbook_id: playbookId });
    } catch (error) {
      failed.push(`${playbookId}: ${error.message}`);
    }
  }
  if (failed.length) {
    submit.textContent = "Opened";
    formError.textContent = "";
    const text = document.createTextNode(
      `${opened.reference} is open, but a playbook could not be applied (${failed.join("; ")}). `,
    );
    const link = document.createElement("a");
    link.href = `/incidents/${ref}`;
    link.textContent = `Go to ${opened.reference} and apply it there`;
    formError.append(text, link);
    formError.classList.add("is-visible");
    return;
  }
  location.assign(`/incidents/${ref}`);
});

// My work: the person's open tasks across incidents, kept current by the live feed, and
// marking one done in two taps (the button, then the dialog's confirm).
import { ApiError, LiveFeed, announce, apiPost, makeChangeAnnouncer, refreshPage, refreshSoon, showError } from "./steady.js";

const main = document.getElementById("main");
const announceChange = makeChangeAnnouncer();

// Events that may add a task to the list, or take one away, whichever task they name.
const RELIST = new Set([
  "task_added",
  "task_assigned",
  "playbook_applied",
  "incident_reopened",
  "incident_shared",
  "incident_share_ended",
  "incident_marked_confidential",
  "incident_unmarked_confidential",
  "case_team_member_added",
  "case_team_member_removed",
]);

function listed(reference, taskId) {
  const rows = main.querySelectorAll("[data-reference][data-task]");
  return Array.from(rows).some(
    (row) => row.dataset.reference === reference && (!taskId || row.dataset.task === taskId),
  );
}

// Whether an event touches a task this page shows, or could now show.
function touches(event) {
  if (!event.incident) return false;
  const reference = event.incident.reference;
  const data = event.data || {};
  if (RELIST.has(event.type)) return true;
  if (event.type === "task_status_changed") {
    // A done task reopened may be one of ours again; any other change matters if it is listed.
    return data.status === "todo" || listed(reference, data.task_id);
  }
  if (event.type === "incident_closed") return listed(reference, null);
  return false;
}

const soon = () => refreshSoon(60, 240);

const feed = new LiveFeed({
  position: main.dataset.position,
  onEvent(event) {
    if (!touches(event)) return;
    announceChange(event);
    soon();
  },
  onCaughtUp({ resumed, missed }) {
    if (resumed && missed) soon();
  },
});
feed.start();

// Due times turn overdue, and days turn, without any event: look again every minute.
setInterval(() => {
  if (document.visibilityState === "visible" && !dialog.open) refreshPage();
}, 60000);

// ---------------------------------------------------------------------------------------------
// Mark done: the row's button opens the dialog; its confirm sends the same command as the
// incident page, with an idempotency key (apiPost), based on the version the row was drawn at.

const dialog = document.getElementById("done-dialog");
const form = document.getElementById("done-form");
const subject = document.getElementById("done-dialog-subject");
const note = document.getElementById("done-note");
const error = document.getElementById("done-error");
const confirm = document.getElementById("done-confirm");
let chosen = null;

function path(reference, taskId) {
  return `/incidents/${encodeURIComponent(reference)}/tasks/${encodeURIComponent(taskId)}/status`;
}

function focusAfter(rowId) {
  // The row is gone once done: land on the next one, or the list's heading.
  const row = rowId && document.getElementById(rowId);
  const target =
    (row && row.querySelector(".task__actions button")) ||
    main.querySelector(".work-row .task__actions button") ||
    document.getElementById("my-work-title");
  if (target.tagName === "H1") target.setAttribute("tabindex", "-1");
  target.focus();
}

function openDialog(button) {
  chosen = {
    reference: button.dataset.reference,
    taskId: button.dataset.task,
    version: Number(button.dataset.version) || null,
    title: button.dataset.title,
    row: `work-${button.dataset.reference}-${button.dataset.task}`,
  };
  subject.textContent = `${chosen.reference} · ${chosen.title}`;
  note.value = "";
  showError(error, "");
  confirm.disabled = false;
  dialog.showModal();
  confirm.focus(); // the second tap: a note is optional, so no keyboard pops up first
}

function closeDialog() {
  const row = chosen && chosen.row;
  chosen = null;
  if (dialog.open) dialog.close();
  const still = row && document.getElementById(row);
  const button = still && still.querySelector("button[data-action='done']");
  if (button) button.focus();
}

document.getElementById("done-cancel").addEventListener("click", closeDialog);
dialog.addEventListener("cancel", (event) => {
  event.preventDefault();
  closeDialog();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!chosen) return;
  const { reference, taskId, version, title, row } = chosen;
  confirm.disabled = true;
  try {
    await apiPost(path(reference, taskId), {
      status: "done",
      note: note.value.trim(),
      based_on_version: version,
    });
    chosen = null;
    dialog.close();
    announce(`Marked done: ${title}.`);
    await refreshPage();
    focusAfter(row);
  } catch (failure) {
    confirm.disabled = false;
    if (failure instanceof ApiError && failure.status === 409) {
      showError(error, `${failure.message} The list now shows the latest.`);
      chosen.version = null;
      await refreshPage();
      return;
    }
    showError(error, failure.message || "Something went wrong; try again.");
  }
});

main.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  if (button.dataset.action === "done") {
    openDialog(button);
    return;
  }
  if (button.dataset.action !== "start") return;
  const { reference, task } = button.dataset;
  const slot = document.getElementById(`work-${reference}-${task}-error`);
  showError(slot, "");
  button.disabled = true;
  try {
    await apiPost(path(reference, task), {
      status: "in_progress",
      based_on_version: Number(button.dataset.version) || null,
    });
    announce(`Started ${button.dataset.title}.`);
    await refreshPage();
  } catch (failure) {
    showError(slot, failure.message || "Something went wrong; try again.");
    if (failure instanceof ApiError && failure.status === 409) await refreshPage();
  } finally {
    const still = document.getElementById(button.id);
    if (still) still.disabled = false;
  }
});

// The incident page: task actions, notes, severity, phase, playbooks, close and reopen; and
// others' changes arriving live without a reload.
import {
  ApiError,
  LiveFeed,
  Outbox,
  announce,
  apiPost,
  makeChangeAnnouncer,
  morph,
  refreshPage,
  showError,
} from "./steady.js";

const main = document.getElementById("main");
const reference = main.dataset.reference;
const incidentId = main.dataset.incidentId;
const base = `/incidents/${encodeURIComponent(reference)}`;
const version = () => Number(main.dataset.version);

// ---------------------------------------------------------------------------------------------
// Refreshing: after our own commands at once, after others' through the live feed.

async function refresh(options = {}) {
  const focusedTask = document.activeElement && document.activeElement.closest(".task");
  const taskId = focusedTask ? focusedTask.dataset.task : null;
  await refreshPage(options);
  // A button that disappeared (Start, once started) leaves focus on its task, not the page top.
  if (taskId && (document.activeElement === document.body || !document.activeElement)) {
    const task = document.getElementById(`task-${taskId}`);
    if (task) {
      // Its row's summary if no button is left: one Tab from the next task, as before.
      const next = task.querySelector(".task__actions button") || task.querySelector("summary");
      if (next) next.focus();
    }
  }
}

// An event about one task or one note changes that task or note's thread and the counts: only
// those parts are fetched (/incidents/REF/parts). Any other event changes more of the page (a
// playbook's tasks, a share, the phase and the forms that follow it): the page is fetched whole.
const PART_OF = {
  task_status_changed: (data) => (data.task_id ? { task: data.task_id } : null),
  task_assigned: (data) => (data.task_id ? { task: data.task_id } : null),
  task_rescheduled: (data) => (data.task_id ? { task: data.task_id } : null),
  note_added: (data) => (data.note_id ? { note: data.note_id } : null),
  note_corrected: (data) => (data.note_id ? { note: data.note_id } : null),
  note_shared: (data) => (data.note_id ? { note: data.note_id } : null),
};
const waiting = []; // events not yet shown, in the order the feed sent them

// News of a person on this incident (recorded, triaged, a counselor, a referral) changes only
// the People affected section: that part is fetched, once for a burst. A person's events have
// their own stream and versions, so they never move the page's version.
let peopleTimer = null;
function showPeopleSoon() {
  if (peopleTimer || !document.getElementById("people")) return;
  peopleTimer = setTimeout(async () => {
    peopleTimer = null;
    if (!(await showParts([{ people: true }]))) await refresh({ flash: true });
  }, 60 + Math.random() * 240);
}
let showing = null;

function show(event) {
  waiting.push(event);
  if (!showing) {
    showing = showWaiting().finally(() => {
      showing = null;
    });
  }
}

async function showWaiting() {
  while (waiting.length) {
    const burst = waiting.splice(0);
    const wanted = burst.map((event) => (PART_OF[event.type] || (() => null))(event.data || {}));
    const last = Math.max(...burst.map((event) => Number(event.version) || 0));
    // A burst of more than a few, or anything the parts do not cover: the whole page, once.
    if (wanted.includes(null) || wanted.length > 4 || !(await showParts(wanted))) {
      await refresh({ flash: true });
    } else if (last > version()) {
      main.dataset.version = String(last); // what the page now shows, at least
    }
  }
}

// Puts each part in place of the element with its id; false if one has no place yet (a new
// note's list, say), so the caller fetches the page instead.
async function showParts(wanted) {
  const merged = [];
  for (const part of wanted) {
    if (!merged.some((m) => m.task === part.task && m.note === part.note)) merged.push(part);
  }
  for (const { task, note, people } of merged) {
    const query = new URLSearchParams();
    if (task) query.set("task", task);
    if (note) query.set("note", note);
    if (people) query.set("people", "true");
    let response;
    try {
      response = await fetch(`${base}/parts?${query}`, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (error) {
      return false;
    }
    if (!response.ok || response.redirected) return false;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const template = doc.getElementById("parts");
    if (!template) return false;
    for (const fresh of Array.from(template.content.children)) {
      const current = document.getElementById(fresh.id);
      if (current) {
        morph(current, fresh, { flash: true });
      } else if (fresh.classList.contains("note")) {
        const list = document.querySelector("#notes .note-list");
        if (!list) return false; // the first note: the list is not there yet
        list.prepend(document.importNode(fresh, true)); // newest first
      } else if (fresh.id !== "notes-older") {
        return false;
      }
    }
  }
  document.dispatchEvent(new CustomEvent("steady:refreshed"));
  return true;
}

// ---------------------------------------------------------------------------------------------
// Commands while Steady cannot be reached: kept (with their idempotency keys), shown as waiting
// to send, and sent when the connection returns.

const outboxPanel = document.getElementById("outbox");
const outboxList = document.getElementById("outbox-list");
const refusedWhileAway = [];

function drawOutbox(items) {
  if (!outboxPanel) return;
  const lines = [
    ...items.map((item) => `${item.label}: waiting to send`),
    ...refusedWhileAway.map(({ item, message }) => `${item.label}: not sent. ${message}`),
  ];
  outboxList.replaceChildren(
    ...lines.map((line) => {
      const li = document.createElement("li");
      li.textContent = line;
      return li;
    }),
  );
  outboxPanel.hidden = !lines.length;
  outboxPanel.querySelector("p").hidden = !items.length;
}

const outbox = new Outbox({
  onChange: drawOutbox,
  onRefused(item, error) {
    refusedWhileAway.push({ item, message: error.message });
  },
  async onSent(count) {
    announce(`Sent ${count} change${count === 1 ? "" : "s"} kept while Steady could not be reached.`);
    await refresh();
  },
});
drawOutbox(outbox.items);

// Sends a command; true once Steady has it, false if it was kept to send later.
async function send(path, body, label) {
  try {
    await apiPost(path, body);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) {
      outbox.keep(path, body, error.key, label);
      announce(`Waiting to send: ${label}. It goes when Steady can be reached again.`);
      return false;
    }
    throw error;
  }
}

const announceChange = makeChangeAnnouncer();
const feed = new LiveFeed({
  position: main.dataset.position,
  onEvent(event) {
    if (event.help_request) return; // the help desk's news: not an incident's
    if (event.person) {
      if ((event.person.incidents || []).includes(reference)) showPeopleSoon();
      return;
    }
    if (!event.incident || event.incident.id !== incidentId) return;
    if (typeof event.version === "number" && event.version <= version()) return; // shown already
    announceChange(event);
    show(event);
  },
  onCaughtUp({ resumed }) {
    if (resumed) refresh({ flash: true });
    outbox.flush();
  },
});
feed.start();
// Due times turn overdue without any event: look again every minute.
setInterval(() => {
  if (document.visibilityState === "visible" && !document.querySelector("dialog[open]")) refresh();
}, 60000);

// ---------------------------------------------------------------------------------------------
// Task actions: Start at once; Complete, Block, Reopen and Assign through a dialog.

const dialog = document.getElementById("task-dialog");
const dialogForm = document.getElementById("dialog-form");
const dialogTitle = document.getElementById("dialog-title");
const dialogSubject = document.getElementById("dialog-subject");
const dialogText = document.getElementById("dialog-text");
const dialogLabel = document.getElementById("dialog-text-label");
const dialogHint = document.getElementById("dialog-hint");
const dialogReasonField = document.getElementById("dialog-reason-field");
const dialogReason = document.getElementById("dialog-reason");
const dialogTextField = document.getElementById("dialog-text-field");
const dialogAssign = document.getElementById("dialog-assign-fields");
const dialogDueField = document.getElementById("dialog-due-field");
const dialogDue = document.getElementById("dialog-due");
const dialogAssignee = document.getElementById("dialog-assignee");
const dialogError = document.getElementById("dialog-error");
const dialogConfirm = document.getElementById("dialog-confirm");
const dialogCancel = document.getElementById("dialog-cancel");

// Each dialog says on its confirm button what the button that opened it said.
const MODES = {
  complete: {
    done: "Task marked done.",
    title: "Mark done",
    label: "Completion note (optional)",
    hint: "What was done, and anything the next person should know.",
    confirm: "Mark done",
    required: false,
  },
  block: {
    done: "Task marked blocked.",
    title: "Mark blocked",
    label: "What is blocking it",
    hint: "Say what is needed, so someone can help unblock it.",
    confirm: "Mark blocked",
    required: true,
    missing: "Say what is blocking it, so someone can help.",
  },
  reopen: {
    done: "Task reopened.",
    title: "Reopen",
    label: "Why it needs doing again",
    hint: "The task goes back to to do.",
    confirm: "Reopen",
    required: true,
    missing: "Say why the task needs doing again.",
  },
  reschedule: {
    done: "Task rescheduled.",
    title: "Reschedule",
    label: "Why it moves",
    hint: "The first due time stays on the task, with your reason.",
    confirm: "Reschedule",
    required: true,
    due: true,
    missing: "Say why the task moves.",
  },
  not_applicable: {
    done: "Task marked not applicable.",
    title: "Mark not applicable",
    label: "Why it does not apply to this incident",
    hint: "It no longer counts as open or overdue, nor as done. It can be reopened.",
    confirm: "Mark not applicable",
    required: true,
    missing: "Say why this step does not apply to this incident.",
  },
  assign: {
    done: "Task assigned.",
    title: "Assign",
    label: "Assign to",
    hint: "",
    confirm: "Assign",
    required: true,
    picker: true,
  },
  correct: {
    done: "Correction saved.",
    title: "Correct note",
    label: "Corrected text",
    hint: "The original stays on record, struck through, with your correction and reason.",
    confirm: "Save correction",
    required: true,
    missing: "Write the corrected text.",
  },
};

let dialogState = null;

// The picker's choices come from the live part of the page, so they are as fresh as it is;
// the current assignee is chosen to start with.
function fillAssignee(kind, name) {
  const source = document.getElementById("assign-source");
  if (!dialogAssignee || !source) return;
  dialogAssignee.replaceChildren(...[...source.children].map((group) => group.cloneNode(true)));
  const current = [...dialogAssignee.options].find(
    (option) => option.dataset.kind === kind && option.value === name,
  );
  dialogAssignee.selectedIndex = current ? current.index : 0;
  echoChoice(dialogAssignee);
}

function openDialog(mode, { taskId, noteId, subject, text, opener }) {
  const spec = MODES[mode];
  dialogState = { mode, taskId, noteId, opener: opener.id, basedOn: version() };
  dialogTitle.textContent = spec.title;
  dialogSubject.textContent = subject;
  dialogLabel.textContent = spec.picker ? "" : spec.label; // the picker has its own label
  dialogHint.textContent = spec.hint;
  dialogConfirm.textContent = spec.confirm;
  if (dialogAssign) dialogAssign.hidden = !spec.picker;
  if (spec.picker) fillAssignee(opener.dataset.assigneeKind, opener.dataset.assignee);
  dialogReasonField.hidden = mode !== "correct";
  dialogDueField.hidden = !spec.due;
  dialogDue.value = spec.due ? opener.dataset.due || "" : "";
  dialogDue.required = Boolean(spec.due);
  dialogTextField.hidden = Boolean(spec.picker);
  dialogText.value = text || "";
  dialogReason.value = "";
  dialogText.required = spec.required && !spec.picker;
  dialogReason.required = mode === "correct";
  for (const field of [dialogText, dialogReason, dialogDue]) field.removeAttribute("aria-invalid");
  showError(dialogError, "");
  dialogConfirm.disabled = false;
  dialog.showModal();
  (spec.picker && dialogAssignee ? dialogAssignee : spec.due ? dialogDue : dialogText).focus();
}

function closeDialog() {
  const opener = dialogState && document.getElementById(dialogState.opener);
  const taskId = dialogState && dialogState.taskId;
  dialogState = null;
  if (dialog.open) dialog.close();
  // Return focus to the button that opened the dialog, or to its task if that button is gone.
  if (opener) {
    opener.focus();
  } else if (taskId) {
    const task = document.getElementById(`task-${taskId}`);
    const target = task && (task.querySelector(".task__actions button") || task.querySelector("summary"));
    if (target) target.focus();
  }
}

dialogCancel.addEventListener("click", closeDialog);
dialog.addEventListener("cancel", (event) => {
  event.preventDefault();
  closeDialog();
});

dialogForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!dialogState) return;
  const { mode, taskId, noteId, basedOn } = dialogState;
  const spec = MODES[mode];
  const text = dialogText.value.trim();
  const chosen = spec.picker && dialogAssignee ? dialogAssignee.selectedOptions[0] : null;
  if (spec.picker && !chosen) {
    showError(dialogError, "There is no one to choose yet: an admin adds people and partners.");
    return;
  }
  if (spec.due && !dialogDue.value) {
    dialogDue.setAttribute("aria-invalid", "true");
    showError(dialogError, "Choose the new due date and time.");
    dialogDue.focus();
    return;
  }
  if (spec.required && !spec.picker && !text) {
    dialogText.setAttribute("aria-invalid", "true");
    showError(dialogError, spec.missing || `Fill in: ${spec.label}.`);
    dialogText.focus();
    return;
  }
  if (mode === "correct" && !dialogReason.value.trim()) {
    dialogReason.setAttribute("aria-invalid", "true");
    showError(dialogError, "Say why the note is being corrected.");
    dialogReason.focus();
    return;
  }
  let path;
  let body;
  if (mode === "complete") {
    path = `${base}/tasks/${taskId}/status`;
    body = { status: "done", note: text, based_on_version: basedOn };
  } else if (mode === "block") {
    path = `${base}/tasks/${taskId}/status`;
    body = { status: "blocked", reason: text, based_on_version: basedOn };
  } else if (mode === "reopen") {
    path = `${base}/tasks/${taskId}/status`;
    body = { status: "todo", reason: text, based_on_version: basedOn };
  } else if (mode === "not_applicable") {
    path = `${base}/tasks/${taskId}/status`;
    body = { status: "not_applicable", reason: text, based_on_version: basedOn };
  } else if (mode === "reschedule") {
    // A wall-clock time without an offset: the server reads it in the district's time zone.
    path = `${base}/tasks/${taskId}/schedule`;
    body = { due_at: dialogDue.value, reason: text, based_on_version: basedOn };
  } else if (mode === "assign") {
    path = `${base}/tasks/${taskId}/assignment`;
    body = { kind: chosen.dataset.kind, name: chosen.value, based_on_version: basedOn };
  } else {
    path = `${base}/notes/${noteId}/corrections`;
    body = { text, reason: dialogReason.value.trim() };
  }
  dialogConfirm.disabled = true;
  try {
    const sent = await send(path, body, `${spec.confirm}: ${dialogSubject.textContent}`);
    closeDialog();
    if (sent) {
      announce(spec.done);
      await refresh();
    }
  } catch (error) {
    dialogConfirm.disabled = false;
    showError(dialogError, messageFor(error));
    if (error instanceof ApiError && error.status === 409) {
      // Someone else changed this task: show what they did, and let the person decide again.
      dialogState.basedOn = null;
      await refresh();
      dialogState && (dialogState.basedOn = version());
    }
  }
});

function messageFor(error) {
  if (error instanceof ApiError && error.status === 409) {
    return `${error.message} This page now shows the latest.`;
  }
  return error.message || "Something went wrong; try again.";
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button || !main.contains(button)) return;
  const action = button.dataset.action;
  if (action === "correct") {
    openDialog("correct", {
      noteId: button.dataset.note,
      subject: `Note ${button.dataset.note}`,
      text: button.dataset.text,
      opener: button,
    });
    return;
  }
  if (action === "share-note") {
    const errorSlot = document.getElementById(`note-${button.dataset.note}-error`);
    showError(errorSlot, "");
    button.disabled = true;
    try {
      const sent = await send(
        `${base}/notes/${button.dataset.note}/shares`,
        { organisation: button.dataset.organisation },
        `Share note ${button.dataset.note} with ${button.dataset.name}`,
      );
      if (sent) {
        announce(`Note ${button.dataset.note} shared with ${button.dataset.name}.`);
        await refresh();
      }
    } catch (error) {
      showError(errorSlot, messageFor(error));
      const still = document.getElementById(button.id);
      if (still) still.disabled = false;
    }
    return;
  }
  const taskId = button.dataset.task;
  const task = document.getElementById(`task-${taskId}`);
  const title = task ? task.querySelector(".task__title").textContent.trim() : taskId;
  if (action === "start") {
    const errorSlot = document.getElementById(`task-${taskId}-error`);
    showError(errorSlot, "");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      const sent = await send(
        `${base}/tasks/${taskId}/status`,
        { status: "in_progress", based_on_version: version() },
        `Start ${title}`,
      );
      if (sent) {
        announce(`Started ${title}.`);
        await refresh();
      }
    } catch (error) {
      showError(errorSlot, messageFor(error));
      if (error instanceof ApiError && error.status === 409) await refresh();
    } finally {
      const still = document.getElementById(button.id);
      if (still) {
        still.disabled = false;
        still.removeAttribute("aria-busy");
      }
    }
    return;
  }
  if (MODES[action]) openDialog(action, { taskId, subject: title, opener: button });
});

// ---------------------------------------------------------------------------------------------
// Closing: a review, and for each task still open what becomes of it (or one choice for all).

const closeIncidentDialog = document.getElementById("close-dialog");
const closeForm = document.getElementById("close-form");
const OUTCOMES = [
  ["", "Choose…"],
  ["done", "Done"],
  ["not_applicable", "Not applicable"],
  ["follow_up", "Carry into a follow-up"],
];

// The dialog's list of open tasks, from the page's (hidden) list, so it is as fresh as the page;
// `chosen` keeps what was chosen for a task still open when the list is drawn again.
function fillCloseTasks(chosen = {}) {
  const source = document.getElementById("close-source");
  const open = source ? [...source.children] : [];
  const list = document.getElementById("close-task-list");
  list.replaceChildren(
    ...open.map((item) => {
      const id = item.dataset.task;
      const row = document.createElement("li");
      row.className = "close-task";
      const label = document.createElement("label");
      label.htmlFor = `close-task-${id}`;
      label.textContent = item.textContent;
      const select = document.createElement("select");
      select.id = `close-task-${id}`;
      select.dataset.task = id;
      for (const [value, text] of OUTCOMES) select.add(new Option(text, value));
      select.value = chosen[id] || "";
      row.append(label, select);
      return row;
    }),
  );
  const fieldset = document.getElementById("close-tasks");
  fieldset.hidden = open.length === 0;
  document.getElementById("close-tasks-legend").textContent =
    open.length === 1 ? "1 task is still open" : `${open.length} tasks are still open`;
}

function openCloseDialog() {
  fillCloseTasks();
  document.getElementById("close-all").value = "";
  showError(document.getElementById("close-error"), "");
  document.getElementById("close-confirm").disabled = false;
  closeIncidentDialog.showModal();
  document.getElementById("close-summary").focus();
}

function endCloseDialog() {
  if (closeIncidentDialog.open) closeIncidentDialog.close();
  const opener = document.getElementById("close-open");
  if (opener) opener.focus();
}

if (closeIncidentDialog) {
  document.addEventListener("click", (event) => {
    if (event.target.closest("#close-open")) openCloseDialog();
  });
  document.getElementById("close-cancel").addEventListener("click", endCloseDialog);
  closeIncidentDialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    endCloseDialog();
  });
  document.getElementById("close-all").addEventListener("change", (event) => {
    for (const select of document.querySelectorAll("#close-task-list select")) {
      select.value = event.target.value;
      select.removeAttribute("aria-invalid");
    }
  });
  document.getElementById("close-task-list").addEventListener("change", (event) => {
    event.target.removeAttribute("aria-invalid");
  });
  closeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errorSlot = document.getElementById("close-error");
    const summary = document.getElementById("close-summary");
    summary.removeAttribute("aria-invalid");
    if (!summary.value.trim()) {
      summary.setAttribute("aria-invalid", "true");
      showError(errorSlot, "Write a short review: what happened, what worked, what to change.");
      summary.focus();
      return;
    }
    const outcomes = {};
    for (const select of document.querySelectorAll("#close-task-list select")) {
      select.removeAttribute("aria-invalid");
      if (!select.value) {
        select.setAttribute("aria-invalid", "true");
        showError(errorSlot, `Say what becomes of ${select.dataset.task}, or choose one for all of them.`);
        select.focus();
        return;
      }
      outcomes[select.dataset.task] = select.value;
    }
    const body = { review_summary: summary.value.trim(), based_on_version: version() };
    if (Object.keys(outcomes).length) body.task_outcomes = outcomes;
    const confirm = document.getElementById("close-confirm");
    confirm.disabled = true;
    showError(errorSlot, "");
    try {
      const result = await apiPost(`${base}/close`, body);
      closeForm.reset();
      endCloseDialog();
      announce(result.follow_up ? `Incident closed; follow-up ${result.follow_up} opened.` : "Incident closed.");
      await refresh();
    } catch (error) {
      confirm.disabled = false;
      if (error instanceof ApiError && error.status === 409) {
        // Someone changed the incident meanwhile (settled a task named here): the page is drawn
        // again, and with it the list of tasks still open, keeping the choices made for them.
        const review = summary.value;
        await refresh();
        summary.value = review;
        fillCloseTasks(outcomes);
      }
      showError(errorSlot, messageFor(error));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Incident-wide forms.

const COMMANDS = {
  note: (data, form) => {
    const shareWith = [...form.querySelectorAll('input[name="share_with"]:checked')].map((box) => box.value);
    const body = { text: data.text, task_id: data.task_id || "" };
    if (shareWith.length) body.share_with = shareWith;
    return { path: `${base}/notes`, body };
  },
  share: (data) => ({ path: `${base}/shares`, body: { organisation: data.organisation } }),
  "end-share": (data) => ({
    path: `${base}/shares/${encodeURIComponent(data.organisation)}/end`,
    body: { reason: data.reason },
  }),
  confidential: (data) => ({ path: `${base}/confidential`, body: { reason: data.reason } }),
  unconfidential: (data) => ({ path: `${base}/confidential/end`, body: { reason: data.reason } }),
  "case-add": (data) => ({ path: `${base}/case-team`, body: { username: data.username } }),
  "case-remove": (data) => ({
    path: `${base}/case-team/${encodeURIComponent(data.username)}/remove`,
    body: {},
  }),
  severity: (data) => ({
    path: `${base}/severity`,
    body: { severity: Number(data.severity), reason: data.reason, based_on_version: version() },
  }),
  phase: (data) => ({
    path: `${base}/phase`,
    body: { phase: data.phase, based_on_version: version() },
  }),
  playbook: (data) => ({ path: `${base}/playbooks`, body: { playbook_id: data.playbook_id } }),
  milestone: (data) => ({
    path: `${base}/milestones`,
    body: { milestone_id: data.milestone_id, moment: data.moment, reason: data.reason },
  }),
  task: (data) => ({
    path: `${base}/tasks`,
    body: {
      title: data.title,
      owner_role: data.owner_role,
      phase: data.phase,
      instructions: data.instructions,
      // Empty: no due time. Without an offset, the server reads it in the district's time.
      due_at: data.due_at || null,
      urgent: data.urgent === "yes",
    },
  }),
  reopen: (data) => ({ path: `${base}/reopen`, body: { reason: data.reason, phase: data.phase } }),
};

const REQUIRED = {
  note: { text: "Write the note first." },
  task: { title: "Say what the task is.", owner_role: "Say which role owns the task." },
  reopen: { reason: "Say why the incident is being reopened." },
  milestone: { moment: "Say when it happened." },
  unconfidential: { reason: "Say why more people may now see this incident." },
  "case-add": { username: "Choose the person to add." },
};

const LABELS = {
  note: "Add a note",
  severity: "Change the severity",
  phase: "Move to the next phase",
  playbook: "Apply a playbook",
  task: "Add a task",
  share: "Share the incident",
  "end-share": "End a share",
  confidential: "Mark confidential",
  unconfidential: "Unmark confidential",
  "case-add": "Add to the case team",
  "case-remove": "Take off the case team",
  close: "Close the incident",
  reopen: "Reopen the incident",
};

const DONE_MESSAGES = {
  note: "Note added.",
  severity: "Severity changed.",
  phase: "Phase changed.",
  playbook: "Playbook applied; its tasks are listed.",
  milestone: "Milestone recorded; the tasks waiting for it are due from then.",
  task: "Task added.",
  share: "Incident shared.",
  "end-share": "Share ended.",
  confidential: "Marked confidential.",
  unconfidential: "No longer marked confidential.",
  "case-add": "Added to the case team.",
  "case-remove": "Taken off the case team.",
  reopen: "Incident reopened.",
};

document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-command]");
  if (!form) return;
  event.preventDefault();
  const command = form.dataset.command;
  const errorSlot = form.querySelector(".form-error");
  const data = {};
  for (const [name, value] of new FormData(form).entries()) data[name] = String(value).trim();
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  for (const [name, message] of Object.entries(REQUIRED[command] || {})) {
    if (!data[name]) {
      const field = form.elements[name];
      field.setAttribute("aria-invalid", "true");
      showError(errorSlot, message);
      field.focus();
      return;
    }
  }
  const { path, body } = COMMANDS[command](data, form);
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  showError(errorSlot, "");
  try {
    const sent = await send(path, body, LABELS[command]);
    form.reset();
    if (sent) {
      announce(DONE_MESSAGES[command]);
      await refresh();
    }
  } catch (error) {
    showError(errorSlot, messageFor(error));
    if (error instanceof ApiError && error.field && form.elements[error.field]) {
      form.elements[error.field].setAttribute("aria-invalid", "true");
    }
    if (error instanceof ApiError && error.status === 409) await refresh();
  } finally {
    const still = document.getElementById(form.id);
    const button = still && still.querySelector("button[type=submit]");
    if (button) button.disabled = false;
  }
});

// A select's chosen option in full beneath it, where a narrow screen cuts the select's text.
function echoChoice(select) {
  const echo = select && document.getElementById(select.dataset.echo);
  if (echo) echo.textContent = select.selectedOptions[0] ? select.selectedOptions[0].textContent : "";
}
document.addEventListener("change", (event) => {
  if (event.target.dataset && event.target.dataset.echo) echoChoice(event.target);
});

// The "read this playbook" link follows the chosen playbook.
document.addEventListener("change", (event) => {
  if (event.target.id === "playbook-select") {
    const link = document.getElementById("playbook-read");
    if (link) link.href = `/playbooks/${encodeURIComponent(event.target.value)}`;
  }
  if (event.target.name === "task-filter") {
    document.body.dataset.taskFilter = event.target.value;
    try {
      sessionStorage.setItem("steady-task-filter", event.target.value);
    } catch (error) {
      /* private mode: the filter simply resets */
    }
  }
});

(function restoreFilter() {
  let saved = null;
  try {
    saved = sessionStorage.getItem("steady-task-filter");
  } catch (error) {
    saved = null;
  }
  const radio = saved && document.querySelector(`input[name="task-filter"][value="${saved}"]`);
  if (radio) {
    radio.checked = true;
    document.body.dataset.taskFilter = saved;
  }
})();

// Skip links: focus the panel's first control or heading, so the next Tab goes on from there.
const skipLinks = document.getElementById("skip-links");
if (skipLinks) {
  skipLinks.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-focus]");
    const target = link && document.getElementById(link.dataset.focus);
    if (!target) return;
    event.preventDefault();
    if (!target.matches("input, select, textarea, button, a[href]")) target.setAttribute("tabindex", "-1");
    target.focus();
    target.scrollIntoView({ block: "center" });
  });
}

// My follow-ups: the person's check-ins across incidents, kept current by the live feed (a
// follow-up event the server sends only to those who may record its owner's check-ins, or who
// see its incident), and recording one in two taps: the row's Record, then the outcome.
import { ApiError, LiveFeed, announce, apiPost, refreshPage, refreshSoon, showError } from "./steady.js";

const main = document.getElementById("main");

const dialog = document.getElementById("check-in-dialog");
const form = document.getElementById("check-in-form");
const subject = document.getElementById("check-in-dialog-subject");
const note = document.getElementById("check-in-note");
const nextStep = document.getElementById("check-in-next-step");
const error = document.getElementById("check-in-error");
let chosen = null;
let changedMeanwhile = false; // news that came while the dialog was open: drawn once it closes

// A short, random wait gathers a burst (a re-triage, a calendar import) into one fetch of the
// page, morphed in place; never under an open dialog.
function soon() {
  if (dialog.open) {
    changedMeanwhile = true;
    return;
  }
  refreshSoon(60, 240);
}

const feed = new LiveFeed({
  position: main.dataset.position,
  onEvent(event) {
    if (event.follow_ups) soon();
  },
  onCaughtUp({ resumed, missed }) {
    if (resumed && missed) soon();
  },
});
feed.start();

// Due times turn overdue, and days turn, without any event (and the socket may be down): look
// again every minute, as the board does.
setInterval(() => {
  if (document.visibilityState === "visible" && !dialog.open) refreshPage();
}, 60000);

function openDialog(button) {
  chosen = { ...button.dataset };
  subject.textContent = `${chosen.person} · ${chosen.reference} · ${chosen.label}`;
  note.value = "";
  nextStep.value = "";
  showError(error, "");
  for (const b of form.querySelectorAll("button")) b.disabled = false;
  dialog.showModal();
  document.getElementById("outcome-seen_no_concern").focus(); // the second tap
}

function closeDialog() {
  const row = chosen && chosen.row;
  chosen = null;
  if (dialog.open) dialog.close();
  if (changedMeanwhile) {
    changedMeanwhile = false;
    refreshSoon(0, 60);
  }
  const still = row && document.getElementById(`${row}-record`);
  if (still) still.focus();
}

document.getElementById("check-in-cancel").addEventListener("click", closeDialog);
dialog.addEventListener("cancel", (event) => {
  event.preventDefault();
  closeDialog();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!chosen || !event.submitter || event.submitter.name !== "outcome") return;
  const { person, reference, checkIn, label } = chosen;
  const outcome = event.submitter.value;
  const path = `/follow-ups/${encodeURIComponent(person)}/${encodeURIComponent(reference)}` +
    `/check-ins/${encodeURIComponent(checkIn)}`;
  for (const b of form.querySelectorAll("button")) b.disabled = true;
  try {
    await apiPost(path, { outcome, note: note.value.trim(), next_step: nextStep.value.trim() });
    chosen = null;
    dialog.close();
    changedMeanwhile = false; // the page is drawn again just below
    announce(`Recorded: ${person}, ${label}.`);
    await refreshPage();
    const next = main.querySelector("button[data-action='record']");
    (next || document.getElementById("follow-ups-title")).focus();
  } catch (failure) {
    for (const b of form.querySelectorAll("button")) b.disabled = false;
    showError(error, failure.message || "Something went wrong; try again.");
    if (failure instanceof ApiError && failure.status === 404) await refreshPage();
  }
});

main.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action='record']");
  if (button) openDialog(button);
});

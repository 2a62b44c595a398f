// My follow-ups: the person's check-ins across incidents, kept current by asking for the
// follow-ups' log position every few seconds (their events are not on the board's live feed),
// and recording one in two taps: the row's Record, then the outcome.
import { ApiError, announce, apiGet, apiPost, refreshPage, showError } from "./steady.js";

const main = document.getElementById("main");
const POLL_MS = 2000;

const dialog = document.getElementById("check-in-dialog");
const form = document.getElementById("check-in-form");
const subject = document.getElementById("check-in-dialog-subject");
const note = document.getElementById("check-in-note");
const nextStep = document.getElementById("check-in-next-step");
const error = document.getElementById("check-in-error");
let chosen = null;

async function lookAgain() {
  if (document.visibilityState !== "visible" || dialog.open) return;
  try {
    const now = await apiGet("/my-follow-ups");
    // A change anywhere in the follow-ups, or a day or a due time passed: draw again.
    if (String(now.position) !== main.dataset.position || now.overdue !== overdueShown()) {
      await refreshPage({ flash: true });
    }
  } catch (failure) {
    // Out of reach for now: the next look tries again.
  }
}

function overdueShown() {
  return main.querySelectorAll(".task--overdue").length;
}

setInterval(lookAgain, POLL_MS);

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

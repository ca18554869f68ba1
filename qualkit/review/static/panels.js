// qualkit review page, part 1 of 2 (loaded before review.js): widening and narrowing a passage, the code
// picker, memos, and the transcript view for manual coding. Text goes on the page with textContent only.
"use strict";

// ---- widening and narrowing to word boundaries -----------------------------------------------------------

const WORD = /[\p{L}\p{N}_'’-]/u;

function words(context) {
  const chars = Array.from(context.text);
  const found = [];
  let begin = -1;
  chars.forEach((ch, i) => {
    if (WORD.test(ch)) { if (begin < 0) begin = i; } else if (begin >= 0) { found.push([begin, i]); begin = -1; }
  });
  if (begin >= 0) found.push([begin, chars.length]);
  return found.map(([a, b]) => [a + context.start, b + context.start]);
}

function moveSpan(edge, direction) {
  const item = current();
  if (!item || state.aside) return;
  const list = words(item.context);
  const span = { ...state.span };
  if (edge === "start" && direction < 0) {
    const before = list.filter(([a]) => a < span.start).pop();
    if (before) span.start = before[0];
  } else if (edge === "start") {
    const after = list.find(([a]) => a > span.start);
    if (after && after[0] < span.end) span.start = after[0];
  } else if (direction > 0) {
    const after = list.find(([, b]) => b > span.end);
    if (after) span.end = after[1];
  } else {
    const before = list.filter(([, b]) => b < span.end).pop();
    if (before && before[1] > span.start) span.end = before[1];
  }
  state.span = span;
  renderCard();
}

// ---- code picker and memos -------------------------------------------------------------------------------

let pickerDone = null;
let pickerLeaves = null;

function openPicker(onChoose, leaveOut) {
  pickerDone = onChoose;
  pickerLeaves = leaveOut || null;
  $("picker-search").value = "";
  fillPicker();
  $("picker").showModal();
  $("picker-search").focus();
}

function fillPicker() {
  const needle = $("picker-search").value.trim().toLowerCase();
  const list = $("picker-list");
  list.replaceChildren();
  const codes = state.overview.codes.filter((c) => c.code_id !== pickerLeaves
    && (!needle || c.path.toLowerCase().includes(needle) || c.code_id.toLowerCase().includes(needle)));
  codes.forEach((code, i) => {
    const option = el("li", { role: "option", class: i === 0 ? "on" : "", "data-code": code.code_id },
      code.path, el("span", { class: "muted" }, ` ${code.code_id}`));
    option.addEventListener("click", () => pick(code.code_id));
    list.append(option);
  });
}

function movePicker(step) {
  const options = [...$("picker-list").children];
  if (!options.length) return;
  const at = options.findIndex((o) => o.classList.contains("on"));
  options[at]?.classList.remove("on");
  const next = options[(at + step + options.length) % options.length];
  next.classList.add("on");
  next.scrollIntoView({ block: "nearest" });
}

function pick(codeId) {
  $("picker").close();
  const done = pickerDone;
  pickerDone = null;
  if (done && codeId) done(codeId);
}

let memoDone = null;

function openMemo(title, onSave) {
  memoDone = onSave;
  $("memo-title").textContent = title;
  $("memo-text").value = "";
  $("memo-dialog").showModal();
  $("memo-text").focus();
}

async function saveMemo() {
  const text = $("memo-text").value.trim();
  $("memo-dialog").close();
  if (text && memoDone) await memoDone(text);
  memoDone = null;
}

function memoOnPassage() {
  const item = current();
  if (!item || state.aside) return;
  openMemo(`Memo on this passage (${item.transcript_id}, ${item.code_id})`, async (text) => {
    await api("/api/memo", { target: "segment", target_id: item.segment_id, text });
    item.memo = text;
    renderCard();
  });
}

function memoOnStudy() {
  openMemo("Memo on the study", (text) => api("/api/memo", { target: "study", target_id: "", text }));
}

function memoOnTranscript() {
  if (!state.transcript) return;
  const transcriptId = state.transcript.transcript_id;
  openMemo(`Memo on transcript ${transcriptId}`,
    (text) => api("/api/memo", { target: "transcript", target_id: transcriptId, text }));
}

function memoOnCode() {
  const code = codeById(state.key);
  if (!code) return;
  openMemo(`Memo on the code ${code.path}`, (text) => api("/api/memo", { target: "code", target_id: code.code_id, text }));
}

// ---- the transcript view and manual coding ---------------------------------------------------------------

async function toggleTranscript(force) {
  const panel = $("transcript-panel");
  const open = force !== undefined ? force : panel.hidden;
  if (!open) { panel.hidden = true; return; }
  const item = current();
  const transcriptId = item ? item.transcript_id : state.mode === "transcript" ? state.key : null;
  if (!transcriptId) return;
  state.transcript = await api(`/api/transcript/${encodeURIComponent(transcriptId)}`);
  renderTranscript(item);
  panel.hidden = false;
}

function renderTranscript(item) {
  const data = state.transcript;
  $("transcript-title").textContent = `Transcript ${data.transcript_id}`;
  const box = $("transcript-text");
  box.replaceChildren();
  const chars = Array.from(data.text);
  for (const turn of data.turns) {
    const body = el("p", { class: `turn ${turn.role}` }, el("span", { class: "speaker" }, `${turn.speaker}: `));
    const coded = data.coded.filter((c) => c.start < turn.end && c.end > turn.start);
    const cuts = new Set([turn.start, turn.end]);
    for (const c of coded) { cuts.add(Math.max(turn.start, c.start)); cuts.add(Math.min(turn.end, c.end)); }
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      if (a === b) continue;
      const here = coded.filter((c) => c.start <= a && c.end > a);
      const run = el("span", { class: here.length ? "coded" : "", "data-start": String(a) }, chars.slice(a, b).join(""));
      if (here.length) run.title = here.map((c) => `${c.code_id} (${c.status})`).join(", ");
      if (item && a >= item.start && a < item.end) run.classList.add("current");
      body.append(run);
    }
    box.append(body);
  }
  box.querySelector(".current")?.scrollIntoView({ block: "center" });
}

function offsetOf(node, offset) {
  // The transcript offset (code points) of a point in the rendered transcript.
  const run = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node).closest("[data-start]");
  if (!run) return null;
  const base = Number(run.dataset.start);
  if (node.nodeType !== Node.TEXT_NODE) return offset === 0 ? base : base + Array.from(run.textContent).length;
  return base + Array.from(node.data.slice(0, offset)).length;
}

function selectionSpan() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !$("transcript-text").contains(selection.anchorNode)) return null;
  const range = selection.getRangeAt(0);
  const a = offsetOf(range.startContainer, range.startOffset);
  const b = offsetOf(range.endContainer, range.endOffset);
  if (a === null || b === null || a === b) return null;
  return { start: Math.min(a, b), end: Math.max(a, b) };
}

function codeSelection() {
  if ($("transcript-panel").hidden || !state.transcript) return;
  const span = selectionSpan();
  if (!span) return banner("Select some words in the transcript first.");
  const transcriptId = state.transcript.transcript_id;
  openPicker(async (codeId) => {
    await api("/api/manual", { transcript_id: transcriptId, code_id: codeId, start: span.start, end: span.end });
    clearBanner();
    window.getSelection().removeAllRanges();
    state.transcript = await api(`/api/transcript/${encodeURIComponent(transcriptId)}`);
    renderTranscript(current());
    if (!state.aside && state.key === (state.mode === "transcript" ? transcriptId : codeId)) await loadQueue(true);
    laterProgress();
  });
}

// qualkit review page, part 2 of 2 (panels.js comes first). Every piece of transcript text is put on the page
// with textContent, never as markup. Offsets from the server count Unicode code points (Python's str);
// Array.from() gives the same units here.
"use strict";

const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const TOKEN = meta("review-token");
const CSRF = meta("review-csrf");
const $ = (id) => document.getElementById(id);

const state = {
  mode: "code", key: null, pattern: null, aside: false,
  overview: null, progress: null, queueProgress: null, items: [], index: 0, span: null, undo: [],
  transcript: null, busy: false, refresh: null,
};
const STUDY = document.title;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else if (name.startsWith("data-")) node.setAttribute(name, value);
    else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// ---- talking to the server -------------------------------------------------------------------------------

let inFlight = 0;

function busy(delta) {
  // body[data-busy] is "0" once every request has come back and the page has shown what it brought.
  inFlight += delta;
  document.body.dataset.busy = inFlight ? "1" : "0";
}

async function api(path, body) {
  busy(1);
  try {
    return await send(path, body);
  } finally {
    setTimeout(() => busy(-1), 0);  // after the caller has used the answer
  }
}

async function send(path, body) {
  const options = { headers: { "X-Review-Token": TOKEN }, credentials: "same-origin" };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRF-Token"] = CSRF;
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (response.status === 409) {
    banner(`${data.error || "This passage changed since the page loaded"}. Reload to see the latest decisions.`, true);
    throw new Error("stale");
  }
  if (!response.ok) {
    banner(data.error || `The server refused the request (${response.status}).`);
    throw new Error(data.error || String(response.status));
  }
  return data;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== "") search.set(name, value);
  if ($("mine-only").checked) search.set("mine", "1");
  return search.toString();
}

function banner(text, reload) {
  $("banner-text").textContent = text;
  $("banner-reload").hidden = !reload;
  $("banner").hidden = false;
  $("banner").className = reload ? "stale" : "error";
}

function clearBanner() { $("banner").hidden = true; }

// ---- sidebar ---------------------------------------------------------------------------------------------

async function loadOverview() {
  state.overview = await api("/api/overview");
  renderSidebar();
  renderHead();
}

async function loadProgress() {
  // Every code's progress: slower than anything else on a large study, so it never holds up a passage.
  state.progress = await api(`/api/progress?${query({})}`);
  renderSidebar();
}

function laterProgress() {
  clearTimeout(state.refresh);
  state.refresh = setTimeout(() => loadProgress().catch(() => {}), 8000);
}

const REVIEWED = (status) => status !== "pending" && status !== "orphaned";

function counted(before, after) {
  // Keep the counts on screen true after a decision without asking the server for all of them.
  if (!after || after.origin !== "auto") return;
  const delta = Number(REVIEWED(after.status)) - Number(before ? REVIEWED(before.status) : 0);
  if (!delta) return;
  if (state.queueProgress) state.queueProgress.reviewed += delta;
  const code = state.progress && state.progress[after.code_id];
  if (code) code.reviewed += delta;
  renderHead();
  renderSidebar();
}

function codeById(codeId) {
  return (state.overview ? state.overview.codes : []).find((c) => c.code_id === codeId);
}

function renderSidebar() {
  const bar = $("sidebar");
  bar.replaceChildren();
  if (state.mode === "transcript") {
    const list = el("ul", { class: "entries" });
    for (const t of state.overview.transcripts) {
      const item = el("li", { class: t.transcript_id === state.key ? "on" : "" },
        el("button", { type: "button", "data-transcript": t.transcript_id },
          t.transcript_id, el("span", { class: "muted" }, t.group ? ` · ${t.group}` : "")));
      item.firstChild.addEventListener("click", () => choose(t.transcript_id, null));
      list.append(item);
    }
    bar.append(list);
    return;
  }
  const list = el("ul", { class: "entries" });
  for (const code of state.overview.codes) {
    const done = state.progress ? state.progress[code.code_id] || { reviewed: 0, total: 0 } : null;
    const share = done && done.total ? Math.round((100 * done.reviewed) / done.total) : 0;
    const button = el("button", { type: "button", "data-code": code.code_id, title: code.path },
      el("span", { class: "name" }, code.path),
      el("span", { class: "count" }, done ? `${done.reviewed} of ${done.total} reviewed` : "counting…"),
      el("span", { class: "bar" }, el("span", { class: "fill" })));
    button.querySelector(".fill").style.width = `${share}%`;
    button.addEventListener("click", () => choose(code.code_id, null));
    const item = el("li", { class: code.code_id === state.key ? "on" : "" }, button);
    if (state.mode === "pattern" && code.code_id === state.key) item.append(el("ul", { class: "patterns", id: "pattern-list" }));
    list.append(item);
  }
  bar.append(list);
  if (state.mode === "pattern" && state.key) loadPatterns();
}

async function loadPatterns() {
  const data = await api(`/api/patterns?${query({ code_id: state.key })}`);
  const list = $("pattern-list");
  if (!list) return;
  list.replaceChildren();
  for (const p of data.items) {
    const button = el("button", { type: "button", "data-pattern": p.pattern, class: p.pattern === state.pattern ? "on" : "" },
      p.pattern, el("span", { class: "muted" }, ` ${p.reviewed} of ${p.total}`));
    button.addEventListener("click", () => choose(state.key, p.pattern));
    list.append(el("li", {}, button));
  }
}

function renderHead() {
  const code = state.mode !== "transcript" ? codeById(state.key) : null;
  if (state.aside) {
    $("queue-title").textContent = `Set-aside hits · ${code ? code.path : state.key}`;
  } else if (code) {
    $("queue-title").textContent = code.path + (state.pattern ? ` · pattern ${state.pattern}` : "");
  } else {
    $("queue-title").textContent = state.key ? `Transcript ${state.key}` : "Choose a code";
  }
  const done = state.queueProgress;
  $("queue-progress").textContent = done && state.key && !state.aside ? `${done.reviewed} of ${done.total} reviewed` : "";
  $("queue-definition").textContent = code && code.definition ? code.definition : "";
}

// ---- the queue -------------------------------------------------------------------------------------------

async function choose(key, pattern) {
  state.key = key; state.pattern = pattern; state.aside = false;
  if (state.mode !== "transcript") localStorage.setItem(`${STUDY}:code`, key);
  renderSidebar();
  await loadQueue();
}

async function loadQueue(keepIndex) {
  if (!state.key) return;
  const shown = keepIndex && current() ? current().segment_id || current().hit_id : null;
  let data;
  if (state.aside) {
    data = await api(`/api/set_aside?${query({ code_id: state.key })}`);
  } else {
    const status = $("pending-only").checked ? "pending" : "";
    data = await api(`/api/queue?${query({ mode: state.mode, key: state.key, pattern: state.pattern, status })}`);
  }
  state.items = data.items;
  state.queueProgress = data.progress || null;
  if (!keepIndex) {
    const first = state.items.findIndex((item) => state.aside ? !item.restored : item.status === "pending" || item.status === "orphaned");
    state.index = first >= 0 ? first : 0;
  }
  const again = shown ? state.items.findIndex((item) => (item.segment_id || item.hit_id) === shown) : -1;
  if (again >= 0) state.index = again;
  state.index = Math.min(state.index, Math.max(0, state.items.length - 1));
  renderHead();
  show();
}

function current() { return state.items[state.index]; }

function show() {
  const item = current();
  state.span = item ? { start: item.start, end: item.end } : null;
  renderCard();
  renderList();
}

function runs(context, span, matches) {
  // Split the context into runs: each knows whether it is inside the passage and inside a matched word.
  const chars = Array.from(context.text);
  const cuts = new Set([0, chars.length]);
  const rel = (offset) => Math.max(0, Math.min(chars.length, offset - context.start));
  if (span) { cuts.add(rel(span.start)); cuts.add(rel(span.end)); }
  for (const m of matches) { cuts.add(rel(m.start)); cuts.add(rel(m.end)); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    if (a === b) continue;
    const at = context.start + a;
    out.push({
      text: chars.slice(a, b).join(""),
      inside: span ? at >= span.start && at < span.end : false,
      mark: matches.some((m) => at >= m.start && at < m.end),
    });
  }
  return out;
}

function contextNode(item, span) {
  const block = el("blockquote", { class: "context" });
  if (item.context.clipped_start) block.append(el("span", { class: "muted" }, "… "));
  let passage = null;
  for (const run of runs(item.context, span, item.matches || [{ start: item.start, end: item.end }])) {
    const node = run.mark ? el("mark", {}, run.text) : document.createTextNode(run.text);
    if (!run.inside) { passage = null; block.append(node); continue; }
    if (!passage) { passage = el("span", { class: "passage" }); block.append(passage); }
    passage.append(node);
  }
  if (item.context.clipped_end) block.append(el("span", { class: "muted" }, " …"));
  return block;
}

function renderCard() {
  const card = $("card");
  const item = current();
  $("actions").hidden = !item;
  card.hidden = !item;
  card.replaceChildren();
  if (!item) {
    if (state.key) { card.hidden = false; card.append(el("p", { class: "muted" }, state.aside ? "No set-aside hits for this code." : "Nothing to review here.")); }
    return;
  }
  if (state.aside) return renderAsideCard(card, item);
  card.dataset.segmentId = item.segment_id;
  card.dataset.status = item.status;
  const code = codeById(item.code_id);
  const recodeTo = item.recode_to ? codeById(item.recode_to) : null;
  card.append(
    el("p", { class: "where" },
      el("span", { class: `status ${item.status}`, id: "card-status" }, item.status),
      " ", el("b", {}, code ? code.path : item.code_id),
      recodeTo ? el("span", {}, ` → ${recodeTo.path}`) : null,
      el("span", { class: "muted" }, ` · passage ${state.index + 1} of ${state.items.length}`)),
    el("p", { class: "who" },
      el("b", {}, item.speaker), item.transcript_id !== item.speaker ? ` · ${item.transcript_id}` : "",
      item.group ? ` · ${item.group}` : "",
      ` · turn ${item.turn}`, item.origin !== "auto" ? ` · ${item.origin}` : ""),
    contextNode(item, state.span),
    el("p", { class: "fired" }, item.patterns.length ? `pattern: ${item.patterns.join(" | ")}` : "coded by hand"),
  );
  if (state.span.start !== item.start || state.span.end !== item.end) {
    card.append(el("p", { class: "span-note", id: "span-note" }, "Span changed: press a to accept it with this span."));
  }
  if (item.memo) card.append(el("p", { class: "memo", id: "card-memo" }, `memo: ${item.memo}`));
  if (item.decided_by) card.append(el("p", { class: "muted" }, `decided by ${item.decided_by}${item.decided_at ? " · " + item.decided_at : ""}`));
}

function renderAsideCard(card, item) {
  card.dataset.segmentId = "";
  card.dataset.hitId = item.hit_id;
  card.dataset.status = item.restored ? "restored" : item.status;
  card.append(
    el("p", { class: "where" }, el("span", { class: `status ${item.status}` }, item.restored ? "restored" : item.status),
      ` ${item.reason || ""}`, el("span", { class: "muted" }, ` · hit ${state.index + 1} of ${state.items.length}`)),
    el("p", { class: "who" }, el("b", {}, item.speaker || ""), ` · ${item.transcript_id}`, item.group ? ` · ${item.group}` : ""),
    contextNode({ ...item, matches: [{ start: item.start, end: item.end }] }, { start: item.start, end: item.end }),
    el("p", { class: "fired" }, item.pattern ? `pattern: ${item.pattern}` : ""),
    el("p", { class: "muted" }, item.restored ? "Restored as a coding." : "Press a to restore this hit as a coding; s goes back to the passages."),
  );
}

function renderList() {
  const list = $("list");
  list.replaceChildren();
  const from = Math.max(0, state.index - 3);
  for (let i = from; i < Math.min(state.items.length, from + 25); i++) {
    const item = state.items[i];
    const chars = Array.from(item.context.text);
    const s = Math.max(0, item.start - item.context.start);
    const text = chars.slice(s, s + Math.min(item.end - item.start, 110)).join("");
    const status = state.aside ? (item.restored ? "restored" : item.status) : item.status;
    const row = el("li", { class: i === state.index ? "on" : "" },
      el("span", { class: `status ${status}` }, status), " ",
      el("span", { class: "muted" }, `${item.transcript_id} `), text);
    row.addEventListener("click", () => { state.index = i; show(); });
    list.append(row);
  }
}

// ---- decisions -------------------------------------------------------------------------------------------

function replace(updated) {
  const at = state.items.findIndex((item) => item.segment_id === updated.segment_id);
  if (at >= 0) state.items[at] = updated;
}

async function decide(decision, extra) {
  const item = current();
  if (!item || state.aside || state.busy) return;
  const body = { segment_id: item.segment_id, decision, version: item.version, ...(extra || {}) };
  if (decision === "accept" && (state.span.start !== item.start || state.span.end !== item.end)) {
    body.start = state.span.start; body.end = state.span.end;
  }
  state.busy = true;
  try {
    const updated = await api("/api/decide", body);
    clearBanner();
    counted(item, updated);
    replace(updated);
    if (decision !== "undo") {
      state.undo.push(updated.segment_id);
      if (state.index + 1 < state.items.length) state.index += 1;
    }
    show();
    laterProgress();
  } catch (error) { /* the banner says why */ } finally { state.busy = false; }
}

async function undo() {
  // Your last decision on this page; after a reload, your decision on the passage shown.
  const segmentId = state.undo.pop() || (current() && !state.aside ? current().segment_id : null);
  if (!segmentId) return banner("Nothing of yours to undo here.");
  const at = state.items.findIndex((item) => item.segment_id === segmentId);
  if (at < 0) return banner("Your last decision is on a passage outside this list.");
  state.index = at;
  show();
  await decide("undo");
}

async function restore() {
  const item = current();
  if (!item || !state.aside || item.restored) return;
  await api("/api/restore", { hit_id: item.hit_id });
  item.restored = true;
  if (state.index + 1 < state.items.length) state.index += 1;
  show();
  laterProgress();
}

// ---- keys and buttons ------------------------------------------------------------------------------------

function toggleAside() {
  if (state.mode === "transcript" || !state.key) return;
  state.aside = !state.aside;
  loadQueue();
}

const KEYS = {
  a: () => (state.aside ? restore() : decide("accept")),
  r: () => decide("reject"),
  c: () => current() && !state.aside && openPicker((codeId) => decide("recode", { recode_to: codeId }), current().code_id),
  j: () => { if (state.index + 1 < state.items.length) { state.index += 1; show(); } },
  k: () => { if (state.index > 0) { state.index -= 1; show(); } },
  ArrowDown: () => KEYS.j(), ArrowUp: () => KEYS.k(),
  "[": () => moveSpan("start", -1), "{": () => moveSpan("start", 1),
  "]": () => moveSpan("end", 1), "}": () => moveSpan("end", -1),
  m: memoOnPassage, M: memoOnCode, u: undo, s: toggleAside, t: () => toggleTranscript(), n: codeSelection,
  "?": () => $("help").showModal(),
};

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const field = event.target.closest && event.target.closest("input, textarea, select");
  if (field && !field.closest("dialog:not([open])")) return;  // typing, unless in a dialog already closed
  const action = KEYS[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

function wire() {
  const click = (id, fn) => $(id).addEventListener("click", fn);
  click("do-accept", KEYS.a); click("do-reject", KEYS.r); click("do-recode", KEYS.c);
  click("widen-start", KEYS["["]); click("narrow-start", KEYS["{"]); click("widen-end", KEYS["]"]); click("narrow-end", KEYS["}"]);
  click("do-memo", memoOnPassage); click("do-undo", undo); click("do-prev", KEYS.k); click("do-next", KEYS.j);
  click("do-aside", toggleAside); click("do-transcript", () => toggleTranscript());
  click("close-transcript", () => toggleTranscript(false)); click("code-selection", codeSelection);
  click("study-memo", memoOnStudy); click("transcript-memo", memoOnTranscript);
  click("memo-save", saveMemo); click("memo-cancel", () => $("memo-dialog").close());
  click("help-button", () => $("help").showModal()); click("help-close", () => $("help").close());
  click("banner-reload", () => window.location.reload());
  $("picker-search").addEventListener("input", fillPicker);
  $("picker-search").addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); movePicker(1); }
    if (event.key === "ArrowUp") { event.preventDefault(); movePicker(-1); }
    if (event.key === "Enter") { event.preventDefault(); pick($("picker-list").querySelector(".on")?.dataset.code); }
    if (event.key === "Escape") { event.preventDefault(); $("picker-search").blur(); $("picker").close(); }  // a search box would only clear
  });
  // the keys work again at once: focus must not stay in the closed picker's search box. A dialog's close event
  // comes a moment after it closed: by then 'c' may have opened the picker again, whose choice and focus stay.
  $("picker").addEventListener("close", () => {
    if ($("picker").open) return;
    pickerDone = null;
    $("picker-search").blur();
  });
  $("memo-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); saveMemo(); }
  });
  for (const button of document.querySelectorAll("#modes button")) {
    button.addEventListener("click", () => {
      document.querySelectorAll("#modes button").forEach((b) => b.classList.toggle("on", b === button));
      state.mode = button.dataset.mode; state.key = null; state.pattern = null; state.aside = false;
      state.items = []; show(); renderSidebar(); renderHead();
    });
  }
  $("pending-only").addEventListener("change", () => loadQueue());
  $("mine-only").addEventListener("change", async () => { loadProgress(); await loadQueue(); });
}

async function start() {
  wire();
  await loadOverview();
  const codes = state.overview.codes;
  const last = localStorage.getItem(`${STUDY}:code`);
  const first = codes.find((c) => c.code_id === last) || codes[0];
  if (first) await choose(first.code_id, null);
  document.body.dataset.ready = "1";
  document.body.dataset.readyMs = String(Math.round(performance.now()));  // since navigation began
  loadProgress();
}

start();

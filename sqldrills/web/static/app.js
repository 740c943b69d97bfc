// sqldrills serve: the page. Plain JavaScript over the JSON API (sqldrills/web/practice.py,
// interview.py); the editor is CodeMirror 6 from static/editor.js (global SqlEditor).
// Text from the API is set as text; only the server's Markdown rendering (*_html, where
// any raw HTML is escaped) is set as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
// Signed in by the address `sqldrills serve` printed: its token leaves the address bar and
// the history (the server set the cookie with this very page).
if (new URLSearchParams(location.search).has("token")) history.replaceState(null, "", "/" + location.hash);
// The editor bundle loads in parallel (async): the drill list does not wait for it.
const editorReady = new Promise((resolve) => {
  if (window.SqlEditor) resolve();
  else document.querySelector("script[src='/static/editor.js']").addEventListener("load", resolve);
});
const styleNonce = () => document.querySelector("meta[name=style-nonce]").content;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

function showError(error) {
  const banner = $("error-banner");
  banner.textContent = error ? String(error.message || error) : "";
  banner.hidden = !error;
}

function table(columns, rows, rowClass) {
  const isNumber = (v) => /^-?[\d,]+(\.\d+)?(e[-+]?\d+)?$/i.test(v);
  return el("table", { class: "rows" },
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c)))),
    el("tbody", {}, rows.map((row) => el("tr", rowClass ? { class: rowClass(row) } : {},
      row.map((v) => el("td", isNumber(String(v)) ? { class: "num" } : {}, v))))));
}

const state = { drills: [], dialects: ["duckdb"], drill: null, editor: null, taskEditor: null, schema: null };

// --- the drill list ---------------------------------------------------------------

async function loadDrills() {
  const data = await api("GET", "/api/drills");
  state.drills = data.drills;
  state.dialects = data.dialects;
  const solved = data.drills.filter((d) => d.status === "solved" || d.status.startsWith("solved")).length;
  $("progress-summary").textContent = `${solved}/${data.drills.length} solved`;
  return data;
}

async function showList() {
  const data = await loadDrills();
  const list = $("drill-list");
  list.replaceChildren(...data.tracks.map((track) => {
    const drills = data.drills.filter((d) => d.track === track);
    if (!drills.length) return null;
    return el("section", { class: "track" }, el("h2", {}, track),
      el("ul", {}, drills.map((d) => el("li", {},
        el("a", { href: `#drill/${d.id}`, "data-drill": d.id },
          el("span", {}, el("span", { class: "stars" }, "*".repeat(d.difficulty)), " ", d.title),
          el("span", { class: `status ${d.status.split(" ")[0]}`, "data-status": d.status }, d.status_text))))));
  }).filter(Boolean));
}

// --- one drill --------------------------------------------------------------------

let saveTimer = null;
let unsaved = null;  // the drill whose edits are not saved yet

function scheduleSave() {
  clearTimeout(saveTimer);
  $("save-state").textContent = "editing";
  unsaved = state.drill.id;
  saveTimer = setTimeout(flushSave, 700);
}

// Save now what the editor holds (before it shows another drill, or the page another view).
function flushSave() {
  clearTimeout(saveTimer);
  const id = unsaved;
  unsaved = null;
  if (!id) return Promise.resolve();
  return api("PUT", `/api/drills/${encodeURIComponent(id)}/answer`, { sql: state.editor.getValue() })
    .then(() => { $("save-state").textContent = "saved"; })
    .catch((e) => { $("save-state").textContent = `not saved: ${e.message}`; });
}

function dropPendingSave() {  // Run and Check save the answer themselves
  clearTimeout(saveTimer);
  unsaved = null;
}

async function ensureSchema() {
  if (!state.schema) state.schema = (await api("GET", "/api/schema")).tables;
  return state.schema;
}

async function showDrill(id) {
  const [drill, schema] = await Promise.all([api("GET", `/api/drills/${encodeURIComponent(id)}`), ensureSchema()]);
  if (!state.drills.length) await loadDrills();
  await editorReady;
  state.drill = drill;
  $("drill-track").textContent = drill.track;
  $("drill-title").textContent = drill.title;
  $("drill-tags").textContent = drill.tags.join(", ");
  $("drill-prompt").innerHTML = drill.prompt_html;
  $("drill-contract").textContent = drill.contract;
  $("drill-tables").textContent = `Tables involved: ${drill.tables.join(", ")}`;
  $("answer-path").textContent = drill.answer_path;
  $("result").replaceChildren();
  $("solution").replaceChildren();
  $("reveal-note").textContent = "";
  $("save-state").textContent = "";
  setStatus(drill.status, drill.status_text);
  showRevealed(drill);
  showSchema(schema);
  const dialect = $("dialect");
  if (!dialect.options.length) dialect.replaceChildren(...state.dialects.map((d) => el("option", { value: d }, d)));
  if (!state.editor) {
    state.editor = SqlEditor.create($("editor"), {
      doc: drill.answer, schema, nonce: styleNonce(), onRun: runAnswer, onCheck: checkAnswer, onChange: scheduleSave,
    });
  } else {
    state.editor.setValue(drill.answer);
    dropPendingSave();  // setting the text is not an edit
    $("save-state").textContent = "";
  }
  state.editor.setWarnings([]);
  state.editor.focus();
}

function setStatus(status, text) {
  const badge = $("drill-status");
  badge.className = `status ${status.split(" ")[0]}`;
  badge.dataset.status = status;
  badge.textContent = text || status;
  $("solution-box").hidden = !status.startsWith("solved");
}

function showRevealed(data) {
  $("clarifications").replaceChildren(...data.clarifications.map((c) =>
    el("li", {}, el("strong", { html: c.question }), " ", el("span", { html: c.answer }))));
  $("hints").replaceChildren(...data.hints.map((h) => el("li", { html: h })));
  $("clarify").textContent = `Ask a clarification (${data.clarifications.length}/${data.clarifications_total})`;
  $("hint").textContent = `Show a hint (${data.hints.length}/${data.hints_total})`;
  $("clarify").disabled = data.clarifications.length >= data.clarifications_total;
  $("hint").disabled = data.hints.length >= data.hints_total;
}

function showSchema(schema) {
  const box = $("schema-tables");
  if (box.childElementCount) return;
  box.replaceChildren(...Object.entries(schema).map(([name, columns]) => {
    const details = el("details", { "data-table": name },
      el("summary", {}, el("code", {}, name), el("span", { class: "muted" }, ` ${columns.length} columns`)));
    const body = el("div", {});
    details.append(body);
    details.addEventListener("toggle", async () => {
      if (!details.open || body.childElementCount) return;
      body.append(table(["column", "type", "meaning"], columns.map((c) => [c.name, c.type, c.meaning])));
      try {
        const { examples } = await api("GET", `/api/schema/${name}`);
        body.replaceChildren(table(["column", "type", "meaning", "examples"],
          columns.map((c) => [c.name, c.type, c.meaning, examples[c.name] || ""])));
      } catch (e) { showError(e); }
    });
    return details;
  }));
}

async function withBusy(button, label, work) {
  const before = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try { showError(null); return await work(); }
  catch (e) { showError(e); return null; }
  finally { button.disabled = false; button.textContent = before; }
}

function rowsView(data, roundTripMs) {
  if (data.error) return el("div", { id: "rows-error" }, el("p", { class: "message" }, data.error));
  const more = data.row_count - data.rows.length;
  const timing = `${data.row_count.toLocaleString()}${data.truncated ? "+" : ""} rows, query ${data.elapsed_ms} ms` +
    (roundTripMs !== undefined ? `, ${roundTripMs} ms round trip` : "");
  return el("div", { id: "rows" },
    el("h3", {}, "Your first rows ", el("span", { class: "muted small" }, "(practice world)")),
    el("p", { class: "muted", id: "rows-timing" }, timing),
    el("div", { class: "scroll" }, table(data.columns, data.rows)),
    more > 0 || data.truncated ? el("p", { class: "muted" }, `... ${more.toLocaleString()}${data.truncated ? "+" : ""} more rows`) : null);
}

async function runAnswer() {
  const drill = state.drill;
  dropPendingSave();
  await withBusy($("run"), "Running...", async () => {
    const started = performance.now();
    const data = await api("POST", `/api/drills/${encodeURIComponent(drill.id)}/run`, { sql: state.editor.getValue(), dialect: $("dialect").value });
    $("save-state").textContent = "saved";
    $("result").replaceChildren(rowsView(data, Math.round(performance.now() - started)));
  });
}

function verdictView(r) {
  if (!r.verdict) return el("p", { class: "message" }, r.message);
  const failing = r.verdict !== "error" && r.worlds.length;
  return el("div", { id: "verdict", "data-verdict": r.verdict },
    el("p", {}, el("span", { class: `verdict ${r.verdict}` }, r.verdict.toUpperCase()),
      el("span", { class: "muted" }, `  graded in ${Math.round(r.elapsed_ms)} ms`)),
    r.pitfall_name ? el("div", { class: "pitfall", id: "pitfall" },
      el("strong", {}, r.pitfall_name), el("p", {}, r.pitfall_explanation || "")) : null,
    el("p", { class: "message", id: "verdict-message" }, r.message),
    failing ? table(["world", "", "details"], r.worlds.map((w) => [`${w.world} (${w.description})`, w.match ? "ok" : "x", w.summary])) : null,
    r.counterexample ? el("div", { id: "counterexample" },
      el("h3", {}, `Where it differs (${r.counterexample.world} world)`),
      table(r.counterexample.header, r.counterexample.rows, (row) => row[0])) : null,
    r.repairs.length ? el("div", {}, el("h3", {}, "What would fix it"), el("ul", {}, r.repairs.map((p) =>
      el("li", {}, p.line ? `line ${p.line}: ` : "", "change ", el("code", {}, p.before), " to ", el("code", {}, p.after),
        p.pitfall_name ? ` (${p.pitfall_name})` : "")))) : null,
    r.warnings.length ? el("ul", { class: "warnings", id: "warnings" }, r.warnings.map((w) =>
      el("li", {}, `${w.line ? `line ${w.line}: ` : ""}${w.rule} ${w.name}: ${w.message}`))) : null);
}

async function checkAnswer() {
  const drill = state.drill;
  dropPendingSave();
  await withBusy($("check"), "Checking...", async () => {
    const result = await api("POST", `/api/drills/${encodeURIComponent(drill.id)}/check`, { sql: state.editor.getValue(), dialect: $("dialect").value });
    $("save-state").textContent = "saved";
    if (state.drill !== drill) return;  // the learner moved on while it was graded
    $("result").replaceChildren(verdictView(result));
    state.editor.setWarnings(result.warnings || []);
    if (result.status) {
      await loadDrills();
      const row = state.drills.find((d) => d.id === drill.id);
      setStatus(row.status, row.status_text);
    }
  });
}

async function reveal(what) {
  let revealed = null;
  await withBusy($(what), "...", async () => {
    revealed = await api("POST", `/api/drills/${encodeURIComponent(state.drill.id)}/${what}`);
    $("reveal-note").textContent = revealed.note || "";
  });
  if (revealed) showRevealed(revealed);  // after withBusy, which re-enables the button
}

async function showSolution() {
  await withBusy($("solution-button"), "...", async () => {
    const s = await api("POST", `/api/drills/${encodeURIComponent(state.drill.id)}/solution`);
    $("solution").replaceChildren(el("h3", {}, "The reference"), el("pre", { id: "reference" }, s.reference),
      el("div", { class: "prose", html: s.explanation_html }),
      el("h3", {}, "The traps it guards against"),
      el("ul", {}, s.traps.map((t) => el("li", {}, el("strong", {}, t.name), ": ", el("span", { html: t.explanation })))));
  });
}

// --- interview ----------------------------------------------------------------------

const interview = { data: null, shownAt: 0, ticker: null, saveTimer: null };

function clockText(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function paintClock() {
  const data = interview.data;
  if (!data || data.finished) return;
  const left = data.remaining_s - (performance.now() - interview.shownAt) / 1000;
  $("clock").textContent = `${clockText(left)} left`;
  $("clock").classList.toggle("low", left < 300);
}

async function showInterview() {
  const data = await api("GET", "/api/interview");
  const tracks = $("interview-track");
  if (tracks.options.length === 1) tracks.append(...data.tracks.map((t) => el("option", { value: t }, t)));
  $("interview-history").replaceChildren(data.history.rows.length
    ? table(data.history.columns, data.history.rows) : el("p", { class: "muted" }, "None yet."));
  await editorReady;
  paintInterview(data.interview);
}

function paintInterview(data) {
  const changedTask = !interview.data || !data || interview.data.task?.drill !== data.task?.drill;
  interview.data = data;
  interview.shownAt = performance.now();
  $("interview-start").hidden = !!data && !data.finished;
  $("interview-live").hidden = !data || data.finished;
  $("interview-done").hidden = !data || !data.finished;
  clearInterval(interview.ticker);
  if (!data) { $("interview-start").hidden = false; return; }
  if (data.finished) {
    $("scorecard").replaceChildren(table(data.scorecard.columns, data.scorecard.rows));
    return;
  }
  interview.ticker = setInterval(() => {
    paintClock();
    if (performance.now() - interview.shownAt > 5000 && location.hash === "#interview") {
      interview.shownAt = performance.now();
      api("POST", "/api/interview/tick").then(paintInterview).catch(showError);
    }
  }, 500);
  paintClock();
  $("interview-tasks").replaceChildren(...data.tasks.map((t, i) => el("button", {
    type: "button", class: `task-tab${i === data.current ? " current" : ""}`, disabled: t.submitted ? "" : null,
    onclick: () => flushTaskSave().then(() => api("POST", "/api/interview/task", { index: i }))
      .then(paintInterview).catch(showError),
  }, `${i + 1}. ${t.title}${t.submitted ? ` - ${t.verdict}${t.pitfall ? ` (${t.pitfall})` : ""}` : ""}`)));
  const task = data.task;
  $("task-title").textContent = task.title;
  $("task-prompt").innerHTML = task.prompt_html;
  $("task-clarifications").replaceChildren(...task.clarifications.map((c) =>
    el("li", {}, el("strong", { html: c.question }), " ", el("span", { html: c.answer }))));
  $("task-clarify").disabled = task.clarifications.length >= task.clarifications_total;
  if (!interview.editor) {
    interview.editor = SqlEditor.create($("task-editor"), {
      doc: task.answer, schema: state.schema || {}, nonce: styleNonce(), onRun: previewTask, onCheck: () => {}, onChange: saveTask,
    });
  } else if (changedTask) {
    interview.editor.setValue(task.answer);
    clearTimeout(interview.saveTimer);  // setting the text is not an edit
    interview.unsaved = null;
    $("task-result").replaceChildren();
  }
}

function saveTask() {
  clearTimeout(interview.saveTimer);
  interview.unsaved = interview.data.task.drill;
  interview.saveTimer = setTimeout(flushTaskSave, 700);
}

function flushTaskSave() {
  clearTimeout(interview.saveTimer);
  const drill = interview.unsaved;
  interview.unsaved = null;
  if (!drill) return Promise.resolve();
  return api("PUT", "/api/interview/answer", { sql: interview.editor.getValue(), drill }).catch(showError);
}

async function previewTask() {
  await withBusy($("task-run"), "Running...", async () => {
    const started = performance.now();
    const data = await api("POST", "/api/interview/run", { sql: interview.editor.getValue() });
    $("task-result").replaceChildren(rowsView(data, Math.round(performance.now() - started)));
  });
}

async function submitTask() {
  clearTimeout(interview.saveTimer);
  interview.unsaved = null;
  await withBusy($("task-submit"), "Submitting...", async () => {
    const before = interview.data.task.drill;
    const data = await api("POST", "/api/interview/submit", { sql: interview.editor.getValue() });
    const done = data.tasks.find((t) => t.drill === before);
    $("task-note").textContent = `Submitted ${before}: ${String(done.verdict).toUpperCase()}${done.pitfall ? ` - ${done.pitfall}` : ""}`;
    paintInterview(data);
    if (data.finished) showInterview();
  });
}

// --- wiring -------------------------------------------------------------------------

async function route() {
  showError(null);
  await flushSave();
  await flushTaskSave();
  const hash = location.hash.replace(/^#/, "");
  for (const view of ["list-view", "drill-view", "interview-view"]) $(view).hidden = true;
  try {
    if (hash.startsWith("drill/")) {
      await showDrill(decodeURIComponent(hash.slice("drill/".length)));
      $("drill-view").hidden = false;
    } else if (hash === "interview") {
      await ensureSchema();
      await showInterview();
      $("interview-view").hidden = false;
    } else {
      await showList();
      $("list-view").hidden = false;
    }
  } catch (e) { showError(e); }
  document.body.dataset.ready = hash || "list";
}

document.addEventListener("DOMContentLoaded", () => {
  $("run").addEventListener("click", runAnswer);
  $("check").addEventListener("click", checkAnswer);
  $("hint").addEventListener("click", () => reveal("hint"));
  $("clarify").addEventListener("click", () => reveal("clarify"));
  $("solution-button").addEventListener("click", showSolution);
  $("interview-form").addEventListener("submit", (event) => {
    event.preventDefault();
    api("POST", "/api/interview/start", { track: $("interview-track").value || null,
      minutes: Number($("interview-minutes").value), new: true })
      .then(async (data) => { await editorReady; paintInterview(data); }).catch(showError);
  });
  $("task-run").addEventListener("click", previewTask);
  $("task-submit").addEventListener("click", submitTask);
  $("task-clarify").addEventListener("click", () =>
    api("POST", "/api/interview/clarify").then(paintInterview).catch(showError));
  $("interview-end").addEventListener("click", () =>
    api("POST", "/api/interview/end").then((data) => { paintInterview(data); showInterview(); }).catch(showError));
  $("interview-again").addEventListener("click", () => { interview.data = null; paintInterview(null); });
  window.addEventListener("hashchange", route);
  route();
});

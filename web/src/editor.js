// The SQL editor of `sqldrills serve`: CodeMirror 6 with @codemirror/lang-sql, bundled by
// esbuild (npm run build, or `make assets`) into sqldrills/web/static/editor.js, which
// exposes one global, SqlEditor. The rest of the page is plain JavaScript (static/app.js).
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  highlightSpecialChars,
} from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, indentOnInput, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import {
  autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap,
} from "@codemirror/autocomplete";
import { sql, PostgreSQL } from "@codemirror/lang-sql";
import { setDiagnostics, lintGutter, lintKeymap } from "@codemirror/lint";

// What a SQL box needs of CodeMirror's basicSetup (no search panel, folding or multiple
// cursors): a smaller bundle, so the first page load stays fast.
const setup = [
  lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
  indentOnInput(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(),
  closeBrackets(), autocompletion(), highlightActiveLine(),
  keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
];

// schema: {table: [{name, type, meaning}]}, the world's public schema, for autocomplete.
function completionSchema(schema) {
  const namespace = {};
  for (const [table, columns] of Object.entries(schema || {})) {
    namespace[table] = columns.map((c) => ({
      label: c.name, type: "property", detail: c.type, info: c.meaning,
    }));
  }
  return namespace;
}

// create(parent, {doc, schema, nonce, onRun, onCheck, onChange}) -> a small handle the page
// uses. nonce: the page's CSP nonce for the <style> elements CodeMirror adds.
export function create(parent, options) {
  const keys = Prec.highest(keymap.of([
    { key: "Mod-Shift-Enter", run: () => { options.onCheck?.(); return true; } },
    { key: "Mod-Enter", run: () => { options.onRun?.(); return true; } },
  ]));
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        keys,
        EditorView.cspNonce.of(options.nonce || ""),
        setup,
        // DuckDB's SQL is closest to PostgreSQL's among the dialects lang-sql knows.
        sql({ dialect: PostgreSQL, schema: completionSchema(options.schema), upperCaseKeywords: true }),
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange?.();
        }),
      ],
    }),
  });

  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    // warnings: [{line, message, rule}], marked on their lines (a finding without a line
    // is marked on the first line).
    setWarnings(warnings) {
      const doc = view.state.doc;
      const diagnostics = (warnings || []).map((w) => {
        const line = doc.line(Math.min(Math.max(w.line || 1, 1), doc.lines));
        return {
          from: line.from, to: Math.max(line.to, line.from), severity: "warning",
          source: w.rule, message: `${w.rule} ${w.name}: ${w.message}`,
        };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
  };
}

// The query editor's libraries, bundled by scripts/assets.sh (esbuild) into one file,
// src/paradip_kg/static/vendor/editor.js, which sets window.ParadipCM. The page's own code
// (static/sparql-editor.js) uses it when it is there and keeps the plain textarea otherwise.
export { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder, Decoration, ViewPlugin,
} from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export {
  syntaxHighlighting, defaultHighlightStyle, HighlightStyle, bracketMatching, indentOnInput,
  syntaxTree,
} from "@codemirror/language";
export {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion,
  acceptCompletion, currentCompletions, completionStatus,
} from "@codemirror/autocomplete";
export { linter, lintGutter, setDiagnostics } from "@codemirror/lint";
export { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
export { tags } from "@lezer/highlight";
export { sparql } from "codemirror-lang-sparql";

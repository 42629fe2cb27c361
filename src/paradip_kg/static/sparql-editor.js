/* paradip-kg query editor.
 *
 * With static/vendor/editor.js (CodeMirror 6 and codemirror-lang-sparql, bundled by
 * scripts/assets.sh; it sets window.ParadipCM): syntax highlighting, completion of keywords,
 * prefixes and of the ontology's classes, properties and concepts by prefixed name or by their
 * Spanish and English labels (from /sparql/vocabulary.json), the server's syntax error marked
 * at its line and column. Without it: a plain textarea with a small highlighter.
 * Either way: Ctrl+Enter runs, the query history is kept in this browser (localStorage), the
 * permalink follows the text, the example and prefix buttons write into the query.
 * No network but this server; without JavaScript the textarea and the links still work. */
(function () {
  "use strict";

  var KEYWORDS = ("BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT DESCRIBE ASK FROM NAMED WHERE ORDER BY ASC DESC " +
    "LIMIT OFFSET VALUES OPTIONAL GRAPH UNION MINUS FILTER BIND SERVICE SILENT GROUP HAVING NOT EXISTS IN UNDEF " +
    "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND " +
    "ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER " +
    "YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF " +
    "STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE A TRUE FALSE").split(" ");
  var KEYWORD_SET = {};
  KEYWORDS.forEach(function (k) { KEYWORD_SET[k] = true; });
  var HISTORY_KEY = "paradip-kg.query-history";
  var HISTORY_SIZE = 50;
  var WORDS = {
    es: { cls: "clase", property: "propiedad", concept: "concepto", scheme: "esquema", prefix: "prefijo",
          keyword: "palabra clave", at: "Error de sintaxis en la línea {l}, columna {c}", empty: "Aún no hay consultas." },
    en: { cls: "class", property: "property", concept: "concept", scheme: "scheme", prefix: "prefix",
          keyword: "keyword", at: "Syntax error at line {l}, column {c}", empty: "No query yet." }
  };

  // --- The fallback: a textarea over a highlighted copy of its text ----------------------------
  var TOKEN = new RegExp([
    "(#[^\\n]*)",
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')",
    "(<[^<>\"{}|^`\\\\\\s]*>)",
    "([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)",
    "([A-Za-z][\\w.-]*)?:([\\w\\-.%\\u00C0-\\uFFFF]*)",
    "([A-Za-z_]+)",
    "([+-]?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)"
  ].join("|"), "g");

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function span(cls, text) { return '<span class="tok-' + cls + '">' + escapeHtml(text) + "</span>"; }
  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      out += escapeHtml(text.slice(last, m.index));
      if (m[1]) out += span("comment", m[0]);
      else if (m[2]) out += span("string", m[0]);
      else if (m[3]) out += span("iri", m[0]);
      else if (m[4]) out += span("var", m[0]);
      else if (m[6] !== undefined) out += span("pname", m[0]);
      else if (m[7]) out += KEYWORD_SET[m[7].toUpperCase()] ? span("keyword", m[0]) : escapeHtml(m[0]);
      else if (m[8]) out += span("number", m[0]);
      else out += escapeHtml(m[0]);
      last = TOKEN.lastIndex;
    }
    return out + escapeHtml(text.slice(last)) + "\n";
  }

  function textareaEditor(editor, area, form) {
    var code = document.getElementById("highlight");
    var pre = code.parentNode;
    var listeners = [];
    function refresh() {
      code.innerHTML = highlight(area.value);
      pre.scrollTop = area.scrollTop;
      pre.scrollLeft = area.scrollLeft;
      listeners.forEach(function (f) { f(); });
    }
    editor.classList.add("highlighting");
    area.addEventListener("input", refresh);
    area.addEventListener("scroll", function () { pre.scrollTop = area.scrollTop; pre.scrollLeft = area.scrollLeft; });
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(form); }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { pre.style.height = area.offsetHeight + "px"; }).observe(area);
    }
    refresh();
    return {
      get: function () { return area.value; },
      set: function (text) { area.value = text; refresh(); },
      insertAtStart: function (text) { area.value = text + area.value; refresh(); },
      focus: function () { area.focus(); },
      onChange: function (f) { listeners.push(f); }
    };
  }

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  // --- Completion ------------------------------------------------------------------------------
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function loadVocabulary(url) {
    var key = "paradip-kg.vocabulary:" + url;
    try {
      var kept = sessionStorage.getItem(key);
      if (kept) return Promise.resolve(JSON.parse(kept));
    } catch (e) { /* storage refused: fetch it */ }
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("vocabulary " + r.status);
      return r.json();
    }).then(function (data) {
      try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* full: fine */ }
      return data;
    });
  }

  function completer(vocab, lang, words) {
    var other = lang === "es" ? "en" : "es";
    var kindWord = { "class": words.cls, property: words.property, concept: words.concept, scheme: words.scheme };
    return function (context) {
      var word = context.matchBefore(/[A-Za-z_][\w.\-]*:?[\w.\-\u00C0-\uFFFF]*|:[\w.\-]*/);
      if (!word || (word.from === word.to && !context.explicit)) return null;
      var before = context.state.sliceDoc(Math.max(0, word.from - 1), word.from);
      if (before === "?" || before === "$" || before === "<" || before === "\"" || before === "@") return null;
      var typed = word.text;
      var options = [];
      var data = vocab.data;
      var prefixes = data ? data.prefixes : vocab.prefixes;
      var colon = typed.indexOf(":");
      var line = context.state.doc.lineAt(word.from);
      var afterPrefixKeyword = /PREFIX\s+$/i.test(line.text.slice(0, word.from - line.from));
      if (afterPrefixKeyword) {
        Object.keys(prefixes).forEach(function (p) {
          if (p.indexOf(typed.replace(/:.*/, "")) === 0) {
            options.push({ label: p + ":", apply: p + ": <" + prefixes[p] + ">", detail: prefixes[p], type: "namespace" });
          }
        });
        return { from: word.from, options: options, filter: false };
      }
      var needle = fold(typed);
      if (data) {
        data.terms.forEach(function (t) {
          var label = t.labels[lang] || t.labels[other] || "";
          var otherLabel = t.labels[other] && t.labels[other] !== label ? t.labels[other] : "";
          var byName = fold(t.curie).indexOf(needle) === 0 || (colon < 0 && fold(t.curie.split(":")[1]).indexOf(needle) === 0);
          var byLabel = colon < 0 && needle.length >= 2 &&
            (fold(label).indexOf(needle) >= 0 || (otherLabel && fold(otherLabel).indexOf(needle) >= 0));
          if (!byName && !byLabel) return;
          var comment = t.comments[lang] || t.comments[other] || "";
          options.push({
            label: t.curie, detail: label + (otherLabel ? " · " + otherLabel : ""),
            info: (kindWord[t.kind] || t.kind) + (comment ? ": " + comment : ""),
            type: t.kind === "class" ? "class" : t.kind === "property" ? "property" : "constant",
            boost: byName ? 1 : 0
          });
        });
      }
      if (colon < 0) {
        Object.keys(prefixes).forEach(function (p) {
          if (fold(p).indexOf(needle) === 0) options.push({ label: p + ":", detail: prefixes[p], type: "namespace", boost: 2 });
        });
        KEYWORDS.forEach(function (k) {
          if (needle && fold(k).indexOf(needle) === 0) options.push({ label: k, type: "keyword", detail: words.keyword, boost: -1 });
        });
      }
      if (!options.length) return null;
      options.sort(function (a, b) { return (b.boost || 0) - (a.boost || 0) || a.label.localeCompare(b.label); });
      return { from: word.from, options: options.slice(0, 200), filter: false };
    };
  }

  function codeMirrorEditor(CM, editor, area, form, lang, words) {
    var vocab = { data: null, prefixes: {} };
    Array.prototype.forEach.call(document.querySelectorAll(".prefix-iri"), function (el) {
      vocab.prefixes[el.getAttribute("data-prefix")] = el.textContent;
    });
    var url = form.getAttribute("data-vocabulary");
    if (url) loadVocabulary(url).then(function (data) { vocab.data = data; }, function () { /* completion without terms */ });
    var listeners = [];
    var runKey = { key: "Mod-Enter", preventDefault: true, run: function () { area.value = view.state.doc.toString(); submit(form); return true; } };
    var view = new CM.EditorView({
      doc: area.value,
      parent: editor,
      extensions: [
        CM.lineNumbers(), CM.highlightActiveLineGutter(), CM.history(), CM.drawSelection(),
        CM.indentOnInput(), CM.bracketMatching(), CM.closeBrackets(), CM.highlightActiveLine(),
        CM.highlightSelectionMatches(), CM.syntaxHighlighting(CM.defaultHighlightStyle, { fallback: true }),
        CM.sparql(), CM.lintGutter(), CM.EditorView.lineWrapping,
        CM.autocompletion({ override: [completer(vocab, lang, words)], activateOnTyping: true, icons: true }),
        CM.keymap.of([runKey].concat(CM.closeBracketsKeymap, CM.defaultKeymap, CM.searchKeymap, CM.historyKeymap)),
        CM.EditorView.contentAttributes.of({ "aria-labelledby": "query-label", "aria-multiline": "true",
                                             spellcheck: "false", autocapitalize: "off", autocorrect: "off" }),
        CM.EditorView.updateListener.of(function (update) {
          if (!update.docChanged) return;
          area.value = update.state.doc.toString();
          listeners.forEach(function (f) { f(); });
        })
      ]
    });
    editor.classList.add("codemirror");
    editor.insertBefore(view.dom, editor.firstChild);
    view.requestMeasure();
    // The textarea stays, out of sight and out of the tab order, as the form's field.
    area.setAttribute("tabindex", "-1");
    area.setAttribute("aria-hidden", "true");
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(form); }
    });
    form.addEventListener("submit", function () { area.value = view.state.doc.toString(); });
    document.querySelector('label[for="query"]').addEventListener("click", function () { view.focus(); });

    // The server's syntax error, at its line and column, in the reader's language.
    var errLine = parseInt(form.getAttribute("data-error-line") || "0", 10);
    if (errLine > 0 && errLine <= view.state.doc.lines) {
      var errColumn = parseInt(form.getAttribute("data-error-column") || "1", 10);
      var line = view.state.doc.line(errLine);
      var from = Math.min(line.from + Math.max(0, errColumn - 1), line.to);
      var detail = document.querySelector("#query-error .error-message");
      var message = words.at.replace("{l}", errLine).replace("{c}", errColumn) +
        (detail ? ": " + detail.textContent : "");
      view.dispatch(CM.setDiagnostics(view.state, [{ from: from, to: Math.min(from + 1, line.to) || from,
                                                     severity: "error", message: message }]));
    }
    return {
      view: view,
      get: function () { return view.state.doc.toString(); },
      set: function (text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); },
      insertAtStart: function (text) { view.dispatch({ changes: { from: 0, insert: text } }); },
      focus: function () { view.focus(); },
      onChange: function (f) { listeners.push(f); }
    };
  }

  // --- History, permalink, prefixes ------------------------------------------------------------
  function readHistory() {
    try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(text) {
    text = text.trim();
    if (!text) return;
    var items = readHistory().filter(function (h) { return h.query !== text; });
    items.unshift({ query: text, at: new Date().toISOString() });
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(items.slice(0, HISTORY_SIZE))); } catch (e) { /* full */ }
  }
  function showHistory(list, editor, words, lang) {
    list.textContent = "";
    var items = readHistory();
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "hint";
      none.textContent = words.empty;
      list.appendChild(none);
    }
    items.forEach(function (h) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "history-load";
      var first = h.query.split("\n").filter(function (l) { return l.trim() && !/^\s*(PREFIX|#)/i.test(l); })[0] || h.query;
      button.textContent = first.trim().slice(0, 90);
      button.title = h.query;
      button.addEventListener("click", function () { editor.set(h.query); editor.focus(); });
      var when = document.createElement("time");
      when.dateTime = h.at;
      when.textContent = new Date(h.at).toLocaleString(lang === "es" ? "es-MX" : "en-GB");
      li.appendChild(button);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(when);
      list.appendChild(li);
    });
  }

  function declaredIn(text, prefix) {
    var escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp("(^|\\s)PREFIX\\s+" + escaped + ":", "i").test(text);
  }
  function usedIn(text, prefix) {
    var escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    var body = text.replace(/#[^\n]*/g, " ").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>/g, " ");
    return new RegExp("(^|[\\s(){}\\[\\],;/|^!])" + escaped + ":").test(body);
  }

  function init() {
    var editorBox = document.getElementById("editor");
    var area = document.getElementById("query");
    var form = document.getElementById("query-form");
    if (!editorBox || !area || !form) return;
    var lang = form.getAttribute("data-lang") === "en" ? "en" : "es";
    var words = WORDS[lang];
    var editor = window.ParadipCM ? codeMirrorEditor(window.ParadipCM, editorBox, area, form, lang, words)
                                  : textareaEditor(editorBox, area, form);
    window.paradipQueryEditor = editor;

    var permalink = document.getElementById("permalink");
    function updatePermalink() {
      if (!permalink) return;
      var params = new URLSearchParams();
      params.set("query", editor.get());
      params.set("lang", lang);
      permalink.href = form.getAttribute("action") + "?" + params.toString();
    }
    editor.onChange(updatePermalink);
    updatePermalink();

    form.addEventListener("submit", function () { remember(editor.get()); });
    // A query that came in the URL (a permalink, an example) ran: it goes into the history too.
    if (document.getElementById("results") || document.getElementById("query-error")) remember(editor.get());
    var historyList = document.getElementById("history-list");
    var historyPanel = document.getElementById("history-panel");
    if (historyList) {
      showHistory(historyList, editor, words, lang);
      historyPanel.addEventListener("toggle", function () { showHistory(historyList, editor, words, lang); });
      document.getElementById("history-clear").addEventListener("click", function () {
        try { localStorage.removeItem(HISTORY_KEY); } catch (e) { /* nothing kept */ }
        showHistory(historyList, editor, words, lang);
      });
    }

    Array.prototype.forEach.call(document.querySelectorAll(".load-example"), function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-example"));
        if (!source) return;
        editor.set(source.textContent);
        editor.focus();
        editorBox.scrollIntoView({ behavior: "smooth", block: "start" });
      });
    });

    var iris = {};
    Array.prototype.forEach.call(document.querySelectorAll(".prefix-iri"), function (el) {
      iris[el.getAttribute("data-prefix")] = el.textContent;
    });
    Array.prototype.forEach.call(document.querySelectorAll(".prefix-insert"), function (button) {
      button.addEventListener("click", function () {
        var p = button.getAttribute("data-prefix");
        if (!declaredIn(editor.get(), p)) editor.insertAtStart("PREFIX " + p + ": <" + iris[p] + ">\n");
        editor.focus();
      });
    });
    var insert = document.getElementById("insert-prefixes");
    if (insert) {
      insert.addEventListener("click", function () {
        var text = editor.get();
        var lines = Object.keys(iris).filter(function (p) { return usedIn(text, p) && !declaredIn(text, p); })
          .map(function (p) { return "PREFIX " + p + ": <" + iris[p] + ">\n"; });
        if (lines.length) editor.insertAtStart(lines.join(""));
        editor.focus();
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

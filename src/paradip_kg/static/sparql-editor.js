/* paradip-kg query editor: a small hand-written SPARQL highlighter over a plain textarea.
 * No dependencies and no network: the page works offline, and without JavaScript the
 * textarea and the example links still work. */
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

  // One token per alternative, tried left to right at each position.
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                              // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                // 3 IRI
    "([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)",                      // 4 variable
    "([A-Za-z][\\w.-]*)?:([\\w\\-.%\\u00C0-\\uFFFF]*)",         // 5, 6 prefixed name
    "([A-Za-z_]+)",                                            // 7 word
    "([+-]?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)"                 // 8 number
  ].join("|"), "g");

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function span(cls, text) {
    return '<span class="tok-' + cls + '">' + escapeHtml(text) + "</span>";
  }

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

  function init() {
    var editor = document.getElementById("editor");
    var area = document.getElementById("query");
    var code = document.getElementById("highlight");
    var form = document.getElementById("query-form");
    if (!editor || !area || !code) return;
    var pre = code.parentNode;

    function refresh() {
      code.innerHTML = highlight(area.value);
      pre.scrollTop = area.scrollTop;
      pre.scrollLeft = area.scrollLeft;
    }
    editor.classList.add("highlighting");
    area.addEventListener("input", refresh);
    area.addEventListener("scroll", function () { pre.scrollTop = area.scrollTop; pre.scrollLeft = area.scrollLeft; });
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.submit();
      } else if (e.key === "Tab" && !e.shiftKey) {
        e.preventDefault();
        var s = area.selectionStart, t = area.selectionEnd;
        area.value = area.value.slice(0, s) + "  " + area.value.slice(t);
        area.selectionStart = area.selectionEnd = s + 2;
        refresh();
      }
    });
    // The highlighted copy follows the textarea's height when it is resized.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { pre.style.height = area.offsetHeight + "px"; }).observe(area);
    }

    Array.prototype.forEach.call(document.querySelectorAll(".load-example"), function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-example"));
        if (!source) return;
        area.value = source.textContent;
        refresh();
        area.focus();
        editor.scrollIntoView({ behavior: "smooth", block: "start" });
      });
    });

    var insert = document.getElementById("insert-prefixes");
    if (insert) {
      insert.addEventListener("click", function () {
        var lines = [];
        Array.prototype.forEach.call(document.querySelectorAll(".prefix-iri"), function (el) {
          var prefix = el.getAttribute("data-prefix");
          var declared = new RegExp("PREFIX\\s+" + prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ":", "i");
          if (!declared.test(area.value)) lines.push("PREFIX " + prefix + ": <" + el.textContent + ">");
        });
        if (lines.length) area.value = lines.join("\n") + "\n" + area.value;
        refresh();
        area.focus();
      });
    }
    refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

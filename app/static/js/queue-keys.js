/* Keyboard shortcuts on the queue and the ticket page, in the style of Gmail and Zammad; the
 * sheet that lists them is agent/_shortcuts.html.
 *
 * j/k move the current row (focus goes to its number link, so screen readers follow and Enter
 * opens it), x checks it for the bulk bar, o or Enter opens it, c claims it (on the ticket page:
 * the ticket), / goes to the top-bar search, g then q to the queues, ? opens the sheet. No key
 * fires while typing in a field (text inputs, textareas, selects, contenteditable) or with
 * Ctrl, Alt or Cmd held, so browser and screen-reader keys keep working. Checkboxes and buttons
 * take no typed text, so j/k still move from a row's checkbox. Delegated from the document: the
 * table is swapped by htmx and the body by boosted navigation. No inline code (CSP), no eval.
 */
(function () {
  "use strict";
  var currentId = null; // id of the current row ("row-INC000123"); survives a table refresh
  var awaitingG = 0; // time "g" was pressed: "q" within 1.5 s goes to the queues

  function typing(el) {
    if (!(el instanceof Element)) return false;
    if (el.isContentEditable || el.matches("textarea, select")) return true;
    return el.matches("input") && !el.matches("[type=checkbox], [type=radio], [type=button], [type=submit], [type=reset]");
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-table tbody tr"));
  }

  function current() {
    return currentId ? document.getElementById(currentId) : null;
  }

  function mark(row) {
    rows().forEach(function (r) { r.classList.toggle("kb-current", r === row); });
  }

  function setCurrent(row) {
    currentId = row.id;
    mark(row);
    var link = row.querySelector("td.num a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(current());
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(at + step, 0), all.length - 1);
    setCurrent(all[next]);
  }

  function press(selector, scope) {
    var el = (scope || document).querySelector(selector);
    if (el) el.click();
    return Boolean(el);
  }

  function openSheet() {
    var sheet = document.getElementById("shortcuts");
    if (sheet && !sheet.open) sheet.showModal();
  }

  function claim() {
    var row = current();
    if (row) return press("button.row-claim", row);
    return press("#ticket-actions .claim-form button");
  }

  function open(event) {
    var row = current();
    if (!row) return false;
    // Enter on a link or button already does its own thing.
    if (event.key === "Enter" && event.target instanceof Element && event.target.closest("a, button")) return false;
    return press("td.num a", row);
  }

  var keys = {
    j: function () { move(1); return true; },
    k: function () { move(-1); return true; },
    x: function () { var row = current(); return row ? press(".row-check", row) : false; },
    o: open,
    Enter: open,
    c: claim,
    "/": function () {
      var search = document.getElementById("topsearch-q");
      if (search) search.focus();
      return Boolean(search);
    },
    "?": function () { openSheet(); return true; },
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target)) return;
    var sheet = document.getElementById("shortcuts");
    if (sheet && sheet.open) return; // the dialog has the keyboard; Esc closes it natively
    if (!document.getElementById("queue-table") && !document.getElementById("ticket-actions")) return;
    if (awaitingG && event.key === "q" && Date.now() - awaitingG < 1500) {
      awaitingG = 0;
      event.preventDefault();
      var url = sheet ? sheet.dataset.queuesUrl : null;
      if (url) window.location.assign(url);
      return;
    }
    awaitingG = event.key === "g" ? Date.now() : 0;
    var action = keys[event.key];
    if (action && action(event)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    if (event.target.closest("[data-shortcuts-open]")) openSheet();
    var close = event.target.closest("[data-shortcuts-close]");
    if (close) close.closest("dialog").close();
  });

  // A refreshed table has new row elements: keep the highlight on the same ticket.
  // "← Queues" returns to the queue this tab last showed. The server's answer (the session's
  // last queue) is right without JavaScript, but the session is one cookie for every tab, and a
  // request still in flight from the previous page can answer with the older one; the tab's
  // own memory cannot race. Only the queue's own path is taken, whatever the storage holds.
  var QUEUE_KEY = "deskflow.lastQueue";
  var QUEUE_URL = /^\/agent\/(\?[^#\\]*)?$/;

  function rememberQueue() {
    var here = window.location.pathname + window.location.search;
    try {
      if (document.getElementById("queue-table") && QUEUE_URL.test(here)) sessionStorage.setItem(QUEUE_KEY, here);
      var back = document.querySelector("a[data-queue-back]");
      var stored = sessionStorage.getItem(QUEUE_KEY);
      if (back && stored && QUEUE_URL.test(stored)) back.setAttribute("href", stored);
    } catch (e) { /* storage switched off: the server's link stays */ }
  }

  document.addEventListener("DOMContentLoaded", rememberQueue);
  document.addEventListener("htmx:afterSettle", rememberQueue);
  if (document.readyState !== "loading") rememberQueue();

  // A claimed row is replaced: its link took the focus with it, so give it back.
  document.addEventListener("htmx:afterSettle", function () {
    var row = current();
    if (!row) return;
    mark(row);
    var link = row.querySelector("td.num a");
    if (link && (document.activeElement === document.body || !document.activeElement)) link.focus({ preventScroll: true });
  });
})();

/* Selecting queue rows for the bulk bar (agent/_bulk_bar.html).
 *
 * The rows' checkboxes belong to the bar's form, so a plain post works without this file. With
 * it: shift-click selects a range, the header box selects the page, the bar shows only while a
 * row is checked and says how many. While rows are checked the table's live refresh waits, so
 * rows do not move under the pointer (and each keeps the version it was selected at). A refresh
 * also tells the server which unassigned rows it had, so it can say who claimed the ones that
 * leave. Everything is delegated from the document: htmx swaps the table and boosted navigation
 * swaps the whole body. No inline code (CSP), no eval.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var anchor = null; // the last row box clicked: one end of a shift-click range

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-table .row-check"));
  }

  function sync() {
    var all = boxes();
    var picked = all.filter(function (b) { return b.checked; }).length;
    all.forEach(function (b) { b.closest("tr").classList.toggle("is-selected", b.checked); });
    var head = document.getElementById("select-all");
    if (head) {
      head.checked = picked > 0 && picked === all.length;
      head.indeterminate = picked > 0 && picked < all.length;
    }
    var bar = document.getElementById("bulk-form");
    if (!bar) return;
    bar.classList.toggle("has-selection", picked > 0);
    var count = bar.querySelector("[data-bulk-count]");
    if (count) count.textContent = picked + " selected";
  }

  function selectRange(box) {
    var all = boxes();
    var from = all.indexOf(anchor), to = all.indexOf(box);
    if (from < 0 || to < 0) return;
    all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (b) { b.checked = box.checked; });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var box = target.closest(".row-check");
    if (box) {
      if (event.shiftKey && anchor && document.contains(anchor)) selectRange(box);
      anchor = box;
      sync();
    } else if (target.id === "select-all") {
      boxes().forEach(function (b) { b.checked = target.checked; });
      sync();
    } else if (target.closest("[data-bulk-clear]")) {
      boxes().forEach(function (b) { b.checked = false; });
      sync();
    } else if (target.closest("[data-notice-dismiss]")) {
      target.closest("[data-notice-dismiss]").parentElement.remove();
    }
  });

  function isTablePoll(detail) {
    return detail.elt && detail.elt.id === "queue-table" && detail.requestConfig &&
      detail.requestConfig.verb === "get";
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isTablePoll(event.detail) && boxes().some(function (b) { return b.checked; })) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || elt.id !== "queue-table" || event.detail.verb !== "get") return;
    event.detail.parameters.shown = Array.prototype.map.call(
      elt.querySelectorAll("tr[data-unassigned]"), function (row) { return row.dataset.id; });
  });

  // The summary lands above the table, maybe out of sight of the bar that was pressed.
  document.addEventListener("htmx:afterSettle", function (event) {
    var result = document.getElementById("bulk-result");
    if (result && result.firstElementChild && event.detail.requestConfig &&
        event.detail.requestConfig.elt && event.detail.requestConfig.elt.id === "bulk-form") {
      result.scrollIntoView({ block: "nearest" });
    }
  });

  document.addEventListener("htmx:afterSwap", sync);
  document.addEventListener("htmx:afterSettle", sync);
  document.addEventListener("DOMContentLoaded", sync);
  if (document.readyState !== "loading") sync();

  window.DeskflowQueue = { sync: sync };
})();

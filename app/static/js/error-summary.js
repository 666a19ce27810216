// The error summary of a refused form (macros.html error_summary). Its autofocus already gives
// it the focus on a page load and after an htmx swap; this makes sure of it where a browser
// skipped that, and makes each link move the focus to its input with the input's label (or its
// group's legend) in view, as a bare jump to the input would hide the label above the window's
// top. Loaded on every page by base.html (boosted navigation keeps the first page's head).
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary && !summary.contains(document.activeElement)) summary.focus();
  }

  function labelOf(input) {
    var group = input.closest("fieldset");
    if (group && group.querySelector("legend")) return group.querySelector("legend");
    return (input.labels && input.labels[0]) || input;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) return;
    event.preventDefault();
    labelOf(input).scrollIntoView({block: "start"});
    input.focus({preventScroll: true});
  });

  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  document.addEventListener("htmx:afterSettle", function (event) { focusSummary(event.detail.elt); });
})();

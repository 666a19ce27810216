// Shows every <time data-local> in the viewer's own time zone. The server renders UTC (see
// app/templating.py time_tag); this rewrites the text of exact times and, for all of them, the
// hover title with the full local date, time and zone. Runs on each htmx swap too.
(function () {
  "use strict";
  var shortFormat = new Intl.DateTimeFormat(undefined, {dateStyle: "medium", timeStyle: "short"});
  var fullFormat = new Intl.DateTimeFormat(undefined, {dateStyle: "full", timeStyle: "long"});

  function localize(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      if (el.dataset.local === "datetime") el.textContent = shortFormat.format(when);
      el.title = fullFormat.format(when);
      el.removeAttribute("data-local");
    });
  }

  if (window.htmx) {
    htmx.onLoad(localize);
  } else {
    document.addEventListener("DOMContentLoaded", function () { localize(document); });
  }
})();

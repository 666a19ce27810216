// The top bar's menu button on narrow screens: it opens and closes the main navigation (a
// disclosure: aria-expanded on the button, the links right after it in the tab order). Escape
// or a click outside closes it, Escape returning focus to the button. Without this script the
// button stays hidden (CSS shows it only under html.js) and the links wrap onto their own row.
// Loaded in <head> without defer, so html.js is set before the first paint; every listener sits
// on the document, so the body that boosted navigation swaps in needs no new set-up.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function toggles() {
    return document.querySelectorAll(".nav-toggle[aria-controls]");
  }

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".nav-toggle[aria-controls]");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
      return;
    }
    toggles().forEach(function (toggle) {
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      if (toggle.getAttribute("aria-expanded") === "true" && !(menu && menu.contains(event.target))) {
        setOpen(toggle, false);
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    toggles().forEach(function (toggle) {
      if (toggle.getAttribute("aria-expanded") !== "true") return;
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      var inside = menu && menu.contains(document.activeElement);
      setOpen(toggle, false);
      if (inside || document.activeElement === toggle) toggle.focus();
    });
  });
})();

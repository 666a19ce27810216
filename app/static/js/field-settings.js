// The field editor (admin/field_form.html) shows only the settings of the chosen field type:
// each group names its types in data-field-types; when the type select (data-field-type-control)
// changes, the groups of other types are hidden and disabled, so what was typed in them is not
// sent either. The server renders the first state and drops whatever does not apply anyway; the
// state is also synced once the script runs, in case the type changed before it was loaded.
(function () {
  "use strict";
  if (window.deskflowFieldSettings) return;
  window.deskflowFieldSettings = true;

  function sync(select) {
    if (!select.form) return;
    select.form.querySelectorAll("[data-field-types]").forEach(function (group) {
      var applies = group.dataset.fieldTypes.split(" ").indexOf(select.value) !== -1;
      group.hidden = !applies;
      if ("disabled" in group) group.disabled = !applies;
    });
  }

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-field-type-control]");
    if (select) sync(select);
  });
  // Deferred: the page is parsed when this runs.
  document.querySelectorAll("[data-field-type-control]").forEach(sync);
})();

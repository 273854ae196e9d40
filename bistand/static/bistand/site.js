/* Behaviour of the server-rendered pages, kept out of the markup so that the
   Content-Security-Policy can refuse every inline script and style (README, "Production
   settings"). Listeners sit on the document, so content htmx swaps in works the same. */
(function () {
  "use strict";

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  // <select data-autosubmit>: choosing an option submits its form (language, inbox section).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) {
      return;
    }
    // "Rätta": the form below records a correction of this entry.
    var correct = target.closest("[data-correct-field]");
    if (correct) {
      var field = byId(correct.dataset.correctField);
      if (field) {
        field.value = correct.dataset.correctValue;
      }
      var reveal = byId(correct.dataset.correctReveal);
      if (reveal) {
        reveal.hidden = false;
      }
      var focus = byId(correct.dataset.correctFocus);
      if (focus) {
        focus.focus();
      }
      return;
    }
    var remove = target.closest("[data-remove-row]");
    if (remove) {
      var row = remove.closest("tr");
      if (row) {
        row.remove();
      }
      return;
    }
    if (target.closest("[data-print]")) {
      window.print();
    }
  });

  // <span data-share="42">: a bar filled to 42 % (set through the CSSOM, which the CSP allows;
  // a style attribute in the markup would need 'unsafe-inline').
  function fillBars(root) {
    root.querySelectorAll("[data-share]").forEach(function (bar) {
      var share = parseFloat(String(bar.dataset.share).replace(",", "."));
      bar.style.width = Math.min(100, Math.max(0, share || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    fillBars(document);
  });
  document.addEventListener("htmx:load", function (event) {
    fillBars(event.detail.elt);
  });

  // data-count-param="index" data-count-selector=".member-row": htmx sends how many rows exist.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.dataset && elt.dataset.countParam) {
      event.detail.parameters[elt.dataset.countParam] = document.querySelectorAll(
        elt.dataset.countSelector
      ).length;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.dataset) {
      return;
    }
    // data-total-forms: keep a formset's TOTAL_FORMS equal to the rows on the page.
    var total = byId(elt.dataset.totalForms);
    if (total) {
      total.value = document.querySelectorAll(elt.dataset.countSelector).length;
    }
    // data-reset-on-success: an htmx form empties itself once saved.
    if (event.detail.successful && elt.hasAttribute("data-reset-on-success") && elt.reset) {
      elt.reset();
    }
  });
  // Main menu (base.html): the groups are <details> and work without this; it only closes an
  // open group when another opens, on a click elsewhere and on Escape.
  function closeNavGroups(except) {
    document.querySelectorAll("details[data-nav-group][open]").forEach(function (group) {
      if (group !== except) {
        group.open = false;
      }
    });
  }
  document.addEventListener(
    "toggle",
    function (event) {
      var group = event.target;
      if (group.matches && group.matches("details[data-nav-group]") && group.open) {
        closeNavGroups(group);
      }
    },
    true
  );
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details[data-nav-group]")) {
      closeNavGroups(null);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details[data-nav-group][open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      }
    }
  });
})();

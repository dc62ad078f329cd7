/* Gongjian's page behaviours, one place for all of them: the Content-Security-Policy allows no inline
   script (no <script> blocks, no onchange=/onsubmit= attributes, no hx-on) and no inline style, so
   templates ask for behaviour with data- attributes and this file, loaded on every page, provides it.
   Listeners are delegated from the document, so content that htmx swaps in behaves the same; what must
   happen once to new content (widths, visibility, scrolling) runs for the page and for each htmx load.

     select[data-gj-autosubmit]           choosing an option sends the select's form
     form[data-gj-confirm="question"]     asks before sending; cancel keeps the page
     [data-gj-copy="text"]                copies the text (label becomes data-gj-copied); else selects the
                                          sibling [data-gj-code] so it can be copied by hand
     input[data-gj-all="group"]           ticks every [data-gj-group="group"] box with it
     [data-gj-shown-when="name=value"]    shown only while the form's radio name=value is chosen
     input[data-gj-no-enter]              Enter does not send the form
     [data-gj-scroll-into-view]           scrolled into view (nearest) when the page loads
     details[data-gj-reset-on-close]      closing it clears its select and tells the form (change)
     form[data-gj-buildings-follow]       a compound's choice hides the other compounds' buildings
     [data-gj-swap-refusal]               an htmx 403 answer is shown in place (a refusal message)
     [data-gj-width="42"]                 width: 42% (a progress bar) */
(function () {
  "use strict";

  // --- once for the page and for each piece of content htmx loads ---
  function prepare(root) {
    if (!root.querySelectorAll) { return; }
    var all = function (selector) {
      var found = Array.prototype.slice.call(root.querySelectorAll(selector));
      if (root.matches && root.matches(selector)) { found.unshift(root); }
      return found;
    };
    all("[data-gj-width]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-gj-width") + "%";
    });
    all("[data-gj-shown-when]").forEach(showWhenChosen);
    all("[data-gj-scroll-into-view]").forEach(function (el) {
      el.scrollIntoView({block: "nearest", inline: "nearest"});
    });
  }

  function showWhenChosen(box) {
    var parts = box.getAttribute("data-gj-shown-when").split("=");
    var scope = box.closest("form") || document;
    var radio = scope.querySelector("input[name='" + parts[0] + "'][value='" + parts[1] + "']");
    box.hidden = !(radio && radio.checked);
  }

  // --- delegated listeners ---
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-gj-autosubmit]") && target.form) { target.form.submit(); return; }
    var group = target.getAttribute("data-gj-all");
    if (group) {
      document.querySelectorAll('[data-gj-group="' + group + '"]').forEach(function (box) { box.checked = target.checked; });
      return;
    }
    if (target.type === "radio" && target.form) {
      target.form.querySelectorAll("[data-gj-shown-when^='" + target.name + "=']").forEach(showWhenChosen);
    }
    if (target.name === "compound" && target.closest("form[data-gj-buildings-follow]")) {
      var compound = target.options[target.selectedIndex];
      var building = target.form.querySelector("select[name=building]");
      if (!building) { return; }
      building.querySelectorAll("optgroup").forEach(function (optgroup) {
        optgroup.hidden = Boolean(compound.value) && optgroup.label !== compound.text;
      });
      var chosen = building.options[building.selectedIndex];
      if (chosen && chosen.parentNode.hidden) { building.value = ""; }
    }
  });

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-gj-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input[data-gj-no-enter]")) { event.preventDefault(); }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-gj-copy]");
    if (!button) { return; }
    var code = button.getAttribute("data-gj-copy");
    var done = function () { button.textContent = button.getAttribute("data-gj-copied"); };
    var select = function () {
      var range = document.createRange();
      range.selectNodeContents(button.parentNode.querySelector("[data-gj-code]"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    };
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(code).then(done, select); } else { select(); }
  });

  // "toggle" does not bubble: listen while it goes down.
  document.addEventListener("toggle", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("details[data-gj-reset-on-close]") || box.open) { return; }
    var select = box.querySelector("select");
    if (select && select.value) { select.value = ""; select.dispatchEvent(new Event("change", {bubbles: true})); }
  }, true);

  document.addEventListener("htmx:beforeSwap", function (event) {
    // htmx fires this on the swap's target; the attribute is on the element that asked
    var asker = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.target;
    if (event.detail.xhr.status === 403 && asker.closest && asker.closest("[data-gj-swap-refusal]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", function (event) { prepare(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  } else {
    prepare(document);
  }
})();

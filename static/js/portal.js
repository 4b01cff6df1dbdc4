// Small enhancements every page gets; each page works without them.
// Loaded in <head> without defer so the "js" class is set before the first paint: the
// phone menu starts closed instead of flashing open.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The phone menu: a real button with aria-expanded and aria-controls. Without JavaScript
  // the button stays hidden and the links show, wrapped, under the brand.
  function setUpMenu() {
    var toggle = document.querySelector(".navtoggle");
    var header = document.querySelector(".topbar");
    if (!toggle || !header) return;
    toggle.hidden = false;
    header.classList.add("has-menu");
    function setOpen(open) {
      header.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Tables become stacked cards on a phone (static/css/portal.css): each cell shows its
  // column's name from data-label, copied here from the header when a template gives none.
  function labelCells() {
    document.querySelectorAll("main table").forEach(function (table) {
      var heads = table.querySelectorAll("thead tr:last-child th");
      if (!heads.length) return;
      var names = [];
      heads.forEach(function (th) {
        var span = parseInt(th.getAttribute("colspan") || "1", 10);
        for (var i = 0; i < span; i++) names.push(th.textContent.trim());
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && names[column] && cell.colSpan === 1) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan;
        });
      });
    });
  }

  // On a phone a list's filters fold behind a button named like the form (its aria-label),
  // open when a filter is in use; the list then starts on the first screen.
  function foldFilters() {
    if (!window.matchMedia("(max-width: 800px)").matches) return;
    document.querySelectorAll("form.filters[aria-label]").forEach(function (form, index) {
      var inUse = Array.prototype.some.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.type === "submit") return false;
        if (el.type === "checkbox" || el.type === "radio") return el.checked;
        return el.value !== "";
      });
      if (!form.id) form.id = "filters-" + (index + 1);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-ghost filters-toggle";
      button.textContent = form.getAttribute("aria-label");
      button.setAttribute("aria-controls", form.id);
      button.setAttribute("aria-expanded", inUse ? "true" : "false");
      form.hidden = !inUse;
      button.addEventListener("click", function () {
        form.hidden = !form.hidden;
        button.setAttribute("aria-expanded", form.hidden ? "false" : "true");
      });
      form.parentNode.insertBefore(button, form);
    });
  }

  function ready() {
    setUpMenu();
    labelCells();
    foldFilters();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  // Rows swapped in by htmx (the review queue's actions) get their labels too, and a keyboard
  // user keeps their place: the focus was inside the replaced element, so it goes to the first
  // control of the element that replaced it instead of falling back to the top of the page.
  var swappedId = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    swappedId = target && target.id && target.contains(document.activeElement) ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    labelCells();
    var element = swappedId && document.getElementById(swappedId);
    swappedId = null;
    if (!element) return;
    var control = element.querySelector("button, a[href], input:not([type=hidden]), select, textarea");
    if (!control) {
      element.tabIndex = -1;
      control = element;
    }
    control.focus();
  });
})();

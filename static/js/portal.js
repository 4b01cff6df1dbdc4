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

  function ready() {
    setUpMenu();
    labelCells();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  // Rows swapped in by htmx (review queue, board) get their labels too.
  document.addEventListener("htmx:afterSettle", labelCells);
})();

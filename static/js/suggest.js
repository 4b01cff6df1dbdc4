// Suggestions while typing in a text field: <input data-suggest="URL">, where URL answers
// {"results": [{"id", "value", "label"}]} for ?q=<the typed text> (the review queue's demand
// filter). A WAI-ARIA 1.2 combobox: Down opens or moves, Up moves, Enter takes the highlighted
// suggestion, Escape closes. Without JavaScript the field stays a plain text input that the
// server reads as a reference (#123) or as words of a title.
(function () {
  "use strict";

  function setup(input) {
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var timer = null;
    var active = -1;
    var asked = "";
    var controller = null;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      input.value = item.dataset.value;
      asked = input.value.trim();
      close();
    }

    function show(results) {
      list.replaceChildren();
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.value = result.value;
        item.textContent = result.value;
        // mousedown, not click: the field keeps the focus, so its blur does not close first.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
        });
        list.append(item);
      });
      active = -1;
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) return;
      asked = text;
      if (controller) controller.abort();
      if (!text) {
        show([]);
        return;
      }
      controller = new AbortController();
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (input.value.trim() === text && document.activeElement === input) {
            show(data.results || []);
          }
        })
        .catch(function () {}); // aborted by newer typing, or offline: the field still works
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        if (open) highlight(active + 1);
        else {
          asked = "";
          ask();
        }
        event.preventDefault();
      } else if (event.key === "ArrowUp" && open) {
        highlight(active - 1);
        event.preventDefault();
      } else if (event.key === "Enter" && open && active >= 0) {
        choose(options()[active]);
        event.preventDefault(); // takes the suggestion; the next Enter submits the filters
      } else if (event.key === "Escape" && open) {
        close();
        event.preventDefault();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-suggest]").forEach(setup);
})();

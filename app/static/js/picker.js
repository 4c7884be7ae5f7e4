/* Searchable picker for <select multiple data-picker>: a search box and a list of checkboxes.
   The select stays in the form (hidden) and remains the value sent; without JavaScript it is
   an ordinary multiple select. Plain script, no inline handlers (the CSP allows no inline JS). */
(function () {
  "use strict";

  function build(select) {
    var wrap = document.createElement("div");
    wrap.className = "picker";
    var id = select.id || ("picker-" + Math.random().toString(36).slice(2));
    var search = document.createElement("input");
    search.type = "search";
    search.id = id + "-search";
    search.className = "picker-search";
    search.setAttribute("aria-label", select.dataset.searchLabel || "Search");
    search.placeholder = select.dataset.searchLabel || "";
    search.setAttribute("aria-controls", id + "-list");
    var chosen = document.createElement("p");
    chosen.className = "picker-chosen muted";
    chosen.setAttribute("aria-live", "polite");
    var list = document.createElement("div");
    list.className = "picker-list";
    list.id = id + "-list";
    list.setAttribute("role", "group");
    var labelEl = document.querySelector("label[for='" + select.id + "']");
    if (labelEl) {
      labelEl.id = labelEl.id || id + "-label";
      list.setAttribute("aria-labelledby", labelEl.id);
      labelEl.setAttribute("for", search.id);
    }
    var empty = document.createElement("p");
    empty.className = "muted picker-empty";
    empty.textContent = select.dataset.emptyLabel || "";
    empty.hidden = true;
    var rows = [];
    Array.prototype.forEach.call(select.options, function (opt, i) {
      var row = document.createElement("label");
      row.className = "picker-row";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.checked = opt.selected;
      box.id = id + "-opt-" + i;
      box.addEventListener("change", function () {
        opt.selected = box.checked;
        update();
      });
      row.appendChild(box);
      row.appendChild(document.createTextNode(" " + opt.text));
      list.appendChild(row);
      rows.push({ row: row, text: opt.text.toLowerCase(), opt: opt });
    });

    function update() {
      var names = rows.filter(function (r) { return r.opt.selected; }).map(function (r) { return r.opt.text; });
      chosen.textContent = (select.dataset.chosenLabel || "") + " " + names.length +
        (names.length ? ": " + names.join("、") : "");
    }

    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (r) {
        var hit = !q || r.text.indexOf(q) !== -1;
        r.row.hidden = !hit;
        if (hit) { shown += 1; }
      });
      empty.hidden = shown !== 0;
    });
    // Enter in the search box must not submit the dispatch form.
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); }
    });

    wrap.appendChild(search);
    wrap.appendChild(chosen);
    wrap.appendChild(list);
    wrap.appendChild(empty);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(wrap, select.nextSibling);
    update();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("select[multiple][data-picker]"), build);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

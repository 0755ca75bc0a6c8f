/* kpi_offline: the report page's navigation, offline (no request of any kind).

   - a contents bar, sticky at the top, linking to every report section (section.kpi-section);
   - tables of people (table.kpi-people) sortable by a click on a header and searchable;
   - a team filter in the department report (words.team_filter), of the teams on the page:
     it narrows every element marked data-team (rows, scorecards) and switches the charts
     drawn per team (data-team-view: "" for the whole department, else a team).
   Words come from the report (the title block's data-kpi-words, from kpi_toolkit.labels);
   without them the bar still works, with the section names only. */
(function () {
  "use strict";

  var ALL = "";
  var words = readWords();

  function readWords() {
    var holder = document.querySelector("[data-kpi-words]");
    if (!holder) return {};
    try {
      return JSON.parse(holder.getAttribute("data-kpi-words")) || {};
    } catch (error) {
      return {};
    }
  }

  function make(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      element.setAttribute(name, attributes[name]);
    });
    if (text) element.textContent = text;
    return element;
  }

  /* The contents bar: one link per section, the one in view marked. */
  function contents() {
    var sections = Array.prototype.slice.call(document.querySelectorAll("section.kpi-section"));
    if (!sections.length) return null;
    sections[0].classList.add("kpi-first"); /* printed under the title, not on a new page */
    var nav = make("nav", { class: "kpi-contents", "aria-label": words.contents || "contents" });
    var list = make("ol");
    sections.forEach(function (section, index) {
      if (!section.id) section.id = "kpi-section-" + (index + 1);
      var heading = section.querySelector("h2");
      var link = make("a", { href: "#" + section.id }, heading ? heading.textContent : section.id);
      var item = make("li");
      item.appendChild(link);
      list.appendChild(item);
    });
    nav.appendChild(list);
    var main = document.querySelector("main") || document.body;
    main.insertBefore(nav, main.firstChild);
    /* a link moves its section just below the bar, however many lines the bar takes */
    document.documentElement.style.scrollPaddingTop = nav.offsetHeight + 12 + "px";
    markCurrent(nav, sections);
    return nav;
  }

  function markCurrent(nav, sections) {
    var links = nav.querySelectorAll("a");
    function update() {
      var top = nav.getBoundingClientRect().bottom + 24;
      var current = 0;
      sections.forEach(function (section, index) {
        if (section.getBoundingClientRect().top <= top) current = index;
      });
      Array.prototype.forEach.call(links, function (link, index) {
        if (index === current) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      });
    }
    window.addEventListener("scroll", update, { passive: true });
    update();
  }

  /* Sorting: a click (or Enter) on a header sorts by that column; again, the other way. */
  function cellValue(row, column, numeric) {
    var cell = row.cells[column];
    var text = cell ? cell.textContent.trim() : "";
    if (!numeric) return text;
    var number = parseFloat(text.replace(/,/g, "").replace("−", "-"));
    return isNaN(number) ? null : number;
  }

  function sortBy(table, header, column) {
    var numeric = header.classList.contains("num");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });
    rows.sort(function (a, b) {
      var x = cellValue(a, column, numeric);
      var y = cellValue(b, column, numeric);
      if (x === null || x === "") return y === null || y === "" ? 0 : 1; /* missing last */
      if (y === null || y === "") return -1;
      var order = numeric ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
      if (other !== header) other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function sortable(table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      header.classList.add("kpi-sortable");
      header.setAttribute("tabindex", "0");
      header.setAttribute("title", words.sort || "");
      header.addEventListener("click", function () {
        sortBy(table, header, column);
      });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, header, column);
        }
      });
    });
  }

  /* Searching: rows whose text holds what is typed (any case) stay; the others hide. */
  function searchable(table) {
    var box = make("input", {
      type: "search",
      class: "kpi-search",
      placeholder: words.search || "",
      "aria-label": words.search || "search",
    });
    box.addEventListener("input", function () {
      var wanted = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var found = !wanted || row.textContent.toLowerCase().indexOf(wanted) >= 0;
        row.classList.toggle("kpi-off-search", !found);
      });
    });
    var tools = make("div", { class: "kpi-table-tools" });
    tools.appendChild(box);
    table.parentNode.insertBefore(tools, table);
  }

  /* The team filter: in the contents bar, where the page has people of several teams. */
  function teams() {
    var seen = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-team]"), function (element) {
      var team = element.getAttribute("data-team");
      if (team) seen[team] = true;
    });
    var collator = new Intl.Collator(document.documentElement.lang || undefined);
    return Object.keys(seen).sort(collator.compare);
  }

  function showTeam(team) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-team]"), function (element) {
      var off = team !== ALL && element.getAttribute("data-team") !== team;
      element.classList.toggle("kpi-off-team", off);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-team-view]"), function (element) {
      element.hidden = element.getAttribute("data-team-view") !== team;
    });
    document.body.setAttribute("data-kpi-team", team);
  }

  function teamFilter(nav) {
    var names = teams();
    if (!nav || !words.team_filter || names.length < 2) return;
    var label = make("label", { class: "kpi-team-filter" }, words.team ? words.team + " " : "");
    var select = make("select", { "aria-label": words.team || "team" });
    select.appendChild(make("option", { value: ALL }, words.all_teams || "*"));
    names.forEach(function (name) {
      select.appendChild(make("option", { value: name }, name));
    });
    select.addEventListener("change", function () {
      showTeam(select.value);
    });
    label.appendChild(select);
    nav.appendChild(label);
    showTeam(ALL);
  }

  function start() {
    var nav = contents();
    Array.prototype.forEach.call(document.querySelectorAll("table.kpi-people"), function (table) {
      sortable(table);
      searchable(table);
    });
    teamFilter(nav);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

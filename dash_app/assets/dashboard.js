// Client-side helpers (served from 'self': no inline script, CSP-friendly).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  ui: {
    print: function (n) {
      if (n) { window.print(); }
      return "";
    },
    // The clients list writes its filters, page and sort into the address bar without a reload or a new
    // history entry, so that Back from a client page returns to the same list.
    replace_query: function (search) {
      if (typeof search === "string" && window.location.pathname === "/" && window.location.search !== search) {
        window.history.replaceState(window.history.state, "", "/" + search);
      }
      return "";
    }
  }
});

// Keyboard access to the links inside DataTable cells: the table handles Enter (cell editing) and
// Tab / Shift+Tab (moving its active cell, default prevented) itself, so a focused row link would
// not open and focus could never leave the table (a keyboard trap, WCAG 2.1.2). Stop those keys
// before the table sees them; the browser then follows the link or moves focus as anywhere else.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if ((event.key === "Enter" || event.key === "Tab") && target && target.tagName === "A" && target.getAttribute("href") &&
      target.closest(".dash-table-container")) {
    event.stopPropagation();
  }
}, true);

// Client-side helpers (served from 'self': no inline script, CSP-friendly).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  ui: {
    print: function (n) {
      if (n) { window.print(); }
      return "";
    }
  }
});

// Keyboard access to the links inside DataTable cells: the table handles Enter itself (cell
// editing) and swallows it, so a focused row link would not open. Stop the event before the
// table sees it; the browser then follows the link as for any other link.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if (event.key === "Enter" && target && target.tagName === "A" && target.getAttribute("href") &&
      target.closest(".dash-table-container")) {
    event.stopPropagation();
  }
}, true);

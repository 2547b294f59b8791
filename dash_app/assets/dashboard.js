// Client-side helpers (served from 'self': no inline script, CSP-friendly).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  ui: {
    print: function (n) {
      if (n) { window.print(); }
      return "";
    }
  }
});

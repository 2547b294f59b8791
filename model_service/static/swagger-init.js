// Starts Swagger UI on the service's own document. An external file, not an inline script: the page's
// Content-Security-Policy allows scripts from this origin only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    validatorUrl: null, // no call to an outside validator
    tryItOutEnabled: false,
    displayRequestDuration: true,
  });
});

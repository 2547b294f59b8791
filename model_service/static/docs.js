// Starts Swagger UI (shipped by the flask-openapi3-swagger package, served from /docs/) on the
// service's own document. A file, not an inline script, so the page keeps script-src 'self'.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,          // the default badge calls validator.swagger.io
    persistAuthorization: false, // the API key stays in memory, never in localStorage
    tryItOutEnabled: false,
  });
});

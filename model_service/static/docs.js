"use strict";
// Interactive API page: reads /openapi.json (with the key typed above) and builds a form per operation.
(function () {
  const keyInput = document.getElementById("api-key");
  const status = document.getElementById("status");
  const main = document.getElementById("operations");
  keyInput.value = sessionStorage.getItem("apiKey") || "";

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") { node.textContent = v; } else { node.setAttribute(k, v); }
    });
    (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
    return node;
  }

  function resolveRef(spec, schema) {
    if (schema && schema.$ref) {
      return spec.components.schemas[schema.$ref.split("/").pop()] || {};
    }
    return schema || {};
  }

  function example(spec, schema, depth) {
    schema = resolveRef(spec, schema);
    if (depth > 3) { return null; }
    if (depth === 0 && Array.isArray(schema.examples) && schema.examples.length) { return schema.examples[0]; }
    if (schema.default !== undefined) { return schema.default; }
    if (schema.anyOf) { return example(spec, schema.anyOf[0], depth + 1); }
    if (schema.enum) { return schema.enum[0]; }
    if (schema.type === "object" || schema.properties) {
      const out = {};
      (schema.required || []).forEach((name) => { out[name] = example(spec, schema.properties[name], depth + 1); });
      return out;
    }
    if (schema.type === "array") { return []; }
    if (schema.type === "integer" || schema.type === "number") { return schema.minimum || 0; }
    if (schema.type === "string") { return "text"; }
    return null;
  }

  function operationBlock(spec, path, method, op) {
    const fields = [];
    const form = el("form", {});
    (op.parameters || []).forEach((p) => {
      const id = `${op.operationId}-${p.name}`;
      const input = el("input", { id: id, name: p.name, "data-in": p.in });
      if (p.required) { input.required = true; }
      fields.push(input);
      form.appendChild(el("div", { class: "param" }, [
        el("label", { for: id, text: `${p.name} (${p.in})${p.required ? " *" : ""}` }), input]));
    });
    let body = null;
    if (op.requestBody) {
      const schema = op.requestBody.content["application/json"].schema;
      body = el("textarea", { id: `${op.operationId}-body`, "aria-label": "JSON body" });
      body.value = JSON.stringify(example(spec, schema, 0), null, 2);
      form.appendChild(el("label", { for: body.id, text: "Body (JSON)" }));
      form.appendChild(body);
    }
    const output = el("pre", { class: "response", "aria-live": "polite" });
    form.appendChild(el("button", { type: "submit", text: "Send" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let url = path;
      const query = new URLSearchParams();
      fields.forEach((f) => {
        if (f.dataset.in === "path") { url = url.replace(`{${f.name}}`, encodeURIComponent(f.value)); }
        else if (f.value !== "") { query.append(f.name, f.value); }
      });
      if ([...query].length) { url += `?${query}`; }
      const init = { method: method.toUpperCase(), headers: { "X-API-Key": keyInput.value } };
      if (body) { init.headers["Content-Type"] = "application/json"; init.body = body.value; }
      output.textContent = "…";
      try {
        const response = await fetch(url, init);
        const text = await response.text();
        let shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
        output.textContent = `${response.status} ${response.statusText}\n${shown}`;
      } catch (e) {
        output.textContent = `Request failed: ${e}`;
      }
    });
    const responses = Object.keys(op.responses || {}).join(", ");
    return el("details", {}, [
      el("summary", {}, [el("span", { class: `method ${method}`, text: method.toUpperCase() }),
        el("code", { text: path }), ` — ${op.summary || ""}`]),
      el("p", { class: "muted", text: `Responses: ${responses}` }), form, output]);
  }

  function render(spec) {
    main.textContent = "";
    const byTag = {};
    Object.entries(spec.paths).forEach(([path, methods]) => {
      Object.entries(methods).forEach(([method, op]) => {
        const tag = (op.tags || ["other"])[0];
        (byTag[tag] = byTag[tag] || []).push(operationBlock(spec, path, method, op));
      });
    });
    Object.entries(byTag).forEach(([tag, blocks]) => {
      main.appendChild(el("h2", { text: tag }));
      blocks.forEach((b) => main.appendChild(b));
    });
  }

  function rememberKey(event) {
    if (event) { event.preventDefault(); }
    sessionStorage.setItem("apiKey", keyInput.value);
    status.textContent = keyInput.value ? "Key kept for the calls below." : "No key: calls will answer 401.";
  }

  async function load() {
    status.textContent = "Loading…";
    const response = await fetch("/openapi.json");  // public; only the operations need the key
    if (!response.ok) {
      status.textContent = `Cannot load the description (${response.status}).`;
      return;
    }
    const spec = await response.json();
    status.textContent = `${spec.info.title} ${spec.info.version}`;
    render(spec);
  }

  document.getElementById("key-form").addEventListener("submit", rememberKey);
  load();
}());

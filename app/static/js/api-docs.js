// Starts the vendored Swagger UI on the OpenAPI document named by the page (no inline script).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.getAttribute("data-spec"), dom_id: "#swagger-ui", deepLinking: true });
});

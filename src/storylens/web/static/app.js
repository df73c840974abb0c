// storylens web UI: progressive enhancement only; every page works without it.
// Served from /static (CSP: script-src 'self'); never evaluates page content.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.dataset.js = "ready";

  // "/" focuses the search box, as on many sites.
  const search = document.querySelector("input[data-shortcut='/']");
  if (search) {
    document.addEventListener("keydown", (ev) => {
      const t = ev.target;
      const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement;
      if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        search.focus();
        search.select();
      }
    });
  }

  // Changing a date filter applies it at once.
  document.querySelectorAll("form.filters input[type='date']").forEach((input) => {
    input.addEventListener("change", () => input.form && input.form.requestSubmit());
  });

  // A copy button beside each article id (text set via textContent, never as HTML).
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy]").forEach((el) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "copy";
      button.addEventListener("click", () => {
        navigator.clipboard.writeText(el.dataset.copy || "").then(
          () => { button.textContent = "copied"; },
          () => { button.textContent = "copy failed"; },
        );
      });
      el.after(button);
    });
  }
});

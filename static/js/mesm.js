// Small behaviours every page shares, attached by data- attributes instead of inline handlers so the
// Content Security Policy can forbid inline script. Each one is progressive enhancement: the page
// works without JavaScript.
(function () {
  "use strict";

  // <form data-confirm="Delete this?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    // The organisation switcher: go to the chosen organisation at once.
    var switcher = event.target.closest("form[data-org-switcher]");
    if (switcher && switcher.org && switcher.org.value) {
      window.location = switcher.org.value;
      return;
    }
    // <select data-autosubmit>: submit its form when the choice changes.
    if (event.target.matches("[data-autosubmit]") && event.target.form) {
      event.target.form.submit();
    }
  });

  // The header's menu button (narrow screens): the links and sections fold behind it. Without
  // JavaScript the button stays hidden and everything is shown.
  var menuToggle = document.querySelector("[data-menu-toggle]");
  if (menuToggle) {
    var header = menuToggle.closest(".site-header");
    header.classList.add("menu-collapsible");
    menuToggle.hidden = false;
    menuToggle.addEventListener("click", function () {
      var open = menuToggle.getAttribute("aria-expanded") !== "true";
      menuToggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer && closer.closest("dialog")) {
      closer.closest("dialog").close();
    }
  });

  // <input data-select-on-focus>: select the whole text (links to copy).
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });

  // <a hx-get=… data-open-dialog="id">: after a successful htmx request, open that dialog.
  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail && event.detail.elt;
    var id = element && element.dataset ? element.dataset.openDialog : null;
    if (id && event.detail.successful) {
      var dialog = document.getElementById(id);
      if (dialog) { dialog.showModal(); }
    }
  });

  // [data-focus-on-load]: e.g. the error summary of a form sent back with errors.
  function focusOnLoad() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) { target.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusOnLoad);
  } else {
    focusOnLoad();
  }
})();

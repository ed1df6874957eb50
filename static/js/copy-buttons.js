// Progressive enhancement: the text is selectable without JavaScript; this adds a copy button.
(function () {
  document.querySelectorAll(".copy-button[hidden]").forEach(function (button) { button.hidden = false; });
  if (window.mesmCopyButtons) { return; }
  window.mesmCopyButtons = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-button");
    if (!button) { return; }
    var field = document.querySelector(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    function say(worked) { status.textContent = worked ? button.dataset.copied : button.dataset.failed; }
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { say(true); }, function () { say(false); });
    } else {
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      say(copied);
    }
  });
})();

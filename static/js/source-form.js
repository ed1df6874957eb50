// Progressive enhancement only: the server validates everything and the page works without it.
// Shows the credential boxes of the chosen platform and greys out kinds it does not offer.
(function () {
  var form = document.querySelector(".source-form");
  var platform = form.querySelector("[name=platform]");
  var kind = form.querySelector("[name=kind]");
  var kinds = JSON.parse(document.getElementById("platform-kinds").textContent);
  function update() {
    var chosen = platform.value;
    var any = false;
    form.querySelectorAll("fieldset.credentials").forEach(function (group) {
      var show = !chosen || group.dataset.platform === chosen;
      group.hidden = !show;
      any = any || (show && !!chosen);
    });
    form.querySelector(".credentials-none").hidden = !chosen || any;
    var allowed = kinds[chosen] || [];
    Array.prototype.forEach.call(kind.options, function (option) {
      option.disabled = !!chosen && !!option.value && allowed.indexOf(option.value) === -1;
    });
    var current = kind.selectedOptions[0];
    if (allowed.length && (!kind.value ? allowed.length === 1 : current && current.disabled)) {
      kind.value = allowed[0];  // the only choice, or the first one that fits the new platform
    }
  }
  platform.addEventListener("change", update);
  update();
})();

/* Content calendar: drag a post to another day, and a live character counter on the post form.
   Everything here is an enhancement: without JavaScript the post form and its date field do the same. */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text) {
    document.querySelectorAll(".drop-status").forEach(function (node) { node.textContent = text; });
  }

  function setUpDragging(root) {
    var dragged = null;
    root.querySelectorAll(".post-chip[draggable=true]").forEach(function (chip) {
      chip.addEventListener("dragstart", function (event) {
        dragged = chip;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", chip.dataset.rescheduleUrl);
        chip.classList.add("dragging");
      });
      chip.addEventListener("dragend", function () { chip.classList.remove("dragging"); });
    });
    root.querySelectorAll("[data-date]").forEach(function (cell) {
      cell.addEventListener("dragover", function (event) {
        if (dragged) { event.preventDefault(); cell.classList.add("drop-target"); }
      });
      cell.addEventListener("dragleave", function () { cell.classList.remove("drop-target"); });
      cell.addEventListener("drop", function (event) {
        event.preventDefault();
        cell.classList.remove("drop-target");
        if (!dragged) return;
        var body = new URLSearchParams({ date: cell.dataset.date });
        fetch(dragged.dataset.rescheduleUrl, {
          method: "POST",
          headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" },
          body: body.toString(),
          credentials: "same-origin"
        }).then(function (response) {
          return response.text().then(function (text) {
            say(text);
            if (response.ok) {
              var list = cell.querySelector(".day-posts");
              if (!list) { list = document.createElement("ul"); list.className = "day-posts"; cell.appendChild(list); }
              list.appendChild(dragged);
            }
          });
        }).finally(function () { dragged = null; });
      });
    });
  }

  var URL_RE = /https?:\/\/[^\s<>"]+/gi;
  var MENTION_RE = /(^|[^\w\/])@(\w+)@[\w.-]+\w/g;

  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) {
      return Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)).length;
    }
    return Array.from(text).length;
  }

  function lengthFor(text, platform) {
    if (platform === "mastodon") {
      return Array.from(text.replace(URL_RE, "x".repeat(23)).replace(MENTION_RE, "$1@$2")).length;
    }
    if (platform === "bluesky") return graphemes(text);
    return Array.from(text).length;
  }

  function setUpCounter() {
    var form = document.querySelector(".post-form");
    var data = document.getElementById("profile-limits");
    var counter = document.getElementById("text-counter");
    if (!form || !data || !counter) return;
    var limits = JSON.parse(data.textContent);
    var template = counter.dataset.template || "";
    function update() {
      var profile = form.querySelector("[name=profile]");
      var info = profile && limits[profile.value];
      var parts = [(form.querySelector("[name=text]") || {}).value || ""];
      var link = (form.querySelector("[name=link]") || {}).value || "";
      if (link && parts[0].indexOf(link) === -1) parts.push(link);
      var tags = ((form.querySelector("[name=hashtags]") || {}).value || "").replace(/,/g, " ").split(/\s+/)
        .filter(Boolean).map(function (t) { return t.charAt(0) === "#" ? t : "#" + t; })
        .filter(function (t) { return parts[0].toLowerCase().indexOf(t.toLowerCase()) === -1; });
      if (tags.length) parts.push(tags.join(" "));
      var text = parts.filter(Boolean).join("\n\n");
      var length = lengthFor(text, info ? info.platform : "");
      var limit = info ? info.limit : null;
      counter.textContent = limit ? length + " / " + limit : String(length);
      counter.classList.toggle("over", !!limit && length > limit);
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpDragging(document);
    setUpCounter();
  });
  document.body && document.body.addEventListener("htmx:afterSwap", function (event) { setUpDragging(event.target); });
})();

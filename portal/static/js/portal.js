// Small helpers that improve the pages when JavaScript runs; every page works without it.
(function () {
  "use strict";

  // After a failed submit, take keyboard and screen reader users straight to the list of errors.
  var errorSummary = document.getElementById("error-summary");
  if (errorSummary) { errorSummary.focus(); }

  // Print buttons come hidden: without JavaScript they could do nothing, and the browser's
  // own Print command is what the page tells people to use.
  Array.prototype.forEach.call(document.querySelectorAll("[data-print][hidden]"), function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { window.print(); }
  });

  // Warn about a photo that is too large before the whole form is sent.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
    var maxCount = parseInt(input.getAttribute("data-max-count"), 10);
    var tooBig = Array.prototype.filter.call(input.files, function (file) { return file.size > maxBytes; });
    var message = "";
    if (input.files.length > maxCount) {
      message = input.getAttribute("data-msg-count") || "";
    } else if (tooBig.length) {
      message = (input.getAttribute("data-msg-size") || "") + " " + tooBig.map(function (f) { return f.name; }).join(", ");
    }
    input.setCustomValidity(message);
    var note = document.getElementById(input.id + "-client-error");
    if (!note) {
      note = document.createElement("p");
      note.id = input.id + "-client-error";
      note.className = "field-error";
      note.setAttribute("role", "alert");
      input.parentNode.insertBefore(note, input);
    }
    note.textContent = message;
    note.hidden = !message;
    if (message) { input.value = ""; }
  });
})();

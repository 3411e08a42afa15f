// Drag and drop onto the document upload's file input, where the browser allows it.
// Without JavaScript (or without drag and drop) the plain file input works the same:
// dropping only fills that input, and the form is sent as usual.
(function () {
  "use strict";

  function describe(files) {
    if (!files || files.length === 0) {
      return "";
    }
    var names = [];
    for (var index = 0; index < files.length; index += 1) {
      names.push(files[index].name);
    }
    return (files.length === 1 ? "1 file chosen: " : files.length + " files chosen: ") + names.join(", ");
  }

  function enhance(group) {
    var input = group.querySelector("input[type=file]");
    var status = group.querySelector(".app-document-drop__status");
    if (!input || !status || !("draggable" in document.createElement("span")) || typeof DataTransfer === "undefined") {
      return;
    }
    var zone = document.createElement("div");
    zone.className = "govuk-inset-text govuk-!-margin-top-2 app-document-drop__zone";
    zone.textContent = input.multiple ? "Or drag and drop files here." : "Or drag and drop a file here.";
    input.insertAdjacentElement("afterend", zone);

    function show() {
      var text = describe(input.files);
      status.textContent = text;
      status.hidden = text === "";
    }

    function over(event) {
      event.preventDefault();
      zone.classList.add("govuk-!-font-weight-bold");
    }

    function leave() {
      zone.classList.remove("govuk-!-font-weight-bold");
    }

    zone.addEventListener("dragenter", over);
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", leave);
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      leave();
      var dropped = event.dataTransfer ? event.dataTransfer.files : null;
      if (!dropped || dropped.length === 0) {
        return;
      }
      var transfer = new DataTransfer();
      var count = input.multiple ? dropped.length : 1;
      for (var index = 0; index < count; index += 1) {
        transfer.items.add(dropped[index]);
      }
      input.files = transfer.files;
      show();
    });
    input.addEventListener("change", show);
  }

  function start() {
    var groups = document.querySelectorAll("[data-module='app-document-drop']");
    for (var index = 0; index < groups.length; index += 1) {
      enhance(groups[index]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

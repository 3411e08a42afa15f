// The review screen: select words in an item's text to fill in its "Redact words" form
// with exactly those words and where they are. Without JavaScript the reviewer types the
// words instead, and every place they appear in the item is redacted.
(function () {
  "use strict";

  function textNodes(field) {
    var nodes = [];
    var walker = document.createTreeWalker(field, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        // The reasons read out to screen readers are not part of the stored text.
        return node.parentElement && node.parentElement.closest("[data-skip]")
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT;
      }
    });
    while (walker.nextNode()) {
      nodes.push(walker.currentNode);
    }
    return nodes;
  }

  function offsetOf(field, container, offset) {
    var before = document.createRange();
    before.setStart(field, 0);
    before.setEnd(container, offset);
    var total = 0;
    textNodes(field).forEach(function (node) {
      if (node === container) {
        total += offset;
      } else if (before.intersectsNode(node) && before.comparePoint(node, node.length) <= 0) {
        total += node.length;
      }
    });
    return total;
  }

  function fieldOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("[data-field]") : null;
  }

  function clear(form) {
    form.querySelector("[data-selection-field]").value = "";
    form.querySelector("[data-selection-start]").value = "";
    form.querySelector("[data-selection-end]").value = "";
    var hint = form.querySelector("[data-selection-hint]");
    hint.hidden = true;
    hint.textContent = "";
  }

  function chosen() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return;
    }
    var range = selection.getRangeAt(0);
    var field = fieldOf(range.startContainer);
    if (!field || field !== fieldOf(range.endContainer)) {
      return;
    }
    var item = field.closest("[data-item]");
    var form = item && item.querySelector("[data-redaction-form]");
    if (!form) {
      return;
    }
    var text = textNodes(field).map(function (node) { return node.data; }).join("");
    var start = offsetOf(field, range.startContainer, range.startOffset);
    var end = offsetOf(field, range.endContainer, range.endOffset);
    while (start < end && /\s/.test(text.charAt(start))) { start += 1; }
    while (end > start && /\s/.test(text.charAt(end - 1))) { end -= 1; }
    if (end <= start) {
      return;
    }
    var words = form.querySelector("input[name$='-words']");
    words.value = text.slice(start, end);
    form.querySelector("[data-selection-field]").value = field.getAttribute("data-field");
    form.querySelector("[data-selection-start]").value = String(start);
    form.querySelector("[data-selection-end]").value = String(end);
    var hint = form.querySelector("[data-selection-hint]");
    hint.textContent = "Selected in " + field.getAttribute("data-label") + ": only this place is redacted.";
    hint.hidden = false;
    var details = form.closest("[data-redaction-details]");
    if (details) {
      details.open = true;
    }
  }

  document.querySelectorAll("[data-redaction-form]").forEach(function (form) {
    var words = form.querySelector("input[name$='-words']");
    if (words) {
      // Typed words are looked for everywhere in the item, not at a selected place.
      words.addEventListener("input", function () { clear(form); });
    }
  });
  document.addEventListener("mouseup", chosen);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) {
      chosen();
    }
  });
})();

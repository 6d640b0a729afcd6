// The dashboard's only script: copy buttons and the live preview of the pre-filled message.
(function () {
  "use strict";

  function copy(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copied");
    var done = function () { if (status) status.textContent = "Copied."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { fallback(source, done); });
    } else {
      fallback(source, done);
    }
  }

  function fallback(source, done) {
    source.select();
    if (document.execCommand("copy")) done();
  }

  function preview(output) {
    var template = document.getElementById(output.dataset.templateOf);
    var render = function () {
      output.textContent = template.value.split("{reference}").join(output.dataset.reference);
    };
    template.addEventListener("input", render);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () { copy(button); });
    });
    document.querySelectorAll("[data-template-of]").forEach(preview);
  });
})();

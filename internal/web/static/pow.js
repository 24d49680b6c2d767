// The booking form's proof of work, asked for only while the site is busy.
// It finds a number n such that SHA-256(token + ":" + n) starts with the
// number of zero bits the form names, puts it in the form and lets the
// form submit. Without this script (or without Web Crypto) the page asks
// the resident to wait a few seconds instead; nothing else changes.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pow-bits]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder || !window.Promise) {
    return;
  }
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10);
  var token = form.querySelector('input[name="pow"]').value;
  var answer = form.querySelector('input[name="pow_n"]');
  var status = document.getElementById("pow-status");
  var encoder = new TextEncoder();
  var solved = false;

  function zeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0) {
        return n + Math.clz32(bytes[i]) - 24;
      }
      n += 8;
    }
    return n;
  }

  async function search() {
    for (var n = 0; ; n++) {
      var sum = await window.crypto.subtle.digest("SHA-256", encoder.encode(token + ":" + n));
      if (zeroBits(sum) >= bits) {
        return n;
      }
    }
  }

  if (status) {
    status.textContent = status.getAttribute("data-working");
  }
  var work = search().then(function (n) {
    answer.value = String(n);
    solved = true;
    if (status) {
      status.textContent = status.getAttribute("data-done");
    }
  });

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    // The "back" and "change" buttons post elsewhere and need no proof.
    if (solved || (button && button.hasAttribute("formaction"))) {
      return;
    }
    event.preventDefault();
    work.then(function () {
      if (button && form.requestSubmit) {
        form.requestSubmit(button);
      } else {
        form.submit();
      }
    });
  });
})();

// The desk tablet's 交付受付確認票: a signature pad on a <canvas> drawn
// with pointer events (finger, pen or mouse). Without this script the
// page says the paper form is used, and the clerk records it so.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var form = document.getElementById("reception-form");
  if (!canvas || !form || !canvas.getContext || !window.PointerEvent) { return; }
  var ctx = canvas.getContext("2d");
  var field = document.getElementById("signature");
  var signButton = form.querySelector("button.sign");
  var drawn = false, last = null;
  form.querySelector(".pad").hidden = false;
  form.querySelector(".js-off").hidden = true;
  if (signButton) { signButton.hidden = false; }
  ctx.lineWidth = 5;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#000";
  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  canvas.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    last = point(e);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    drawn = true;
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!last) { return; }
    e.preventDefault();
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  function end() { last = null; }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    field.value = "";
  });
  form.addEventListener("submit", function (e) {
    var paper = e.submitter && e.submitter.value === "paper";
    field.value = (!paper && drawn) ? canvas.toDataURL("image/png") : "";
  });
})();

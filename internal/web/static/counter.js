// The counter's screens, improved when scripts run: the ticket's print
// button, and the call display following the calls live (Server-Sent
// Events) with a chime. Without it the display reloads itself.
(function () {
  "use strict";
  var print = document.querySelector("button.print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  // A kiosk's ticket or refusal goes back to the empty kiosk page, so the
  // next resident never sees it; the resident's own page reloads itself.
  var back = document.body.getAttribute("data-back");
  var every = Number(document.body.getAttribute("data-refresh")) * 1000;
  var board = document.querySelector(".board[data-events]");
  if (every > 0 && back) {
    setTimeout(function () { window.location.assign(back); }, every);
  } else if (every > 0 && !board) {
    setInterval(function () { window.location.reload(); }, every);
  }
  if (!board || !window.EventSource) { return; }
  var sound = board.querySelector("button.sound");
  var audio = null;
  var lastSeq = -1;
  sound.hidden = false;
  sound.addEventListener("click", function () {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) { audio = new Ctx(); }
    sound.textContent = "音が出ます";
    chime();
  });
  function chime() {
    if (!audio) { return; }
    [660, 880].forEach(function (f, i) {
      var o = audio.createOscillator(), g = audio.createGain(), t = audio.currentTime + i * 0.35;
      o.frequency.value = f; o.connect(g); g.connect(audio.destination);
      g.gain.setValueAtTime(0.0001, t); g.gain.exponentialRampToValueAtTime(0.3, t + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, t + 0.6);
      o.start(t); o.stop(t + 0.65);
    });
  }
  function item(text, cls) {
    var li = document.createElement("li");
    if (cls) { li.className = cls; }
    li.textContent = text;
    return li;
  }
  function show(b) {
    var calling = board.querySelector(".calling"), recent = board.querySelector(".recent");
    var fresh = false;
    calling.replaceChildren();
    (b.calling || []).forEach(function (c) {
      var li = document.createElement("li"), n = document.createElement("span"), d = document.createElement("span");
      n.className = "number"; n.textContent = c.ticket;
      d.className = "desk"; d.textContent = c.desk + " 番窓口へ";
      li.append(n, d);
      if (lastSeq >= 0 && c.seq > lastSeq) { li.className = "new"; fresh = true; }
      calling.append(li);
    });
    if (!b.calling || b.calling.length === 0) { calling.append(item("ただいまお呼びしている番号はありません", "empty")); }
    recent.replaceChildren();
    (b.recent || []).forEach(function (c) { recent.append(item(c.ticket)); });
    board.querySelector(".waiting .count").textContent = String(b.waiting);
    if (fresh) { chime(); }
    lastSeq = b.seq;
  }
  var es = new EventSource(board.getAttribute("data-events"));
  es.addEventListener("board", function (e) { show(JSON.parse(e.data)); });
})();

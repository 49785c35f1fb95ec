// The idle warning of the back office (WCAG 2.2.1 Timing Adjustable).
//
// The layout's <body> says, in data-session-* attributes, how many seconds are left before
// the session ends for inactivity and at the latest, and carries the texts to show. Two
// minutes before the end a notice appears with an "extend session" button that tells the
// server the user is still here. Without JavaScript nothing of this runs and nothing
// breaks: the server alone decides when a session ends, and then sends the next request
// to the login page with a plain message.
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.hasAttribute("data-session-idle")) { return; }

  function seconds(name) { return parseInt(body.getAttribute("data-session-" + name), 10) || 0; }
  function text(name) { return body.getAttribute("data-session-text-" + name) || ""; }

  var warnBefore = seconds("warning") * 1000;
  var idleAfterRequest = seconds("idle-after-request") * 1000;
  var idleEnd = Date.now() + seconds("idle") * 1000;
  var absoluteEnd = Date.now() + seconds("absolute") * 1000;
  var notice = null;
  var returnFocusTo = null;
  var expired = false;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function clock(time) {
    return new Date(time).toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit"
    });
  }

  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.id = "session-status";
  var main = document.getElementById("main") || body;
  main.insertBefore(status, main.firstChild);

  function buildNotice() {
    notice = document.createElement("div");
    notice.className = "session-warning";
    notice.id = "session-warning";
    notice.setAttribute("role", "alertdialog");
    notice.setAttribute("aria-labelledby", "session-warning-text");
    var message = document.createElement("p");
    message.id = "session-warning-text";
    message.className = "session-warning__text";
    notice.appendChild(message);
    main.insertBefore(notice, main.firstChild);
    return notice;
  }

  function showWarning(end, canExtend) {
    if (!notice) { buildNotice(); }
    var message = notice.querySelector("#session-warning-text");
    message.textContent = text(canExtend ? "idle" : "absolute").replace("{time}", clock(end));
    var old = notice.querySelector(".session-warning__action");
    if (old) { old.remove(); }
    if (canExtend) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button session-warning__action";
      button.id = "session-extend";
      button.textContent = text("extend");
      button.addEventListener("click", extend);
      notice.appendChild(button);
    }
    if (notice.hidden || !notice.dataset.shown) {
      notice.hidden = false;
      notice.dataset.shown = "1";
      returnFocusTo = document.activeElement;
      var target = notice.querySelector("button") || notice;
      if (target === notice) { notice.tabIndex = -1; }
      target.focus();
    }
  }

  function hideWarning() {
    if (!notice) { return; }
    notice.hidden = true;
    delete notice.dataset.shown;
    if (returnFocusTo && document.contains(returnFocusTo)) { returnFocusTo.focus(); }
    returnFocusTo = null;
  }

  function showExpired() {
    expired = true;
    if (!notice) { buildNotice(); }
    notice.hidden = false;
    notice.querySelector("#session-warning-text").textContent = text("expired");
    var old = notice.querySelector(".session-warning__action");
    if (old) { old.remove(); }
    var link = document.createElement("a");
    link.className = "button session-warning__action";
    link.id = "session-login";
    var next = window.location.pathname + window.location.search;
    link.href = body.getAttribute("data-session-login-url") + "?next=" + encodeURIComponent(next);
    link.textContent = text("login");
    notice.appendChild(link);
  }

  function extend() {
    fetch(body.getAttribute("data-session-extend-url"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("not extended"); }
      return response.json();
    }).then(function (left) {
      idleEnd = Date.now() + left.idle * 1000;
      absoluteEnd = Date.now() + left.absolute * 1000;
      hideWarning();
      status.textContent = text("extended");
    }).catch(showExpired);
  }

  function check() {
    if (expired) { return; }
    var now = Date.now();
    var end = Math.min(idleEnd, absoluteEnd);
    if (now >= end) {
      showExpired();
    } else if (now >= end - warnBefore) {
      showWarning(end, idleEnd < absoluteEnd);
    } else if (notice && !notice.hidden) {
      hideWarning();
    }
  }

  // A request through htmx is activity too: the server counts it within a minute.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) {
      idleEnd = Math.max(idleEnd, Date.now() + idleAfterRequest);
      check();
    }
  });

  // A check every few seconds, rather than one long timer, keeps time right in a tab
  // the browser has put to sleep.
  window.setInterval(check, 5000);
  check();
})();

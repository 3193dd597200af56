// realtime-service console: plain JavaScript, no framework, nothing loaded from anywhere but this service.
// Every piece of text that comes from the server or a payload is put in the page with textContent, never as HTML.
(function () {
  "use strict";

  var API = "/api/v1/realtime";
  var USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
  var POLL_CONNECTIONS_MS = 1500;
  var POLL_ONLINE_MS = 2000;
  var CHART_WINDOW_MS = 3 * 60 * 1000;
  var MAX_EVENTS = 200;
  var MAX_FRAMES = 200;
  var PENDING_TTL_MS = 60 * 1000;

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function pad(n, width) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }

  function clock(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2) +
      "." + pad(date.getMilliseconds(), 3);
  }

  function formatMs(ms) { return ms < 10 ? ms.toFixed(1) + " ms" : Math.round(ms) + " ms"; }

  // ---- REST calls (with the optional bearer token of jwt mode) ----

  function headers(extra) {
    var h = extra || {};
    var token = $("api-token").value.trim();
    if (token) { h.Authorization = "Bearer " + token; }
    return h;
  }

  function setPill(node, state, text) {
    node.className = "pill pill-" + state;
    node.textContent = text;
  }

  function api(path, options) {
    options = options || {};
    options.headers = headers(options.headers);
    options.cache = "no-store";
    return fetch(API + path, options).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
        if (response.status === 401 || response.status === 403) {
          setPill($("api-status"), "bad", "API " + response.status);
        } else if (response.status < 500) {
          setPill($("api-status"), "ok", "API ok");
        } else {
          setPill($("api-status"), "bad", "API " + response.status);
        }
        return { status: response.status, body: body, text: text };
      });
    }, function (error) {
      setPill($("api-status"), "bad", "API unreachable");
      throw error;
    });
  }

  // ---- this pod's connections, polled ----

  var samples = [];
  var localUsers = {};

  function pollConnections() {
    api("/connections").then(function (r) {
      if (r.status !== 200 || !r.body) { return; }
      var data = r.body;
      $("pod").textContent = data.pod;
      $("stat-connections").textContent = data.connections;
      $("stat-users").textContent = data.users.length;
      var users = data.users.slice().sort(function (a, b) {
        return b.connections - a.connections || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
      });
      localUsers = {};
      var most = users.reduce(function (m, u) { return Math.max(m, u.connections); }, 1);
      var tbody = $("connections-table").tBodies[0];
      var rows = document.createDocumentFragment();
      users.forEach(function (u) {
        localUsers[u.userId] = u.connections;
        var tr = el("tr");
        tr.setAttribute("data-user", u.userId);
        tr.appendChild(el("td", "mono", u.userId));
        var count = el("td", "num");
        var bar = el("span", "bar");
        bar.style.width = Math.max(6, Math.round(u.connections / most * 120)) + "px";
        count.appendChild(bar);
        count.appendChild(el("span", "count", u.connections));
        tr.appendChild(count);
        rows.appendChild(tr);
      });
      tbody.replaceChildren(rows);
      $("connections-empty").hidden = users.length > 0;
      samples.push({ t: Date.now(), connections: data.connections, users: data.users.length });
      var cutoff = Date.now() - CHART_WINDOW_MS - 5000;
      while (samples.length && samples[0].t < cutoff) { samples.shift(); }
      drawChart();
      markLocal();
    }).catch(function () { /* shown in the API pill */ })
      .then(function () { setTimeout(pollConnections, POLL_CONNECTIONS_MS); });
  }

  // ---- connections chart (hand-drawn canvas) ----

  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

  function drawChart() {
    var canvas = $("chart");
    var dpr = window.devicePixelRatio || 1;
    var width = canvas.clientWidth, height = canvas.clientHeight;
    if (!width || !height) { return; }
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    var left = 36, right = 12, top = 10, bottom = 24;
    var plotW = width - left - right, plotH = height - top - bottom;
    var now = Date.now(), start = now - CHART_WINDOW_MS;
    var max = 0;
    samples.forEach(function (s) { max = Math.max(max, s.connections, s.users); });
    var step = max <= 4 ? 1 : max <= 10 ? 2 : Math.pow(10, Math.floor(Math.log10(max / 2)));
    if (max > 10 && max / step > 8) { step *= (max / step > 20) ? 5 : 2; }
    var yMax = Math.max(4, Math.ceil((max + 0.5) / step) * step);

    function x(t) { return left + (t - start) / CHART_WINDOW_MS * plotW; }
    function y(v) { return top + plotH - v / yMax * plotH; }

    ctx.font = "11px " + cssVar("--font");
    ctx.lineWidth = 1;
    ctx.strokeStyle = cssVar("--grid");
    ctx.fillStyle = cssVar("--muted");
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (var v = 0; v <= yMax + 1e-9; v += step) {
      var gy = Math.round(y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(left, gy); ctx.lineTo(left + plotW, gy); ctx.stroke();
      ctx.fillText(String(v), left - 6, gy);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (var m = 3; m >= 0; m--) {
      var gx = x(now - m * 60000);
      ctx.fillText(m === 0 ? "now" : "-" + m + " min", Math.min(Math.max(gx, left + 14), left + plotW - 12), top + plotH + 6);
    }

    var visible = samples.filter(function (s) { return s.t >= start - POLL_CONNECTIONS_MS; });
    if (!visible.length) { return; }
    function series(key, color, fill) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top - 2, plotW, plotH + 4);
      ctx.clip();
      ctx.beginPath();
      visible.forEach(function (s, i) {
        var px = x(s.t), py = y(s[key]);
        if (i === 0) { ctx.moveTo(px, py); } else { ctx.lineTo(px, py); }
      });
      if (fill) {
        ctx.lineTo(x(visible[visible.length - 1].t), y(0));
        ctx.lineTo(x(visible[0].t), y(0));
        ctx.closePath();
        ctx.fillStyle = fill;
        ctx.fill();
        ctx.beginPath();
        visible.forEach(function (s, i) {
          var px = x(s.t), py = y(s[key]);
          if (i === 0) { ctx.moveTo(px, py); } else { ctx.lineTo(px, py); }
        });
      }
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.lineJoin = "round";
      ctx.stroke();
      var last = visible[visible.length - 1];
      ctx.fillStyle = color;
      ctx.beginPath(); ctx.arc(x(last.t), y(last[key]), 3, 0, Math.PI * 2); ctx.fill();
      ctx.restore();
    }
    series("users", cssVar("--users"), null);
    series("connections", cssVar("--accent"), cssVar("--accent-fill"));
  }

  // ---- cluster online users, paged with the cursor ----

  var onlineCursors = [null]; // cursor of each page visited; the last one is the current page
  var onlineNext = null;
  var onlineUsers = [];
  var onlineTimer = null;

  function loadOnline() {
    clearTimeout(onlineTimer);
    var cursor = onlineCursors[onlineCursors.length - 1];
    var limit = $("online-limit").value;
    var query = "?limit=" + encodeURIComponent(limit) + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    var requested = onlineCursors.length;
    api("/presence" + query).then(function (r) {
      if (requested !== onlineCursors.length) { return; } // the user paged meanwhile
      if (r.status === 400 && cursor) { onlineCursors = [null]; return; } // stale cursor: back to page 1
      if (r.status !== 200 || !r.body) { return; }
      onlineUsers = r.body.users || [];
      onlineNext = r.body.cursor;
      renderOnline();
    }).catch(function () { /* shown in the API pill */ })
      .then(function () { clearTimeout(onlineTimer); onlineTimer = setTimeout(loadOnline, POLL_ONLINE_MS); });
  }

  function renderOnline() {
    var list = $("online-list");
    var items = document.createDocumentFragment();
    onlineUsers.forEach(function (u) {
      var li = el("li", "chip");
      li.setAttribute("data-user", u);
      li.appendChild(el("span", "dot"));
      li.appendChild(el("span", "mono", u));
      items.appendChild(li);
    });
    list.replaceChildren(items);
    markLocal();
    $("online-empty").hidden = onlineUsers.length > 0 || onlineCursors.length > 1;
    var page = onlineCursors.length;
    $("online-page").textContent = "page " + page;
    $("online-prev").disabled = page <= 1;
    $("online-next").disabled = !onlineNext;
    $("stat-online").textContent = onlineUsers.length + (onlineNext ? "+" : "") + (page > 1 ? " (p" + page + ")" : "");
  }

  function markLocal() {
    var chips = $("online-list").children;
    for (var i = 0; i < chips.length; i++) {
      var local = Object.prototype.hasOwnProperty.call(localUsers, chips[i].getAttribute("data-user"));
      chips[i].classList.toggle("chip-local", local);
      chips[i].title = local ? "connected to this pod" : "connected to another pod";
    }
  }

  // ---- presence events: a Server-Sent Events stream, read with fetch so the jwt token can be sent ----

  var eventCounts = { all: 0, online: 0, offline: 0 };
  var sseAbort = null;
  var sseRetry = null;

  function connectEvents() {
    if (sseAbort) { sseAbort.abort(); }
    clearTimeout(sseRetry);
    var controller = new AbortController();
    sseAbort = controller;
    setPill($("sse-status"), "wait", "events connecting");
    fetch(API + "/console/presence-events", {
      headers: headers({ Accept: "text/event-stream" }), cache: "no-store", signal: controller.signal
    }).then(function (response) {
      if (response.status !== 200 || !response.body) {
        setPill($("sse-status"), "bad", "events " + response.status);
        throw new Error("status " + response.status);
      }
      setPill($("sse-status"), "ok", "events live");
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { throw new Error("stream ended"); }
          buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
          var end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            var block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            var data = block.split("\n").filter(function (line) { return line.indexOf("data:") === 0; })
              .map(function (line) { return line.slice(line.charAt(5) === " " ? 6 : 5); }).join("\n");
            if (data) { onPresenceEvent(data); }
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      if (controller.signal.aborted) { return; }
      if ($("sse-status").className.indexOf("pill-bad") < 0) { setPill($("sse-status"), "bad", "events reconnecting"); }
      sseRetry = setTimeout(connectEvents, 3000);
    });
  }

  function onPresenceEvent(data) {
    var event;
    try { event = JSON.parse(data); } catch (e) { return; }
    if (!event || event.type !== "presence") { return; }
    eventCounts.all++;
    eventCounts[event.online ? "online" : "offline"]++;
    $("stat-events").textContent = eventCounts.all;
    $("stat-events-online").textContent = eventCounts.online;
    $("stat-events-offline").textContent = eventCounts.offline;
    var li = el("li", "event " + (event.online ? "event-online" : "event-offline"));
    li.setAttribute("data-user", event.userId);
    li.setAttribute("data-online", String(!!event.online));
    li.appendChild(el("span", "time mono", clock(new Date(event.at || Date.now()))));
    li.appendChild(el("span", "badge " + (event.online ? "badge-online" : "badge-offline"), event.online ? "online" : "offline"));
    li.appendChild(el("span", "mono user", event.userId));
    var list = $("events-list");
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_EVENTS) { list.removeChild(list.lastChild); }
    $("events-empty").hidden = true;
    // a presence change shows in the online list at once, not at the next poll
    loadOnline();
  }

  // ---- publishing, with the publish time stamped per payload ----

  var pending = new Map(); // payload text -> performance.now() when this page published it
  var sampleSeq = 0;

  function publishMode() { return $("publish-mode-broadcast").checked ? "broadcast" : "user"; }

  function updatePublishMode() {
    $("publish-user-field").classList.toggle("disabled", publishMode() === "broadcast");
    $("publish-user").disabled = publishMode() === "broadcast";
  }

  function publish(evt) {
    if (evt) { evt.preventDefault(); }
    var status = $("publish-status");
    var payload = $("payload").value;
    var mode = publishMode();
    var user = $("publish-user").value.trim();
    if (!payload) { showStatus(status, "error", "The payload is empty."); return; }
    if (mode === "user" && !USER_ID.test(user)) {
      showStatus(status, "error", "Enter a user id (1-128 of A-Z a-z 0-9 . _ : @ -).");
      return;
    }
    var path = mode === "broadcast" ? "/broadcast" : "/users/" + encodeURIComponent(user) + "/messages";
    var started = performance.now();
    pending.set(payload, started);
    var now = started;
    pending.forEach(function (t, key) { if (now - t > PENDING_TTL_MS) { pending.delete(key); } });
    showStatus(status, "wait", "Publishing…");
    api(path, { method: "POST", body: payload, headers: { "Content-Type": "application/json" } }).then(function (r) {
      var took = formatMs(performance.now() - started);
      if (r.status === 202) {
        showStatus(status, "ok", "202 accepted in " + took + (mode === "broadcast" ? " · broadcast" : " · to " + user));
      } else {
        pending.delete(payload);
        var message = r.body && r.body.message ? r.body.message : r.text;
        showStatus(status, "error", r.status + (r.body && r.body.error ? " " + r.body.error : "") + (message ? ": " + message : ""));
      }
    }, function () {
      pending.delete(payload);
      showStatus(status, "error", "The service is unreachable.");
    });
  }

  function showStatus(node, state, text) {
    node.className = "status status-" + state;
    node.textContent = text;
  }

  // ---- in-page WebSocket tabs ----

  var tabSeq = 0;
  var tabs = [];

  function wsUrl(query) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws" + (query || "");
  }

  function subjectOf(jwt) {
    try {
      var part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      while (part.length % 4) { part += "="; }
      return JSON.parse(atob(part)).sub || null;
    } catch (e) { return null; }
  }

  function openTab(evt) {
    if (evt) { evt.preventDefault(); }
    var error = $("tab-error");
    var user = $("tab-user").value.trim();
    var token = $("tab-token").value.trim();
    if (token && !user) { user = subjectOf(token) || ""; }
    if (!USER_ID.test(user)) {
      showStatus(error, "error", "Enter a user id (1-128 of A-Z a-z 0-9 . _ : @ -).");
      return;
    }
    error.textContent = "";
    error.className = "status";
    createTab(user, token);
    if (!$("publish-user").value.trim()) { $("publish-user").value = user; }
    refreshKnownUsers();
  }

  function createTab(user, token) {
    var tab = { id: ++tabSeq, user: user, token: token, client: null, frames: 0 };
    var panel = el("article", "tab");
    panel.setAttribute("data-user", user);
    panel.setAttribute("data-tab-id", String(tab.id));
    var head = el("header", "tab-head");
    var title = el("div", "tab-title");
    var name = el("span", "tab-user mono", user);
    name.title = user;
    title.appendChild(name);
    title.appendChild(el("span", "tab-num muted", "#" + tab.id));
    head.appendChild(title);
    var state = el("span", "tab-state pill", "");
    head.appendChild(state);
    var tools = el("div", "tab-tools");
    var ping = el("button", "btn btn-small btn-ghost tab-ping", "Ping");
    ping.type = "button";
    var toggle = el("button", "btn btn-small btn-ghost tab-toggle", "Close");
    toggle.type = "button";
    var remove = el("button", "btn btn-small btn-ghost tab-remove", "✕");
    remove.type = "button";
    remove.title = "close and remove this tab";
    tools.appendChild(ping);
    tools.appendChild(toggle);
    tools.appendChild(remove);
    panel.appendChild(head);
    var frames = el("ol", "frames");
    panel.appendChild(frames);
    var footer = el("footer", "tab-foot");
    var foot = el("span", "muted", "0 frames received");
    footer.appendChild(foot);
    footer.appendChild(tools);
    panel.appendChild(footer);
    tab.panel = panel; tab.state = state; tab.framesList = frames; tab.foot = foot;
    tab.pingButton = ping; tab.toggle = toggle;

    ping.addEventListener("click", function () {
      if (tab.client && tab.client.state === "open") {
        addFrame(tab, "sent", '{"type":"ping"}', null);
        tab.client.ping().then(function (roundTrip) {
          addFrame(tab, "received", '{"type":"pong"}', roundTrip);
        }, function () { /* the connection ended first: its state says so */ });
      }
    });
    toggle.addEventListener("click", function () {
      if (tab.client.state === "closed") { tab.client.connect(); } else { tab.client.close(); }
    });
    remove.addEventListener("click", function () {
      tab.client.close();
      panel.remove();
      tabs = tabs.filter(function (t) { return t !== tab; });
      $("tabs-empty").hidden = tabs.length > 0;
      refreshKnownUsers();
    });

    tabs.push(tab);
    $("tabs").appendChild(panel);
    $("tabs-empty").hidden = true;
    tab.client = createClient(tab);
    tab.client.connect();
  }

  function setTabState(tab, state, text) {
    tab.panel.setAttribute("data-state", state);
    tab.state.setAttribute("data-state", state);
    tab.state.className = "tab-state pill pill-" + (state === "open" ? "ok" : state === "closed" ? "bad" : "wait");
    tab.state.textContent = text;
    tab.pingButton.disabled = state !== "open";
    tab.toggle.textContent = state === "closed" ? "Reconnect" : "Close";
  }

  // Each tab is a client of the library (clients/js, served as realtime-client.js): it reconnects with backoff,
  // recovers missed messages (protocol v2) and says why it stopped.
  function createClient(tab) {
    var client = new Realtime.RealtimeClient(tab.token
      ? { url: wsUrl(""), getToken: function () { return Promise.resolve(tab.token); } }
      : { url: wsUrl(""), userId: tab.user });
    client.on("state", function (s) {
      var text = s.state;
      if (s.state === "reconnecting") { text = "reconnecting in " + (s.delayMs / 1000).toFixed(1) + " s"; }
      setTabState(tab, s.state, text);
      if (s.code !== undefined && s.previous === "open") {
        addFrame(tab, "info", "closed with " + s.code + (s.reason ? " · " + s.reason : ""), null);
      }
    });
    client.on("message", function (m) {
      var arrived = performance.now();
      addFrame(tab, "received", m.data, pending.has(m.data) ? arrived - pending.get(m.data) : null);
    });
    client.on("recovered", function (r) {
      addFrame(tab, "info", r.complete ? "recovered every missed message" : "recovery incomplete: reload the state", null);
      tab.panel.setAttribute("data-recovered", String(r.complete));
    });
    client.on("error", function (e) {
      addFrame(tab, "info", (e.fatal ? "stopped: " : "") + e.message, null);
    });
    return client;
  }

  function addFrame(tab, kind, text, latency) {
    var li = el("li", "frame frame-" + kind);
    var meta = el("div", "frame-meta");
    meta.appendChild(el("span", "dir", kind === "received" ? "↓ received" : kind === "sent" ? "↑ sent" : "•"));
    meta.appendChild(el("span", "time mono", clock(new Date())));
    if (latency !== null) {
      var badge = el("span", "latency", formatMs(latency));
      badge.title = "from publish (or ping) to arrival";
      li.setAttribute("data-latency-ms", latency.toFixed(1));
      meta.appendChild(badge);
    }
    li.appendChild(meta);
    li.appendChild(el("code", "frame-body", text));
    var list = tab.framesList;
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_FRAMES) { list.removeChild(list.lastChild); }
    if (kind === "received") { tab.frames++; }
    tab.foot.textContent = tab.frames + (tab.frames === 1 ? " frame" : " frames") + " received";
  }

  function refreshKnownUsers() {
    var seen = {};
    var options = document.createDocumentFragment();
    tabs.forEach(function (t) {
      if (!seen[t.user]) { seen[t.user] = true; var o = el("option"); o.value = t.user; options.appendChild(o); }
    });
    $("known-users").replaceChildren(options);
  }

  // ---- wiring ----

  document.addEventListener("DOMContentLoaded", function () {
    $("publish-form").addEventListener("submit", publish);
    $("payload").addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { publish(e); }
    });
    $("publish-mode-user").addEventListener("change", updatePublishMode);
    $("publish-mode-broadcast").addEventListener("change", updatePublishMode);
    $("payload-sample").addEventListener("click", function () {
      sampleSeq++;
      $("payload").value = JSON.stringify({ type: "notice", body: "hello #" + sampleSeq, seq: sampleSeq });
    });
    $("tab-form").addEventListener("submit", openTab);
    $("online-limit").addEventListener("change", function () { onlineCursors = [null]; loadOnline(); });
    $("online-next").addEventListener("click", function () {
      if (onlineNext) { onlineCursors.push(onlineNext); loadOnline(); }
    });
    $("online-prev").addEventListener("click", function () {
      if (onlineCursors.length > 1) { onlineCursors.pop(); loadOnline(); }
    });
    $("events-clear").addEventListener("click", function () {
      $("events-list").replaceChildren();
      $("events-empty").hidden = false;
    });
    var tokenTimer = null;
    $("api-token").addEventListener("input", function () {
      clearTimeout(tokenTimer);
      tokenTimer = setTimeout(connectEvents, 600);
    });
    window.addEventListener("resize", drawChart);
    updatePublishMode();
    pollConnections();
    loadOnline();
    connectEvents();
    setInterval(drawChart, 1000); // the time axis moves even when nothing changes
  });
}());

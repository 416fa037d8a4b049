// The Hypersender console's script. It only updates what the server drew:
// filters the fleet's rows, follows /events (one small event per change),
// counts down while a documented rate limit holds a button back, posts the
// buttons' requests with the page's CSRF token, and follows an onboarding
// flow. Server text is set with textContent (never as HTML), with control
// and bidi characters made visible as the server does.
"use strict";

(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const csrf = $('meta[name="csrf-token"]')?.content ?? "";

  const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
  function visible(text) {
    return String(text ?? "").replace(UNSAFE, (c) => "\\u{" + c.codePointAt(0).toString(16) + "}");
  }

  async function post(url, body, contentType) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": contentType },
      body,
    });
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = { error: "HTTP " + response.status };
    }
    return { ok: response.ok, status: response.status, data };
  }
  const postJson = (url, value) => post(url, JSON.stringify(value), "application/json");

  function age(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + (s % 60) + " s";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- The fleet: rows, filters, live updates, bulk restarts ----------
  function fleetPage(table) {
    const tbody = table.tBodies[0];
    const rows = new Map();
    for (const tr of tbody.rows) rows.set(tr.dataset.id, tr);
    const statusFilter = $("#status-filter");
    const search = $("#search");
    const selectAll = $("#select-all");
    const restartSelected = $("#restart-selected");
    const restartStatus = $("#restart-status");
    const retryFailed = $("#retry-failed");
    const summary = $("#bulk-summary");

    const matches = (tr) => {
      const status = statusFilter.value;
      const query = search.value.trim().toLowerCase();
      return (!status || tr.dataset.status === status) && (!query || tr.dataset.search.includes(query));
    };
    const selected = () => [...rows.values()].filter((tr) => !tr.hidden && $(".select", tr).checked);

    function updateSelection() {
      const count = selected().length;
      restartSelected.disabled = count === 0;
      restartSelected.textContent = "Restart selected (" + count + ")";
    }
    function applyFilter() {
      let shown = 0;
      for (const tr of rows.values()) {
        tr.hidden = !matches(tr);
        if (!tr.hidden) shown += 1;
      }
      $("#shown-count").textContent = shown + " of " + rows.size + " shown";
      updateSelection();
    }
    function recount() {
      const counts = {};
      for (const tr of rows.values()) counts[tr.dataset.status] = (counts[tr.dataset.status] ?? 0) + 1;
      for (const button of document.querySelectorAll("#counts .count")) {
        const status = button.dataset.status;
        $(".n", button).textContent = status ? counts[status] ?? 0 : rows.size;
      }
    }
    function tickAges() {
      const now = Date.now();
      for (const tr of rows.values()) {
        if (tr.hidden) continue;
        let text = (tr.dataset.sinceKnown === "true" ? "" : "\u2265 ") + age(now - Number(tr.dataset.since));
        if (tr.dataset.silentSince) text += ", webhooks silent " + age(now - Number(tr.dataset.silentSince));
        $(".age", tr).textContent = text;
      }
    }
    function newRow(id) {
      const tr = element("tr");
      tr.dataset.id = id;
      const check = element("input", "select");
      check.type = "checkbox";
      check.setAttribute("aria-label", "select");
      const link = element("a");
      link.href = "/instances/" + encodeURIComponent(id);
      const badge = element("span", "badge");
      const cells = [check, link, null, badge, null, null];
      const classes = ["", "name", "phone", "status", "age", "result"];
      cells.forEach((child, index) => {
        const td = element("td", classes[index]);
        if (child) td.appendChild(child);
        tr.appendChild(td);
      });
      return tr;
    }
    function drawRow(row) {
      let tr = rows.get(row.id);
      if (!tr) {
        tr = newRow(row.id);
        rows.set(row.id, tr);
        tbody.appendChild(tr);
      }
      tr.dataset.status = row.status;
      tr.dataset.search = (row.name + " " + row.phone).toLowerCase();
      tr.dataset.since = row.since_ms;
      tr.dataset.sinceKnown = row.since_known;
      if (row.silent_since_ms != null) tr.dataset.silentSince = row.silent_since_ms;
      else delete tr.dataset.silentSince;
      $(".name a", tr).textContent = visible(row.name);
      $(".phone", tr).textContent = visible(row.phone);
      const badge = $(".badge", tr);
      badge.textContent = visible(row.status);
      badge.dataset.status = row.status;
    }
    function result(id, text, ok) {
      const tr = rows.get(id);
      if (!tr) return;
      const span = element("span", "outcome", visible(text));
      if (ok !== undefined) span.dataset.ok = ok;
      $(".result", tr).replaceChildren(span);
    }
    function setFailed(count) {
      retryFailed.hidden = count === 0;
      $(".n", retryFailed).textContent = count;
    }
    async function startBulk(url, request, question) {
      if (!window.confirm(question)) return;
      const answer = await postJson(url, request);
      // On success the events (bulk_started, bulk, bulk_done) tell it all.
      if (!answer.ok) summary.textContent = visible(answer.data.error);
    }

    const limit = table.dataset.restartLimit;
    restartSelected.addEventListener("click", () => {
      const ids = selected().map((tr) => tr.dataset.id);
      startBulk("/bulk/restart", { ids, expected: ids.length },
        "Restart " + ids.length + " instance(s)? They are paced by the restart limit (" + limit + ").");
    });
    restartStatus.addEventListener("click", () => {
      const status = statusFilter.value;
      if (!status) {
        summary.textContent = "choose a status in the filter first";
        return;
      }
      const count = [...rows.values()].filter((tr) => tr.dataset.status === status).length;
      startBulk("/bulk/restart", { status, expected: count },
        "Restart all " + count + " " + status + " instance(s)? They are paced by the restart limit (" + limit + ").");
    });
    retryFailed.addEventListener("click", () => {
      const count = Number($(".n", retryFailed).textContent);
      startBulk("/bulk/retry", { expected: count }, "Restart again the " + count + " instance(s) that failed?");
    });
    selectAll.addEventListener("change", () => {
      for (const tr of rows.values()) if (!tr.hidden) $(".select", tr).checked = selectAll.checked;
      updateSelection();
    });
    tbody.addEventListener("change", updateSelection);
    statusFilter.addEventListener("change", applyFilter);
    search.addEventListener("input", applyFilter);
    for (const button of document.querySelectorAll("#counts .count")) {
      button.addEventListener("click", () => {
        statusFilter.value = button.dataset.status;
        applyFilter();
      });
    }

    const events = new EventSource("/events");
    const on = (name, handle) => events.addEventListener(name, (e) => handle(JSON.parse(e.data)));
    on("reload", () => window.location.reload());
    on("row", (row) => {
      drawRow(row);
      recount();
      applyFilter();
      tickAges();
    });
    on("gone", ({ id }) => {
      rows.get(id)?.remove();
      rows.delete(id);
      recount();
      applyFilter();
    });
    on("note", ({ text }) => ($("#note").textContent = visible(text)));
    on("bulk_started", ({ ids, pace }) => {
      for (const id of ids) result(id, "waiting its turn");
      setFailed(0);
      summary.textContent = visible("restarting " + ids.length + " instance(s)" + (pace ? "; " + pace : ""));
    });
    on("bulk", ({ id, ok, message }) => result(id, ok ? "restarted" : "failed: " + message, ok));
    on("bulk_done", ({ restarted, failed }) => {
      summary.textContent = "bulk restart done: " + restarted + " restarted, " + failed + " failed";
      setFailed(failed);
    });

    applyFilter();
    tickAges();
    setInterval(tickAges, 1000);
  }

  // ---- One instance: buttons held back while a limit holds -------------
  function instancePage(section) {
    const buttons = [...section.querySelectorAll("button.action")];
    const readyAt = {};
    for (const button of buttons) readyAt[button.dataset.operation] = Date.now() + Number(button.dataset.waitMs);
    const outcome = $("#result");
    const figure = $("#qr");
    let qrExpires = 0;

    function tick() {
      const now = Date.now();
      for (const button of buttons) {
        if (button.dataset.busy) continue;
        const left = readyAt[button.dataset.operation] - now;
        button.disabled = left > 0;
        button.textContent = left > 0
          ? button.dataset.label + " (in " + Math.ceil(left / 1000) + " s)"
          : button.dataset.label;
      }
      if (!figure.hidden) {
        const left = qrExpires - now;
        $("#qr-countdown").textContent = left > 0
          ? "scan within " + Math.ceil(left / 1000) + " s"
          : "expired: request a new one";
      }
    }
    for (const button of buttons) {
      button.addEventListener("click", async () => {
        button.dataset.busy = "1";
        button.disabled = true;
        const answer = await post(button.dataset.url, "", "application/x-www-form-urlencoded");
        delete button.dataset.busy;
        for (const [operation, wait] of Object.entries(answer.data.waits ?? {})) {
          readyAt[operation] = Date.now() + wait;
        }
        outcome.textContent = visible(answer.data.message ?? answer.data.error);
        outcome.dataset.ok = answer.ok;
        if (answer.data.status) {
          $("#status").textContent = visible(answer.data.status);
          $("#status").dataset.status = answer.data.status;
        }
        if (answer.data.qr) {
          $("#qr-image").src = answer.data.qr;
          qrExpires = Date.now() + answer.data.expires_in_ms;
          figure.hidden = false;
        }
        tick();
      });
    }
    tick();
    setInterval(tick, 250);
  }

  // ---- Onboarding: the library's connect flow, followed ----------------
  function onboardPage(form) {
    const base = new URL("/onboarding/", window.location.href);
    const steps = $("#flow-steps");
    const status = $("#flow-status");
    const figure = $("#flow-qr-figure");
    let qrExpires = 0;
    let freshAt = 0;
    const step = (text) => steps.appendChild(element("li", "", visible(text)));
    const setStatus = (value) => {
      status.textContent = visible(value);
      status.dataset.status = value;
    };
    setInterval(() => {
      if (figure.hidden) return;
      const now = Date.now();
      const countdown = $("#flow-countdown");
      if (qrExpires > now) countdown.textContent = "scan within " + Math.ceil((qrExpires - now) / 1000) + " s";
      else if (freshAt > now) countdown.textContent = "expired: a fresh code in " + Math.ceil((freshAt - now) / 1000) + " s";
      else countdown.textContent = "expired: a fresh code is coming";
    }, 250);

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = new URLSearchParams(new FormData(form)).toString();
      const answer = await post(new URL("flows", base), body, "application/x-www-form-urlencoded");
      if (!answer.ok) {
        $("#flow-error").textContent = visible((answer.data.errors ?? [answer.data.message ?? answer.data.error]).join("; "));
        return;
      }
      $("#flow-error").textContent = "";
      form.hidden = true;
      $("#flow").hidden = false;
      const eventsUrl = new URL(answer.data.events, base);
      const events = new EventSource(eventsUrl);
      const on = (name, handle) => events.addEventListener(name, (ev) => handle(JSON.parse(ev.data)));
      on("instance", (d) => step((d.created ? "created " : "found ") + d.name + " (" + d.instance_id + ")"));
      on("qr_code", (d) => {
        $("#flow-qr").src = new URL(d.image, eventsUrl).href;
        qrExpires = Date.now() + d.expires_in_ms;
        figure.hidden = false;
        step("QR code " + d.number + ": scan it with the phone");
      });
      on("qr_code_expired", (d) => {
        qrExpires = 0;
        freshAt = Date.now() + d.fresh_in_ms;
        step("QR code " + d.number + " expired");
      });
      on("status", (d) => {
        setStatus(d.status);
        step("status: " + d.status);
      });
      on("restarted", () => step("restarted (it was FAILED)"));
      on("connected", (d) => {
        events.close();
        setStatus(d.status);
        figure.hidden = true;
        $("#flow-outcome").textContent = "Connected: the instance is " + visible(d.status);
      });
      on("gave_up", (d) => {
        events.close();
        figure.hidden = true;
        $("#flow-outcome").textContent = "Gave up: " + visible(d.reason);
      });
    });
  }

  // ---- Received webhooks: filter, pause --------------------------------
  function webhooksPage(table) {
    const tbody = table.tBodies[0];
    const filter = $("#webhook-filter");
    const pause = $("#webhook-pause");
    const held = [];
    let paused = false;
    const matches = (tr) => !filter.value || tr.dataset.text.includes(filter.value.trim().toLowerCase());
    function add(entry) {
      const tr = element("tr");
      const cells = [
        new Date(entry.at_ms).toISOString().slice(11, 19),
        entry.event + (entry.duplicate ? " (duplicate)" : ""),
        entry.instance_id ?? "",
        entry.status ?? "",
        entry.id ?? "",
      ];
      for (const text of cells) tr.appendChild(element("td", "", visible(text)));
      tr.dataset.text = cells.join(" ").toLowerCase();
      tr.hidden = !matches(tr);
      tbody.prepend(tr);
      while (tbody.rows.length > 500) tbody.lastElementChild.remove();
    }
    for (const entry of JSON.parse($("#webhook-recent").dataset.json)) add(entry);
    filter.addEventListener("input", () => {
      for (const tr of tbody.rows) tr.hidden = !matches(tr);
    });
    pause.addEventListener("click", () => {
      paused = !paused;
      pause.textContent = paused ? "Resume" : "Pause";
      pause.setAttribute("aria-pressed", paused);
      if (!paused) held.splice(0).forEach(add);
      $("#webhook-paused").textContent = paused ? "paused" : "";
    });
    const events = new EventSource("/events");
    events.addEventListener("webhook", (e) => {
      const entry = JSON.parse(e.data);
      if (paused) {
        held.push(entry);
        $("#webhook-paused").textContent = "paused, " + held.length + " held";
      } else add(entry);
    });
  }

  const pages = [["#fleet", fleetPage], ["#actions", instancePage], ["#onboard", onboardPage], ["#webhooks", webhooksPage]];
  for (const [selector, page] of pages) {
    const root = $(selector);
    if (root) page(root);
  }
})();

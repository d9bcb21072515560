// The sandbox dashboard: polls the /__sandbox/* control endpoints every second and
// redraws. Everything is built with textContent, never innerHTML: paths and journal
// entries come from requests and must not become markup.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    tr.append(cell instanceof Node ? cell : el("td", cell));
  }
  return tr;
}

function td(child, cls) {
  const cell = el("td", undefined, cls);
  if (child instanceof Node) cell.append(child); else cell.textContent = child ?? "";
  return cell;
}

function pill(text, cls) {
  return el("span", text, "pill " + (cls ?? text));
}

function fill(table, rows, empty) {
  const body = $(table + " tbody");
  body.replaceChildren(...rows);
  if (!rows.length) {
    const cols = $(table + " thead tr").children.length;
    const cell = el("td", empty, "muted");
    cell.colSpan = cols;
    body.append(row([cell]));
  }
}

function secondsText(s) {
  if (s === null || s === undefined) return "until unlocked";
  const m = Math.floor(s / 60);
  return (m ? m + "m " : "") + (s % 60) + "s left";
}

function faultText(fault) {
  if (!fault) return "";
  if (fault.kind === "delay") return "delay " + fault.ms + " ms";
  if (fault.kind === "oversize") return "oversize " + fault.bytes + " B";
  return fault.kind;
}

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  const body = await res.json();
  if (!res.ok) throw new Error(body.sandbox_error || res.status + " on " + path);
  return body;
}

function drawState(state) {
  $("#now").textContent = state.now;
  fill("#sg-vouchers", state.smartgift.vouchers.map((v) => {
    const holds = v.holds.map((h) => h.hold_token + " (" + secondsText(h.seconds_left) + ")").join(", ");
    const balance = v.type === "monetary"
      ? "£" + v.balance
      : v.experiences_left + " of " + v.experiences + " experiences";
    const tr = row([td(v.voucher_no, "mono"), v.name, v.type, td(balance, "num"), td(pill(v.status)), holds]);
    tr.dataset.voucher = v.voucher_no;
    return tr;
  }), "no Smart Gift vouchers");
  fill("#sp-vouchers", state.spaaza.vouchers.map((v) => {
    const lock = v.lock
      ? pill("locked " + secondsText(v.lock.seconds_left) + (v.lock.basket_code ? ", basket " + v.lock.basket_code : ""), "locked")
      : "";
    const tr = row([td(v.voucher_id, "mono"), v.chain_id, v.campaign_title, v.type,
      td(v.currency_symbol + v.amount, "num"), td(pill(v.status)), td(lock)]);
    tr.dataset.voucher = String(v.voucher_id);
    return tr;
  }), "no Spaaza vouchers");
}

function drawRequests(log) {
  $("#requests-total").textContent = "(" + log.exchanges.length + " of " + log.total + ")";
  fill("#requests", log.exchanges.map((x) => {
    const status = x.status === null
      ? pill(faultText(x.fault), "fault")
      : pill(x.status + (x.fault ? " + " + faultText(x.fault) : ""), x.faulted ? "fault" : "s" + String(x.status)[0]);
    return row([td(x.seq, "num"), x.at.slice(11, 19), x.method, td(x.path, "mono"), td(status),
      td(x.duration_ms === null ? "—" : x.duration_ms, "num")]);
  }), "no provider requests yet");
}

function drawFaults(list) {
  fill("#faults", list.faults.map((f) => {
    const answer = (f.real_answer ? "real answer" : "status " + f.status) + (f.fault ? ", " + faultText(f.fault) : "");
    return row([td(f.path, "mono"), f.process ? "yes" : "no", f.times ?? "until cleared", answer]);
  }), "no fault rules: every request gets the emulator's real answer");
}

function drawJournal(journal) {
  $("#journal-section").hidden = journal.path === null;
  if (journal.path === null) return;
  $("#journal-path").textContent = journal.path;
  const parts = [];
  for (const [state, entries] of Object.entries(journal.states)) {
    const h = el("h3");
    h.append(pill(state), " " + entries.length);
    parts.push(h);
    if (!entries.length) continue;
    const table = el("table");
    table.dataset.state = state;
    table.append(row(["created", "provider", "operation", "voucher", "reference", "note"].map((t) => el("th", t))));
    for (const e of entries) {
      const req = e.request || {};
      const voucher = req.voucher_no ?? req.voucher_id ?? "";
      const note = [e.error ? e.error.kind + ": " + e.error.message : "", e.note ?? ""]
        .filter(Boolean).join(" — ");
      table.append(row([td(e.created_at.replace("T", " "), "nowrap"), e.provider, e.operation, td(voucher, "mono"), e.reference ?? "", note]));
    }
    parts.push(table);
  }
  $("#journal").replaceChildren(...parts);
}

async function refresh() {
  try {
    const [state, log, faults, journal] = await Promise.all([
      getJson("/__sandbox/state"),
      getJson("/__sandbox/exchanges?last=30"),
      getJson("/__sandbox/faults"),
      getJson("/__sandbox/journal").catch((e) => ({ path: "(unreadable: " + e.message + ")", states: {} })),
    ]);
    drawState(state);
    drawRequests(log);
    drawFaults(faults);
    drawJournal(journal);
    $("#status").textContent = "updated " + new Date().toLocaleTimeString();
    $("#status").className = "muted";
  } catch (e) {
    $("#status").textContent = "sandbox unreachable: " + e.message;
    $("#status").className = "error";
  }
}

function showExtra() {
  const kind = $("#fault-form [name=kind]").value;
  for (const label of document.querySelectorAll("#fault-form .extra")) {
    label.classList.toggle("shown", label.dataset.for === kind);
  }
}

async function send(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(answer.sandbox_error || "HTTP " + res.status);
  return answer;
}

function ruleFromForm(form) {
  const data = new FormData(form);
  const kind = data.get("kind");
  let answer;
  if (kind === "status") answer = { status: Number(data.get("status")) };
  else if (kind === "delay") answer = { fault: { kind, ms: Number(data.get("ms")) } };
  else if (kind === "oversize") answer = { fault: { kind, bytes: Number(data.get("bytes")) } };
  else answer = { fault: { kind } };
  const rule = { path: data.get("path").trim(), process: data.get("process") === "yes", answer };
  if (data.get("times")) rule.times = Number(data.get("times"));
  return rule;
}

function say(text, isError) {
  const out = $("#fault-message");
  out.textContent = text;
  out.className = isError ? "error" : "";
}

$("#fault-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const answer = await send("POST", "/__sandbox/faults", ruleFromForm(event.target));
    say("rule added (" + answer.faults + " active)");
  } catch (e) {
    say(e.message, true);
  }
  refresh();
});

$("#clear-faults").addEventListener("click", async () => {
  try {
    const answer = await send("POST", "/__sandbox/faults/clear");
    say("cleared " + answer.cleared + " rule(s)");
  } catch (e) {
    say(e.message, true);
  }
  refresh();
});

$("#fault-form [name=kind]").addEventListener("change", showExtra);
showExtra();
refresh();
setInterval(refresh, 1000);

// The Lantern companion: plain JavaScript, no build step, nothing from the network but the lamp.
"use strict";

// What each app can be told, as form fields: [key, label, type, extra].
const FIELDS = {
  clock: [["style", "Style", "select", ["analog", "digital"]], ["timezone", "Time zone (blank: the lamp's)", "text"], ["hide_seconds", "Hide seconds", "checkbox"], ["twelve_hour", "12-hour", "checkbox"]],
  calendar: [["path", "ICS file on the lamp", "text"], ["url", "Or an http:// URL", "text"], ["refresh_s", "Read again every (s)", "number"], ["timezone", "Time zone (blank: the lamp's)", "text"]],
  "now-playing": [["server", "MPD host:port", "text"], ["refresh_ms", "Ask every (ms)", "number"], ["timeout_ms", "Wait at most (ms)", "number"]],
  lamp: [["brightness", "Brightness (0–1)", "number", { step: "0.05", min: "0", max: "1" }], ["kelvin", "Colour temperature (K)", "number", { step: "100", min: "1000", max: "12000" }], ["shape", "Shape", "select", ["circle", "full"]]],
  message: [["text", "Text", "textarea"]],
  "space-porthole": [["heading_deg", "Heading of picture-up (°)", "number", { step: "any" }], ["field_of_view_deg", "Field of view (°)", "number", { step: "any" }], ["magnitude_limit", "Faintest stars (magnitude)", "number", { step: "0.1" }]],
  info: [],
  blank: [],
};

const $ = (selector, root = document) => root.querySelector(selector);
let paired = false;
let current = null;

function say(text, isError) {
  const status = $("#status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
  }
  return data;
}

async function change(method, path, body, done) {
  try {
    const state = await api(method, path, body);
    if (state && state.surfaces) render(state);
    say(done || "Saved.");
  } catch (error) {
    say(error.message, true);
  }
}

function field(key, label, type, extra, value) {
  const wrapper = document.createElement("label");
  wrapper.textContent = label + " ";
  let input;
  if (type === "select") {
    input = document.createElement("select");
    for (const option of extra) input.append(new Option(option, option));
    if (value !== undefined && value !== null) input.value = value;
  } else if (type === "textarea") {
    input = document.createElement("textarea");
    input.value = value ?? "";
  } else {
    input = document.createElement("input");
    input.type = type;
    if (type === "checkbox") {
      input.checked = Boolean(value);
      wrapper.className = "inline";
    } else {
      input.value = value ?? "";
    }
    for (const [k, v] of Object.entries(extra || {})) input.setAttribute(k, v);
  }
  input.name = "setting:" + key;
  input.dataset.kind = type;
  wrapper.append(input);
  return wrapper;
}

function fillFields(form, app, settings) {
  const fields = $(".fields", form);
  fields.replaceChildren();
  for (const [key, label, type, extra] of FIELDS[app] || []) {
    fields.append(field(key, label, type, extra, settings ? settings[key] : undefined));
  }
}

function readSettings(form) {
  const settings = {};
  for (const input of form.querySelectorAll("[name^='setting:']")) {
    const key = input.name.slice("setting:".length);
    if (input.dataset.kind === "checkbox") {
      settings[key] = input.checked;
    } else if (input.value === "") {
      continue; // left out: the app's default
    } else if (input.dataset.kind === "number") {
      settings[key] = Number(input.value);
    } else {
      settings[key] = input.value;
    }
  }
  return settings;
}

function render(state) {
  current = state;
  $("#lamp-name").textContent = state.lamp.name;
  document.title = state.lamp.name;
  showLive(state.lamp);
  const list = $("#surfaces");
  const editing = list.contains(document.activeElement);
  if (!editing) {
    list.replaceChildren();
    for (const surface of state.surfaces) list.append(surfaceItem(surface, state.apps));
  }
  const lampForm = $("#lamp-settings");
  if (!lampForm.contains(document.activeElement)) lampForm.name.value = state.lamp.name;
  const location = $("#location");
  if (state.location && !location.contains(document.activeElement)) {
    location.latitude.value = state.location.latitude ?? "";
    location.longitude.value = state.location.longitude ?? "";
    location.timezone.value = state.location.timezone ?? "";
  }
  markCurrent(state.lamp);
}

function surfaceItem(surface, apps) {
  const item = $("#surface-template").content.firstElementChild.cloneNode(true);
  item.dataset.surface = surface.name;
  $(".surface-name", item).textContent = surface.name;
  const form = $(".app-form", item);
  const select = form.app;
  for (const app of apps) select.append(new Option(app, app));
  select.value = surface.app || "blank";
  form.rotation.value = String(surface.rotation || 0);
  form.mirror.checked = Boolean(surface.mirror);
  fillFields(form, select.value, surface.settings);
  select.addEventListener("change", () => fillFields(form, select.value, null));
  const path = "api/surfaces/" + encodeURIComponent(surface.name);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    change("PUT", path + "/app", {
      app: select.value,
      settings: readSettings(form),
      rotation: Number(form.rotation.value),
      mirror: form.mirror.checked,
    }, `${surface.name} shows ${select.value}.`);
  });
  $(".rename", item).addEventListener("click", () => {
    const name = prompt("New name for " + surface.name, surface.name);
    if (name) change("PATCH", path, { name }, "Renamed.");
  });
  $(".here", item).addEventListener("click", () => change("POST", path + "/here", undefined, `${surface.name} is where the lamp points now.`));
  $(".remove", item).addEventListener("click", () => {
    if (confirm("Forget " + surface.name + " and its app?")) change("DELETE", path, undefined, "Removed.");
  });
  if (!paired) for (const control of form.elements) control.disabled = true;
  return item;
}

function markCurrent(lamp) {
  for (const item of document.querySelectorAll(".surface")) {
    item.classList.toggle("current", item.dataset.surface === lamp.showing);
  }
}

function showLive(lamp) {
  $("#sensed").textContent = lamp.sensed;
  $("#elevation").textContent = lamp.elevation_deg == null ? "—" : `${Math.round(lamp.elevation_deg)}° above the horizon`;
  const problems = $("#problems");
  problems.hidden = lamp.problems.length === 0;
  problems.textContent = lamp.problems.join(" · ");
  markCurrent(lamp);
}

async function listDevices() {
  const list = $("#devices");
  list.replaceChildren();
  for (const device of await api("GET", "api/devices")) {
    const item = document.createElement("li");
    const when = new Date(device.paired_at * 1000).toLocaleDateString();
    item.textContent = `${device.name} (since ${when}) `;
    const revoke = document.createElement("button");
    revoke.textContent = "Unpair";
    revoke.className = "remove";
    revoke.addEventListener("click", async () => {
      try {
        await api("DELETE", "api/devices/" + encodeURIComponent(device.id));
        listDevices().catch(() => start());
      } catch (error) {
        say(error.message, true);
      }
    });
    item.append(revoke);
    list.append(item);
  }
}

let events = null;
function follow() {
  if (events) events.close();
  events = new EventSource("api/live");
  events.addEventListener("state", (event) => {
    const lamp = JSON.parse(event.data);
    if (current) current.lamp = lamp;
    $("#lamp-name").textContent = lamp.name;
    showLive(lamp);
  });
  events.onerror = () => say("Reconnecting to the lamp…", true);
  events.onopen = () => say(paired ? "Paired. Changes are saved on the lamp." : "Watching (not paired: read-only).");
  $("#preview").src = "api/preview.mjpeg";
}

async function start() {
  try {
    const session = await api("GET", "api/session");
    paired = session.paired;
    document.body.classList.toggle("read-only", !paired);
    $("#pairing").hidden = paired;
    if (!paired && !session.read_open) {
      $("#lamp").hidden = true;
      say("Pair this phone to see and change the lamp.");
      return;
    }
    $("#lamp").hidden = false;
    render(await api("GET", "api/state"));
    follow();
    if (paired) await listDevices();
  } catch (error) {
    say(error.message, true);
  }
}

$("#ask-code").addEventListener("click", async () => {
  try {
    const answer = await api("POST", "api/pair/code");
    say(`The lamp shows a code for ${Math.round(answer.expires_in_s / 60)} minutes.`);
    $("#code").focus();
  } catch (error) {
    say(error.message, true);
  }
});

$("#pair-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await api("POST", "api/pair", { code: form.code.value, name: form.name.value });
    form.code.value = "";
    await start();
  } catch (error) {
    say(error.message, true);
  }
});

$("#add-surface").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = event.target.name.value;
  change("POST", "api/surfaces", { name }, `${name} is where the lamp points now.`);
  event.target.reset();
});

$("#lamp-settings").addEventListener("submit", (event) => {
  event.preventDefault();
  change("PUT", "api/lamp", { name: event.target.name.value }, "Renamed.");
});

$("#location").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  change("PUT", "api/location", {
    latitude: Number(form.latitude.value),
    longitude: Number(form.longitude.value),
    timezone: form.timezone.value,
  }, "Location saved.");
});

start();

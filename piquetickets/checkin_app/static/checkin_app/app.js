/* PiqueTickets door check-in.
   Camera scanning (BarcodeDetector where the browser has it for QR codes, else jsQR in a worker),
   typed or handheld-scanner input, attendee search, recent scans, live counts, and an offline queue:
   a scan that can't reach the server is kept in localStorage and sent when the network returns.
   No framework, no build step; settings come from data- attributes on #checkin-app (no inline script). */
(function () {
  "use strict";

  var root = document.getElementById("checkin-app");
  if (!root) return;
  var cfg = root.dataset;

  var DEDUPE_MS = 3000; // the same code seen again within this (while still in view) is ignored
  var DECODE_EVERY_MS = 110; // about 9 decodes a second
  var FRAME_WIDTH = 640; // frames are scaled down to this before jsQR reads them
  var POLL_MS = 10000;
  var RETRY_MS = 5000;
  var STALE_MS = 8000; // a result older than this is dimmed so the next one stands out
  var QUEUE_KEY = "piquetickets:checkin:queue:" + cfg.showSlug;
  var SOUND_KEY = "piquetickets:checkin:sound";
  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var SESSION_ERRORS = ["invalid_session", "session_expired", "session_revoked"];

  function el(name) {
    return root.querySelector("[data-" + name + "]") || document.querySelector("[data-" + name + "]");
  }
  var ui = {
    checked: el("count-checked"),
    total: el("count-total"),
    bar: el("count-bar"),
    banner: el("banner"),
    bannerText: el("banner-text"),
    queueText: el("queue-text"),
    fatal: el("fatal"),
    fatalTitle: el("fatal-title"),
    fatalText: el("fatal-text"),
    notice: el("notice"),
    noticeText: el("notice-text"),
    noticeClose: el("notice-close"),
    camera: el("camera"),
    video: el("video"),
    cameraOverlay: el("camera-overlay"),
    cameraMsg: el("camera-msg"),
    cameraStart: el("camera-start"),
    cameraStop: el("camera-stop"),
    result: el("result"),
    resultTitle: el("result-title"),
    resultName: el("result-name"),
    resultTicket: el("result-ticket"),
    resultDetail: el("result-detail"),
    codeForm: el("code-form"),
    codeInput: el("code-input"),
    searchInput: el("search-input"),
    searchStatus: el("search-status"),
    searchResults: el("search-results"),
    recent: el("recent"),
    recentEmpty: el("recent-empty"),
    soundToggle: el("sound-toggle"),
  };

  // --- small helpers --------------------------------------------------------------------------

  var timeFormat;
  try {
    timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", timeZone: cfg.timeZone });
  } catch (error) {
    timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
  }
  function time(iso) {
    var date = iso ? new Date(iso) : null;
    return date && !isNaN(date.getTime()) ? timeFormat.format(date) : "";
  }
  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }
  /** A code short enough to read out: a ticket UUID by its first 8 characters (as printed on orders). */
  function shortCode(code) {
    if (UUID_RE.test(code)) return code.slice(0, 8) + "…";
    return code.length > 40 ? code.slice(0, 37) + "…" : code;
  }
  var seq = 0;
  function uid() {
    seq += 1;
    return Date.now().toString(36) + "-" + seq;
  }
  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // localStorage can be missing or full (private modes): then a value lives in memory, for this page.
  var memory = {};
  var store = {
    get: function (key) {
      if (Object.prototype.hasOwnProperty.call(memory, key)) return memory[key];
      try {
        return window.localStorage.getItem(key);
      } catch (error) {
        return null;
      }
    },
    set: function (key, value) {
      try {
        window.localStorage.setItem(key, value);
        delete memory[key];
      } catch (error) {
        memory[key] = value;
      }
    },
  };

  // --- the API --------------------------------------------------------------------------------

  /** Calls the check-in API. Resolves to {ok, status, data, transient}; never rejects.
      transient: the request didn't get a real answer (offline, timeout, 5xx, 429) and may be retried. */
  function call(method, path, body, timeoutMs) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 8000) : 0;
    var headers = { Accept: "application/json", "X-Checkin-Token": cfg.token };
    if (body) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = cfg.csrf;
    }
    return fetch(cfg.api + path, {
      method: method,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { response: response, data: data }; },
          function () { return { response: response, data: null }; }
        );
      })
      .then(function (got) {
        var status = got.response.status;
        var transient = status >= 500 || status === 429 || got.data === null;
        return { ok: got.response.ok && !transient, status: status, data: got.data || {}, transient: transient };
      })
      .catch(function () {
        return { ok: false, status: 0, data: {}, transient: true };
      })
      .finally(function () {
        clearTimeout(timer);
      });
  }

  function isSessionError(answer) {
    return answer.status === 401 || SESSION_ERRORS.indexOf(answer.data.code) !== -1;
  }

  // --- state ----------------------------------------------------------------------------------

  var ended = false; // the link stopped working (expired, switched off)
  var offline = !navigator.onLine;
  var flushing = false;
  var recent = []; // newest first: {id, code, uuid, result, name, ticket, at, queued, conflict, note}
  var inFlight = {};

  // --- counts ---------------------------------------------------------------------------------

  function setCounts(counts) {
    if (!counts || typeof counts.checked_in !== "number") return;
    ui.checked.textContent = counts.checked_in.toLocaleString();
    ui.total.textContent = counts.total.toLocaleString();
    var share = counts.total ? Math.min(100, (100 * counts.checked_in) / counts.total) : 0;
    ui.bar.style.width = share + "%";
  }

  var refreshing = false;
  function refreshShow() {
    if (ended || refreshing) return Promise.resolve();
    refreshing = true;
    return call("GET", "show/", null, 8000).then(function (answer) {
      refreshing = false;
      if (answer.transient) {
        if (answer.status === 0) setOffline(true);
        return;
      }
      setOffline(false);
      if (isSessionError(answer) || answer.status === 403) return endSession(answer);
      if (answer.ok) setCounts(answer.data.counts);
      if (pendingCount()) flush();
    });
  }

  // --- the result panel -----------------------------------------------------------------------

  var TONES = ["idle", "pending", "ok", "warn", "no", "queued", "info"];
  var staleTimer = 0;
  var pendingTimer = 0;

  function showResult(tone, title, name, ticket, detail) {
    clearTimeout(pendingTimer);
    clearTimeout(staleTimer);
    TONES.forEach(function (t) { ui.result.classList.remove("ck-result--" + t); });
    ui.result.classList.remove("is-stale", "is-new");
    ui.result.classList.add("ck-result--" + tone);
    ui.resultTitle.textContent = title;
    ui.resultName.textContent = name || "";
    ui.resultTicket.textContent = ticket || "";
    ui.resultDetail.textContent = detail || "";
    void ui.result.offsetWidth; // restart the entrance animation
    ui.result.classList.add("is-new");
    if (tone !== "idle" && tone !== "pending") {
      staleTimer = setTimeout(function () { ui.result.classList.add("is-stale"); }, STALE_MS);
    }
  }

  var RESULT_TITLES = {
    checked_in: "Checked in",
    already_checked_in: "Already checked in",
    not_found: "Ticket not found",
    wrong_show: "Wrong show",
    refunded: "Refunded ticket",
    cancelled: "Cancelled ticket",
    undone: "Check-in undone",
    queued: "Saved — will send when back online",
  };
  var RESULT_BADGES = {
    checked_in: "Checked in",
    already_checked_in: "Already in",
    not_found: "Not found",
    wrong_show: "Wrong show",
    refunded: "Refunded",
    cancelled: "Cancelled",
    undone: "Undone",
    queued: "Waiting to send",
  };
  var RESULT_TONES = { checked_in: "ok", already_checked_in: "warn", queued: "queued", undone: "info" };
  function toneOf(result) {
    return RESULT_TONES[result] || "no";
  }

  /** What to say under the name for an API answer. */
  function detailOf(data, code) {
    var extra = data.extra || {};
    switch (data.code) {
      case "checked_in":
        return extra.attendee && extra.attendee.order ? "Order " + extra.attendee.order : "";
      case "already_checked_in":
        return "at " + time(extra.checked_in_at) + (extra.checked_in_by ? " by " + extra.checked_in_by : "");
      case "wrong_show":
        return extra.show ? "This ticket is for " + extra.show + "." : data.detail || "";
      case "not_found":
        return (data.detail || "This code isn't a ticket we know.") + " Code: " + shortCode(code);
      default:
        return data.detail || "";
    }
  }

  // --- sound and vibration --------------------------------------------------------------------

  var soundOn = store.get(SOUND_KEY) !== "off";
  var audio = null;

  function unlockAudio() {
    if (!soundOn) return;
    try {
      if (!audio) {
        var Context = window.AudioContext || window.webkitAudioContext;
        if (Context) audio = new Context();
      }
      if (audio && audio.state === "suspended") audio.resume().then(renderSound, renderSound);
    } catch (error) {
      audio = null;
    }
    renderSound();
  }
  function audioReady() {
    return Boolean(audio && audio.state === "running");
  }

  function beep(frequency, start, duration, wave) {
    var t0 = audio.currentTime + start;
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = wave;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + duration);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(t0);
    oscillator.stop(t0 + duration + 0.02);
  }

  function feedback(tone) {
    if (soundOn && audioReady()) {
      try {
        if (tone === "ok") {
          beep(1175, 0, 0.09, "sine");
          beep(1568, 0.09, 0.12, "sine");
        } else if (tone === "queued") {
          beep(660, 0, 0.14, "triangle");
        } else if (tone === "warn" || tone === "no") {
          beep(220, 0, 0.16, "square");
          beep(220, 0.22, 0.16, "square");
        }
      } catch (error) {
        /* sound is a nicety */
      }
    }
    if (navigator.vibrate) {
      var pattern = { ok: 80, queued: [120, 60, 120], warn: [300, 100, 300], no: [300, 100, 300] }[tone];
      if (pattern) {
        try {
          navigator.vibrate(pattern);
        } catch (error) {
          /* not allowed before a tap on some browsers */
        }
      }
    }
  }

  // Browsers start sound only after a tap on the page; until then the button asks for one.
  function renderSound() {
    var needsTap = soundOn && !audioReady();
    ui.soundToggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    ui.soundToggle.classList.toggle("needs-tap", needsTap);
    ui.soundToggle.title = needsTap ? "Tap to enable sound" : soundOn ? "Sound on" : "Sound off";
  }

  // --- recent scans ---------------------------------------------------------------------------

  function addRecent(entry) {
    recent.unshift(entry);
    if (recent.length > 30) recent.length = 30;
    renderRecent();
  }

  function findRecent(id) {
    for (var i = 0; i < recent.length; i += 1) if (recent[i].id === id) return recent[i];
    return null;
  }

  function renderRecent() {
    ui.recent.textContent = "";
    ui.recentEmpty.hidden = recent.length > 0;
    var settled = {}; // codes whose latest check-in state is already listed above (newer)
    recent.forEach(function (entry) {
      var key = (entry.uuid || entry.code).toLowerCase();
      var canUndo = entry.result === "checked_in" && !entry.queued && !settled[key];
      if (entry.result === "checked_in" || entry.result === "undone") settled[key] = true;

      var tone = entry.conflict ? "no" : toneOf(entry.result);
      var item = make("li", "ck-item ck-item--" + tone + (entry.conflict ? " ck-item--conflict" : ""));
      var main = make("div", "ck-item__main");
      main.appendChild(
        entry.name ? make("span", "ck-item__name", entry.name) : make("span", "ck-item__name ck-item__name--code", "Ticket " + shortCode(entry.code))
      );
      var meta = make("span", "ck-item__meta");
      var badgeTone = { ok: "success", warn: "warning", queued: "warning", no: "danger", info: "info" }[tone];
      meta.appendChild(
        make("span", "badge badge--" + badgeTone + (entry.conflict ? " badge--solid" : ""), entry.conflict ? "Conflict" : RESULT_BADGES[entry.result] || entry.result)
      );
      var sub = [entry.ticket, time(entry.at)].filter(Boolean).join(" · ");
      if (sub) meta.appendChild(make("span", "ck-item__sub", sub));
      main.appendChild(meta);
      if (entry.note) main.appendChild(make("span", "ck-item__note", entry.note));
      item.appendChild(main);
      if (canUndo) {
        var button = make("button", "btn btn--secondary ck-btn-sm", "Undo");
        button.type = "button";
        button.setAttribute("aria-label", "Undo check-in for " + (entry.name || entry.code));
        button.addEventListener("click", function () { undo(entry.uuid || entry.code, entry.name, entry.ticket); });
        item.appendChild(button);
      }
      ui.recent.appendChild(item);
    });
  }

  function loadRecent() {
    return call("GET", "scans/", null, 8000).then(function (answer) {
      if (!answer.ok || !Array.isArray(answer.data.results)) return;
      var server = answer.data.results.map(function (row) {
        return {
          id: uid(),
          code: row.code || "",
          uuid: UUID_RE.test(row.code || "") ? row.code : "",
          result: row.result,
          name: row.name || "",
          ticket: row.ticket || "",
          at: row.at,
        };
      });
      var local = recent.slice();
      // a scan made while this list was on its way is in both: keep the local one
      server = server.filter(function (row) {
        return !local.some(function (mine) {
          return mine.code === row.code && mine.result === row.result && Math.abs(new Date(mine.at) - new Date(row.at)) < 5000;
        });
      });
      recent = local.concat(server).sort(function (a, b) { return new Date(b.at) - new Date(a.at); });
      if (recent.length > 30) recent.length = 30;
      renderRecent();
    });
  }

  // --- the offline queue ----------------------------------------------------------------------

  function loadQueue() {
    try {
      var items = JSON.parse(store.get(QUEUE_KEY) || "[]");
      return Array.isArray(items) ? items.filter(function (i) { return i && typeof i.code === "string"; }) : [];
    } catch (error) {
      return [];
    }
  }
  function saveQueue(items) {
    store.set(QUEUE_KEY, JSON.stringify(items));
  }
  function pendingCount() {
    return loadQueue().length;
  }

  function enqueue(code) {
    var item = { id: uid(), code: code, queued_at: new Date().toISOString() };
    saveQueue(loadQueue().concat([item]));
    addRecent({ id: item.id, code: code, uuid: "", result: "queued", at: item.queued_at, queued: true, note: "Not confirmed yet" });
    showResult("queued", RESULT_TITLES.queued, "Ticket " + shortCode(code), "", "Not confirmed yet — it will be checked when the connection is back.");
    feedback("queued");
    renderBanner();
  }

  function dequeue(id) {
    saveQueue(loadQueue().filter(function (item) { return item.id !== id; }));
  }

  /** Files the server's answer to a queued scan. Returns false when it is a conflict to report. */
  function settleQueued(item, data) {
    var extra = data.extra || {};
    var attendee = extra.attendee || {};
    var entry = findRecent(item.id);
    if (!entry) {
      entry = { id: item.id, code: item.code, at: item.queued_at };
      addRecent(entry);
    }
    entry.queued = false;
    entry.uuid = attendee.uuid || "";
    entry.name = attendee.name || "";
    entry.ticket = attendee.ticket || "";
    entry.result = data.code;
    entry.note = "Sent after reconnecting";
    setCounts(extra.counts);
    if (data.code === "checked_in") return true;
    if (data.code === "already_checked_in") {
      // A request that timed out may have reached the server after all: this door's own check-in,
      // made around when the scan was queued, is the same scan, not a conflict.
      var by = extra.checked_in_by || "";
      var gap = Math.abs(new Date(extra.checked_in_at) - new Date(item.queued_at));
      if (by === cfg.label && gap < 120000) {
        entry.result = "checked_in";
        return true;
      }
      entry.conflict = true;
      entry.note = "Already checked in at " + time(extra.checked_in_at) + (by ? " by " + by : "");
      return false;
    }
    entry.conflict = true;
    entry.note = "Refused after reconnecting: " + (data.detail || RESULT_TITLES[data.code] || data.code);
    return false;
  }

  /** Sends queued scans, oldest first, until the queue is empty or the network fails again. */
  function flush() {
    if (flushing || ended) return Promise.resolve();
    var items = loadQueue();
    if (!items.length) return Promise.resolve();
    flushing = true;
    renderBanner();
    var conflicts = 0;
    var sent = 0;
    function next(index) {
      if (index >= items.length) return Promise.resolve();
      var item = items[index];
      return call("POST", "", { attendee_uuid: item.code }, 8000).then(function (answer) {
        if (answer.transient) {
          if (answer.status === 0) setOffline(true);
          return;
        }
        setOffline(false);
        if (isSessionError(answer)) return endSession(answer);
        dequeue(item.id);
        sent += 1;
        if (!settleQueued(item, answer.data)) conflicts += 1;
        renderRecent();
        renderBanner();
        return next(index + 1);
      });
    }
    return next(0).then(function () {
      flushing = false;
      renderBanner();
      if (sent) {
        var text = plural(sent, "saved scan", "saved scans") + " sent.";
        if (conflicts) {
          text += " " + (conflicts === 1 ? "1 needs" : conflicts + " need") + " attention: see Recent scans.";
          showNotice(text);
        }
        if (ui.result.classList.contains("ck-result--queued")) {
          showResult(conflicts ? "warn" : "info", "Back online", "", "", text);
        }
      }
    });
  }

  function setOffline(value) {
    if (offline === value) return;
    offline = value;
    renderBanner();
  }

  function renderBanner() {
    var waiting = pendingCount();
    ui.banner.hidden = !offline && !waiting;
    ui.banner.classList.toggle("is-offline", offline);
    if (offline) ui.bannerText.textContent = "Offline — scans are saved on this device.";
    else ui.bannerText.textContent = flushing ? "Back online — sending saved scans…" : "Saved scans will be sent shortly.";
    ui.queueText.textContent = waiting ? plural(waiting, "scan", "scans") + " waiting to send" : "";
  }

  function showNotice(text) {
    ui.noticeText.textContent = text;
    ui.notice.hidden = false;
  }

  // --- the link stopped working ---------------------------------------------------------------

  function endSession(answer) {
    if (ended) return;
    ended = true;
    var code = answer.data.code;
    var title =
      code === "session_expired" ? "This check-in link has expired." :
      code === "session_revoked" ? "This check-in link was switched off." :
      "This check-in link isn't valid any more.";
    var waiting = pendingCount();
    var text = "Ask the show's producer for a new link.";
    if (waiting) {
      text += " " + plural(waiting, "saved scan is", "saved scans are") +
        " kept on this device and will be sent when you open a new link for this show.";
    }
    ui.fatalTitle.textContent = title;
    ui.fatalText.textContent = text;
    ui.fatal.hidden = false;
    root.classList.add("is-ended");
    stopCamera("");
    Array.prototype.forEach.call(root.querySelectorAll("input, button"), function (control) {
      control.disabled = true;
    });
    showResult("no", title, "", "", "Scanning is off on this device.");
  }

  // --- scanning -------------------------------------------------------------------------------

  /** One scan, from the camera, the code field, a handheld scanner or a search result. */
  function submit(raw) {
    var code = String(raw || "").trim();
    if (!code || ended || inFlight[code]) return Promise.resolve();
    if (!navigator.onLine) {
      setOffline(true);
      enqueue(code);
      return Promise.resolve();
    }
    inFlight[code] = true;
    clearTimeout(pendingTimer);
    pendingTimer = setTimeout(function () {
      showResult("pending", "Checking…", "", "", "Code " + shortCode(code));
    }, 250);
    return call("POST", "", { attendee_uuid: code }, offline ? 3000 : 8000).then(function (answer) {
      delete inFlight[code];
      clearTimeout(pendingTimer);
      if (answer.transient) {
        if (answer.status === 0) setOffline(true);
        enqueue(code);
        return;
      }
      setOffline(false);
      if (isSessionError(answer)) return endSession(answer);
      var data = answer.data;
      if (!RESULT_TITLES[data.code]) {
        // an answer the app doesn't know (e.g. a 400): show the server's words
        showResult("no", "Not checked in", "", "", data.detail || "The server refused this scan.");
        feedback("no");
        return;
      }
      var extra = data.extra || {};
      var attendee = extra.attendee || {};
      var tone = toneOf(data.code);
      showResult(tone, RESULT_TITLES[data.code], attendee.name, attendee.ticket, detailOf(data, code));
      feedback(tone);
      setCounts(extra.counts);
      addRecent({
        id: uid(),
        code: code,
        uuid: attendee.uuid || "",
        result: data.code,
        name: attendee.name || "",
        ticket: attendee.ticket || "",
        at: data.code === "checked_in" ? extra.checked_in_at || new Date().toISOString() : new Date().toISOString(),
        note: data.code === "already_checked_in" ? "First checked in at " + time(extra.checked_in_at) + (extra.checked_in_by ? " by " + extra.checked_in_by : "") : "",
      });
      if (searchQuery()) runSearch();
      if (pendingCount()) flush();
    });
  }

  function undo(code, name, ticket) {
    if (ended) return;
    call("POST", "undo/", { attendee_uuid: code }, 8000).then(function (answer) {
      if (answer.transient) {
        if (answer.status === 0) setOffline(true);
        showResult("no", "Couldn't undo", name, ticket, "No connection. Try again when the device is back online.");
        return;
      }
      if (isSessionError(answer)) return endSession(answer);
      var data = answer.data;
      var attendee = (data.extra || {}).attendee || {};
      if (data.code === "undone") {
        showResult("info", "Check-in undone", attendee.name || name, attendee.ticket || ticket, "They can be scanned in again.");
        setCounts((data.extra || {}).counts);
        addRecent({ id: uid(), code: code, uuid: attendee.uuid || code, result: "undone", name: attendee.name || name, ticket: attendee.ticket || ticket, at: new Date().toISOString() });
      } else {
        showResult("no", "Nothing to undo", name, ticket, data.detail || "This ticket isn't checked in.");
        renderRecent();
      }
      if (searchQuery()) runSearch();
    });
  }

  // --- the camera -----------------------------------------------------------------------------

  var camera = { stream: null, detector: null, timer: 0, lastCode: "", lastSeen: 0, starting: false };

  function cameraMessage(text, offerStart) {
    if (ui.result.classList.contains("ck-result--idle")) {
      ui.resultDetail.textContent = "Type a ticket's code below, or use a handheld scanner.";
    }
    ui.cameraOverlay.hidden = false;
    ui.cameraMsg.textContent = text;
    ui.cameraStart.hidden = !offerStart;
    ui.cameraStop.hidden = true;
    ui.camera.classList.remove("is-live");
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window) || typeof window.BarcodeDetector.getSupportedFormats !== "function") {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(
      function (formats) {
        if (formats.indexOf("qr_code") === -1) return null;
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return {
          kind: "native",
          detect: function (video) {
            return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
          },
        };
      },
      function () { return null; }
    );
  }

  function workerDetector() {
    return new Promise(function (resolve) {
      var worker;
      try {
        worker = new Worker(cfg.worker);
      } catch (error) {
        resolve(null);
        return;
      }
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      var waiting = null;
      var detector = {
        kind: "jsqr",
        detect: function (video) {
          var width = video.videoWidth;
          var height = video.videoHeight;
          if (!width || !height || !context) return Promise.resolve(null);
          var scale = Math.min(1, FRAME_WIDTH / width);
          var w = Math.round(width * scale);
          var h = Math.round(height * scale);
          if (canvas.width !== w || canvas.height !== h) {
            canvas.width = w;
            canvas.height = h;
          }
          context.drawImage(video, 0, 0, w, h);
          var frame = context.getImageData(0, 0, w, h);
          return new Promise(function (done) {
            waiting = done;
            worker.postMessage({ type: "decode", width: w, height: h, buffer: frame.data.buffer }, [frame.data.buffer]);
          });
        },
      };
      var giveUp = setTimeout(function () { resolve(null); }, 10000);
      worker.onmessage = function (event) {
        var message = event.data || {};
        if (message.type === "ready") {
          clearTimeout(giveUp);
          resolve(detector);
        } else if (message.type === "failed") {
          clearTimeout(giveUp);
          resolve(null);
        } else if (message.type === "result" && waiting) {
          var done = waiting;
          waiting = null;
          done(message.text);
        }
      };
      worker.onerror = function () {
        if (waiting) waiting(null);
        waiting = null;
        resolve(null);
      };
      worker.postMessage({ type: "init", src: new URL(cfg.jsqr, window.location.href).href });
    });
  }

  // Loaded once, from page start (in parallel with the camera permission), and again after a failure:
  // jsQR comes from this site, so a connection lost before it arrived must not disable the camera for good.
  var detectorLoad = null;
  function loadDetector() {
    if (!detectorLoad) {
      detectorLoad = nativeDetector()
        .then(function (native) { return native || workerDetector(); })
        .then(function (detector) {
          if (!detector) detectorLoad = null;
          return detector;
        });
    }
    return detectorLoad;
  }

  function startCamera() {
    if (ended || camera.starting) return;
    camera.starting = true;
    ui.cameraStart.hidden = true;
    ui.cameraMsg.textContent = "Starting the camera…";
    var typed = " You can still type or scan codes below.";
    var media = navigator.mediaDevices;
    if (!media || typeof media.getUserMedia !== "function") {
      camera.starting = false;
      cameraMessage(
        (window.isSecureContext === false ? "The camera needs a secure (https) link." : "This browser can't use the camera.") + typed,
        false
      );
      return;
    }
    var got = camera.stream
      ? Promise.resolve(camera.stream)
      : media.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
    got
      .then(function (stream) {
        if (ui.video.srcObject !== stream) {
          camera.stream = stream;
          ui.video.srcObject = stream;
          stream.getVideoTracks().forEach(function (track) {
            // e.g. the phone locked, or another app took the camera
            track.addEventListener("ended", function () { stopCamera("The camera stopped."); });
          });
        }
        return ui.video.play().then(
          function () { return camera.detector || loadDetector(); },
          function () {
            cameraMessage("Tap Start camera to scan.", true);
            return "paused";
          }
        );
      })
      .then(function (detector) {
        camera.starting = false;
        if (detector === "paused" || !camera.stream) return;
        if (!detector) {
          cameraMessage("The QR decoder couldn't load. Check the connection, then tap Start camera." + typed, true);
          return;
        }
        camera.detector = detector;
        root.dataset.decoder = detector.kind;
        ui.cameraOverlay.hidden = true;
        ui.cameraStop.hidden = false;
        ui.camera.classList.add("is-live");
        clearTimeout(camera.timer);
        camera.timer = setTimeout(decodeLoop, DECODE_EVERY_MS);
      })
      .catch(function (error) {
        camera.starting = false;
        var name = error && error.name;
        if (name === "NotAllowedError" || name === "SecurityError") {
          cameraMessage("Camera access is blocked. Allow the camera for this site, then tap Start camera." + typed, true);
        } else if (name === "NotFoundError" || name === "OverconstrainedError") {
          cameraMessage("No camera found on this device." + typed, true);
        } else if (name === "NotReadableError") {
          cameraMessage("Another app is using the camera. Close it, then tap Start camera." + typed, true);
        } else {
          cameraMessage("The camera couldn't start." + typed, true);
        }
      });
  }

  function stopCamera(message) {
    clearTimeout(camera.timer);
    if (camera.stream) {
      camera.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    camera.stream = null;
    ui.video.srcObject = null;
    cameraMessage(message || "Camera off.", !ended);
  }

  function decodeLoop() {
    if (!camera.stream || !camera.detector) return;
    var video = ui.video;
    var work =
      video.readyState >= 2 && !document.hidden ? camera.detector.detect(video).catch(function () { return null; }) : Promise.resolve(null);
    work.then(function (text) {
      if (text) onCameraCode(text);
      if (camera.stream) camera.timer = setTimeout(decodeLoop, DECODE_EVERY_MS);
    });
  }

  function onCameraCode(text) {
    var code = String(text).trim();
    var now = Date.now();
    // A ticket held in front of the camera is read many times a second: it counts once, and
    // again only after it has been out of view for DEDUPE_MS.
    var repeat = code === camera.lastCode && now - camera.lastSeen < DEDUPE_MS;
    camera.lastCode = code;
    camera.lastSeen = now;
    if (repeat) return;
    ui.camera.classList.remove("is-hit");
    void ui.camera.offsetWidth;
    ui.camera.classList.add("is-hit");
    submit(code);
  }

  // --- search ---------------------------------------------------------------------------------

  var searchTimer = 0;
  var searchSeq = 0;
  function searchQuery() {
    return ui.searchInput.value.trim();
  }

  function runSearch() {
    var q = searchQuery();
    clearTimeout(searchTimer);
    searchSeq += 1;
    var mine = searchSeq;
    if (q.length < 2) {
      ui.searchResults.textContent = "";
      ui.searchStatus.textContent = q ? "Type at least 2 characters." : "";
      return;
    }
    ui.searchStatus.textContent = "Searching…";
    call("GET", "search/?q=" + encodeURIComponent(q), null, 8000).then(function (answer) {
      if (mine !== searchSeq) return; // a newer search is on its way
      if (answer.transient) {
        ui.searchStatus.textContent = "Search needs a connection. Scans still work offline.";
        return;
      }
      if (isSessionError(answer)) return endSession(answer);
      var rows = Array.isArray(answer.data.results) ? answer.data.results : [];
      ui.searchStatus.textContent = rows.length ? plural(rows.length, "match", "matches") : "No one matches “" + q + "”.";
      renderSearch(rows);
    });
  }

  var STATUS_LABELS = { refunded: "Refunded", cancelled: "Cancelled" };
  function renderSearch(rows) {
    ui.searchResults.textContent = "";
    rows.forEach(function (row) {
      var item = make("li", "ck-item");
      var main = make("div", "ck-item__main");
      main.appendChild(make("span", "ck-item__name", row.name));
      var meta = make("span", "ck-item__meta");
      if (row.status !== "valid") {
        meta.appendChild(make("span", "badge badge--danger", STATUS_LABELS[row.status] || row.status));
      } else if (row.is_checked_in) {
        meta.appendChild(make("span", "badge badge--success", "Checked in " + time(row.checked_in_at)));
      }
      meta.appendChild(make("span", "ck-item__sub", [row.ticket, "Order " + row.order].join(" · ")));
      main.appendChild(meta);
      main.appendChild(make("span", "ck-item__sub", row.email));
      item.appendChild(main);
      var button;
      if (row.status !== "valid") {
        button = null;
      } else if (row.is_checked_in) {
        button = make("button", "btn btn--secondary ck-btn-sm", "Undo");
        button.setAttribute("aria-label", "Undo check-in for " + row.name);
        button.addEventListener("click", function () { undo(row.uuid, row.name, row.ticket); });
      } else {
        button = make("button", "btn btn--success ck-btn-sm", "Check in");
        button.setAttribute("aria-label", "Check in " + row.name);
        button.addEventListener("click", function () { submit(row.uuid); });
      }
      if (button) {
        button.type = "button";
        item.appendChild(button);
      }
      ui.searchResults.appendChild(item);
    });
  }

  // --- wiring ---------------------------------------------------------------------------------

  function isTextField(node) {
    if (!node || !node.tagName) return false;
    if (node.isContentEditable || node.tagName === "TEXTAREA" || node.tagName === "SELECT") return true;
    return node.tagName === "INPUT" && ["button", "checkbox", "radio", "submit", "reset"].indexOf(node.type) === -1;
  }

  ui.codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = ui.codeInput.value;
    ui.codeInput.value = "";
    submit(code);
  });

  ui.searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  ui.searchInput.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var q = searchQuery();
    if (UUID_RE.test(q)) {
      // a handheld scanner typed a ticket code into the search box
      ui.searchInput.value = "";
      ui.searchResults.textContent = "";
      ui.searchStatus.textContent = "";
      submit(q);
    } else {
      runSearch();
    }
  });

  // Handheld scanners type the code and Enter into whatever has focus: when that isn't a text field,
  // the keys go to the code field.
  document.addEventListener("keydown", function (event) {
    unlockAudio();
    if (ended || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!event.key || event.key.length !== 1 || event.key === " " || isTextField(event.target)) return;
    ui.codeInput.focus();
  });
  document.addEventListener("pointerdown", unlockAudio, { passive: true });

  ui.cameraStart.addEventListener("click", function () {
    unlockAudio();
    startCamera();
  });
  ui.cameraStop.addEventListener("click", function () { stopCamera("Camera off."); });
  ui.noticeClose.addEventListener("click", function () { ui.notice.hidden = true; });
  ui.soundToggle.addEventListener("click", function () {
    if (soundOn && !audioReady()) {
      unlockAudio(); // this tap is what the browser was waiting for
      return;
    }
    soundOn = !soundOn;
    store.set(SOUND_KEY, soundOn ? "on" : "off");
    renderSound();
    if (soundOn) {
      unlockAudio();
      feedback("ok");
    }
  });

  window.addEventListener("online", function () {
    setOffline(false);
    if (camera.stream && !camera.detector && !camera.starting) startCamera();
    flush();
    refreshShow();
  });
  window.addEventListener("offline", function () { setOffline(true); });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refreshShow();
      flush();
    }
  });

  // --- start ----------------------------------------------------------------------------------

  renderSound();
  loadQueue().forEach(function (item) {
    recent.unshift({ id: item.id, code: item.code, uuid: "", result: "queued", at: item.queued_at, queued: true, note: "Not confirmed yet" });
  });
  renderRecent();
  renderBanner();
  refreshShow().then(function () {
    if (!ended) loadRecent();
  });
  loadDetector();
  startCamera();
  if (window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches) ui.codeInput.focus();
  setInterval(refreshShow, POLL_MS);
  setInterval(function () {
    if (pendingCount() && !flushing) flush();
  }, RETRY_MS);
})();

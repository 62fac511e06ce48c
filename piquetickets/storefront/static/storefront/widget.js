/* PiqueTickets "Buy tickets" button, for a producer's own website (docs/embed.md):

     <script src="https://tickets.example.com/static/storefront/widget.js" data-show="friday-laughs" async></script>

   Pasted where the button should appear. Options, as data- attributes of that tag: data-show (the
   show's slug, required), data-label (the button's words, default "Buy tickets"), data-promo (a promo
   code to fill in).

   The button lives in a shadow root with its own minimal styles, so the host page's CSS can't break it
   (and its CSS can't leak out); its styles are a constructed stylesheet, which a host page's
   Content-Security-Policy doesn't block the way it may block a <style> element. On a screen at least
   600 px wide a click opens the show's checkout (/embed/shows/<slug>/) in an overlay: a modal
   <dialog> holding an <iframe>, with a close button, closed by Escape too (the embed page passes
   Escape on, since a key pressed in the frame never reaches this page). On a narrower screen, or with
   a modifier key, it is a plain link: the checkout opens in a new tab. If the frame doesn't say it
   is ready (the site may refuse to be framed by this page's address: CSP_EMBED_FRAME_ANCESTORS), the
   overlay offers the new tab instead.

   A classic script, not a module: it runs on other sites, from one tag, and finds that tag through
   document.currentScript. It defines nothing global. The host page gets a "piquetickets:purchase"
   event on the button's element once an order made in the overlay is paid. */
(function () {
  "use strict";

  var OVERLAY_MIN_WIDTH = 600;
  var READY_TIMEOUT_MS = 15000;
  var LOAD_GRACE_MS = 1500;
  var INIT_FLAG = "data-piquetickets-ready";

  var BUTTON_CSS = [
    ":host { display: inline-block; }",
    ".button { all: initial; box-sizing: border-box; display: inline-flex; align-items: center; gap: 0.5em;",
    "  min-height: 2.75rem; padding: 0.7em 1.4em; border-radius: 0.6rem; cursor: pointer;",
    "  font: 600 1rem/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;",
    "  color: #fff; background: #b3125b; text-decoration: none; box-shadow: 0 1px 2px rgb(0 0 0 / 0.15); }",
    ".button:hover { background: #8e0d48; }",
    ".button:focus-visible { outline: 3px solid #1f6feb; outline-offset: 2px; }",
    ".icon { width: 1.2em; height: 1.2em; flex: none; }",
  ].join("\n");

  var OVERLAY_CSS = [
    ":host { all: initial; }",
    "dialog { box-sizing: border-box; width: min(46rem, 100vw - 2rem); height: min(56rem, 100vh - 2rem);",
    "  max-width: none; max-height: none; margin: auto; padding: 0; border: 0; border-radius: 0.9rem;",
    "  overflow: hidden; background: #f6f4f8; box-shadow: 0 12px 48px rgb(0 0 0 / 0.35); }",
    "dialog::backdrop { background: rgb(20 16 30 / 0.6); }",
    ".bar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; height: 3.25rem;",
    "  padding: 0 0.5rem 0 1rem; background: #fff; border-bottom: 1px solid #dedbe4;",
    "  font: 600 1rem/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; color: #1d1b22; }",
    ".close { all: initial; box-sizing: border-box; display: inline-flex; align-items: center; justify-content: center;",
    "  width: 2.75rem; height: 2.75rem; border-radius: 50%; cursor: pointer; color: #1d1b22; }",
    ".close:hover { background: #f6f4f8; }",
    ".close:focus-visible { outline: 3px solid #1f6feb; outline-offset: 2px; }",
    ".close svg { width: 1.4rem; height: 1.4rem; }",
    "iframe { display: block; width: 100%; height: calc(100% - 3.25rem); border: 0; background: #f6f4f8; }",
    ".fallback { padding: 2rem 1.5rem; text-align: center;",
    "  font: 1rem/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; color: #1d1b22; }",
    ".fallback a { color: #8e0d48; font-weight: 600; }",
    "[hidden] { display: none !important; }",
  ].join("\n");

  var SVG = "http://www.w3.org/2000/svg";
  // Built as elements, not markup: a host page may forbid innerHTML (Trusted Types).
  var TICKET_PATH =
    "M3 7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v2a2 2 0 0 0 0 4v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4a2 2 0 0 0 0-4z" +
    "m11 0v2h2V7zm0 4v2h2v-2zm0 4v2h2v-2z";
  var CLOSE_PATH = "M6 6l12 12M18 6L6 18";

  function icon(path, attributes) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var shape = document.createElementNS(SVG, "path");
    shape.setAttribute("d", path);
    Object.keys(attributes).forEach(function (key) {
      shape.setAttribute(key, attributes[key]);
    });
    svg.appendChild(shape);
    return svg;
  }

  function styled(shadow, css) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } catch (error) {
      var style = document.createElement("style"); // browsers without constructed stylesheets
      style.textContent = css;
      shadow.appendChild(style);
    }
  }

  function element(name, attributes, children) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function Widget(script) {
    var source = new URL(script.src, document.baseURI);
    var slug = script.getAttribute("data-show") || "";
    var promo = script.getAttribute("data-promo") || "";
    var query = promo ? "?promo=" + encodeURIComponent(promo) : "";
    this.origin = source.origin;
    this.label = script.getAttribute("data-label") || "Buy tickets";
    this.embedUrl = this.origin + "/embed/shows/" + encodeURIComponent(slug) + "/" + query;
    this.checkoutUrl = this.origin + "/shows/" + encodeURIComponent(slug) + "/checkout/" + query;
    this.overlay = null;
    this.host = element("span", { class: "piquetickets-widget", "data-show": slug });
    var shadow = this.host.attachShadow({ mode: "open" });
    styled(shadow, BUTTON_CSS);
    this.button = element("a", { class: "button", href: this.checkoutUrl, target: "_blank", rel: "noopener" });
    var ticket = icon(TICKET_PATH, { fill: "currentColor" });
    ticket.setAttribute("class", "icon");
    this.button.appendChild(ticket);
    this.button.appendChild(document.createTextNode(this.label));
    shadow.appendChild(this.button);
    this.button.addEventListener("click", this.onClick.bind(this));
    script.insertAdjacentElement("afterend", this.host);
  }

  Widget.prototype.onClick = function (event) {
    var plain = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0;
    if (plain || window.innerWidth < OVERLAY_MIN_WIDTH || typeof HTMLDialogElement !== "function") {
      return; // the link opens the checkout in a new tab
    }
    event.preventDefault();
    this.open();
  };

  Widget.prototype.open = function () {
    if (!this.overlay) {
      this.overlay = this.buildOverlay();
    }
    var parts = this.overlay;
    if (!parts.frame) {
      parts.frame = element("iframe", { src: this.embedUrl, title: this.label, allow: "payment" });
      parts.dialog.appendChild(parts.frame);
      this.waitForReady();
    }
    if (!parts.dialog.open) {
      parts.dialog.showModal();
      parts.close.focus();
    }
  };

  Widget.prototype.buildOverlay = function () {
    var host = element("div", { class: "piquetickets-overlay" });
    var shadow = host.attachShadow({ mode: "open" });
    styled(shadow, OVERLAY_CSS);
    var title = element("span", { id: "title" }, [this.label]);
    var close = element("button", { class: "close", type: "button", "aria-label": "Close" });
    close.appendChild(icon(CLOSE_PATH, { stroke: "currentColor", "stroke-width": "2.5", "stroke-linecap": "round" }));
    var link = element("a", { href: this.checkoutUrl, target: "_blank", rel: "noopener" }, ["Open the checkout in a new tab"]);
    var fallback = element("div", { class: "fallback", hidden: "" }, [
      element("p", {}, ["The checkout can't be shown here."]),
      element("p", {}, [link]),
    ]);
    var dialog = element("dialog", { "aria-labelledby": "title" }, [element("div", { class: "bar" }, [title, close]), fallback]);
    shadow.appendChild(dialog);
    document.body.appendChild(host);

    var widget = this;
    close.addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) {
        dialog.close(); // a click on the backdrop
      }
    });
    dialog.addEventListener("close", function () {
      widget.button.focus();
    });
    link.addEventListener("click", function () {
      dialog.close();
    });
    window.addEventListener("message", function (event) {
      var parts = widget.overlay;
      var data = event.data;
      if (!parts || !parts.frame || event.origin !== widget.origin || event.source !== parts.frame.contentWindow) {
        return;
      }
      if (!data || data.source !== "piquetickets") {
        return;
      }
      if (data.type === "ready") {
        parts.ready = true;
        parts.fallback.hidden = true;
        parts.frame.hidden = false;
      } else if (data.type === "close" && dialog.open) {
        dialog.close();
      } else if (data.type === "purchased") {
        widget.host.dispatchEvent(new CustomEvent("piquetickets:purchase", { bubbles: true, composed: true }));
      }
    });
    return { host: host, dialog: dialog, close: close, fallback: fallback, frame: null, ready: false };
  };

  // The embed page says "ready" as it loads. A frame the site refused still fires "load" (with an
  // error page in it), so a little after "load", or after READY_TIMEOUT_MS at the latest, no word
  // from it means the new tab is the way.
  Widget.prototype.waitForReady = function () {
    var parts = this.overlay;
    function check() {
      if (!parts.ready) {
        parts.frame.hidden = true;
        parts.fallback.hidden = false;
      }
    }
    parts.frame.addEventListener("load", function () {
      window.setTimeout(check, LOAD_GRACE_MS);
    });
    window.setTimeout(check, READY_TIMEOUT_MS);
  };

  function start(script) {
    if (!script || script.hasAttribute(INIT_FLAG) || !script.getAttribute("data-show")) {
      return;
    }
    script.setAttribute(INIT_FLAG, "");
    new Widget(script);
  }

  function run(current) {
    start(current);
    // The same tag pasted more than once (or a copy of this file already here): each gets its button.
    var tags = document.querySelectorAll('script[src*="/storefront/widget"][data-show]');
    Array.prototype.forEach.call(tags, start);
  }

  var current = document.currentScript;
  if (document.body) {
    run(current);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      run(current);
    });
  }
})();

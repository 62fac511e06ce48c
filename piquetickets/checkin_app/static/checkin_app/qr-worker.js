/* Decodes camera frames with jsQR off the page's main thread, so the check-in page stays responsive.
   Used only where the browser has no BarcodeDetector for QR codes. The page sends
   {type: "init", src} once (the jsQR file served by this site), then {type: "decode", width, height, buffer}. */
"use strict";

self.onmessage = function (event) {
  var message = event.data || {};
  if (message.type === "init") {
    try {
      self.importScripts(message.src);
      self.postMessage({ type: typeof self.jsQR === "function" ? "ready" : "failed" });
    } catch (error) {
      self.postMessage({ type: "failed" });
    }
    return;
  }
  if (message.type === "decode") {
    var text = null;
    try {
      var pixels = new Uint8ClampedArray(message.buffer);
      var found = self.jsQR(pixels, message.width, message.height, { inversionAttempts: "dontInvert" });
      text = found && found.data ? found.data : null;
    } catch (error) {
      text = null;
    }
    self.postMessage({ type: "result", text: text });
  }
};

/* Reflect's page script. Every page works without it; it only adds:
 * - the service worker, for signed-in pages (the home page opens offline);
 * - the "offline" banner, when a page came from the worker's cache or the network went;
 * - on logout, emptying the worker's caches (the server also sends Clear-Site-Data);
 * - turning push on or off for this device, on the attention settings page.
 */
(function () {
  "use strict";
  var root = document.body;  // data-served and data-worker (reflect/templates/base.html)

  function banner() {
    return document.getElementById("offline-banner");
  }

  function showOffline() {
    if (banner()) banner().hidden = false;
  }

  if (root.dataset.served === "cache" || !navigator.onLine) showOffline();
  window.addEventListener("offline", showOffline);
  window.addEventListener("online", function () {
    if (root.dataset.served !== "cache" && banner()) banner().hidden = true;
  });

  if ("serviceWorker" in navigator && root.dataset.worker) {
    navigator.serviceWorker.register(root.dataset.worker, { scope: "/" }).catch(function () {});
  }

  function emptyCaches() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("logout");
    }
    if (window.caches) {
      caches.keys().then(function (names) {
        names.forEach(function (name) { caches.delete(name); });
      });
    }
  }

  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", emptyCaches);
  });

  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
  }

  function post(url, body, token) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    });
  }

  function setUpPush(panel) {
    if (!("PushManager" in window) || !("serviceWorker" in navigator) || !panel.dataset.key) return;
    panel.hidden = false;
    var status = panel.querySelector("[data-push-status]");
    var token = panel.querySelector("[name=csrfmiddlewaretoken]").value;
    panel.querySelector("[data-push=on]").addEventListener("click", function () {
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== "granted") throw new Error("denied");
          return navigator.serviceWorker.ready;
        })
        .then(function (registration) {
          return registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(panel.dataset.key),
          });
        })
        .then(function (subscription) { return post(panel.dataset.subscribe, subscription.toJSON(), token); })
        .then(function (response) { status.textContent = response.ok ? panel.dataset.on : panel.dataset.failed; })
        .catch(function () { status.textContent = panel.dataset.failed; });
    });
    panel.querySelector("[data-push=off]").addEventListener("click", function () {
      navigator.serviceWorker.ready
        .then(function (registration) { return registration.pushManager.getSubscription(); })
        .then(function (subscription) {
          if (!subscription) return null;
          return post(panel.dataset.unsubscribe, { endpoint: subscription.endpoint }, token).then(function () {
            return subscription.unsubscribe();
          });
        })
        .then(function () { status.textContent = panel.dataset.off; })
        .catch(function () { status.textContent = panel.dataset.failed; });
    });
  }

  var panel = document.getElementById("push-panel");
  if (panel) setUpPush(panel);
})();

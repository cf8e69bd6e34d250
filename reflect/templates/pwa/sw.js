{% autoescape off %}/* Reflect's service worker: the app shell and the home page, for opening offline.
 *
 * Kept: the shell (style and script) and each organisation's home page, /o/<slug>/ (the
 * next meetings), refreshed from the network on every visit and used only when the
 * network fails. Never kept: any other page. Reflections, meetings' notes and
 * everything else personal are fetched from the network or not at all.
 * Logging out deletes every cache (the page asks, and the server sends Clear-Site-Data).
 */
const CACHE = {{ cache_version }};
const SHELL = {{ shell }};
const HOME = /^\/o\/[^/]+\/$/;
const LATEST_HOME = "/__reflect_latest_home__";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "logout") {
    event.waitUntil(caches.keys().then((names) => Promise.all(names.map((name) => caches.delete(name)))));
  }
});

async function markedOffline(response) {
  // The page shows its "offline" banner when it was served from here.
  const text = (await response.text()).replace('data-served="network"', 'data-served="cache"');
  return new Response(text, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function home(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === "basic") {
      const cache = await caches.open(CACHE);
      await cache.put(request, response.clone());
      await cache.put(LATEST_HOME, response.clone());
    } else if (response.redirected) {
      // Sent to the login page: the session ended (idle, too long, elsewhere). What was
      // kept for that person goes too, not only on an explicit logout.
      await caches.delete(CACHE);
    }
    return response;
  } catch (error) {
    const cache = await caches.open(CACHE);
    const kept = (await cache.match(request)) || (await cache.match(LATEST_HOME));
    if (kept) return markedOffline(kept);
    throw error;
  }
}

async function start(request) {
  // The installed app starts at "/", which redirects to the person's home: offline, the
  // last home page kept stands in for it.
  try {
    return await fetch(request);
  } catch (error) {
    const kept = await (await caches.open(CACHE)).match(LATEST_HOME);
    if (kept) return markedOffline(kept);
    throw error;
  }
}

async function shell(request) {
  const kept = await (await caches.open(CACHE)).match(request);
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && HOME.test(url.pathname) && !url.search) {
    event.respondWith(home(request));
  } else if (request.mode === "navigate" && url.pathname === "/") {
    event.respondWith(start(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(shell(request));
  }
  // Everything else goes to the network as if there were no worker.
});

self.addEventListener("push", (event) => {
  // Only what the server put in: a title, one short line and an address on this site.
  const data = event.data ? event.data.json() : {};
  event.waitUntil(
    self.registration.showNotification(data.title || "Reflect", {
      body: data.body || "",
      tag: data.tag,
      data: { url: data.url },
      icon: {{ icon }},
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(self.clients.openWindow(target.href));
});
{% endautoescape %}

/* The live page of `signpost serve` (a report written by `signpost report` has no script).

   It listens to the server's events (/_signpost/events) and, when this page's scenario has a new
   version, fetches the page again and swaps its body in. It builds no HTML of its own: every
   piece of scenario text on the page is the text the server escaped. While the scenario is being
   recomputed it says so; when the server goes away it says that too, and catches up when it is
   back. */
"use strict";

(() => {
  const root = document.documentElement;
  const meta = (name) => document.querySelector(`meta[name="${name}"]`);
  const page = meta("signpost-page").content;
  let version = Number(meta("signpost-version").content);
  let server = meta("signpost-server").content; // a new server process starts its versions again
  let loading = false;
  let again = false;

  function status(text) {
    const line = document.getElementById("live-status");
    if (line) line.textContent = text;
  }

  function mark(state) {
    root.dataset.live = state;
    root.dataset.version = String(version);
  }

  async function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      if (!response.ok) {
        mark("gone");
        status("This page is no longer served (" + response.status + ").");
        return;
      }
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      const shown = next.querySelector('meta[name="signpost-version"]');
      const from = next.querySelector('meta[name="signpost-server"]');
      const x = window.scrollX;
      const y = window.scrollY;
      document.title = next.title;
      document.body.replaceWith(document.adoptNode(next.body));
      window.scrollTo(x, y);
      version = shown ? Number(shown.content) : version;
      server = from ? from.content : server;
      mark("ready");
    } catch (error) {
      status("Could not load the new version of this page: " + error);
    } finally {
      loading = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  const events = new EventSource("/_signpost/events");
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.page !== page) {
      return;
    }
    if (event.moved) {
      location.replace(event.moved + location.pathname.slice(page.length) + location.search);
    } else if (event.state === "gone") {
      mark("gone");
      status("This scenario is no longer served: its file was removed, or it no longer has this id.");
    } else if (event.state === "recomputing") {
      mark("recomputing");
      status(event.message || "Recomputing…");
    } else if (event.state === "ready" && (event.version > version || event.server !== server)) {
      refresh();
    } else if (event.state === "ready" && root.dataset.live !== "ready") {
      mark("ready");
    }
  };
  events.onerror = () => {
    mark("offline");
    status("Lost the connection to signpost serve (is it still running?); trying again…");
  };
  events.onopen = () => {
    if (root.dataset.live === "offline") {
      refresh();
    }
  };
  mark("ready");
})();

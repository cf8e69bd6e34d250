// Follows a running cohort import in place: moves the progress bar and its words (a
// polite live region), and reloads once, when the import has finished, to show its
// outcome. Without this script the page offers a link to check again instead.
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section || !section.dataset.pollUrl) return;
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var RUNNING = ["pending", "running"];
  var follows = document.getElementById("import-follows");
  var checkAgain = document.getElementById("import-check-again");
  if (follows) follows.hidden = false;
  if (checkAgain) checkAgain.hidden = true;

  function show(progress) {
    bar.max = Math.max(progress.total, 1);
    bar.value = progress.processed;
    bar.textContent = progress.percent + "%";
    count.textContent = progress.text; // worded by the server, in the reader's language
  }

  function poll() {
    fetch(section.dataset.pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (progress) {
        if (RUNNING.indexOf(progress.status) === -1) {
          window.location.reload();
          return;
        }
        show(progress);
        window.setTimeout(poll, 700);
      })
      .catch(function () {
        window.setTimeout(poll, 3000); // a hiccup in the network: keep trying, more slowly
      });
  }

  window.setTimeout(poll, 700);
})();

// Keeps a new reflection as its author types: a second after they pause, the answers are
// posted to the page's draft address (with the form's CSRF token) and a quiet status says
// "Saved 09:41". Reopening the page brings the text back. Progressive enhancement: without
// this script the form works as before, only without the safety net.
(function () {
  var form = document.querySelector("form[data-draft-url]");
  if (!form) {
    return;
  }
  var status = document.getElementById("draft-status");
  var PAUSE_MS = 1000;
  var timer = null;
  var dirty = false;
  var pending = null; // the draft request on its way, if any

  function draftBody() {
    var data = new FormData(form);
    data.set("template", form.dataset.draftTemplate);
    if (form.dataset.draftMeeting) {
      data.set("meeting", form.dataset.draftMeeting);
    }
    return data;
  }

  function save() {
    timer = null;
    if (!dirty) {
      return;
    }
    dirty = false;
    pending = fetch(form.dataset.draftUrl, { method: "POST", body: draftBody(), credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok && answer.status) {
            status.textContent = answer.status;
          }
        });
      })
      .catch(function () {
        dirty = true; // offline or the server was away: try again with the next keystroke
      })
      .then(function () {
        pending = null;
      });
  }

  form.addEventListener("input", function (event) {
    if (!event.target.name || event.target.name.indexOf("answer_") !== 0) {
      return;
    }
    dirty = true;
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, PAUSE_MS);
  });

  // Leaving before the pause is over: send what is there (the browser finishes it for us).
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) {
      navigator.sendBeacon(form.dataset.draftUrl, draftBody());
      dirty = false;
    }
  });

  // Saving the reflection removes the draft on the server: nothing more to keep. A draft
  // request still on its way is let finish first, or it would bring the draft back.
  form.addEventListener("submit", function (event) {
    if (timer) {
      clearTimeout(timer);
    }
    dirty = false;
    if (pending) {
      event.preventDefault();
      var submitter = event.submitter;
      pending.then(function () {
        form.requestSubmit(submitter);
      });
    }
  });
})();

// Live character counters for reflection answers: "120 / 600". Progressive enhancement:
// the server enforces the same limits, and the form works without this script.
document.querySelectorAll("textarea[data-counter][maxlength]").forEach(function (area) {
  var limit = parseInt(area.getAttribute("maxlength"), 10);
  var counter = document.createElement("span");
  counter.className = "counter";
  counter.setAttribute("aria-live", "polite");
  area.insertAdjacentElement("afterend", counter);
  function update() {
    counter.textContent = area.value.length + " / " + limit;
    counter.classList.toggle("near-limit", area.value.length > limit * 0.9);
  }
  area.addEventListener("input", update);
  update();
});

// Registration: says whether the username is free while it is typed. Only an enhancement: the
// form works, and checks the username on submit, without it.
(function () {
  "use strict";
  var input = document.getElementById("username");
  var status = document.getElementById("username-status");
  if (!input || !status || !window.fetch) { return; }
  var timer = null;
  var asked = "";
  function check() {
    var name = input.value.trim();
    if (name === asked) { return; }
    asked = name;
    if (name.length === 0) { status.textContent = ""; status.className = "field-status"; return; }
    fetch("/register/username?name=" + encodeURIComponent(name), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || input.value.trim() !== name) { return; }
        status.textContent = answer.message;
        status.className = "field-status " + (answer.available ? "field-status-ok" : "field-status-taken");
      })
      .catch(function () { status.textContent = ""; });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
})();

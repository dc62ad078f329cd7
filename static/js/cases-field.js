/* The report form's "use my location" button: the browser's position into the hidden latitude and
   longitude fields (optional; a refusal or no signal leaves them empty and says so). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-case-locate]");
    if (!button) { return; }
    var form = button.closest("form");
    var status = form.querySelector("[data-case-locate-status]");
    var say = function (key) { if (status) { status.textContent = button.getAttribute(key); } };
    if (!navigator.geolocation) { say("data-failed"); return; }
    say("data-locating");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
      form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
      button.disabled = false;
      say("data-located");
    }, function () {
      button.disabled = false;
      say("data-failed");
    }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  });
}());

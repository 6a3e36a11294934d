// OP-7: read a badge's QR code with the device camera (ZXing's browser build, vendored) and submit the
// check-in form with what it holds (the badge's link; the server takes the code from it).
(function () {
  "use strict";
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var input = document.getElementById("badge-code");
  var form = document.getElementById("checkin-form");
  var status = document.getElementById("scan-message");
  var dataNode = document.getElementById("scan-messages");
  var text = dataNode ? JSON.parse(dataNode.textContent) : {};
  if (!start || !video || !input || !form) { return; }
  var controls = null;

  function finish() {
    if (controls) { controls.stop(); controls = null; }
    video.classList.add("d-none");
    stop.classList.add("d-none");
    start.classList.remove("d-none");
  }

  if (!window.ZXingBrowser || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    start.disabled = true;
    if (status) { status.textContent = text.no_camera || ""; }
    return;
  }
  start.addEventListener("click", function () {
    var reader = new window.ZXingBrowser.BrowserQRCodeReader();
    video.classList.remove("d-none");
    stop.classList.remove("d-none");
    start.classList.add("d-none");
    if (status) { status.textContent = text.pointing || ""; }
    reader.decodeFromConstraints({ video: { facingMode: "environment" } }, video, function (result, error, ctl) {
      if (result) {
        input.value = result.getText();
        ctl.stop();
        finish();
        form.submit();
      }
    }).then(function (ctl) { controls = ctl; }).catch(function () {
      finish();
      if (status) { status.textContent = text.no_camera || ""; }
    });
  });
  stop.addEventListener("click", finish);
}());

// The upload form's progress bar: the file is sent with XMLHttpRequest (its upload progress),
// and the answer replaces the page. Without JavaScript the form posts as usual. Its texts are
// the form's (data-too-large, data-failed), in the page's language.
(function () {
  "use strict";
  var form = document.getElementById("batch-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var percent = document.getElementById("upload-percent");
  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) return;
    if (file.size > Number(form.dataset.maxBytes)) {
      event.preventDefault();
      percent.textContent = "";
      box.hidden = false;
      percent.textContent = form.dataset.tooLarge;
      return;
    }
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var done = Math.round((e.loaded / e.total) * 100);
      bar.value = done;
      percent.textContent = done + "%";
    });
    xhr.addEventListener("load", function () {
      var landed = xhr.responseURL || "";
      if (xhr.status === 200 && landed && landed !== form.action) {
        window.location.assign(landed);
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      percent.textContent = form.dataset.failed;
    });
    box.hidden = false;
    xhr.send(new FormData(form));
  });
})();

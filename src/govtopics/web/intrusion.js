/* govtopics intrusion-test form: draws the questions from the JSON in #govtopics-data (written by
   govtopics.validation) and saves the coder's answers as a CSV download; nothing is sent anywhere.
   Answers are kept in the browser's local storage while coding, when the browser allows it.
   Report text is only ever set with textContent, never parsed as markup. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("govtopics-data").textContent);
  var storeKey = "govtopics-intrusion-" + data.sheet;
  var saved = load();
  var answers = saved.answers || {};

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function store() {
    try { window.localStorage.setItem(storeKey, JSON.stringify({ answers: answers, coder: coder.value })); } catch (e) { /* not allowed here */ }
  }

  var app = document.getElementById("app");
  app.appendChild(el("h1", {}, data.title));
  app.appendChild(el("p", {}, "Each question shows words or topics of a topic model; one of them does not belong. " +
    "Choose that one. A word question: which word does not fit with the others? A topic question: read the " +
    "passage; which topic does not fit it? Answer every question, then download your answers and send the file back."));
  app.appendChild(el("p", { "class": "muted small" }, "Sheet " + data.sheet + " · " + data.items.length + " questions"));

  var bar = el("div", { "class": "toolbar" });
  var coderLabel = el("label", { "for": "coder" }, "Your name or initials: ");
  var coder = el("input", { id: "coder", type: "text", autocomplete: "off", maxlength: 80 });
  coder.value = saved.coder || "";
  coderLabel.appendChild(coder);
  var progress = el("span", { id: "progress", "class": "muted" });
  var download = el("button", { id: "download", type: "button" }, "Download answers (CSV)");
  var message = el("span", { id: "message", role: "status" });
  bar.appendChild(coderLabel);
  bar.appendChild(progress);
  bar.appendChild(download);
  bar.appendChild(message);
  app.appendChild(bar);

  data.items.forEach(function (item, number) {
    var card = el("section", { "class": "item", id: "item-" + item.item, "data-item": item.item });
    card.appendChild(el("h2", {}, "Question " + (number + 1) + " of " + data.items.length + " (" + item.item + ")"));
    if (item.task === "topic") {
      card.appendChild(el("p", {}, "Which topic does not fit this passage?"));
      card.appendChild(el("blockquote", { "class": "passage-text" }, item.text));
    } else {
      card.appendChild(el("p", {}, "Which word does not belong with the others?"));
    }
    var fieldset = el("fieldset");
    item.options.forEach(function (value, index) {
      var label = el("label", { "class": "option" });
      var input = el("input", { type: "radio", name: "answer-" + item.item, value: index + 1 });
      if (answers[item.item] === index + 1) input.checked = true;
      input.addEventListener("change", function () {
        answers[item.item] = index + 1;
        card.setAttribute("class", "item answered");
        store();
        update();
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + (index + 1) + ". "));
      label.appendChild(el("span", { "class": "option-text" }, value));
      fieldset.appendChild(label);
    });
    if (answers[item.item]) card.setAttribute("class", "item answered");
    card.appendChild(fieldset);
    app.appendChild(card);
  });

  function update() {
    var done = data.items.filter(function (item) { return answers[item.item]; }).length;
    progress.textContent = done + " of " + data.items.length + " answered";
  }

  // A cell a spreadsheet would run as a formula gets a leading ' (as govtopics' own CSVs; numbers stay numbers).
  function guard(text) {
    return /^[=+\-@\t\r']/.test(text) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? "'" + text : text;
  }
  function cell(value) { return "\"" + guard(String(value)).replace(/"/g, "\"\"") + "\""; }

  function csv() {
    var lines = [["sheet", "coder", "item", "answer", "value"].join(",")];
    data.items.forEach(function (item) {
      var choice = answers[item.item];
      lines.push([data.sheet, coder.value.trim(), item.item, choice || "",
                  choice ? item.options[choice - 1] : ""].map(cell).join(","));
    });
    return "\ufeff" + lines.join("\n") + "\n";
  }

  coder.addEventListener("input", store);
  download.addEventListener("click", function () {
    var name = coder.value.trim();
    if (!name) { message.textContent = "Enter your name or initials first."; coder.focus(); return; }
    var missing = data.items.length - data.items.filter(function (item) { return answers[item.item]; }).length;
    message.textContent = missing ? missing + " question(s) unanswered: saved as blank." : "Saved.";
    var url = URL.createObjectURL(new Blob([csv()], { type: "text/csv;charset=utf-8" }));
    var link = el("a", { href: url, download: "answers_" + data.sheet + "_" + name.replace(/[^\w\u4e00-\u9fff-]+/g, "_") + ".csv" });
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  });
  update();
}());

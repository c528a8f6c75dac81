// parity.html from parity.json: a page a person reads (or prints) to see which backend does
// what, and why a run failed. Every state is a symbol and a word, colour only repeats it; each
// cell opens its scenarios with the expected and observed outcome, the message and links to
// the source; the rows can be filtered by text and sorted by any column. Self-contained: the
// style and the script are inline, nothing is fetched.

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "verify.h"

namespace parity {
namespace {

using nlohmann::json;

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string str(const json& j, const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; }

class Page {
 public:
  Page(const json& report, std::string source_url)
      : r_(report), source_(std::move(source_url)), reference_(str(report, "reference")) {
    std::vector<std::string> matrix;  // the columns of the matrix, without the reference
    for (const auto& b : r_["backends"]) {
      columns_.push_back(b.get<std::string>());
      if (columns_.back() != reference_) matrix.push_back(columns_.back());
    }
    if (r_.contains("areas"))
      for (const auto& a : r_["areas"]) areas_[str(a, "id")] = str(a, "title");
    // The verdicts in the order of the sort by status. The partial ones are named after the
    // backends (verdictWords): every "<backend>-only", then those of several backends (three or
    // more columns) as they occur; ◐ when the first column has the feature, ◑ when it lacks it.
    verdicts_ = {{"invalid", "✗"}, {"not built", "○"}};
    for (const auto& b : matrix) verdicts_.push_back({b + "-only", b == matrix.front() ? "◐" : "◑"});
    const std::set<std::string> fixed = {"invalid", "not built", "divergent", "parity"};
    for (const auto& f : r_.value("features", json::array())) {
      const std::string v = str(f, "verdict");
      if (fixed.contains(v) || verdictRank(v) > 0) continue;
      const bool first = !matrix.empty() && str(f["backends"].value(matrix.front(), json::object()), "disposition") ==
                                                "implemented";
      verdicts_.push_back({v, first ? "◐" : "◑"});
    }
    partial_ = verdicts_.size() - 2;
    verdicts_.push_back({"divergent", "⚠"});
    verdicts_.push_back({"parity", "✓"});
  }

  std::string render() {
    h_ += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<title>Backend parity results</title><style>" +
          std::string(kStyle) + "</style></head><body>\n";
    header();
    contradictions();
    totals();
    matrix();
    h_ += "<script>" + std::string(kScript) + "</script>\n</body></html>\n";
    return std::move(h_);
  }

 private:
  // A link to file:line in the source, or the plain location without a source URL.
  std::string src(const std::string& file, int line, const std::string& text = "") const {
    const std::string label = text.empty() ? file + ":" + std::to_string(line) : text;
    if (source_.empty() || file.empty()) return esc(label);
    return "<a href=\"" + esc(source_ + file + "#L" + std::to_string(line)) + "\">" + esc(label) + "</a>";
  }
  std::string src(const json& site, const std::string& text = "") const {
    return src(str(site, "file"), site.value("line", 0), text);
  }

  void header() {
    const json v = r_.value("verified", json::object());
    const std::string commit = str(v, "commit"), time = str(v, "time");
    const size_t n = r_.value("contradictions", json::array()).size();
    h_ += "<header><h1>Backend parity results</h1><p class=\"stamp\">";
    h_ += "Commit <code id=\"commit\">" + esc(commit.empty() ? "unknown" : commit.substr(0, 12)) + "</code>";
    if (v.value("dirty", false)) h_ += " (with uncommitted changes)";
    h_ += " · verified <time id=\"verified\">" + esc(time.empty() ? "unknown" : time) + "</time>";
    h_ += " · coverage: " + esc(str(r_, "coverage")) + " · ";
    h_ += n == 0 ? "<strong class=\"ok\">✓ no contradictions</strong>"
                 : "<strong class=\"bad\">✗ " + std::to_string(n) + " contradiction" + (n == 1 ? "" : "s") + "</strong>";
    h_ += "</p></header>\n";
  }

  void contradictions() {
    const json list = r_.value("contradictions", json::array());
    if (list.empty()) return;
    h_ += "<section id=\"contradictions\"><h2>✗ Contradictions</h2><ol>";
    for (const auto& c : list) h_ += "<li>" + esc(c.get<std::string>()) + "</li>";
    h_ += "</ol></section>\n";
  }

  void totals() {
    const json t = r_.value("totals", json::object());
    h_ += "<section id=\"totals\"><h2>Totals</h2><div class=\"totals\">";
    h_ += "<table id=\"totals-backends\"><caption>Scenario results per backend</caption><thead><tr><th>Backend</th>"
          "<th>✓ agrees</th><th>✗ contradicts</th><th>… no evidence</th></tr></thead><tbody>";
    for (const auto& b : columns_) {
      const json c = t.value("backends", json::object()).value(b, json::object());
      h_ += "<tr><th>" + esc(b) + "</th><td>" + std::to_string(c.value(kAgrees, 0)) + "</td><td>" +
            std::to_string(c.value(kContradicts, 0)) + "</td><td>" + std::to_string(c.value(kNoEvidence, 0)) + "</td></tr>";
    }
    h_ += "</tbody></table><table id=\"totals-verdicts\"><caption>Rows per declared verdict</caption><thead><tr>"
          "<th>Verdict</th><th>Rows</th><th>✗ contradicted</th></tr></thead><tbody>";
    const json verdicts = t.value("verdicts", json::object());
    for (auto k = verdicts_.rbegin(); k != verdicts_.rend(); ++k)
      if (verdicts.contains(k->words)) {
        const json& c = verdicts[k->words];
        h_ += "<tr><th>" + esc(verdictText(k->words)) + "</th><td>" + std::to_string(c.value("rows", 0)) + "</td><td>" +
              std::to_string(c.value("contradicted", 0)) + "</td></tr>";
      }
    h_ += "</tbody></table></div></section>\n";
  }

  struct VerdictText {
    std::string words;
    std::string symbol;
  };

  struct CellView {
    std::string words, cls;
    int rank = 0;  // for sorting: the worst first
  };

  CellView cellView(const json& f, const std::string& b) const {
    int n = 0, agrees = 0, contradicts = 0, none = 0;
    for (const auto& s : f["scenarios"]) {
      const std::string status = str(s["results"].value(b, json::object()), "status");
      ++n;
      if (status == kAgrees) ++agrees;
      else if (status == kContradicts) ++contradicts;
      else ++none;
    }
    const std::string of = " " + std::to_string(agrees) + "/" + std::to_string(n);
    const std::string more = none > 0 && agrees > 0 ? ", " + std::to_string(none) + " not run" : "";
    if (n == 0) return {"— no scenario", "none", 4};
    if (contradicts > 0) return {"✗ contradicted " + std::to_string(contradicts) + "/" + std::to_string(n), "bad", 0};
    if (agrees == 0) return {"… no evidence 0/" + std::to_string(n), "none", 1};
    const std::string disposition = str(f["backends"].value(b, json::object()), "disposition");
    if (disposition == "unsupported") return {"⊘ unsupported, as declared" + of + more, "exp", 2};
    return {"✓ pass" + of + more, "ok", 3};
  }

  int verdictRank(const std::string& v) const {  // 0: unknown
    for (size_t i = 0; i < verdicts_.size(); ++i)
      if (v == verdicts_[i].words) return static_cast<int>(i) + 1;
    return 0;
  }
  // Text symbols, not emoji: they print in black and need no colour font.
  std::string verdictText(const std::string& v) const {
    for (const auto& k : verdicts_)
      if (v == k.words) return k.symbol + " " + v;
    return "✗ " + v;
  }

  void matrix() {
    const size_t rows = r_["features"].size();
    h_ += "<section id=\"features\"><h2>Features</h2><div class=\"controls\" role=\"search\">"
          "<label>Filter <input type=\"search\" id=\"filter\" placeholder=\"feature, backend, scenario, message…\"></label> "
          "<label><input type=\"checkbox\" id=\"differ\"> only rows whose backends differ</label> "
          "<label><input type=\"checkbox\" id=\"contradicted-only\"> only contradicted rows</label> "
          "<span id=\"shown\" aria-live=\"polite\">" +
          std::to_string(rows) + " of " + std::to_string(rows) +
          " rows shown</span></div><p class=\"legend\">Status: ✓ parity · ⚠ divergent · ";
    for (size_t i = 2; i < 2 + partial_; ++i) h_ += esc(verdictText(verdicts_[i].words)) + " · ";
    h_ += "○ not built · ✗ contradicted by the results. Cells: ✓ passes as declared · ⊘ "
          "unsupported, as declared · ✗ contradicts the annotations · … no evidence (not run) · — no scenario. Open a "
          "cell for its scenarios; click a column heading to sort.</p>\n<table id=\"matrix\"><thead><tr>"
          "<th aria-sort=\"none\"><button type=\"button\">Feature</button></th>"
          "<th aria-sort=\"none\"><button type=\"button\">Area</button></th>"
          "<th aria-sort=\"none\" data-type=\"number\"><button type=\"button\">Status</button></th>";
    for (const auto& b : columns_)
      h_ += "<th aria-sort=\"none\" data-type=\"number\"><button type=\"button\">" + esc(b) + "</button></th>";
    h_ += "</tr></thead>\n";
    int order = 0;
    for (const auto& f : r_["features"]) feature(f, order++);
    h_ += "</table></section>\n";
  }

  void feature(const json& f, int order) {
    const std::string id = str(f, "id"), verdict = str(f, "verdict");
    const bool contradicted = f.value("contradicted", false);
    std::string cells;
    std::set<std::string> classes;
    for (const auto& b : columns_) {
      const CellView c = cellView(f, b);
      if (c.cls != "none") classes.insert(c.cls);
      cells += "<td class=\"cell " + c.cls + "\" data-sort=\"" + std::to_string(c.rank) +
               "\"><button type=\"button\" class=\"open\" aria-expanded=\"false\" aria-controls=\"d-" + esc(id) +
               "\" data-backend=\"" + esc(b) + "\">" + esc(c.words) + "</button></td>";
    }
    const std::string area = areas_.contains(str(f, "area")) ? areas_.at(str(f, "area")) : str(f, "area");
    const std::string status = contradicted ? "✗ contradicted" : verdictText(verdict);
    h_ += "<tbody class=\"feature\" id=\"f-" + esc(id) + "\" data-order=\"" + std::to_string(order) + "\" data-differ=\"" +
          (classes.size() > 1 ? "1" : "0") + "\" data-contradicted=\"" + (contradicted ? "1" : "0") + "\"><tr class=\"row\">";
    h_ += "<td data-sort=\"" + esc(str(f, "title")) + "\">" + esc(str(f, "title")) + " <code>" + esc(id) +
          "</code> <button type=\"button\" class=\"open all\" aria-expanded=\"false\" aria-controls=\"d-" + esc(id) +
          "\" data-backend=\"\">details</button></td>";
    h_ += "<td data-sort=\"" + esc(area) + "\">" + esc(area) + "</td>";
    h_ += "<td class=\"" + std::string(contradicted ? "bad" : "") + "\" data-sort=\"" +
          std::to_string(contradicted ? 0 : std::max(1, verdictRank(verdict))) + "\">" + esc(status) + "</td>" + cells + "</tr>\n";
    detail(f);
    h_ += "</tbody>\n";
  }

  void detail(const json& f) {
    const std::string id = str(f, "id");
    h_ += "<tr class=\"detail\" id=\"d-" + esc(id) + "\" hidden><td colspan=\"" + std::to_string(3 + columns_.size()) +
          "\"><p class=\"declared\">Declared " + esc(verdictText(str(f, "verdict"))) + " in " +
          src(str(f, "file"), f.value("line", 0)) + ".";
    for (const char* note : {"diverges", "unbuilt"})
      if (f.contains(note))
        h_ += " " + esc(str(f[note], "text")) + " (tracked in " + esc(str(f[note], "tracking")) + ", " + src(f[note]) + ").";
    h_ += "</p>";
    for (const auto& b : columns_) {
      const json cell = f["backends"].value(b, json::object());
      const std::string disposition = cell.empty() ? (b == reference_ ? "the contract's model" : "—")
                                                   : str(cell, "disposition");
      h_ += "<section class=\"backend\" data-backend=\"" + esc(b) + "\"><h3>" + esc(b) + ": " + esc(disposition) + "</h3>";
      if (cell.contains("sites")) {
        h_ += "<ul class=\"sites\">";
        for (const auto& s : cell["sites"])
          h_ += "<li>" + esc(str(s, "text")) + (s.contains("tracking") ? " (tracked in " + esc(str(s, "tracking")) + ")" : "") +
                " " + src(s) + "</li>";
        h_ += "</ul>";
      }
      if (f["scenarios"].empty()) {
        h_ += "<p>No scenario.</p></section>";
        continue;
      }
      h_ += "<table class=\"scenarios\"><thead><tr><th>Scenario</th><th>Expected</th><th>Observed</th><th>Status</th>"
            "<th>Message</th></tr></thead><tbody>";
      for (const auto& s : f["scenarios"]) {
        const json r = s["results"].value(b, json::object());
        const std::string status = str(r, "status");
        const std::string symbol = status == kAgrees ? "✓ " : status == kContradicts ? "✗ " : "… ";
        const std::string message = r.contains("message") ? str(r, "message") : str(r, "detail");
        h_ += "<tr class=\"" + std::string(status == kContradicts ? "bad" : status == kAgrees ? "ok" : "none") +
              "\"><td>" + src(s, str(s, "name")) + "</td><td>" + esc(str(r, "expected")) + "</td><td>" +
              esc(str(r, "observed")) + "</td><td>" + esc(symbol + status) + "</td><td class=\"message\">" +
              esc(message) + "</td></tr>";
      }
      h_ += "</tbody></table></section>";
    }
    h_ += "</td></tr>\n";
  }

  static constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111;background:#fff}
h1{margin:0 0 .2em}h2{margin:1.2em 0 .4em}h3{margin:.6em 0 .2em;font-size:1em}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:600;padding:.2em 0}
.totals{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
.ok{background:#d9f2d9}.exp{background:#f7ecc2}.bad{background:#f8c9c9}.none{background:#ececec}
strong.ok,strong.bad{padding:0 .3em}
th button{font:inherit;font-weight:600;border:0;background:none;cursor:pointer;padding:0}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
td.cell{padding:0}td.cell button{font:inherit;border:0;background:none;width:100%;text-align:left;padding:3px 7px;cursor:pointer}
td.cell button[aria-expanded=true]{outline:2px solid #333;outline-offset:-2px}
button.all{font-size:.85em}
.controls{display:flex;gap:1.2em;flex-wrap:wrap;align-items:center;margin:.4em 0}
input[type=search]{min-width:22em;padding:2px 4px}
.legend{color:#333;margin:.3em 0 .6em}
tr.detail>td{background:#fafafa;padding:.4em .8em}
section.backend.off{display:none}
table.scenarios td.message{white-space:pre-wrap;max-width:60em}
ul.sites{margin:.2em 0;padding-left:1.2em}
@media print{
 body{margin:0;font-size:10pt}
 .controls,.legend,button.all{display:none}
 *{background:#fff!important;color:#000!important}
 td.cell{padding:3px 7px}td.cell button,th button{padding:0}
 tbody.feature{break-inside:avoid}
 tbody.feature[data-contradicted="1"] tr.detail{display:table-row!important}
 tbody.feature[data-contradicted="1"] section.backend.off{display:block!important}
 a{color:#000;text-decoration:underline}
 th[aria-sort] button::after{content:""}
}
)css";

  static constexpr const char* kScript = R"js(
(function () {
  'use strict';
  var table = document.getElementById('matrix');
  var filter = document.getElementById('filter');
  var differ = document.getElementById('differ');
  var only = document.getElementById('contradicted-only');
  var shown = document.getElementById('shown');
  var bodies = Array.prototype.slice.call(table.tBodies);
  function apply() {
    var q = filter.value.trim().toLowerCase();
    var n = 0;
    bodies.forEach(function (b) {
      var show = (!q || b.textContent.toLowerCase().indexOf(q) >= 0) &&
        (!differ.checked || b.dataset.differ === '1') && (!only.checked || b.dataset.contradicted === '1');
      b.hidden = !show;
      if (show) n++;
    });
    shown.textContent = n + ' of ' + bodies.length + ' rows shown';
  }
  filter.addEventListener('input', apply);
  differ.addEventListener('change', apply);
  only.addEventListener('change', apply);
  table.addEventListener('click', function (e) {
    var button = e.target.closest('button.open');
    if (!button) return;
    var body = button.closest('tbody.feature');
    var detail = body.querySelector('tr.detail');
    var wasOpen = button.getAttribute('aria-expanded') === 'true';
    body.querySelectorAll('button.open').forEach(function (b) { b.setAttribute('aria-expanded', 'false'); });
    if (wasOpen) { detail.hidden = true; return; }
    button.setAttribute('aria-expanded', 'true');
    detail.hidden = false;
    var backend = button.dataset.backend;
    detail.querySelectorAll('section.backend').forEach(function (s) {
      s.classList.toggle('off', backend !== '' && s.dataset.backend !== backend);
    });
  });
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    th.querySelector('button').addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var numeric = th.dataset.type === 'number';
      bodies.sort(function (x, y) {
        var a = x.rows[0].cells[i].dataset.sort, b = y.rows[0].cells[i].dataset.sort;
        var r = numeric ? Number(a) - Number(b) : a.localeCompare(b);
        if (r === 0) r = Number(x.dataset.order) - Number(y.dataset.order);
        return ascending ? r : -r;
      });
      bodies.forEach(function (b) { table.appendChild(b); });
    });
  });
  apply();
})();
)js";

  const json& r_;
  std::string source_;
  std::string reference_;  ///< Layout::reference: results only, no disposition
  std::vector<std::string> columns_;
  std::vector<VerdictText> verdicts_;  ///< In the order of the sort by status (after the contradicted rows).
  size_t partial_ = 0;                 ///< How many partial verdicts, from verdicts_[2].
  std::map<std::string, std::string> areas_;
  std::string h_;
};

}  // namespace

std::string renderHtml(const json& report, const std::string& source_url) { return Page(report, source_url).render(); }

}  // namespace parity

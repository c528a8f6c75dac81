#include "verify.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace parity {
namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> readResults(const fs::path& results) {
  if (!fs::is_directory(results)) throw std::runtime_error("no results directory " + results.string());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(results))
    if (e.is_regular_file() && e.path().extension() == ".json" && e.path().filename() != "parity.json")
      files.push_back(e.path());  // parity.json is verify's own report
  std::sort(files.begin(), files.end());
  std::vector<json> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.contains("results") || !doc["results"].is_array())
      throw std::runtime_error(f.string() + ": not a contract results file");
    for (auto& r : doc["results"]) out.push_back(std::move(r));
  }
  return out;
}

namespace {

std::string expectedFor(Disposition d) { return d == Disposition::unsupported ? "unsupported" : "pass"; }

json site(const Site& s) {
  json j{{"text", s.text}, {"file", s.at.file}, {"line", s.at.line}};
  if (!s.tracking.empty()) j["tracking"] = s.tracking;
  return j;
}

}  // namespace

Verification verify(const Model& model, const std::vector<json>& results, Coverage coverage) {
  const bool partial = coverage == Coverage::partial;
  Verification v;
  // (feature, scenario, backend) -> result
  std::map<std::tuple<std::string, std::string, std::string>, json> index;
  std::map<std::string, int> evidence;
  for (const auto& r : results) {
    const std::string feature = r.value("feature", ""), scenario = r.value("scenario", ""),
                      backend = r.value("backend", ""), observed = r.value("observed", "");
    if (observed != "not_run") ++evidence[backend];
    const Row* f = model.find(feature);
    if (!f || std::none_of(f->scenarios.begin(), f->scenarios.end(), [&](const Scenario& s) { return s.name == scenario; }))
      v.warnings.push_back("result for an unknown scenario " + feature + "/" + scenario + " (stale results?)");
    index[{feature, scenario, backend}] = r;
  }

  std::vector<std::string> columns;
  for (const auto& b : model.backends) columns.push_back(b.id);
  if (!model.reference.empty()) columns.push_back(model.reference);
  std::set<std::string> silent;  // backends without any evidence: one contradiction each, not one per scenario
  for (const auto& b : columns)
    if (evidence[b] == 0) {
      silent.insert(b);
      if (!partial) v.contradictions.push_back("backend " + b + " produced no results: no evidence is not a pass");
    }

  json features = json::array();
  for (const auto& f : model.features) {
    json row{{"id", f.id}, {"area", f.area}, {"title", f.title}, {"verdict", verdictWords(f.verdict())},
             {"backends", json::object()}, {"scenarios", json::array()}};
    if (f.diverges) row["diverges"] = site(*f.diverges);
    if (f.unbuilt) row["unbuilt"] = site(*f.unbuilt);
    for (const auto& [b, cell] : f.cells) {
      json sites = json::array();
      for (const auto& s : cell.sites) sites.push_back(site(s));
      row["backends"][b] = {{"disposition", cell.disposition == Disposition::impl ? "implemented" : "unsupported"},
                            {"sites", sites}};
    }
    for (const auto& s : f.scenarios) {
      json sc{{"name", s.name}, {"file", s.at.file}, {"line", s.at.line}, {"results", json::object()}};
      for (const auto& b : columns) {
        auto it = index.find({f.id, s.name, b});
        const bool reference = b == model.reference;
        const auto cell = f.cells.find(b);
        const std::string expected =
            reference ? "pass" : cell == f.cells.end() ? "unknown" : expectedFor(cell->second.disposition);
        const std::string observed = it == index.end() ? "missing" : it->second.value("observed", "missing");
        const std::string detail = it == index.end() ? "" : it->second.value("detail", "");
        sc["results"][b] = {{"expected", expected}, {"observed", observed}, {"detail", detail}};
        const std::string where = f.id + "/" + s.name + " on " + b;
        if (reference) {
          // The reference backend models the contract: server-level scenarios do not run on it,
          // but whatever runs must pass.
          if (observed != "pass" && observed != "not_run" && observed != "missing" && !silent.contains(b))
            v.contradictions.push_back(where + ": the reference backend observed " + observed +
                                       " (the scenario or the model is wrong)" + (detail.empty() ? "" : ": " + detail));
          continue;
        }
        if (observed == expected || silent.contains(b)) continue;
        if (partial && (observed == "missing" || observed == "not_run")) continue;
        if (observed == "missing" || observed == "not_run")
          v.contradictions.push_back(where + ": " + observed + ", but the row is declared " +
                                     verdictWords(f.verdict()) + " and needs evidence" +
                                     (detail.empty() ? "" : " (" + detail + ")"));
        else if (expected == "unsupported" && observed == "pass")
          v.contradictions.push_back(where + ": passes, but the annotation says unsupported (XPASS): update " +
                                     cell->second.sites.front().at.file + ":" +
                                     std::to_string(cell->second.sites.front().at.line));
        else
          v.contradictions.push_back(where + ": declared " + verdictWords(f.verdict()) + " (expects " + expected +
                                     "), observed " + observed + (detail.empty() ? "" : ": " + detail));
      }
      row["scenarios"].push_back(std::move(sc));
    }
    features.push_back(std::move(row));
  }
  v.report = {{"schema", 1}, {"coverage", partial ? "partial" : "full"}, {"backends", columns}, {"features", features},
              {"contradictions", v.contradictions}};
  return v;
}

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string renderHtml(const json& report) {
  std::string h =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>Backend parity results</title><style>"
      "body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
      ".ok{background:#c8efc8}.bad{background:#f4b6b6}.none{background:#e6e6e6}.exp{background:#f8e7a8}"
      "</style></head><body><h1>Backend parity results</h1>"
      "<p>Rows are features, columns backends; a cell counts the scenarios whose observed outcome matches the "
      "annotation. Green: all as declared; yellow: unsupported as declared; red: a contradiction; grey: no "
      "evidence.</p><label><input type=\"checkbox\" id=\"differ\"> only rows whose backends differ</label>"
      "<table><thead><tr><th>Feature</th><th>Verdict</th>";
  const auto& columns = report["backends"];
  for (const auto& b : columns) h += "<th>" + escape(b.get<std::string>()) + "</th>";
  h += "</tr></thead><tbody>";
  for (const auto& f : report["features"]) {
    std::string cells;
    std::set<std::string> classes;
    for (const auto& b : columns) {
      int matching = 0, total = 0, unsupported = 0, ran = 0;
      for (const auto& s : f["scenarios"]) {
        const auto& r = s["results"][b.get<std::string>()];
        ++total;
        const std::string observed = r["observed"];
        if (observed != "missing" && observed != "not_run") ++ran;
        if (observed == r["expected"].get<std::string>()) ++matching;
        if (observed == "unsupported" && r["expected"] == "unsupported") ++unsupported;
      }
      const std::string cls = total == 0 || ran == 0 ? "none" : matching < ran ? "bad" : unsupported > 0 ? "exp" : "ok";
      classes.insert(cls == "none" ? "" : cls);
      cells += "<td class=\"" + cls + "\">" + (total == 0 ? "—" : std::to_string(matching) + "/" + std::to_string(total)) + "</td>";
    }
    classes.erase("");
    h += std::string("<tr data-differ=\"") + (classes.size() > 1 ? "1" : "0") + "\"><td>" +
         escape(f["title"].get<std::string>()) + " <code>" + escape(f["id"].get<std::string>()) + "</code></td><td>" +
         escape(f["verdict"].get<std::string>()) + "</td>" + cells + "</tr>";
  }
  h += "</tbody></table><script>document.getElementById('differ').onchange=function(e){"
       "document.querySelectorAll('tr[data-differ]').forEach(function(r){"
       "r.style.display=e.target.checked&&r.dataset.differ==='0'?'none':'';});};</script></body></html>\n";
  return h;
}

}  // namespace parity

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
  json by_backend = json::object(), by_verdict = json::object();
  for (const auto& b : columns) by_backend[b] = {{kAgrees, 0}, {kContradicts, 0}, {kNoEvidence, 0}};
  for (const auto& f : model.features) {
    const std::string verdict = verdictWords(f);
    json row{{"id", f.id}, {"area", f.area}, {"title", f.title}, {"verdict", verdict}, {"symbol", verdictSymbol(f)},
             {"file", f.at.file}, {"line", f.at.line}, {"backends", json::object()}, {"scenarios", json::array()}};
    if (f.diverges) row["diverges"] = site(*f.diverges);
    if (f.unbuilt) row["unbuilt"] = site(*f.unbuilt);
    for (const auto& [b, cell] : f.cells) {
      json sites = json::array();
      for (const auto& s : cell.sites) sites.push_back(site(s));
      row["backends"][b] = {{"disposition", cell.disposition == Disposition::impl ? "implemented" : "unsupported"},
                            {"sites", sites}};
    }
    bool contradicted = false;
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
        const std::string where = f.id + "/" + s.name + " on " + b;
        std::string message;  // the contradiction, if this result is one
        if (reference) {
          // The reference backend models the contract: server-level scenarios do not run on it,
          // but whatever runs must pass.
          if (observed != "pass" && observed != "not_run" && observed != "missing" && !silent.contains(b))
            message = where + ": the reference backend observed " + observed + " (the scenario or the model is wrong)" +
                      (detail.empty() ? "" : ": " + detail);
        } else if (observed != expected && !silent.contains(b) &&
                   !(partial && (observed == "missing" || observed == "not_run"))) {
          if (observed == "missing" || observed == "not_run")
            message = where + ": " + observed + ", but the row is declared " + verdict + " and needs evidence" +
                      (detail.empty() ? "" : " (" + detail + ")");
          else if (expected == "unsupported" && observed == "pass")
            message = where + ": passes, but the annotation says unsupported (XPASS): update " +
                      cell->second.sites.front().at.file + ":" + std::to_string(cell->second.sites.front().at.line);
          else
            message = where + ": declared " + verdict + " (expects " + expected + "), observed " + observed +
                      (detail.empty() ? "" : ": " + detail);
        }
        const char* status = !message.empty() ? kContradicts : observed == expected ? kAgrees : kNoEvidence;
        json r{{"expected", expected}, {"observed", observed}, {"detail", detail}, {"status", status}};
        if (!message.empty()) {
          r["message"] = message;
          v.contradictions.push_back(message);
          contradicted = true;
        }
        by_backend[b][status] = by_backend[b][status].get<int>() + 1;
        sc["results"][b] = std::move(r);
      }
      row["scenarios"].push_back(std::move(sc));
    }
    row["contradicted"] = contradicted;
    json& t = by_verdict[verdict];
    if (t.is_null()) t = {{"rows", 0}, {"contradicted", 0}};
    t["rows"] = t["rows"].get<int>() + 1;
    if (contradicted) t["contradicted"] = t["contradicted"].get<int>() + 1;
    features.push_back(std::move(row));
  }
  json areas = json::array();
  for (const auto& a : model.areas) areas.push_back({{"id", a.id}, {"title", a.title}});
  v.report = {{"schema", 2},
              {"coverage", partial ? "partial" : "full"},
              {"backends", columns},
              {"reference", model.reference},
              {"areas", areas},
              {"features", features},
              {"totals", {{"backends", by_backend}, {"verdicts", by_verdict}}},
              {"contradictions", v.contradictions}};
  return v;
}

void stamp(json& report, const Stamp& s) {
  report["verified"] = {{"commit", s.commit}, {"dirty", s.dirty}, {"time", s.time}};
}

}  // namespace parity

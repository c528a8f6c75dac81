// `jobs`: a command line over JobService (the dispatchers), never over a Runner.
#include <iostream>

#include "jobs/service.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: jobs launch ID COMMAND | jobs cancel ID | jobs logs ID\n";
    return 2;
  }
  jobs::JobService service(nullptr, jobs::makeLocalRunner());
  const std::string verb = argv[1], id = argv[2];
  jobs::Status status = jobs::Status::unsupported;
  if (verb == "launch" && argc > 3) status = service.launchAuto(id, argv[3]);
  if (verb == "cancel") status = service.cancelAuto(id);
  if (verb == "logs") {
    std::string out;
    status = service.logsAuto(id, out);
    std::cout << out;
  }
  return status == jobs::Status::ok ? 0 : 1;
}

#pragma once
// Writes route conditions, Ingress load-balancer addresses and Warning Events
// on its own thread, so thousands of status writes never delay a snapshot
// push. Latest-wins: a newer batch replaces one not yet written. Writes only
// what changed since the last successful write in this leadership term;
// Events go to the StatusWriter every time, whose EventDedupe is the one
// de-duplication (bounded, with a window).

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/status/status_writer.h"

namespace archway::controller::status {

struct StatusBatch {
  std::vector<RouteStatus> routes;
  std::map<ObjectKey, std::vector<std::string>> ingress_addresses;
  std::vector<EventSpec> events;
  // Objects whose current generation a proxy ACKed and whose last-good
  // annotation lags; each one written also gets the Normal `Programmed`
  // Event (once per generation, whichever replica leads).
  std::vector<LastGoodAnnotation> last_good;
};

class StatusPublisher {
 public:
  explicit StatusPublisher(StatusWriter& writer);  // writer outlives this
  ~StatusPublisher();
  StatusPublisher(const StatusPublisher&) = delete;
  StatusPublisher& operator=(const StatusPublisher&) = delete;

  void publish(StatusBatch batch);
  // A new leadership term: forget what was written (another replica may have
  // written since) so everything is compared against the API server again.
  void reset();

 private:
  void loop();
  void write(const StatusBatch& batch);
  void emit(const EventSpec& event);

  StatusWriter& writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stop_ = false;
  bool reset_ = false;
  StatusBatch next_;
  // Only the writer thread touches these.
  std::map<ObjectKey, std::string> written_routes_;  // key → serialized conditions
  std::map<ObjectKey, std::vector<std::string>> written_ingresses_;
  std::thread thread_;
};

}  // namespace archway::controller::status

#pragma once
// What a worker needs of every client connection it tracks (for drain and
// for the connections gauge). Worker-thread only.

namespace archway::client {

class Connection {
 public:
  virtual ~Connection() = default;
  // Stop taking new requests: h1 answers the current one with
  // "Connection: close" (or closes if idle); h2 sends GOAWAY and closes once
  // its streams finish.
  virtual void drain() = 0;
  // Drain timeout passed: close now.
  virtual void close_now() = 0;
};

}  // namespace archway::client

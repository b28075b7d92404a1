#include "proxy/redis/client.h"

#include <charconv>

#include "proxy/redis/slot.h"

namespace archway::redis {

bool parse_redirection(std::string_view error, std::string_view kind, uint16_t& slot,
                       NodeAddress& to) {
  if (error.substr(0, kind.size() + 1) != std::string(kind) + " ") return false;
  error.remove_prefix(kind.size() + 1);
  const size_t space = error.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view slot_text = error.substr(0, space);
  const std::string_view address = error.substr(space + 1);
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  unsigned slot_value = 0;
  unsigned port = 0;
  const auto s = std::from_chars(slot_text.data(), slot_text.data() + slot_text.size(), slot_value);
  const std::string_view port_text = address.substr(colon + 1);
  const auto p = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (s.ec != std::errc() || s.ptr != slot_text.data() + slot_text.size() || slot_value >= kSlots ||
      p.ec != std::errc() || p.ptr != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return false;
  }
  slot = static_cast<uint16_t>(slot_value);
  to = NodeAddress{std::string(address.substr(0, colon)), static_cast<uint16_t>(port)};
  return true;
}

Client::Client(boost::asio::io_context& io, ClientOptions options)
    : io_(io), options_(std::move(options)) {}

std::shared_ptr<Connection> Client::node(const NodeAddress& address) {
  auto& conn = nodes_[address];
  if (!conn) {
    ConnectionOptions o = options_.connection;
    o.host = address.host;
    o.port = address.port;
    conn = Connection::create(io_, std::move(o));
  }
  return conn;
}

const NodeAddress& Client::owner(uint16_t slot) const {
  if (!slot_owner_.empty() && !slot_owner_[slot].host.empty()) return slot_owner_[slot];
  return options_.seeds.front();
}

void Client::send(std::string_view key, std::vector<std::string> args, Callback done) {
  const uint16_t slot = options_.cluster ? key_slot(key) : 0;
  if (options_.cluster && slot_owner_.empty()) refresh_slots();
  attempt(slot, owner(slot), false, std::make_shared<std::vector<std::string>>(std::move(args)),
          std::move(done), 0);
}

void Client::attempt(uint16_t slot, const NodeAddress& target, bool asking,
                     std::shared_ptr<std::vector<std::string>> args, Callback done, int redirects) {
  auto conn = node(target);
  // ASK: this one command goes to the importing node, announced by ASKING
  // on the same connection (its +OK is answered to nobody).
  if (asking) conn->send({"ASKING"}, [](Result<Reply>) {});
  conn->send(*args, [this, slot, args, done = std::move(done), redirects](Result<Reply> r) mutable {
    if (!options_.cluster) return done(std::move(r));
    if (!r.ok()) {
      refresh_slots();  // a node down: the cluster may have failed over
      return done(std::move(r));
    }
    uint16_t moved_slot = 0;
    NodeAddress to;
    const bool moved = r->is_error() && parse_redirection(r->text, "MOVED", moved_slot, to);
    const bool ask = !moved && r->is_error() && parse_redirection(r->text, "ASK", moved_slot, to);
    if ((!moved && !ask) || redirects >= kMaxRedirections) return done(std::move(r));
    ++redirections_;
    if (moved) {
      if (slot_owner_.empty()) slot_owner_.resize(kSlots);
      slot_owner_[moved_slot] = to;
      refresh_slots();
    }
    attempt(slot, to, ask, std::move(args), std::move(done), redirects + 1);
  });
}

void Client::refresh_slots() {
  if (refreshing_) return;
  refreshing_ = true;
  // Seeds in turn: a seed that is down does not stop the map from being
  // learnt from the others.
  const NodeAddress& seed = options_.seeds[next_seed_++ % options_.seeds.size()];
  node(seed)->send({"CLUSTER", "SLOTS"}, [this](Result<Reply> r) {
    refreshing_ = false;
    if (!r.ok() || r->type != Reply::Type::kArray) return;
    std::vector<NodeAddress> owners(kSlots);
    for (const Reply& range : r->elements) {
      // [start, end, [host, port, id...], replicas...]
      if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) continue;
      const int64_t start = range.elements[0].integer;
      const int64_t end = range.elements[1].integer;
      const Reply& primary = range.elements[2];
      if (start < 0 || end >= kSlots || start > end) continue;
      const NodeAddress address{primary.elements[0].text,
                                static_cast<uint16_t>(primary.elements[1].integer)};
      for (int64_t s = start; s <= end; ++s) owners[static_cast<size_t>(s)] = address;
    }
    slot_owner_ = std::move(owners);
  });
}

}  // namespace archway::redis

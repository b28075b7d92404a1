#include "proxy/config/snapshot_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

Error os_error(const std::string& what, const std::string& path) {
  return Error{Error::Code::kUnavailable, path, what + ": " + std::strerror(errno)};
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

SnapshotStore::SnapshotStore(std::string state_dir)
    : dir_(std::move(state_dir)), path_(dir_ + "/snapshot.json") {}

Result<void> SnapshotStore::save(const Snapshot& snapshot) const {
  return save_canonical(to_json(snapshot));
}

Result<void> SnapshotStore::save_canonical(const std::string& data) const {
  const std::string temp = path_ + ".tmp";
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return os_error("open", temp);
  if (!write_all(fd.get(), data)) {
    const Error error = os_error("write", temp);
    ::unlink(temp.c_str());
    return error;
  }
  if (::fsync(fd.get()) != 0 || !fd.close()) {
    const Error error = os_error("fsync", temp);
    ::unlink(temp.c_str());
    return error;
  }
  if (::rename(temp.c_str(), path_.c_str()) != 0) {
    const Error error = os_error("rename", path_);
    ::unlink(temp.c_str());
    return error;
  }
  // The rename is durable only once the directory entry is.
  UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return os_error("open", dir_);
  if (::fsync(dir.get()) != 0) return os_error("fsync", dir_);
  return {};
}

Result<std::optional<ValidatedSnapshot>> SnapshotStore::load() const {
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<ValidatedSnapshot>();
    return os_error("open", path_);
  }
  std::string data;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("read", path_);
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  auto snapshot = parse_snapshot_json(data);
  if (!snapshot.ok()) {
    Error error = snapshot.error();
    error.message = path_ + ": " + error.to_string();
    error.field.clear();
    return error;
  }
  return std::optional<ValidatedSnapshot>(std::move(snapshot).value());
}

}  // namespace archway::config

#pragma once
// Persists the last accepted snapshot so the proxy can restart without the
// controller (DESIGN.md §1). One file, <state_dir>/snapshot.json, in to_json's
// canonical form.
//
// save() is atomic: write a temporary file in the same directory, fsync it,
// rename it over the old one, fsync the directory. A crash at any point leaves
// either the old or the new snapshot, never a torn one. Not safe for two
// processes saving into one directory at once (one proxy owns its state dir).

#include <optional>
#include <string>

#include "common/result.h"
#include "proxy/config/snapshot.h"
#include "proxy/config/validated_snapshot.h"

namespace archway::config {

class SnapshotStore {
 public:
  explicit SnapshotStore(std::string state_dir);

  // Errors: kUnavailable with errno text when the file system refuses.
  [[nodiscard]] Result<void> save(const Snapshot& snapshot) const;
  // The same with to_json(snapshot) already made (the server hashes the
  // same text: at 10k hosts one serialisation is most of a second).
  [[nodiscard]] Result<void> save_canonical(const std::string& canonical) const;
  // nullopt when nothing was saved yet; an error when the file exists but
  // cannot be read or no longer parses (e.g. a schema change): the caller
  // logs it and waits for the controller.
  [[nodiscard]] Result<std::optional<ValidatedSnapshot>> load() const;

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace archway::config

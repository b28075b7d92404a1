#pragma once
// Redis Cluster's key → hash slot mapping (CRC16/XMODEM of the key, or of
// its `{hash tag}`, modulo 16384), as the cluster specification defines it.

#include <cstdint>
#include <string_view>

namespace archway::redis {

inline constexpr uint16_t kSlots = 16384;

[[nodiscard]] uint16_t key_slot(std::string_view key);

}  // namespace archway::redis

#include "proxy/redis/slot.h"

namespace archway::redis {
namespace {

// CRC16/XMODEM (polynomial 0x1021, initial 0), bit by bit: keys are short
// and a call is made per Redis command, not per request, so a table buys
// nothing worth its 512 bytes.
uint16_t crc16(std::string_view data) {
  uint16_t crc = 0;
  for (const char c : data) {
    crc ^= static_cast<uint16_t>(static_cast<uint8_t>(c)) << 8;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

}  // namespace

uint16_t key_slot(std::string_view key) {
  // Only the part between the first '{' and the next '}' counts, when that
  // part is not empty.
  if (const size_t open = key.find('{'); open != std::string_view::npos) {
    const size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) % kSlots;
}

}  // namespace archway::redis

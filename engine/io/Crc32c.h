#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), hand-written (table driven), as TFRecord
// framing uses it. crc32c("123456789") == 0xE3069283.
#include <cstddef>
#include <cstdint>

namespace tessel {

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0);
// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
std::uint32_t maskedCrc32c(const void* data, std::size_t size);

}  // namespace tessel

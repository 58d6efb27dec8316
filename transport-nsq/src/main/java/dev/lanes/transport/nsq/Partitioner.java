package dev.lanes.transport.nsq;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Picks a message's partition of a partitioned topic from its {@code deliverBy} key: CRC32 (the
 * IEEE polynomial of zlib, Go's {@code hash/crc32.ChecksumIEEE}, Python's {@code zlib.crc32}) of
 * the key's UTF-8 bytes, as an unsigned number, mod the partition count; a message without a key
 * goes to partition 0. Any publisher can compute the same. Stateless.
 */
final class Partitioner {

  private Partitioner() {}

  /** The partition of {@code key} among {@code partitions}; 0 for a null key. */
  static int partition(String key, int partitions) {
    if (key == null) {
      return 0;
    }
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % partitions);
  }
}

package dev.lanes.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LaneRouterTest {

  @Test
  void routesIntegerKeysModuloLaneCount() {
    assertThat(LaneRouter.laneOf(35432L, 10)).isEqualTo(2);
    assertThat(LaneRouter.laneOf(0L, 10)).isZero();
    assertThat(LaneRouter.laneOf(9L, 10)).isEqualTo(9);
    assertThat(LaneRouter.laneOf(10L, 10)).isZero();
    assertThat(LaneRouter.laneOf(35432L, 7)).isEqualTo(35432 % 7);
    assertThat(LaneRouter.laneOf(Long.MAX_VALUE, 10)).isEqualTo(7);
    assertThat(LaneRouter.laneOf(123L, 1)).isZero();
  }

  @Test
  void routesNegativeIntegersWithFloorMod() {
    assertThat(LaneRouter.laneOf(-3L, 10)).isEqualTo(7);
    assertThat(LaneRouter.laneOf(-1L, 10)).isEqualTo(9);
    assertThat(LaneRouter.laneOf(-10L, 10)).isZero();
    assertThat(LaneRouter.laneOf(-35432L, 10)).isEqualTo(8);
    assertThat(LaneRouter.laneOf(Long.MIN_VALUE, 10)).isEqualTo(2);
  }

  @Test
  void routesAStringKeyToTheSameLaneEveryTime() {
    for (String key : new String[] {"account-1", "", "ÄÖÜ", UUID.randomUUID().toString()}) {
      int first = LaneRouter.laneOf(key, 10);
      for (int i = 0; i < 100; i++) {
        assertThat(LaneRouter.laneOf(new String(key.toCharArray()), 10)).isEqualTo(first);
      }
    }
  }

  @Test
  void hashesStringKeysIdenticallyInEveryProcess() {
    // String.hashCode is fixed by the language spec and the spreader is fixed code, so these
    // lanes must never change between runs, JVMs or releases (it would reorder keys on upgrade)
    assertThat(LaneRouter.laneOf("account-1", 10)).isEqualTo(5);
    assertThat(LaneRouter.laneOf("order-42", 16)).isEqualTo(7);
  }

  @Test
  void spreadsStringKeysEvenlyOverTheLanes() {
    int lanes = 10;
    int keys = 10_000;
    int[] counts = new int[lanes];
    for (int i = 0; i < keys; i++) {
      counts[LaneRouter.laneOf("order-" + i, lanes)]++;
    }
    for (int count : counts) {
      assertThat(count).isBetween(keys / lanes * 8 / 10, keys / lanes * 12 / 10);
    }
  }

  @Test
  void spreadsSequentialStringKeysEvenOverAPowerOfTwo() {
    // plain hashCode % 8 would send "a0".."a7" into a pattern; the spreader must break it
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 64; i++) {
      used.add(LaneRouter.laneOf("k" + i, 8));
    }
    assertThat(used).hasSize(8);
  }

  @Test
  void keepsEveryLaneInRange() {
    for (int i = 0; i < 2_000; i++) {
      String key = UUID.randomUUID().toString();
      assertThat(LaneRouter.laneOf(key, 7)).isBetween(0, 6);
    }
  }
}

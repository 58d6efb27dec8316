package dev.lanes.bench;

import java.nio.charset.StandardCharsets;

/**
 * The messages of the backlog: message {@code i} belongs to key {@code i mod keys} and is that
 * key's number {@code i / keys}, as the JSON {@code {"k":<key>,"s":<seq>,"p":"xx…"}} padded to
 * {@code size} bytes. Lanes routes on {@code k} ({@code deliverBy = k}: lane {@code k mod
 * consumerNum}, so the lanes fill evenly); the handler reads {@code k} and {@code s} back.
 */
record Payloads(int keys, int size) {

  private static final String PAD = "x".repeat(4096);

  int key(long i) {
    return (int) (i % keys);
  }

  long seq(long i) {
    return i / keys;
  }

  String text(long i) {
    String head = "{\"k\":" + key(i) + ",\"s\":" + seq(i) + ",\"p\":\"";
    int pad = Math.max(0, size - head.length() - 2);
    return head + PAD.substring(0, Math.min(pad, PAD.length())) + "\"}";
  }

  byte[] bytes(long i) {
    return text(i).getBytes(StandardCharsets.US_ASCII);
  }

  /** The key of a payload made by {@link #text}. */
  static int keyOf(String payload) {
    int start = payload.indexOf("\"k\":") + 4;
    return Integer.parseInt(payload, start, payload.indexOf(',', start), 10);
  }

  /** The sequence number of a payload made by {@link #text}. */
  static long seqOf(String payload) {
    int start = payload.indexOf("\"s\":") + 4;
    return Long.parseLong(payload, start, payload.indexOf(',', start), 10);
  }
}

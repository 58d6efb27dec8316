package dev.lanes.runner.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The secret a publish request must present as {@code Authorization: Bearer <token>}. Only its
 * SHA-256 digest is kept; {@link #matches} compares digests with {@link MessageDigest#isEqual}, in
 * time that does not depend on where a wrong token differs (nor on its length, as digests have
 * one). {@link #toString()} never shows the token, so a settings record holding one can be logged.
 */
public final class BearerToken {

  private final byte[] digest;

  BearerToken(String token) {
    this.digest = sha256(token);
  }

  boolean matches(String presented) {
    return MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BearerToken other && MessageDigest.isEqual(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "BearerToken[***]";
  }
}

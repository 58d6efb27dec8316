package dev.lanes.transport.local;

/**
 * Header names the local transport's publisher reads to schedule a message. They are instructions
 * to the store, not message data: the publisher removes them before storing, so a handler never
 * sees them. Give at most one of the two; a message without either is deliverable at once.
 */
public final class LocalHeaders {

  /**
   * Do not deliver before this moment: epoch seconds ({@code 1767225600}, fractions allowed: {@code
   * 1767225600.250}) or an ISO-8601 instant with a zone or offset ({@code 2026-01-01T00:00:00Z},
   * {@code 2026-01-01T01:00:00+01:00}). A moment in the past means now.
   */
  public static final String DELIVER_AT = "deliverAt";

  /**
   * Do not deliver before this long after publishing: a HOCON duration with a unit ({@code 5s},
   * {@code 500ms}, {@code 2 minutes}) or an ISO-8601 duration ({@code PT5S}). Never negative.
   */
  public static final String DELAY = "delay";

  private LocalHeaders() {}
}

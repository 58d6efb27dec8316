package dev.lanes.transport.nsq;

import com.sproutsocial.nsq.Client;
import java.nio.charset.StandardCharsets;

/**
 * The secret Lanes sends with nsqd's {@code AUTH} command ({@code nsq.authSecret}), when nsqd asks
 * for one (it runs with {@code --auth-http-address}). Its text appears in no {@link #toString()},
 * so in no log line, status or error that prints the settings. Immutable.
 */
public final class AuthSecret {

  /** No secret: nsqd that requires AUTH refuses this client. */
  public static final AuthSecret NONE = new AuthSecret("");

  private final String value;

  private AuthSecret(String value) {
    this.value = value;
  }

  /** The secret {@code value}, or {@link #NONE} when it is empty. */
  public static AuthSecret of(String value) {
    return value.isEmpty() ? NONE : new AuthSecret(value);
  }

  /** Whether a secret was given. */
  public boolean isSet() {
    return !value.isEmpty();
  }

  /** Gives the secret to {@code client}, which sends it when nsqd's IDENTIFY answer asks. */
  void applyTo(Client client) {
    if (isSet()) {
      client.setAuthSecret(value.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** {@code ***} when set, {@code none} otherwise; never the secret. */
  @Override
  public String toString() {
    return isSet() ? "***" : "none";
  }
}

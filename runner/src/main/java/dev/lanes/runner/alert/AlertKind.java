package dev.lanes.runner.alert;

/** What an alert record is about; {@link #id()} is its {@code "kind"} field. */
public enum AlertKind {
  /** One handler call ran longer than {@code alerts.slowHandler}. */
  SLOW_HANDLER("slow_handler"),
  /** A message failed on its last allowed attempt and went to the dead letter destination. */
  HANDLER_FAILED("handler_failed"),
  /** Work was waiting but no handler call finished for {@code alerts.stall}. */
  STALLED("stalled"),
  /** The broker's backlog stayed above {@code alerts.backlog} for {@code alerts.backlogFor}. */
  BACKLOG("backlog"),
  /** The task failed, or its stop left work unacked. */
  ABNORMAL_STOP("abnormal_stop"),
  /** The circuit breaker opened: the handler failed at {@code breaker.failureRate} or more. */
  CIRCUIT_OPEN("circuit_open"),
  /** The task's source was disconnected from its broker for {@code alerts.brokerUnreachable}. */
  BROKER_UNREACHABLE("broker_unreachable");

  private final String id;

  AlertKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }
}

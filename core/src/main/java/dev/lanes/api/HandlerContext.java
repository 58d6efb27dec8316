package dev.lanes.api;

import com.typesafe.config.Config;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What a {@link MessageHandler} learns about the task that runs it, given to {@link
 * MessageHandler#open}.
 *
 * <p>Thread-safe; may be kept and used from any thread for the life of the handler.
 */
public interface HandlerContext {

  /** The task's name, e.g. {@code my_business}. */
  String taskName();

  /** The number of lanes ({@code consumerNum}) the task runs with right now. */
  int laneCount();

  /**
   * The lane index ({@code 0..laneCount-1}) of the calling thread, or {@code -1} when called from a
   * thread that is not a lane of this task. Under {@code routing = key} the lanes share one queue,
   * so a key's messages may run on a different lane each time; under {@code routing = lane} a key
   * stays on one lane until {@code consumerNum} changes.
   */
  int currentLane();

  /**
   * The task's resolved configuration (task section over {@code system} over defaults), for
   * handler-specific keys such as {@code record.file}.
   */
  Config config();

  /** The registry the task reports to; handlers may register their own meters here. */
  MeterRegistry meterRegistry();
}

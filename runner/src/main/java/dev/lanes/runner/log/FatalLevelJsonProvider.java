package dev.lanes.runner.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.composite.JsonWritingUtils;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import org.slf4j.Marker;

/**
 * Writes the {@code level} field as logstash's provider does, except that a record carrying the
 * {@code FATAL} marker (SLF4J has no FATAL level; alerts are ERROR records with that marker) is
 * written {@code "level":"FATAL"}.
 */
public final class FatalLevelJsonProvider extends LogLevelJsonProvider {

  static final String FATAL = "FATAL";

  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    if (isFatal(event)) {
      JsonWritingUtils.writeStringField(generator, getFieldName(), FATAL);
    } else {
      super.writeTo(generator, event);
    }
  }

  static boolean isFatal(ILoggingEvent event) {
    if (event.getMarkerList() == null) {
      return false;
    }
    for (Marker marker : event.getMarkerList()) {
      if (marker.contains(FATAL)) {
        return true;
      }
    }
    return false;
  }
}

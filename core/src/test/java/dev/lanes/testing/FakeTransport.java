package dev.lanes.testing;

import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;
import java.util.function.Function;

/** A transport whose {@link #openSource} returns what the test gives it (or throws). */
public final class FakeTransport implements Transport {

  private final Function<TaskConfig, Source> sources;

  public FakeTransport(Function<TaskConfig, Source> sources) {
    this.sources = sources;
  }

  public static FakeTransport of(Source source) {
    return new FakeTransport(task -> source);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Source openSource(TransportContext context) {
    return sources.apply(context.task());
  }

  @Override
  public Publisher openPublisher(TransportContext context) {
    throw new UnsupportedOperationException("the fake transport does not publish");
  }
}

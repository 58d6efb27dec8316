package dev.lanes.runtime;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds {@link Transport} implementations with {@link ServiceLoader}. */
public final class Transports {

  private Transports() {}

  /**
   * The transport named {@code name} on the class path of {@code loader}.
   *
   * @throws ReadyFailedException listing the available transports when there is none by that name
   */
  public static Transport load(String name, ClassLoader loader) {
    List<Transport> all = all(loader);
    for (Transport transport : all) {
      if (transport.name().equals(name)) {
        return transport;
      }
    }
    TreeSet<String> names = new TreeSet<>();
    all.forEach(t -> names.add(t.name()));
    throw new ReadyFailedException(
        "unknown transport '" + name + "'; available: " + String.join(", ", names));
  }

  /** The transport named {@code name} on this class's class path. */
  public static Transport load(String name) {
    return load(name, Transports.class.getClassLoader());
  }

  private static List<Transport> all(ClassLoader loader) {
    List<Transport> all = new ArrayList<>();
    ServiceLoader.load(Transport.class, loader).forEach(all::add);
    return all;
  }
}

package dev.lanes.runner.service;

import com.typesafe.config.Config;
import dev.lanes.api.Message;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes the messages of a task's {@code seed.generator} to the task's own destination, for
 * demos and load tests.
 */
final class Seeder {

  private static final int BATCH = 500;

  private Seeder() {}

  /** Publishes the seed, if the task has one; returns how many messages were published. */
  static long seed(TaskConfig task, Transport transport, ClassLoader loader) {
    Config seed = task.section("seed");
    String generator = seed.getString("generator");
    if (generator.isBlank()) {
      return 0;
    }
    Iterable<Message> messages = generator(task, generator, seed, loader);
    long published = 0;
    try (Publisher publisher = transport.openPublisher(task)) {
      List<Message> batch = new ArrayList<>(BATCH);
      for (Message message : messages) {
        batch.add(message);
        if (batch.size() == BATCH) {
          publisher.publishAll(batch);
          published += batch.size();
          batch.clear();
        }
      }
      publisher.publishAll(batch);
      published += batch.size();
    } catch (ReadyFailedException e) {
      throw e;
    } catch (Exception e) {
      throw new ReadyFailedException(
          "task '"
              + task.name()
              + "': publishing the seed failed after "
              + published
              + " messages: "
              + e,
          e);
    }
    return published;
  }

  @SuppressWarnings("unchecked")
  private static Iterable<Message> generator(
      TaskConfig task, String name, Config seed, ClassLoader loader) {
    try {
      Object instance =
          Class.forName(name, true, loader).getConstructor(Config.class).newInstance(seed);
      if (!(instance instanceof Iterable<?>)) {
        throw task.invalid("seed.generator", "a class implementing Iterable<Message>", null);
      }
      return (Iterable<Message>) instance;
    } catch (ReflectiveOperationException | LinkageError e) {
      throw task.invalid(
          "seed.generator",
          "a class with a public constructor taking the seed Config",
          new Exception(e.toString(), e));
    }
  }
}

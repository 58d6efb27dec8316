package dev.lanes.runner.publish;

import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.ExitCodes;
import dev.lanes.runner.JsonLines;
import dev.lanes.runner.publish.PublishRequests.BadRequest;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.StorageFullException;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code runner publish --task T [--at TIME] < messages.jsonl}: publishes one message per line of
 * standard input to the task's own destination, each line a JSON object as for {@code POST
 * /tasks/{task}/messages}. Every line is checked before anything is published; on the local
 * transport the whole input is stored in one transaction, all or nothing.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description =
        "Publishes JSON lines from standard input to a task's destination; prints each id.")
public final class PublishCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--task",
      required = true,
      description = "The task whose destination gets the messages.")
  String task;

  @Option(
      names = "--config",
      defaultValue = "conf/application.conf",
      description = "The task file (HOCON). Default: ${DEFAULT-VALUE}.")
  File config;

  @Option(names = "--transport", description = "Overrides the task file's transport.")
  String transport;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      description =
          "Deliver no earlier than TIME (epoch seconds or ISO-8601, e.g. 2026-12-24T18:00:00Z) "
              + "every line that has no deliverAt of its own. Local transport only.")
  String at;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TaskConfig taskConfig =
        TaskConfigLoader.load(
            TaskConfigLoader.parseFile(config), config.getPath(), task, transport);
    Transport chosen =
        Transports.load(taskConfig.transport(), PublishCommand.class.getClassLoader());
    List<Message> messages;
    try {
      messages = readLines();
    } catch (BadRequest e) {
      err.println("runner: publish: " + e.getMessage() + "; nothing was published");
      return ExitCodes.READY_FAILED;
    }
    List<String> ids;
    try (Publisher publisher = chosen.openPublisher(taskConfig)) {
      ids = SchedulingCheck.publish(publisher, taskConfig.transport(), messages);
    } catch (BadRequest e) {
      err.println("runner: publish: " + e.getMessage() + "; nothing was published");
      return ExitCodes.READY_FAILED;
    } catch (StorageFullException e) {
      err.println("runner: publish: " + e.getMessage());
      return ExitCodes.FAILED;
    }
    ids.forEach(out::println);
    out.flush();
    err.println(task + ": published " + ids.size() + " messages to " + chosen.name());
    err.flush();
    return ExitCodes.OK;
  }

  private List<Message> readLines() throws IOException, BadRequest {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<Message> messages =
        JsonLines.read(
            in, (line, number) -> scheduled(PublishRequests.parseLine(line, "line " + number)));
    if (messages.isEmpty()) {
      throw new BadRequest("standard input has no messages (one JSON object per line)");
    }
    return messages;
  }

  /** {@code message} with {@code --at} as its due time, unless it names one itself. */
  private Message scheduled(Message message) {
    if (at == null || message.headers().containsKey(PublishRequests.DELIVER_AT)) {
      return message;
    }
    Map<String, String> headers = new HashMap<>(message.headers());
    headers.put(PublishRequests.DELIVER_AT, at);
    return message.toBuilder().headers(headers).build();
  }
}

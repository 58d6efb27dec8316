package dev.lanes.runner.service;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.lang.reflect.InvocationTargetException;

/** Instantiates a task's {@link MessageHandler} by class name. */
final class HandlerLoader {

  private HandlerLoader() {}

  /** @throws ReadyFailedException naming the task and class when it cannot be instantiated */
  static MessageHandler load(TaskConfig task, ClassLoader loader) {
    String name = task.handler();
    if (name.isBlank()) {
      throw new ReadyFailedException(task.origin() + ": task '" + task.name()
          + "': handler: expected the class name of a dev.lanes.api.MessageHandler");
    }
    Class<?> type;
    try {
      type = Class.forName(name, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ReadyFailedException(task.origin() + ": task '" + task.name()
          + "': handler class not found: " + name + " (is its jar on the class path?)", e);
    }
    if (!MessageHandler.class.isAssignableFrom(type)) {
      throw new ReadyFailedException(task.origin() + ": task '" + task.name() + "': handler "
          + name + " does not implement dev.lanes.api.MessageHandler");
    }
    try {
      return (MessageHandler) type.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new ReadyFailedException(task.origin() + ": task '" + task.name() + "': handler "
          + name + " needs a public no-argument constructor", e);
    } catch (InvocationTargetException e) {
      throw new ReadyFailedException(task.origin() + ": task '" + task.name() + "': handler "
          + name + " constructor failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new ReadyFailedException(task.origin() + ": task '" + task.name()
          + "': cannot instantiate handler " + name + ": " + e, e);
    }
  }
}

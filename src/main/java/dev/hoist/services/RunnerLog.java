package dev.hoist.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.node.Trace;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The data runner's stderr, line by line: JSON events ({@code progress}, {@code warning}, the final
 * {@code result}) go to a listener or are kept, its {@code mark}s (the stages it reached) to {@link
 * Trace}; other lines (sudo, a traceback, ssh) are kept to explain a failure that came without a
 * result.
 */
public final class RunnerLog implements Consumer<String> {
  /** What the runner reports while it works. */
  public interface Listener {
    /** {@code {"event": "progress", "part", "bytes"}}. */
    default void progress(String part, long bytes) {}

    /** {@code {"event": "warning", "message"}}. */
    default void warning(String message) {}
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEPT_LINES = 10;
  private static final int LINE_MAX = 500;

  private final String node;
  private final Listener listener;
  private final Deque<String> other = new ArrayDeque<>();
  private volatile JsonNode result;

  public RunnerLog(String node, Listener listener) {
    this.node = node;
    this.listener = listener;
  }

  @Override
  public void accept(String line) {
    JsonNode event = parse(line);
    if (event == null) {
      synchronized (other) {
        other.addLast(line.length() > LINE_MAX ? line.substring(0, LINE_MAX) + "…" : line);
        if (other.size() > KEPT_LINES) {
          other.removeFirst();
        }
      }
      return;
    }
    switch (event.path("event").asText()) {
      case "progress" ->
          listener.progress(event.path("part").asText(""), event.path("bytes").asLong());
      case "warning" -> listener.warning(event.path("message").asText(event.toString()));
      case "result" -> result = event;
      case "mark" ->
          Trace.mark(
              node
                  + " runner "
                  + event.path("ms").asLong()
                  + " ms: "
                  + event.path("what").asText());
      default -> {
        // Events a newer runner may add: not needed to follow the work.
      }
    }
  }

  private static JsonNode parse(String line) {
    if (!line.startsWith("{")) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.isObject() && node.has("event") ? node : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** The runner's result line, if it wrote one. */
  public Optional<JsonNode> result() {
    return Optional.ofNullable(result);
  }

  /** Whether the runner said it worked. */
  public boolean ok() {
    return result != null && result.path("ok").asBoolean(false);
  }

  /**
   * Why the runner failed, for the user: its own error, else its last other lines, else its exit.
   */
  public String error(int exit) {
    if (result != null && result.hasNonNull("error")) {
      return node + ": " + result.get("error").asText();
    }
    if (exit == 127) {
      return node
          + ": "
          + DataRunner.PATH
          + " is not installed there; deploy the app with 'services:' in hoist.yml first";
    }
    synchronized (other) {
      if (!other.isEmpty()) {
        return node + ": hoist-data exited " + exit + ": " + String.join(" | ", other);
      }
    }
    return node + ": hoist-data exited " + exit + " without a result";
  }
}

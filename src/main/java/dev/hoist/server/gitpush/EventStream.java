package dev.hoist.server.gitpush;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html): {@code
 * field: value} lines, data lines joined, a blank line ends an event, {@code :} lines are comments.
 */
final class EventStream implements AutoCloseable {
  record Event(String id, String name, String data) {}

  private final BufferedReader in;

  EventStream(InputStream in) {
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /** The next event; empty when the stream ends. */
  Optional<Event> next() throws IOException {
    String id = null;
    String name = "message";
    StringBuilder data = null;
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          return Optional.of(new Event(id, name, data.toString()));
        }
        id = null;
        name = "message";
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> id = value;
        case "event" -> name = value;
        case "data" ->
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> {
          // retry and unknown fields: nothing to do for a client that reconnects itself
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}

package dev.hoist.server.gitpush;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventStreamTest {
  @Test
  void readsEventsAsTheSpecSays() throws Exception {
    String text =
        ": a comment\n\nid: 1\nevent: line\ndata: {\"seq\":1}\n\n"
            + "data:first\ndata: second\r\n\r\n"
            + "retry: 100\n\n"
            + "id: 3\nevent: end\ndata: {}\n";
    try (EventStream events =
        new EventStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
      assertThat(events.next()).contains(new EventStream.Event("1", "line", "{\"seq\":1}"));
      assertThat(events.next()).contains(new EventStream.Event(null, "message", "first\nsecond"));
      // The last event has no blank line after it: a stream cut there loses it, as in browsers.
      assertThat(events.next()).isEmpty();
    }
  }
}

package dev.hoist.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** LocalNode.stream: bytes both ways with back-pressure, stderr lines, exit codes, cancel. */
class LocalNodeStreamTest {
  final LocalNode node = new LocalNode();
  final List<String> errors = new CopyOnWriteArrayList<>();

  @Test
  void streamsManyMegabytesThroughAndBack() throws Exception {
    byte[] data = new byte[12 * 1024 * 1024];
    new Random(7).nextBytes(data);
    try (StreamingCommand cat = node.stream(List.of("cat"), errors::add)) {
      // A writer thread, as a caller streaming a file in while reading the output does.
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (OutputStream in = cat.stdin()) {
                      in.write(data);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  });
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      cat.stdout().transferTo(out);
      writer.join();
      assertThat(cat.waitFor()).isZero();
      assertThat(out.toByteArray()).isEqualTo(data);
    }
  }

  @Test
  void stderrLinesArriveAndTheExitCodeComesBack() throws Exception {
    try (StreamingCommand c =
        node.stream(
            List.of("sh", "-c", "echo '{\"event\": \"progress\"}' >&2; echo second >&2; exit 3"),
            errors::add)) {
      c.stdin().close();
      c.stdout().readAllBytes();
      assertThat(c.waitFor()).isEqualTo(3);
    }
    assertThat(errors).containsExactly("{\"event\": \"progress\"}", "second");
  }

  @Test
  void cancelSendsSigtermAndTheCommandStillReports() throws Exception {
    try (StreamingCommand c =
        node.stream(
            List.of(
                "sh",
                "-c",
                "trap 'echo stopped >&2; exit 1' TERM; echo ready >&2; while :; do sleep 0.05; done"),
            errors::add)) {
      long until = System.nanoTime() + 5_000_000_000L;
      while (errors.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      c.cancel();
      c.stdout().readAllBytes();
      assertThat(c.waitFor()).isEqualTo(1);
    }
    assertThat(errors).containsExactly("ready", "stopped");
  }

  @Test
  void aCommandWithoutATrapReportsTheSignal() throws Exception {
    try (StreamingCommand c = node.stream(List.of("sleep", "30"), errors::add)) {
      c.cancel();
      assertThat(c.waitFor()).isEqualTo(128 + 15);
    }
  }
}

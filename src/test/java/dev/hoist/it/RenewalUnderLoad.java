package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A forced certificate renewal while curl (a real TLS client, 8 requests in flight over HTTP/2)
 * sends a bounded number of HTTPS requests: asserts the renewal happened during the load and that
 * every request got a 200.
 */
final class RenewalUnderLoad {
  private RenewalUnderLoad() {}

  /** {@code renew}: runs the node's runner with --force and returns what it printed. */
  static void check(
      Path tmp,
      String domain,
      String address,
      Path root,
      int requests,
      Callable<Hoist.Result> renew)
      throws Exception {
    Path out = tmp.resolve("load.txt");
    Path err = tmp.resolve("load-errors.txt");
    // HTTP/2, as browsers speak it: nginx's graceful reload sends GOAWAY and curl moves on. Over
    // HTTP/1.1 the reload closes idle keep-alive connections, which curl 7.88 sometimes fails to
    // notice five times in a row (bench/README.md, "HTTPS"); h2load there sees no failed request.
    Process load =
        new ProcessBuilder(
                "curl",
                "-sS",
                "--http2",
                "-Z",
                "--parallel-max",
                "8",
                "--max-time",
                "120",
                "--resolve",
                domain + ":443:" + address,
                "--cacert",
                root.toString(),
                "-w",
                "\nSTATUS %{http_code}\n",
                "https://" + domain + "/?n=[1-" + requests + "]")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    Thread.sleep(1000);

    Hoist.Result renewed = renew.call();
    boolean stillRunning = load.isAlive();
    assertThat(load.waitFor(3, TimeUnit.MINUTES)).isTrue();

    assertThat(renewed.exit()).as(renewed.all()).isZero();
    assertThat(renewed.out()).contains("\"action\": \"renewed\"");
    assertThat(stillRunning).as("the load outlasted the renewal").isTrue();
    List<String> statuses =
        Files.readAllLines(out).stream().filter(l -> l.startsWith("STATUS ")).toList();
    assertThat(statuses).hasSize(requests);
    assertThat(statuses.stream().filter(s -> !s.equals("STATUS 200")).toList())
        .as(Files.readString(err))
        .isEmpty();
  }
}

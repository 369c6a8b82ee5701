package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.ops.Status;
import dev.hoist.tls.CertReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code hoist status --json}: the report's keys as before, plus the certificate, never a PEM. */
class StatusCommandTest {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final Console console =
      new Console(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false);

  static StatusCommand.NodeStatus status() {
    ObjectNode probe = new ObjectMapper().createObjectNode();
    probe.put("cert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    Status.Report r =
        new Status.Report(
            "web1",
            "hello",
            Optional.of("R1"),
            Optional.empty(),
            2,
            List.of(),
            List.of(
                new Status.Job(
                    "tidy",
                    "@daily",
                    Optional.of("2026-12-03T00:00:00Z"),
                    Optional.of("2026-12-03T00:00:02Z"),
                    Optional.of(0),
                    Optional.of(1.5),
                    Optional.of("ok"))),
            true,
            "HTTP 200",
            "http://hello.example.com/healthz",
            Optional.empty(),
            probe);
    CertReport cert =
        new CertReport(
            "web1",
            "your own file site.pem",
            Optional.of(
                new CertReport.Certificate(
                    List.of("hello.example.com"),
                    "R11",
                    "2026-11-01T00:00:00Z",
                    "2027-01-30T00:00:00Z",
                    58)),
            Optional.empty(),
            Optional.empty());
    return new StatusCommand.NodeStatus(r, Optional.of(cert));
  }

  JsonNode json() throws Exception {
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void oneNodeKeepsTheReportsKeysAndAddsTheCertificate() throws Exception {
    console.json(status());
    JsonNode j = json();
    assertThat(j.path("app").asText()).isEqualTo("hello");
    assertThat(j.path("release").asText()).isEqualTo("R1");
    assertThat(j.path("healthy").asBoolean()).isTrue();
    assertThat(j.path("certificate").path("certificate").path("daysLeft").asInt()).isEqualTo(58);
    assertThat(j.has("tls")).isFalse();
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("BEGIN");
    JsonNode job = j.path("jobs").get(0);
    assertThat(job.path("name").asText()).isEqualTo("tidy");
    assertThat(job.path("lastStart").asText()).isEqualTo("2026-12-03T00:00:00Z");
    assertThat(job.path("exit").asInt()).isZero();
    assertThat(job.path("durationSeconds").asDouble()).isEqualTo(1.5);
    assertThat(job.path("result").asText()).isEqualTo("ok");
  }

  @Test
  void aJobsLastRunIsOneLine() {
    Status.Job job = status().status().jobs().getFirst();
    assertThat(StatusCommand.lastRun(console, job))
        .isEqualTo("last run 2026-12-03T00:00:00Z: ok (exit 0, 1.5s)");
    assertThat(
            StatusCommand.lastRun(
                console,
                new Status.Job(
                    "x",
                    "@daily",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty())))
        .isEqualTo("not run yet");
  }

  @Test
  void withABalancerItsCertificateSitsBesideTheNodes() throws Exception {
    FleetResult<StatusCommand.NodeStatus> result =
        new FleetResult<>(
            List.of(NodeOutcome.of("web1", status(), Duration.ofMillis(10))),
            Duration.ofMillis(10));
    console.json(
        new StatusCommand.StatusJson(
            FleetView.json(result, StatusCommand.NodeStatus::healthy),
            Optional.of(new StatusCommand.BalancerJson("lb1", status().certificate())),
            Optional.empty()));
    JsonNode j = json();
    assertThat(j.path("ok").asBoolean()).isTrue();
    assertThat(j.path("nodes").get(0).path("result").path("app").asText()).isEqualTo("hello");
    assertThat(j.path("balancer").path("node").asText()).isEqualTo("lb1");
    assertThat(j.path("balancer").path("certificate").path("source").asText())
        .isEqualTo("your own file site.pem");
    assertThat(j.has("data")).as("no services: no data key").isFalse();
  }
}

package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared cases of cron-cases.json (the node runner's python tests read the same file). */
class CronScheduleTest {
  private static final JsonNode CASES = load();

  private static JsonNode load() {
    try (InputStream in =
        CronScheduleTest.class.getResourceAsStream("/dev/hoist/cron-cases.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<JsonNode> schedules() {
    List<JsonNode> all = new ArrayList<>();
    CASES.path("schedules").forEach(all::add);
    return all.stream();
  }

  static Stream<JsonNode> errors() {
    List<JsonNode> all = new ArrayList<>();
    CASES.path("errors").forEach(all::add);
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("schedules")
  void nextRunsAreTheCronOnes(JsonNode c) {
    CronSchedule schedule = CronSchedule.parse(c.path("schedule").asText());
    Instant t = Instant.parse(CASES.path("after").asText());
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < c.path("next").size(); i++) {
      t = schedule.next(t);
      runs.add(t.toString());
    }
    List<String> expected = new ArrayList<>();
    c.path("next").forEach(n -> expected.add(n.asText()));
    assertThat(runs).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("schedules")
  void periodIsTheLongestGap(JsonNode c) {
    assumeThat(c.has("period")).isTrue();
    assertThat(CronSchedule.parse(c.path("schedule").asText()).period())
        .isEqualTo(Duration.parse(c.path("period").asText()));
  }

  @ParameterizedTest
  @MethodSource("schedules")
  void onCalendarForms(JsonNode c) {
    List<String> expected = new ArrayList<>();
    c.path("on_calendar").forEach(n -> expected.add(n.asText()));
    assertThat(CronSchedule.parse(c.path("schedule").asText()).onCalendar()).isEqualTo(expected);
  }

  /**
   * systemd reads each form as written (its normalized form is ours) and its next elapses from now
   * are the cron ones (systemd 252 has no --base-time, so "now" it is; the times are printed in UTC
   * because the forms say UTC).
   */
  @ParameterizedTest
  @MethodSource("schedules")
  void systemdAgrees(JsonNode c) throws Exception {
    assumeThat(Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))).isTrue();
    CronSchedule schedule = CronSchedule.parse(c.path("schedule").asText());
    List<Instant> fromSystemd = new ArrayList<>();
    for (String form : schedule.onCalendar()) {
      String out = analyze(form, 4);
      assertThat(out).contains("Normalized form: " + form + "\n");
      out.lines()
          .map(String::strip)
          .filter(l -> l.startsWith("Next elapse:") || l.startsWith("Iter. #"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .forEach(l -> fromSystemd.add(utc(l)));
    }
    List<Instant> sorted = fromSystemd.stream().distinct().sorted().limit(4).toList();
    Instant t = sorted.getFirst().minusSeconds(30);
    List<Instant> ours = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      t = schedule.next(t);
      ours.add(t);
    }
    assertThat(ours).isEqualTo(sorted);
  }

  /** "Fri 2026-12-04 02:30:00 UTC" */
  private static Instant utc(String line) {
    String[] w = line.split(" ");
    return Instant.parse(w[1] + "T" + w[2] + "Z");
  }

  private static String analyze(String form, int iterations) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("systemd-analyze", "calendar", "--iterations=" + iterations, form)
            .redirectErrorStream(true);
    pb.environment().put("TZ", "UTC");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @ParameterizedTest
  @MethodSource("errors")
  void errorsPointAtTheField(JsonNode c) {
    assertThatThrownBy(() -> CronSchedule.parse(c.path("schedule").asText()))
        .isInstanceOfSatisfying(
            CronSchedule.Invalid.class,
            e -> {
              assertThat(e.offset()).isEqualTo(c.path("offset").asInt());
              assertThat(e.hint()).isNotBlank();
            });
  }
}

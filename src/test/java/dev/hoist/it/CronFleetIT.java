package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduled job in an environment of two runit lab nodes, over SSH: it is installed on exactly
 * one node (the first web node; the worker node once there is one, and then removed from the
 * first), it runs there, and {@code hoist status --env} shows it on that node only.
 */
class CronFleetIT {
  static final String APP = "cronfleet";
  static final String SERVICE = "hoist-cron-" + APP + "-tick";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static List<LabNodes.Node> nodes;

  @BeforeAll
  static void lab() throws Exception {
    nodes = LabNodes.up(2);
  }

  /** hello as APP with a minute job, in environment lab as {@code environment} says. */
  static void spec(Path project, String environment) throws Exception {
    Files.writeString(
        project.resolve("hoist.yml"),
        "app: "
            + APP
            + "\nwsgi: hello:application\ndomain: "
            + APP
            + ".test\nshared: [data]\n"
            + "cron:\n  tick: \"* * * * * sh -c 'hostname >> $HOIST_SHARED/data/ticks'\"\n"
            + LabNodes.nodesYaml("root")
            + "\nenvironments:\n  lab: "
            + environment
            + "\n");
  }

  /** Whether the job is installed on {@code node}: its config and its runit service. */
  static boolean installed(LabNodes.Node node) throws Exception {
    Hoist.Result r =
        LabNodes.ssh(
            "root",
            node,
            "test -f /etc/hoist/cron/" + APP + "/tick.json && test -L /etc/service/" + SERVICE);
    return r.exit() == 0;
  }

  @Test
  void theJobRunsOnExactlyOneNodeAndMovesToTheWorker() throws Exception {
    LabNodes.Node lab1 = nodes.get(0);
    LabNodes.Node lab2 = nodes.get(1);
    Path project = Hoist.copyExample("hello", "hello", APP, tmp);
    spec(project, "{web: [lab1, lab2]}");
    Hoist.Result first = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(installed(lab1)).as("on the first web node").isTrue();
    assertThat(installed(lab2)).as("not on the second").isFalse();

    spec(project, "{web: [lab1, lab2], worker: [lab2]}");
    Hoist.Result moved = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(moved.exit()).as(moved.all()).isZero();
    assertThat(installed(lab2)).as("on the worker node").isTrue();
    assertThat(installed(lab1)).as("removed from the web node").isFalse();
    assertThat(LabNodes.ssh("root", lab1, "test -e /etc/sv/" + SERVICE).exit()).isNotZero();

    // It runs there, within a minute and a bit, as the app user.
    Awaitility.await()
        .atMost(Duration.ofSeconds(80))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                LabNodes.ssh(
                            "root",
                            lab2,
                            "grep -q '\"result\": \"ok\"' /var/lib/hoist/cron/"
                                + APP
                                + "/tick.json")
                        .exit()
                    == 0);
    assertThat(LabNodes.ssh("root", lab2, "cat /srv/" + APP + "/shared/data/ticks").out())
        .contains("lab2");
    assertThat(
            LabNodes.ssh("root", lab2, "stat -c %U /srv/" + APP + "/shared/data/ticks")
                .out()
                .strip())
        .isEqualTo(APP);

    Hoist.Result status = Hoist.run("status", project.toString(), "--env", "lab", "--json");
    assertThat(status.exit()).as(status.all()).isZero();
    for (JsonNode n : JSON.readTree(status.out()).path("nodes")) {
      JsonNode jobs = n.path("result").path("jobs");
      if (n.path("node").asText().equals("lab2")) {
        assertThat(jobs.get(0).path("name").asText()).isEqualTo("tick");
        assertThat(jobs.get(0).path("result").asText()).isEqualTo("ok");
      } else {
        assertThat(jobs).as(n.path("node").asText()).isEmpty();
      }
    }
  }
}

package dev.hoist.stack;

import static dev.hoist.stack.StackBuilderTest.content;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.Change;
import dev.hoist.engine.CronJobsResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.CronSchedule;
import dev.hoist.project.EnvironmentSpec;
import dev.hoist.project.EnvironmentSpec.NodeRef;
import dev.hoist.project.Spec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Scheduled jobs in the stack: where they run, what the runner gets, and removal. */
class CronStackTest {
  private static final String CONFIG = "file:/etc/hoist/cron/hello/clearsessions.json";

  private static Spec spec() {
    return TestSpec.hello()
        .cron(
            "clearsessions",
            "*/15 * * * *",
            List.of("python", "manage.py", "clearsessions"),
            Duration.ofMinutes(10))
        .build();
  }

  private static Catalog build(Spec spec, Supervisor supervisor, CronPlacement cron) {
    return new StackBuilder(new Templates(List.of()), supervisor)
        .build(spec, Edge.direct(Optional.empty()), false, cron)
        .catalog();
  }

  @Test
  void onItsNodeUnderRunitAJobIsAServiceRunningTheScheduleLoop() throws Exception {
    Catalog c = build(spec(), Supervisor.RUNIT, CronPlacement.HERE);

    assertThat(content(c, "file:/usr/local/lib/hoist/hoist-cron")).startsWith("#!/usr/bin/python3");
    JsonNode config = new ObjectMapper().readTree(content(c, CONFIG));
    assertThat(config.path("app").asText()).isEqualTo("hello");
    assertThat(config.path("schedule").asText()).isEqualTo("*/15 * * * *");
    assertThat(config.path("timeout").asInt()).isEqualTo(600);
    assertThat(config.path("argv").toString())
        .isEqualTo("[\"python\",\"manage.py\",\"clearsessions\"]");
    assertThat(config.path("as_root").asBoolean()).isFalse();
    assertThat(config.path("user").asText()).isEqualTo("hello");
    assertThat(config.path("with_env").asText()).isEqualTo("/srv/hello/etc/with-env");
    assertThat(config.path("state_dir").asText()).isEqualTo("/var/lib/hoist/cron/hello");
    assertThat(StackBuilderTest.file(c, CONFIG).attributes().mode()).isEqualTo("0600");
    assertThat(content(c, "file:/etc/sv/hoist-cron-hello-clearsessions/run"))
        .contains(
            "/usr/bin/python3 -I /usr/local/lib/hoist/hoist-cron schedule"
                + " /etc/hoist/cron/hello/clearsessions.json");
    assertThat(content(c, "file:/etc/sv/hoist-cron-hello-clearsessions/log/run"))
        .contains("svlogd -tt /var/log/hoist/hoist-cron-hello-clearsessions");
    assertThat(c.contains("service:hoist-cron-hello-clearsessions")).isTrue();
    assertThat(((CronJobsResource) c.get("cron:hello").resource()).keep())
        .containsExactly("clearsessions");
  }

  @Test
  void underSystemdATimerStartsAHardenedOneshot() {
    Spec spec =
        TestSpec.hello()
            .cron("report", "0 0 1,15 * MON", List.of("./report"), Duration.ofHours(1))
            .build();
    Catalog c = build(spec, Supervisor.SYSTEMD, CronPlacement.HERE);

    assertThat(content(c, "file:/etc/systemd/system/hoist-cron-hello-report.timer"))
        .contains(
            "OnCalendar=*-*-01,15 00:00:00 UTC\nOnCalendar=Mon *-*-* 00:00:00 UTC\n"
                + "Persistent=true\n")
        .contains("WantedBy=timers.target");
    assertThat(content(c, "file:/etc/systemd/system/hoist-cron-hello-report.service"))
        .contains("Type=oneshot")
        .contains(
            "ExecStart=/usr/bin/python3 -I /usr/local/lib/hoist/hoist-cron run"
                + " /etc/hoist/cron/hello/report.json")
        .contains("TimeoutStartSec=3630")
        .contains("NoNewPrivileges=yes")
        .contains("ProtectSystem=strict")
        .contains("ReadWritePaths=/var/lib/hoist/cron/hello -/srv/hello/shared");
    assertThat(c.contains("service:hoist-cron-hello-report.timer")).isTrue();
    assertThat(c.contains("file:/etc/sv/hoist-cron-hello-report/run")).isFalse();
  }

  /** On a fresh node, every service file is written before the services are enabled. */
  @Test
  void onAFreshNodeTheServicesAreEnabledAfterAllTheirFiles() throws Exception {
    Stack stack =
        new StackBuilder(new Templates(List.of()), Supervisor.RUNIT)
            .build(spec(), Edge.direct(Optional.empty()), false, CronPlacement.HERE);
    List<dev.hoist.engine.AgentStep> steps =
        dev.hoist.engine.Planner.plan(stack.catalog(), Map.of(), stack.releaseRefreshed()).steps();
    int firstEnable = -1;
    int lastRunFile = -1;
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).op() instanceof AgentOp.ServiceEnable && firstEnable < 0) {
        firstEnable = i;
      }
      if (steps.get(i).op() instanceof AgentOp.FileWrite w && w.path().startsWith("/etc/sv/")) {
        lastRunFile = i;
      }
    }
    assertThat(firstEnable)
        .as(steps.stream().map(st -> st.id() + " " + st.op().op()).toList().toString())
        .isGreaterThan(lastRunFile);
  }

  @Test
  void onTheOtherNodesOnlyTheRemovalIsThere() {
    Catalog c = build(spec(), Supervisor.RUNIT, CronPlacement.ELSEWHERE);

    assertThat(c.contains(CONFIG)).isFalse();
    assertThat(c.contains("service:hoist-cron-hello-clearsessions")).isFalse();
    assertThat(((CronJobsResource) c.get("cron:hello").resource()).keep()).isEmpty();
  }

  @Test
  void aStackThatDoesNotKnowThePlacementLeavesJobsAlone() {
    Catalog c = build(spec(), Supervisor.RUNIT, CronPlacement.UNMANAGED);

    assertThat(c.contains("cron:hello")).isFalse();
    assertThat(c.contains(CONFIG)).isFalse();
  }

  @Test
  void jobsNoLongerWantedAreRemovedButRootJobsAreNotListed() {
    CronJobsResource r =
        new CronJobsResource(
            "hello", List.of("keep"), "/etc/hoist/cron/hello", "/var/lib/hoist/cron/hello");
    ObjectNode state = new ObjectMapper().createObjectNode();
    state.putArray("jobs").add("keep").add("old");

    Change change = r.diff(state).orElseThrow();

    assertThat(change.summary()).isEqualTo("remove scheduled job old");
    assertThat(change.steps()).hasSize(1);
    assertThat(change.steps().getFirst().op())
        .isEqualTo(
            new AgentOp.CronRemove(
                "hello", "old", "/etc/hoist/cron/hello", "/var/lib/hoist/cron/hello"));
    state.putArray("jobs").add("keep");
    assertThat(r.diff(state)).isEmpty();
  }

  @Test
  void rootJobsRunHoistProgramsOnly() {
    CronSchedule daily = CronSchedule.parse("daily");
    CronResources.Job job =
        CronResources.rootJob(
            "shop",
            "backup",
            daily,
            List.of("/usr/local/lib/hoist/hoist-data", "scheduled", "--app", "shop"),
            Duration.ofHours(2),
            List.of("/var/backups/hoist/shop"));
    Catalog.Builder b = Catalog.builder();
    String id = new CronResources(new Templates(List.of()), Supervisor.RUNIT).add(b, job);
    Catalog c = b.build();

    assertThat(id).isEqualTo("service:hoist-cron-shop-hoist-backup");
    assertThat(content(c, "file:/etc/hoist/cron/shop/hoist-backup.json"))
        .contains("\"as_root\" : true")
        .doesNotContain("with_env");
    assertThatThrownBy(
            () ->
                CronResources.rootJob(
                    "shop", "x", daily, List.of("/srv/shop/x"), Duration.ofHours(1), List.of()))
        .hasMessageContaining("/usr/local/lib/hoist/");
  }

  @Test
  void theJobsRunOnTheFirstWorkerElseTheFirstWebNode() {
    Map<String, List<NodeRef>> roles = new LinkedHashMap<>();
    roles.put("web", List.of(new NodeRef("web1", ""), new NodeRef("web2", "")));
    assertThat(new EnvironmentSpec("live", roles, "").cronNode()).contains("web1");
    roles.put("worker", List.of(new NodeRef("w1", ""), new NodeRef("w2", "")));
    assertThat(new EnvironmentSpec("live", roles, "").cronNode()).contains("w1");
    assertThat(
            new EnvironmentSpec("lb", Map.of("lb", List.of(new NodeRef("b", ""))), "").cronNode())
        .isEmpty();
  }
}

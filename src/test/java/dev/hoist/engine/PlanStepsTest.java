package dev.hoist.engine;

import static dev.hoist.engine.AgentProtocol.toJson;
import static dev.hoist.engine.Probed.absent;
import static dev.hoist.engine.Probed.json;
import static dev.hoist.engine.Probed.pkg;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The agent steps of a plan: one apt-get run, services enabled before any starts, deferred starts
 * left out.
 */
class PlanStepsTest {
  private static final String DISABLED =
      "{'enabled': false, 'state': null, 'supervisor_running': true}";

  private final Change nginx = install("nginx");
  private final Change gunicorn = install("gunicorn");
  private final Change runit = install("runit");
  private final Change dir =
      new DirectoryResource("/srv/hello", Attributes.of("root", "root", "0755"))
          .diff(absent())
          .orElseThrow();
  private final Change file =
      FileResource.of("/etc/sv/nginx/run", "#!/bin/sh\n", Attributes.of("root", "root", "0755"))
          .diff(absent())
          .orElseThrow();

  @Test
  void emptyPlanHasNoSteps() {
    assertThat(new Plan(List.of(), Map.of()).steps()).isEmpty();
  }

  @Test
  void allAptInstallsFoldIntoOnePackagesStepAtTheFirstOnesPosition() {
    Plan plan = new Plan(List.of(dir, nginx, file, gunicorn, runit), Map.of());

    List<ObjectNode> steps = toJson(plan.steps());

    assertThat(steps)
        .extracting(s -> s.path("id").asText())
        .containsExactly(dir.id(), "packages", file.id());
    ObjectNode packages = steps.get(1);
    assertThat(packages.path("do").asText()).isEqualTo("apt.install");
    assertThat(packages.path("names").toString()).isEqualTo("[\"nginx\",\"gunicorn\",\"runit\"]");
  }

  @Test
  void foldingLeavesThePlannedChangesUntouched() {
    Plan plan = new Plan(List.of(nginx, gunicorn), Map.of());

    List<ObjectNode> first = toJson(plan.steps());
    List<ObjectNode> second = toJson(plan.steps());

    assertThat(second).isEqualTo(first);
    assertThat(toJson(nginx.steps()).getFirst().path("names").toString()).isEqualTo("[\"nginx\"]");
    assertThat(toJson(nginx.steps()).getFirst().path("id").asText()).isEqualTo("package:nginx");
  }

  @Test
  void serviceEnablesAllMoveBeforeTheFirstServiceUp() {
    Change app = start("hoist-hello");
    Change worker = start("hoist-hello-worker");
    Plan plan = new Plan(List.of(file, app, dir, worker), Map.of());

    List<String> ops = ops(toJson(plan.steps()));

    assertThat(ops)
        .containsExactly(
            "file.write",
            "service.enable",
            "service.enable",
            "service.up",
            "dir.ensure",
            "service.up");
    assertThat(toJson(plan.steps()).get(1).path("service").asText()).isEqualTo("hoist-hello");
    assertThat(toJson(plan.steps()).get(2).path("service").asText())
        .isEqualTo("hoist-hello-worker");
  }

  @Test
  void enablesOfDeferredServicesRunNowButTheirStartIsLeftToTheRelease() {
    Change app = start("hoist-hello");
    Plan plan = new Plan(List.of(file), Map.of(app.id(), app));

    assertThat(ops(toJson(plan.steps()))).containsExactly("file.write", "service.enable");
  }

  @Test
  void enablesGoBeforeAStartedServiceEvenWhenItsOwnServiceIsDeferred() {
    Change app = start("hoist-hello");
    Change nginxStart = start("nginx");
    Plan plan = new Plan(List.of(file, nginxStart), Map.of(app.id(), app));

    List<ObjectNode> steps = toJson(plan.steps());

    assertThat(ops(steps))
        .containsExactly("file.write", "service.enable", "service.enable", "service.up");
    assertThat(steps.getLast().path("service").asText()).isEqualTo("nginx");
  }

  @Test
  void aServiceWhoseFilesAreWrittenAfterTheFirstStartIsEnabledAfterThem() {
    // A fresh data node: PostgreSQL starts first, the backup job's files come after it. Linking
    // the job in before its run script exists failed the deploy (DataLabIT).
    Change postgres = start("hoist-postgresql");
    String job = "hoist-cron-app-hoist-backup";
    Change jobRun =
        FileResource.of(
                "/etc/sv/" + job + "/run", "#!/bin/sh\n", Attributes.of("root", "root", "0755"))
            .diff(absent())
            .orElseThrow();
    Change jobStart = start(job);
    Plan plan = new Plan(List.of(file, postgres, jobRun, jobStart), Map.of());

    List<ObjectNode> steps = toJson(plan.steps());

    assertThat(ops(steps))
        .containsExactly(
            "file.write",
            "service.enable",
            "service.up",
            "file.write",
            "service.enable",
            "service.up");
    assertThat(steps.get(1).path("service").asText()).isEqualTo("hoist-postgresql");
    assertThat(steps.get(4).path("service").asText()).isEqualTo(job);
  }

  @Test
  void aSystemdTimerWhoseUnitIsWrittenAfterTheFirstStartIsEnabledAfterIt() {
    Change postgres = start("hoist-postgresql");
    String unit = "hoist-cron-app-hoist-backup";
    Change timer =
        FileResource.of(
                "/etc/systemd/system/" + unit + ".timer",
                "[Timer]\n",
                Attributes.of("root", "root", "0644"))
            .diff(absent())
            .orElseThrow();
    Change timerStart =
        new ServiceResource(
                unit + ".timer",
                ServiceResource.Supervisor.SYSTEMD,
                ServiceResource.Refresh.RESTART,
                java.time.Duration.ofSeconds(10))
            .diff(json(DISABLED))
            .orElseThrow();
    Plan plan = new Plan(List.of(postgres, timer, timerStart), Map.of());

    assertThat(ops(toJson(plan.steps())))
        .containsExactly(
            "service.enable", "service.up", "file.write", "service.enable", "service.up");
  }

  private static List<String> ops(List<ObjectNode> steps) {
    return steps.stream().map(s -> s.path("do").asText()).toList();
  }

  private static Change install(String name) {
    return new PackageResource(name, Optional.empty()).diff(pkg(null)).orElseThrow();
  }

  private static Change start(String name) {
    return ResourceDiffTest.service(name).diff(json(DISABLED)).orElseThrow();
  }
}

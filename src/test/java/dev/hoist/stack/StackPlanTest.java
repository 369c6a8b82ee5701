package dev.hoist.stack;

import static dev.hoist.engine.AgentProtocol.toJson;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentProtocol;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.Change;
import dev.hoist.engine.CronJobsResource;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.GroupResource;
import dev.hoist.engine.LinkResource;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.Plan;
import dev.hoist.engine.Planner;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.UserResource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A whole app's stack through the planner: a fresh node, a converged one, an env change, a changed
 * script.
 */
class StackPlanTest {
  private static final String WITH_ENV = "file:/srv/hello/etc/with-env";

  private final Stack stack =
      StackBuilderTest.build(
          TestSpec.hello()
              .process("worker", List.of("celery", "worker"), Duration.ofSeconds(10))
              .build());

  @Test
  void freshNodeInstallsEverythingAndLeavesTheAppServicesToTheRelease() {
    Plan plan = Planner.plan(stack.catalog(), Map.of(), stack.releaseRefreshed());

    assertThat(plan.deferred())
        .containsOnlyKeys("service:hoist-hello", "service:hoist-hello-worker");
    assertThat(plan.changes())
        .extracting(Change::id)
        .contains("service:nginx")
        .doesNotContain("service:hoist-hello", "service:hoist-hello-worker");
    List<ObjectNode> steps = toJson(plan.steps());
    assertThat(steps.getFirst().path("id").asText()).isEqualTo("packages");
    assertThat(steps.getFirst().path("names").toString())
        .isEqualTo("[\"nginx\",\"gunicorn\",\"python3-venv\",\"runit\"]");
    assertThat(steps).filteredOn(s -> s.path("do").asText().equals("apt.install")).hasSize(1);
    assertThat(steps)
        .filteredOn(s -> s.path("do").asText().equals("service.up"))
        .extracting(s -> s.path("service").asText())
        .containsExactly("nginx");
    assertThat(steps)
        .filteredOn(s -> s.path("do").asText().equals("service.enable"))
        .extracting(s -> s.path("service").asText())
        .containsExactlyInAnyOrder("hoist-hello", "hoist-hello-worker", "nginx");
  }

  @Test
  void noOpWhenTheNodeAlreadyMatches() {
    Plan plan = Planner.plan(stack.catalog(), converged(stack.catalog()), stack.releaseRefreshed());

    assertThat(plan.isEmpty()).isTrue();
    assertThat(toJson(plan.steps())).isEmpty();
  }

  @Test
  // A changed env: is a new release (its hash covers the release config, see Deployer), so a
  // rollback brings the old env back; the node's stack has nothing to change.
  void changedEnvChangesTheReleaseConfigAndNothingOnTheNode() {
    Stack changed =
        StackBuilderTest.build(
            TestSpec.hello()
                .process("worker", List.of("celery", "worker"), Duration.ofSeconds(10))
                .env("FEATURE", "on")
                .build());

    Plan plan =
        Planner.plan(changed.catalog(), converged(stack.catalog()), stack.releaseRefreshed());

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.deferred()).isEmpty();
    assertThat(changed.releaseConfig().get(".hoist/env").content())
        .isNotEqualTo(stack.releaseConfig().get(".hoist/env").content());
    assertThat(new String(changed.releaseConfig().get(".hoist/env").content(), UTF_8))
        .contains("FEATURE=on\n");
    assertThat(changed.releaseConfig().get(".hoist/gunicorn.conf.py").content())
        .isEqualTo(stack.releaseConfig().get(".hoist/gunicorn.conf.py").content());
  }

  @Test
  void changedWithEnvRestartsTheProcessesButLeavesGunicornAlone() {
    Map<String, JsonNode> states = converged(stack.catalog());
    states.put(
        WITH_ENV,
        attrs(Attributes.of("root", "root", "0755"), "file")
            .put("sha256", "0".repeat(64))
            .put("text", "#!/bin/sh\nexec \"$@\"\n"));

    Plan plan = Planner.plan(stack.catalog(), states, stack.releaseRefreshed());

    assertThat(plan.changes()).extracting(Change::id).containsExactly(WITH_ENV);
    assertThat(plan.deferred()).containsOnlyKeys("service:hoist-hello-worker");
    assertThat(plan.deferred().get("service:hoist-hello-worker").summary())
        .isEqualTo("restart hoist-hello-worker");
  }

  @Test
  void changedRunScriptsRestartTheirServices() {
    Map<String, JsonNode> states = converged(stack.catalog());
    for (String run : List.of("/etc/sv/hoist-hello/run", "/etc/sv/hoist-hello-worker/run")) {
      states.put(
          "file:" + run,
          attrs(Attributes.of("root", "root", "0755"), "file")
              .put("sha256", "0".repeat(64))
              .put("text", "#!/bin/sh\n"));
    }

    Plan plan = Planner.plan(stack.catalog(), states, stack.releaseRefreshed());

    assertThat(plan.deferred().get("service:hoist-hello").summary())
        .isEqualTo("restart hoist-hello");
    assertThat(plan.deferred().get("service:hoist-hello-worker").summary())
        .isEqualTo("restart hoist-hello-worker");
  }

  /** What the agent reports on a node where every resource of {@code catalog} is as wanted. */
  private static Map<String, JsonNode> converged(Catalog catalog) {
    Map<String, JsonNode> states = new HashMap<>();
    for (Catalog.Entry entry : catalog.ordered()) {
      ObjectNode state =
          switch (entry.resource()) {
            case PackageResource p -> object().put("version", p.version().orElse("1.0-1"));
            case GroupResource g -> object().put("exists", true);
            case UserResource u -> object().put("exists", true);
            case DirectoryResource d -> attrs(d.attributes(), "dir");
            case FileResource f -> attrs(f.attributes(), "file").put("sha256", f.sha256());
            case LinkResource l ->
                object().put("exists", true).put("type", "link").put("target", l.target());
            case ExecResource e -> object().put("created", true).put("unless_ok", true);
            case ServiceResource s ->
                object().put("enabled", true).put("state", "run").put("supervisor_running", true);
            case CronJobsResource j -> {
              ObjectNode jobs = object();
              j.keep().forEach(jobs.putArray("jobs")::add);
              yield jobs;
            }
            case dev.hoist.engine.RootJobAbsent r -> object().put("created", false);
            case dev.hoist.engine.FileAbsent a -> object().put("exists", false);
          };
      states.put(entry.resource().id(), state);
    }
    return states;
  }

  private static ObjectNode attrs(Attributes a, String type) {
    return object()
        .put("exists", true)
        .put("type", type)
        .put("owner", a.owner())
        .put("group", a.group())
        .put("mode", a.mode());
  }

  private static ObjectNode object() {
    return AgentProtocol.json().createObjectNode();
  }
}

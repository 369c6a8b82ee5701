package dev.hoist.release;

import static dev.hoist.engine.AgentProtocol.toJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentProtocol;
import dev.hoist.engine.Change;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.health.HealthCheck;
import dev.hoist.project.Spec;
import dev.hoist.stack.Stack;
import dev.hoist.stack.StackBuilder;
import dev.hoist.stack.Templates;
import dev.hoist.stack.TestSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The agent steps of a release: prepare beside the live one, activate, and rescue when that fails.
 */
class ReleaseStepsTest {
  private static final String ID = "20250102T100000Z-bbbbbbb";
  private static final String OLD = "20250101T100000Z-aaaaaaa";
  private static final String DIR = "/srv/hello/releases/" + ID;

  private static Wire steps(TestSpec spec) {
    return new Wire(new ReleaseSteps(stack(spec.build())));
  }

  /** The steps as the agent receives them. */
  private record Wire(ReleaseSteps steps) {
    List<ObjectNode> prepare(String id, String hash, Map<String, Stack.ReleaseFile> files) {
      return toJson(steps.prepare(id, hash, files));
    }

    List<ObjectNode> activate(Optional<String> id, Map<String, Change> deferred) {
      return toJson(steps.activate(id, deferred));
    }

    List<ObjectNode> rescue(String failed, Optional<String> previous) {
      return toJson(steps.rescue(failed, previous));
    }

    HealthCheck health() {
      return steps.health();
    }
  }

  private static Stack stack(Spec spec) {
    return new StackBuilder(new Templates(List.of()), Supervisor.RUNIT).build(spec);
  }

  private static List<String> ids(List<ObjectNode> steps) {
    return steps.stream().map(s -> s.path("id").asText()).toList();
  }

  private static List<String> argv(ObjectNode step) {
    List<String> out = new ArrayList<>();
    step.path("argv").forEach(w -> out.add(w.asText()));
    return out;
  }

  private static ObjectNode step(List<ObjectNode> steps, String id) {
    return steps.stream().filter(s -> s.path("id").asText().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void prepareUnpacksBuildsAVenvWithoutPipAndChecksTheAppImports() {
    List<ObjectNode> prepare = steps(TestSpec.hello()).prepare(ID, "abc123", Map.of());

    assertThat(ids(prepare)).containsExactly("unpack", "venv", "compile", "import");
    assertThat(argv(step(prepare, "venv")))
        .containsExactly(
            "/usr/bin/python3",
            "-I",
            "-m",
            "venv",
            "--system-site-packages",
            "--without-pip",
            DIR + "/.venv");
    // Root runs Python isolated, from /, with a fixed environment.
    assertThat(step(prepare, "venv").has("user")).isFalse();
    assertThat(step(prepare, "venv").path("cwd").asText()).isEqualTo("/");
    assertThat(step(prepare, "venv").path("env").path("PATH").asText())
        .isEqualTo("/usr/local/bin:/usr/bin:/bin");
    ObjectNode check = step(prepare, "import");
    assertThat(check.path("user").asText()).isEqualTo("hello");
    assertThat(argv(check)).startsWith("/srv/hello/etc/with-env", DIR + "/.venv/bin/python");
    assertThat(argv(check)).last().isEqualTo("hello:application");
    assertThat(check.path("timeout").asLong()).isEqualTo(600);
  }

  @Test
  void theReleaseShipsItsOwnEnvAndGunicornConfigReadableByTheAppGroupOnly() {
    ObjectNode unpack =
        steps(TestSpec.hello().env("GREETING", "hi there")).prepare(ID, "h", Map.of()).getFirst();

    JsonNode env = unpack.path("files").path(".hoist/env");
    assertThat(env.path("mode").asText()).isEqualTo("0640");
    assertThat(env.path("group").asText()).isEqualTo("hello");
    assertThat(Base64.getDecoder().decode(env.path("content").asText()))
        .asString(StandardCharsets.UTF_8)
        .contains("GREETING='hi there'");
    assertThat(unpack.path("files").path(".hoist/gunicorn.conf.py").path("mode").asText())
        .isEqualTo("0640");
    assertThat(unpack.path("private").path("hoist.yml").asText()).isEqualTo("hello");
  }

  @Test
  void unpackCarriesTheReleaseMetadataAndRenderedFiles() {
    Map<String, Stack.ReleaseFile> files =
        Map.of(
            "local_settings.py",
            new Stack.ReleaseFile(
                "DEBUG = False\n".getBytes(StandardCharsets.UTF_8), "hello", "0640"));

    ObjectNode unpack = steps(TestSpec.hello()).prepare(ID, "abc123", files).getFirst();

    assertThat(unpack.path("do").asText()).isEqualTo("release.unpack");
    assertThat(unpack.path("path").asText()).isEqualTo(DIR);
    assertThat(unpack.path("meta").path("id").asText()).isEqualTo(ID);
    assertThat(unpack.path("meta").path("hash").asText()).isEqualTo("abc123");
    assertThat(unpack.path("meta").path("app").asText()).isEqualTo("hello");
    assertThat(unpack.path("files").path("local_settings.py").path("mode").asText())
        .isEqualTo("0640");
    assertThat(
            Base64.getDecoder()
                .decode(unpack.path("files").path("local_settings.py").path("content").asText()))
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("DEBUG = False\n");
  }

  @Test
  void requirementsAreInstalledWithPipByRootIsolatedIntoTheRootOwnedVenv() {
    List<ObjectNode> prepare =
        steps(TestSpec.hello().requirements("requirements.txt")).prepare(ID, "h", Map.of());

    assertThat(ids(prepare)).containsExactly("unpack", "venv", "compile", "requirements", "import");
    assertThat(argv(step(prepare, "venv"))).doesNotContain("--without-pip");
    ObjectNode pip = step(prepare, "requirements");
    assertThat(pip.has("user")).isFalse();
    assertThat(pip.path("cwd").asText()).isEqualTo("/");
    assertThat(argv(pip))
        .startsWith(DIR + "/.venv/bin/python", "-I", "-m", "pip", "install")
        .endsWith("-r", DIR + "/requirements.txt")
        .doesNotContain("--no-index");
  }

  @Test
  void wheelhouseInstallsOffline() {
    List<ObjectNode> prepare =
        steps(TestSpec.hello().requirements("requirements.txt").wheelhouse("wheels"))
            .prepare(ID, "h", Map.of());

    assertThat(argv(step(prepare, "requirements")))
        .containsSubsequence(
            "--no-index", "--find-links", DIR + "/wheels", "-r", DIR + "/requirements.txt");
  }

  @Test
  void sharedDirsAreLinkedIntoTheRelease() {
    List<ObjectNode> prepare =
        steps(TestSpec.hello().shared("media").shared("instance")).prepare(ID, "h", Map.of());

    assertThat(ids(prepare)).startsWith("unpack", "shared", "venv");
    ObjectNode shared = step(prepare, "shared");
    assertThat(shared.path("shared").asText()).isEqualTo("/srv/hello/shared");
    assertThat(shared.path("dirs").toString()).isEqualTo("[\"media\",\"instance\"]");
  }

  @Test
  void hooksRunInOrderAfterTheImportCheckAsTheAppUserWithItsEnvironment() {
    TestSpec spec =
        TestSpec.hello()
            .env("DJANGO_SETTINGS_MODULE", "hello.settings")
            .release(
                5,
                List.of(
                    List.of("python", "manage.py", "migrate", "--noinput"),
                    List.of("python", "manage.py", "collectstatic", "--noinput")));

    List<ObjectNode> prepare = steps(spec).prepare(ID, "h", Map.of());

    assertThat(ids(prepare)).endsWith("import", "hook-1", "hook-2");
    ObjectNode migrate = step(prepare, "hook-1");
    // with-env loads the new release's env and the secrets after privileges dropped.
    assertThat(argv(migrate))
        .containsExactly("/srv/hello/etc/with-env", "python", "manage.py", "migrate", "--noinput");
    assertThat(argv(step(prepare, "hook-2"))).contains("collectstatic");
    assertThat(migrate.path("user").asText()).isEqualTo("hello");
    assertThat(migrate.path("cwd").asText()).isEqualTo(DIR);
    assertThat(migrate.path("timeout").asLong()).isEqualTo(600);
    assertThat(migrate.path("env").path("HOIST_RELEASE_DIR").asText()).isEqualTo(DIR);
  }

  @Test
  void staticDirsAreWritableForTheHooksOnlyAndSealedAfterThem() {
    TestSpec spec =
        TestSpec.hello()
            .statics("/static", "collected")
            .release(5, List.of(List.of("python", "manage.py", "collectstatic", "--noinput")));

    List<ObjectNode> prepare = steps(spec).prepare(ID, "h", Map.of());

    assertThat(ids(prepare)).endsWith("open-static", "hook-1", "seal-static");
    assertThat(step(prepare, "open-static").path("dirs").toString()).isEqualTo("[\"collected\"]");
    assertThat(step(prepare, "seal-static").path("do").asText()).isEqualTo("release.seal");
  }

  @Test
  void activateSwitchesReloadsChecksHealthThenPrunes() {
    List<ObjectNode> activate = steps(TestSpec.hello()).activate(Optional.of(ID), Map.of());

    assertThat(activate)
        .extracting(s -> s.path("do").asText())
        .containsExactly("release.switch", "gunicorn.reload", "http.check", "release.prune");
    ObjectNode switchStep = activate.getFirst();
    assertThat(switchStep.path("id").asText()).isEqualTo(ReleaseSteps.SWITCH);
    assertThat(switchStep.path("release").asText()).isEqualTo(ID);
    assertThat(switchStep.path("root").asText()).isEqualTo("/srv/hello");
    assertThat(activate.get(3).path("keep").asInt()).isEqualTo(5);
  }

  @Test
  void everyStepAfterTheSwitchRunsToTheEnd() {
    List<ObjectNode> activate = steps(TestSpec.hello()).activate(Optional.of(ID), Map.of());

    assertThat(activate.getFirst().path("finish").asBoolean()).isFalse();
    assertThat(activate.subList(1, activate.size())).allMatch(s -> s.path("finish").asBoolean());
  }

  @Test
  void healthCheckAsksTheDomainThroughNginx() {
    ObjectNode health = step(steps(TestSpec.hello()).activate(Optional.of(ID), Map.of()), "health");

    assertThat(health.path("host").asText()).isEqualTo("hello.example.com");
    assertThat(health.path("path").asText()).isEqualTo("/");
    assertThat(health.path("expect").asInt()).isEqualTo(200);
    assertThat(steps(TestSpec.hello().domain("_")).health().url()).isEqualTo("http://localhost/");
  }

  @Test
  void appServiceTheNodeHasNotStartedIsStartedInsteadOfReloaded() {
    Stack stack = stack(TestSpec.hello().build());
    Change start =
        stack
            .appService()
            .diff(AgentProtocol.json().createObjectNode().put("enabled", false))
            .orElseThrow();

    List<ObjectNode> activate =
        new Wire(new ReleaseSteps(stack)).activate(Optional.of(ID), Map.of(start.id(), start));

    assertThat(activate)
        .extracting(s -> s.path("do").asText())
        .containsExactly("release.switch", "service.up", "http.check", "release.prune");
  }

  @Test
  void processesAreRestartedOntoTheNewRelease() {
    TestSpec spec =
        TestSpec.hello().process("worker", List.of("celery", "worker"), Duration.ofSeconds(10));

    List<ObjectNode> activate = steps(spec).activate(Optional.of(ID), Map.of());

    ObjectNode restart = activate.get(2);
    assertThat(restart.path("do").asText()).isEqualTo("service.signal");
    assertThat(restart.path("how").asText()).isEqualTo("restart");
    assertThat(restart.path("service").asText()).isEqualTo("hoist-hello-worker");
  }

  @Test
  void withoutANewReleaseOrChangeActivationOnlyChecksHealth() {
    List<ObjectNode> activate = steps(TestSpec.hello()).activate(Optional.empty(), Map.of());

    assertThat(ids(activate)).containsExactly("health");
  }

  @Test
  void rescueSwitchesBackToThePreviousReleaseAndChecksItsHealth() {
    TestSpec spec =
        TestSpec.hello().process("worker", List.of("celery", "worker"), Duration.ofSeconds(10));

    List<ObjectNode> rescue = steps(spec).rescue(ID, Optional.of(OLD));

    assertThat(ids(rescue))
        .containsExactly(
            "mark-failed",
            "switch-back",
            "reload-back",
            "service:hoist-hello-worker",
            "health-back");
    assertThat(rescue.get(0).path("release").asText()).isEqualTo(ID);
    assertThat(rescue.get(0).path("switched").asBoolean()).isTrue();
    assertThat(rescue.get(1).path("do").asText()).isEqualTo("release.switch");
    assertThat(rescue.get(1).path("release").asText()).isEqualTo(OLD);
    assertThat(rescue.get(2).path("do").asText()).isEqualTo("gunicorn.reload");
    assertThat(rescue.get(4).path("do").asText()).isEqualTo("http.check");
  }

  @Test
  void rescueWithNoPreviousReleaseOnlyMarksTheNewOneFailed() {
    List<ObjectNode> rescue = steps(TestSpec.hello()).rescue(ID, Optional.empty());

    assertThat(rescue)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.path("do").asText()).isEqualTo("release.mark_failed");
              assertThat(s.path("release").asText()).isEqualTo(ID);
              assertThat(s.path("root").asText()).isEqualTo("/srv/hello");
            });
  }
}

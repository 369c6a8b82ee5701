package dev.hoist.engine;

import static dev.hoist.engine.AgentProtocol.toJson;
import static dev.hoist.engine.Probed.absent;
import static dev.hoist.engine.Probed.exists;
import static dev.hoist.engine.Probed.json;
import static dev.hoist.engine.Probed.link;
import static dev.hoist.engine.Probed.path;
import static dev.hoist.engine.Probed.pkg;
import static dev.hoist.engine.Probed.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What each resource kind (but files, see FileDiffTest) plans for the states the agent reports. */
class ResourceDiffTest {
  private static final Attributes APP_DIR = Attributes.of("hello", "hello", "0755");

  @Test
  void missingPackageIsInstalled() {
    Change change = new PackageResource("nginx", Optional.empty()).diff(pkg(null)).orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.CREATE);
    assertThat(change.summary()).isEqualTo("install nginx");
    assertThat(change.reasons()).containsExactly("not installed");
    assertThat(toJson(change.steps()))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.path("do").asText()).isEqualTo("apt.install");
              assertThat(s.path("names").toString()).isEqualTo("[\"nginx\"]");
            });
  }

  @Test
  void installedPackageWithoutPinIsLeftAlone() {
    assertThat(new PackageResource("nginx", Optional.empty()).diff(pkg("1.22.1-9"))).isEmpty();
  }

  @Test
  void pinnedPackageAtAnotherVersionIsUpdatedToThePin() {
    PackageResource redis = new PackageResource("redis-server", Optional.of("5:7.0.15-1"));

    Change change = redis.diff(pkg("5:7.0.11-1")).orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.UPDATE);
    assertThat(change.reasons()).containsExactly("installed 5:7.0.11-1, pinned 5:7.0.15-1");
    assertThat(toJson(change.steps()).getFirst().path("names").get(0).asText())
        .isEqualTo("redis-server=5:7.0.15-1");
    assertThat(redis.diff(pkg("5:7.0.15-1"))).isEmpty();
  }

  @Test
  void missingGroupAndUserAreCreatedAsSystemAccounts() {
    Change group = new GroupResource("hello").diff(absent()).orElseThrow();
    Change user =
        new UserResource("hello", "hello", "/srv/hello", "/usr/sbin/nologin")
            .diff(absent())
            .orElseThrow();

    assertThat(group.kind()).isEqualTo(Change.Kind.CREATE);
    assertThat(toJson(group.steps()).getFirst().path("do").asText()).isEqualTo("group.create");
    assertThat(user.summary()).isEqualTo("create system user hello (home /srv/hello)");
    assertThat(user.reasons()).containsExactly("missing");
    ObjectNode step = toJson(user.steps()).getFirst();
    assertThat(step.path("do").asText()).isEqualTo("user.create");
    assertThat(step.path("group").asText()).isEqualTo("hello");
    assertThat(step.path("shell").asText()).isEqualTo("/usr/sbin/nologin");
  }

  @Test
  void existingGroupAndUserAreLeftAlone() {
    assertThat(new GroupResource("hello").diff(exists())).isEmpty();
    assertThat(new UserResource("hello", "hello", "/srv/hello", "/usr/sbin/nologin").diff(exists()))
        .isEmpty();
  }

  @Test
  void missingDirectoryIsCreatedWithItsAttributes() {
    Change change =
        new DirectoryResource("/srv/hello/releases", APP_DIR).diff(absent()).orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.CREATE);
    assertThat(change.summary()).isEqualTo("create /srv/hello/releases/");
    ObjectNode step = toJson(change.steps()).getFirst();
    assertThat(step.path("do").asText()).isEqualTo("dir.ensure");
    assertThat(step.path("owner").asText()).isEqualTo("hello");
    assertThat(step.path("mode").asText()).isEqualTo("0755");
  }

  @Test
  void directoryWithWrongOwnerAndModeIsFixedWithOneReasonEach() {
    Change change =
        new DirectoryResource("/srv/hello/releases", APP_DIR)
            .diff(Probed.dir("root", "hello", "0700"))
            .orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.UPDATE);
    assertThat(change.summary()).isEqualTo("fix /srv/hello/releases/");
    assertThat(change.reasons()).containsExactly("owner root -> hello", "mode 0700 -> 0755");
  }

  @Test
  void directoryAsWantedIsLeftAlone() {
    assertThat(
            new DirectoryResource("/srv/hello", APP_DIR).diff(Probed.dir("hello", "hello", "0755")))
        .isEmpty();
  }

  @Test
  void fileWhereADirectoryShouldBeSaysWhatToDo() {
    DirectoryResource dir = new DirectoryResource("/srv/hello", APP_DIR);

    assertThatThrownBy(() -> dir.diff(path("file", "root", "root", "0644")))
        .isInstanceOf(PlanException.class)
        .hasMessage("/srv/hello exists but is a file, not a directory; move it away");
  }

  @Test
  void missingLinkIsCreatedAndAMisdirectedOneRepointed() {
    LinkResource current = new LinkResource("/srv/hello/current", "releases/2");

    Change created = current.diff(absent()).orElseThrow();
    Change moved = current.diff(link("releases/1")).orElseThrow();

    assertThat(created.kind()).isEqualTo(Change.Kind.CREATE);
    assertThat(created.reasons()).containsExactly("missing");
    assertThat(moved.kind()).isEqualTo(Change.Kind.UPDATE);
    assertThat(moved.summary()).isEqualTo("link /srv/hello/current -> releases/2");
    assertThat(moved.reasons()).containsExactly("points to releases/1");
    assertThat(current.diff(link("releases/2"))).isEmpty();
  }

  @Test
  void directoryWhereALinkShouldBeSaysWhatToDo() {
    LinkResource current = new LinkResource("/srv/hello/current", "releases/2");

    assertThatThrownBy(() -> current.diff(Probed.dir("root", "root", "0755")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("/srv/hello/current exists but is not a symlink")
        .hasMessageContaining("move it away");
  }

  @Test
  void disabledServiceIsEnabledThenStarted() {
    Change change =
        service("hoist-hello")
            .diff(json("{'enabled': false, 'state': null, 'supervisor_running': true}"))
            .orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.CREATE);
    assertThat(change.summary()).isEqualTo("start hoist-hello");
    assertThat(change.reasons()).containsExactly("not enabled");
    assertThat(toJson(change.steps()))
        .extracting(s -> s.path("do").asText())
        .containsExactly("service.enable", "service.up");
  }

  @Test
  void enabledServiceThatIsDownIsOnlyStarted() {
    Change change =
        service("hoist-hello")
            .diff(json("{'enabled': true, 'state': 'down', 'supervisor_running': true}"))
            .orElseThrow();

    assertThat(change.reasons()).containsExactly("not running (down)");
    assertThat(toJson(change.steps()))
        .extracting(s -> s.path("do").asText())
        .containsExactly("service.up");
  }

  @Test
  void serviceWithoutASupervisorStatusSaysSo() {
    Change change =
        service("nginx")
            .diff(
                json("{'enabled': true, 'state': null, 'pid': null, 'supervisor_running': false}"))
            .orElseThrow();

    assertThat(change.reasons()).containsExactly("not running (no supervisor)");
  }

  @Test
  void runningServiceIsLeftAlone() {
    assertThat(service("nginx").diff(running())).isEmpty();
  }

  @Test
  void serviceRefreshIsItsOwnKindUnlessARestartIsAsked() {
    ServiceResource nginx = service("nginx");
    ServiceResource gunicorn =
        new ServiceResource(
            "hoist-hello", Supervisor.RUNIT, Refresh.REPLACE_WORKERS, Duration.ofSeconds(30));

    Change reload = nginx.refreshChange("site changed");
    Change replace = gunicorn.refreshChange("env changed");
    Change restart = gunicorn.refreshChange("run script changed", true);

    assertThat(reload.kind()).isEqualTo(Change.Kind.REFRESH);
    assertThat(reload.summary()).isEqualTo("reload nginx");
    assertThat(toJson(reload.steps()).getFirst().path("how").asText()).isEqualTo("reload");
    assertThat(toJson(replace.steps()).getFirst().path("do").asText()).isEqualTo("gunicorn.reload");
    assertThat(restart.summary()).isEqualTo("restart hoist-hello");
    assertThat(toJson(restart.steps()).getFirst().path("how").asText()).isEqualTo("restart");
    assertThat(toJson(restart.steps()).getFirst().path("stop_timeout").asLong()).isEqualTo(30);
  }

  @Test
  void execRunsWhenWhatItCreatesIsMissing() {
    ExecResource exec = exec(Optional.of("/srv/hello/.done"), List.of(), false);

    Change change = exec.diff(json("{'created': false}")).orElseThrow();

    assertThat(change.reasons()).containsExactly("/srv/hello/.done is missing");
    assertThat(toJson(change.steps()).getFirst().path("argv").toString())
        .isEqualTo("[\"touch\",\"/srv/hello/.done\"]");
    assertThat(toJson(change.steps()).getFirst().path("user").asText()).isEqualTo("hello");
    assertThat(exec.diff(json("{'created': true}"))).isEmpty();
  }

  @Test
  void execRunsWhenItsUnlessCheckFails() {
    ExecResource exec = exec(Optional.empty(), List.of("test", "-e", "/srv/hello/.done"), false);

    assertThat(exec.diff(json("{'unless_ok': true}"))).isEmpty();
    assertThat(exec.diff(json("{'unless_ok': false}")).orElseThrow().reasons())
        .containsExactly("its check failed");
  }

  @Test
  void refreshOnlyExecNeverRunsOnItsOwn() {
    assertThat(exec(Optional.empty(), List.of(), true).diff(json("{}"))).isEmpty();
  }

  static ServiceResource service(String name) {
    return new ServiceResource(name, Supervisor.RUNIT, Refresh.RELOAD, Duration.ofSeconds(10));
  }

  private static ExecResource exec(
      Optional<String> creates, List<String> unless, boolean refreshOnly) {
    return new ExecResource(
        "mark",
        List.of("touch", "/srv/hello/.done"),
        Optional.of("hello"),
        Optional.of("/srv/hello"),
        creates,
        unless,
        refreshOnly);
  }
}

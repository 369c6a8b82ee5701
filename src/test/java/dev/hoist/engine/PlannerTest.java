package dev.hoist.engine;

import static dev.hoist.engine.AgentProtocol.toJson;
import static dev.hoist.engine.Probed.absent;
import static dev.hoist.engine.Probed.json;
import static dev.hoist.engine.Probed.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Planning a node: no-op, notifications (reload, restart), deferred services, probe trouble. */
class PlannerTest {
  private static final Attributes ROOT_FILE = Attributes.of("root", "root", "0644");
  private static final String SITE = "file:/etc/nginx/sites-enabled/hoist-hello.conf";
  private static final String ENV = "file:/srv/hello/etc/env";
  private static final String RUN = "file:/etc/sv/hoist-hello/run";
  private static final String APP = "service:hoist-hello";
  private static final String NGINX = "service:nginx";

  private final PackageResource nginxPackage = new PackageResource("nginx", Optional.empty());
  private final DirectoryResource root =
      new DirectoryResource("/srv/hello", Attributes.of("root", "root", "0755"));
  private final FileResource site = FileResource.of(SITE.substring(5), "server {}\n", ROOT_FILE);
  private final FileResource env =
      FileResource.of(ENV.substring(5), "A=1\n", Attributes.of("hello", "hello", "0600"))
          .asSecret();
  private final FileResource run = FileResource.of(RUN.substring(5), "#!/bin/sh\n", ROOT_FILE);
  private final ServiceResource app =
      new ServiceResource(
          "hoist-hello", Supervisor.RUNIT, Refresh.REPLACE_WORKERS, Duration.ofSeconds(30));
  private final ServiceResource nginx =
      new ServiceResource("nginx", Supervisor.RUNIT, Refresh.RELOAD, Duration.ofSeconds(10));

  /** nginx site notifies nginx; env reloads the app; a new run script restarts it. */
  private final Catalog catalog =
      Catalog.builder()
          .add(nginxPackage)
          .add(root)
          .add(env)
          .requires(root.id())
          .notifies(APP)
          .add(run)
          .add(app)
          .requires(ENV, RUN)
          .add(site)
          .requires(nginxPackage.id())
          .notifies(NGINX)
          .add(nginx)
          .requires(SITE, APP)
          .restart(RUN, APP)
          .build();

  /** Every resource exactly as wanted. */
  private Map<String, JsonNode> matching() {
    Map<String, JsonNode> states = new HashMap<>();
    states.put(nginxPackage.id(), Probed.pkg("1.22.1-9"));
    states.put(root.id(), Probed.dir("root", "root", "0755"));
    for (FileResource f : List.of(site, env, run)) {
      states.put(f.id(), Probed.sameFile(f));
    }
    states.put(APP, running());
    states.put(NGINX, running());
    return states;
  }

  @Test
  void noOpWhenEverythingMatches() {
    Plan plan = Planner.plan(catalog, matching(), Set.of());

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.changes()).isEmpty();
    assertThat(plan.deferred()).isEmpty();
    assertThat(toJson(plan.steps())).isEmpty();
  }

  @Test
  void freshNodeGetsEveryResourceInDependencyOrder() {
    Map<String, JsonNode> states = new HashMap<>();
    states.put(nginxPackage.id(), Probed.pkg(null));
    for (String id : List.of(root.id(), SITE, ENV, RUN)) {
      states.put(id, absent());
    }
    states.put(APP, json("{'enabled': false, 'state': null, 'supervisor_running': false}"));
    states.put(NGINX, json("{'enabled': false, 'state': null, 'supervisor_running': false}"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes())
        .extracting(Change::id)
        .containsExactly(nginxPackage.id(), root.id(), ENV, RUN, APP, SITE, NGINX);
    assertThat(plan.changes()).extracting(Change::kind).containsOnly(Change.Kind.CREATE);
  }

  @Test
  void changedFileReloadsTheServiceItNotifies() {
    Map<String, JsonNode> states = matching();
    states.put(SITE, Probed.file("server { listen 8080; }\n", "root", "root", "0644"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes()).extracting(Change::id).containsExactly(SITE, NGINX);
    Change reload = plan.changes().get(1);
    assertThat(reload.kind()).isEqualTo(Change.Kind.REFRESH);
    assertThat(reload.summary()).isEqualTo("reload nginx");
    assertThat(reload.reasons()).containsExactly(SITE + " changed");
  }

  @Test
  void unchangedFileDoesNotRefreshTheServiceItNotifies() {
    Map<String, JsonNode> states = matching();
    states.put(root.id(), Probed.dir("root", "root", "0700"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes()).extracting(Change::id).containsExactly(root.id());
  }

  @Test
  void attributeOnlyChangeStillCountsAsAChangeForNotifications() {
    Map<String, JsonNode> states = matching();
    states.put(SITE, Probed.sameFile(site).put("mode", "0600"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes())
        .extracting(Change::summary)
        .containsExactly("fix /etc/nginx/sites-enabled/hoist-hello.conf", "reload nginx");
  }

  @Test
  void restartEdgeRestartsInsteadOfReloading() {
    Map<String, JsonNode> states = matching();
    states.put(RUN, Probed.file("#!/bin/sh\nexec old\n", "root", "root", "0644"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes()).extracting(Change::id).containsExactly(RUN, APP);
    Change restart = plan.changes().get(1);
    assertThat(restart.summary()).isEqualTo("restart hoist-hello");
    assertThat(toJson(restart.steps()).getFirst().path("how").asText()).isEqualTo("restart");
  }

  @Test
  void plainNotificationReplacesGunicornWorkersGracefully() {
    Map<String, JsonNode> states = matching();
    states.put(ENV, Probed.file("A=0\n", "hello", "hello", "0600"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    Change refresh = plan.changes().get(1);
    assertThat(refresh.summary()).isEqualTo("reload hoist-hello");
    assertThat(toJson(refresh.steps()).getFirst().path("do").asText()).isEqualTo("gunicorn.reload");
  }

  @Test
  void everyChangedNotifierIsNamedInTheRefreshReason() {
    Map<String, JsonNode> states = matching();
    states.put(ENV, Probed.file("A=0\n", "hello", "hello", "0600"));
    states.put(RUN, Probed.file("old\n", "root", "root", "0644"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes()).extracting(Change::id).containsExactly(ENV, RUN, APP);
    assertThat(plan.changes().get(2).reasons())
        .containsExactly(ENV + " changed, " + RUN + " changed");
    assertThat(plan.changes().get(2).summary()).isEqualTo("restart hoist-hello");
  }

  @Test
  void serviceBeingStartedIsNotAlsoRefreshed() {
    Map<String, JsonNode> states = matching();
    states.put(SITE, absent());
    states.put(NGINX, json("{'enabled': true, 'state': 'down', 'supervisor_running': true}"));

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes())
        .extracting(Change::summary)
        .containsExactly("create /etc/nginx/sites-enabled/hoist-hello.conf", "start nginx");
  }

  @Test
  void refreshOnlyExecRunsWhenNotified() {
    ExecResource collect =
        new ExecResource(
            "collectstatic",
            List.of("true"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            true);
    Catalog withExec = Catalog.builder().add(site).notifies(collect.id()).add(collect).build();

    Plan quiet = Planner.plan(withExec, Map.of(SITE, Probed.sameFile(site)), Set.of());
    Plan notified = Planner.plan(withExec, Map.of(SITE, absent()), Set.of());

    assertThat(quiet.isEmpty()).isTrue();
    assertThat(notified.changes()).extracting(Change::id).containsExactly(SITE, collect.id());
    assertThat(notified.changes().get(1).kind()).isEqualTo(Change.Kind.REFRESH);
    assertThat(notified.changes().get(1).reasons()).containsExactly(SITE + " changed");
  }

  @Test
  void deferredIdsLandInDeferredNotInChanges() {
    Map<String, JsonNode> states = matching();
    states.put(ENV, Probed.file("A=0\n", "hello", "hello", "0600"));

    Plan plan = Planner.plan(catalog, states, Set.of(APP));

    assertThat(plan.changes()).extracting(Change::id).containsExactly(ENV);
    assertThat(plan.deferred()).containsOnlyKeys(APP);
    assertThat(plan.deferred().get(APP).kind()).isEqualTo(Change.Kind.REFRESH);
    assertThat(plan.isEmpty()).isFalse();
  }

  @Test
  void deferredServiceToStartIsReturnedAsItsStartChange() {
    Map<String, JsonNode> states = matching();
    states.put(APP, json("{'enabled': false, 'state': null, 'supervisor_running': true}"));

    Plan plan = Planner.plan(catalog, states, Set.of(APP));

    assertThat(plan.changes()).isEmpty();
    assertThat(plan.deferred().get(APP).summary()).isEqualTo("start hoist-hello");
  }

  @Test
  void probeErrorRaisesPlanExceptionNamingTheResource() {
    Map<String, JsonNode> states = matching();
    states.put(
        ENV, Probed.error("PermissionError: [Errno 13] Permission denied: '/srv/hello/etc/env'"));

    assertThatThrownBy(() -> Planner.plan(catalog, states, Set.of()))
        .isInstanceOf(PlanException.class)
        .hasMessage(
            "could not probe "
                + ENV
                + ": PermissionError: [Errno 13] Permission denied: '/srv/hello/etc/env'");
  }

  @Test
  void pathOfTheWrongTypeRaisesPlanExceptionSayingWhatToDo() {
    Map<String, JsonNode> states = matching();
    states.put(root.id(), Probed.path("file", "root", "root", "0644"));

    assertThatThrownBy(() -> Planner.plan(catalog, states, Set.of()))
        .isInstanceOf(PlanException.class)
        .hasMessage("/srv/hello exists but is a file, not a directory; move it away");
  }

  @Test
  void resourceTheAgentSaidNothingAboutIsTakenAsMissing() {
    Map<String, JsonNode> states = matching();
    states.remove(root.id());

    Plan plan = Planner.plan(catalog, states, Set.of());

    assertThat(plan.changes()).extracting(Change::summary).containsExactly("create /srv/hello/");
  }
}

package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.PackageResource;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Refresh;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.engine.UserResource;
import dev.hoist.project.Spec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The resources a spec turns into on a node. */
class StackBuilderTest {
  private static final String WITH_ENV = "file:/srv/hello/etc/with-env";
  private static final String SITE = "file:/etc/nginx/sites-enabled/hoist-hello.conf";
  private static final String APP_RUN = "file:/etc/sv/hoist-hello/run";

  static Stack build(Spec spec, Supervisor supervisor) {
    return new StackBuilder(new Templates(List.of()), supervisor).build(spec);
  }

  static Stack build(Spec spec) {
    return build(spec, Supervisor.RUNIT);
  }

  static String content(Catalog catalog, String id) {
    return new String(file(catalog, id).content(), StandardCharsets.UTF_8);
  }

  static FileResource file(Catalog catalog, String id) {
    assertThat(catalog.contains(id)).as("catalog has %s", id).isTrue();
    return (FileResource) catalog.get(id).resource();
  }

  static String releaseConfig(Stack stack, String path) {
    assertThat(stack.releaseConfig()).as("release config has %s", path).containsKey(path);
    return new String(stack.releaseConfig().get(path).content(), StandardCharsets.UTF_8);
  }

  /** The lines of a script that do something: no comments, no blank lines. */
  private static List<String> commands(String script) {
    return script.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
  }

  private static List<String> ids(Catalog catalog) {
    return catalog.ordered().stream().map(e -> e.resource().id()).toList();
  }

  @Test
  void catalogHoldsTheWholeStackOfAnApp() {
    Stack stack = build(TestSpec.hello().build());

    assertThat(ids(stack.catalog()))
        .containsExactlyInAnyOrder(
            "package:nginx",
            "package:gunicorn",
            "package:python3-venv",
            "package:runit",
            "group:hello",
            "user:hello",
            "dir:/srv/hello",
            "dir:/srv/hello/releases",
            "dir:/srv/hello/shared",
            "dir:/srv/hello/etc",
            "dir:/var/log/hoist",
            "dir:/var/log/hoist/hello",
            WITH_ENV,
            APP_RUN,
            "file:/etc/sv/hoist-hello/log/run",
            "file:/etc/sv/nginx/run",
            SITE,
            "service:hoist-hello",
            "service:nginx",
            // What an earlier deploy with services: or backup: left: each checks one path.
            "absent:/etc/hoist/services/hello/services.json",
            "cron-absent:hello/hoist-backup",
            "absent:/etc/hoist/services/hello/backup.json");
  }

  @Test
  void packagesComeFirstAndNginxLast() {
    List<String> ids = ids(build(TestSpec.hello().build()).catalog());

    assertThat(ids.subList(0, 4)).allMatch(id -> id.startsWith("package:"));
    assertThat(ids.getLast()).isEqualTo("service:nginx");
    assertThat(ids.indexOf("user:hello")).isLessThan(ids.indexOf("dir:/srv/hello/releases"));
    assertThat(ids.indexOf(APP_RUN)).isLessThan(ids.indexOf("service:hoist-hello"));
  }

  @Test
  void appRunsAsItsOwnSystemUserThatOwnsNoneOfItsCodeOrConfig() {
    Catalog catalog = build(TestSpec.hello().build()).catalog();

    assertThat(catalog.get("user:hello").resource())
        .isEqualTo(new UserResource("hello", "hello", "/srv/hello", "/usr/sbin/nologin"));
    // The app reads its releases and config but may change none of them (docs/security.md).
    for (String dir :
        List.of("/srv/hello", "/srv/hello/releases", "/srv/hello/shared", "/srv/hello/etc")) {
      assertThat(((DirectoryResource) catalog.get("dir:" + dir).resource()).attributes())
          .as(dir)
          .isEqualTo(Attributes.of("root", "root", "0755"));
    }
  }

  @Test
  void envAndGunicornConfigShipInEachReleaseReadableOnlyByTheAppGroup() {
    Stack stack = build(TestSpec.hello().env("API_KEY", "s3cret").build());

    assertThat(stack.releaseConfig())
        .containsOnlyKeys(".hoist/env", ".hoist/gunicorn.conf.py")
        .allSatisfy(
            (path, file) -> {
              assertThat(file.group()).as(path).isEqualTo("hello");
              assertThat(file.mode()).as(path).isEqualTo("0640");
            });
    assertThat(releaseConfig(stack, ".hoist/env")).contains("API_KEY=s3cret\n");
    // Not node files any more: switching 'current' switches them with the code.
    assertThat(ids(stack.catalog()))
        .noneMatch(id -> id.endsWith("/env") || id.endsWith("gunicorn.conf.py"));
    assertThat(stack.layout().envFile()).isEqualTo("/srv/hello/current/.hoist/env");
    assertThat(stack.layout().gunicornConfig())
        .isEqualTo("/srv/hello/current/.hoist/gunicorn.conf.py");
  }

  @Test
  void withEnvIsARootOwnedScriptThatRefusesRootBeforeItReadsAnything() {
    Catalog catalog = build(TestSpec.hello().build()).catalog();

    assertThat(file(catalog, WITH_ENV).attributes())
        .isEqualTo(Attributes.of("root", "root", "0755"));
    assertThat(catalog.get(WITH_ENV).requires()).contains("dir:/srv/hello/etc");
    String script = content(catalog, WITH_ENV);
    assertThat(script)
        .startsWith("#!/bin/sh\n")
        .contains(". \"$release/.hoist/env\"", ". /srv/hello/etc/secrets", "exec \"$@\"");
    assertThat(script.indexOf("if [ \"$(/usr/bin/id -u)\" = 0 ]"))
        .isNotNegative()
        .isLessThan(script.indexOf(". \"$release/.hoist/env\""));
  }

  @Test
  void nginxSiteIsValidatedByNginxBeforeItStays() {
    Catalog catalog = build(TestSpec.hello().build()).catalog();

    assertThat(file(catalog, SITE).validate()).containsExactly("nginx", "-t", "-q");
    assertThat(catalog.get(SITE).requires()).contains("package:nginx");
    assertThat(catalog.get(SITE).notifies()).containsExactly("service:nginx");
  }

  @Test
  void packagesOfTheSpecArePinnedAndReplaceTheBaseOnes() {
    Spec spec =
        TestSpec.hello()
            .pkg("nginx", Optional.of("1.22.1-9"))
            .pkg("libpq5", Optional.empty())
            .build();

    Catalog catalog = build(spec).catalog();

    assertThat(catalog.get("package:nginx").resource())
        .isEqualTo(new PackageResource("nginx", Optional.of("1.22.1-9")));
    assertThat(catalog.contains("package:libpq5")).isTrue();
  }

  @Test
  void gunicornConfigServesTheWsgiEntryOnTheAppSocket() {
    String config =
        releaseConfig(build(TestSpec.hello().workers(3).build()), ".hoist/gunicorn.conf.py");

    assertThat(config)
        .contains("wsgi_app = \"hello:application\"")
        .contains("bind = \"unix:/run/hoist-hello/gunicorn.sock\"")
        .contains("workers = 3\n")
        .contains("chdir = \"/srv/hello/current\"")
        .contains("_secret_env = _env_file(\"/srv/hello/etc/secrets\", missing_ok=True)")
        .contains("raw_env = _env_file(\"/srv/hello/current/.hoist/env\") + _secret_env");
  }

  @Test
  void autoWorkersAndAppFactoriesReachGunicorn() {
    String config =
        releaseConfig(
            build(TestSpec.hello().wsgi("flaskr", "create_app", true).build()),
            ".hoist/gunicorn.conf.py");

    assertThat(config)
        .contains("wsgi_app = \"flaskr:create_app()\"")
        .contains("workers = multiprocessing.cpu_count() * 2 + 1");
  }

  @Test
  void runitAppScriptDropsPrivilegesFirstWithAFixedPathAndACleanEnvironment() {
    Catalog catalog = build(TestSpec.hello().build()).catalog();
    String run = content(catalog, APP_RUN);

    assertThat(run).startsWith("#!/bin/sh\n");
    assertRunsNothingAsRootButAbsolutePaths(run);
    assertThat(commands(run).getLast())
        .isEqualTo(
            "exec /usr/bin/chpst -u hello:hello /usr/bin/env -i"
                + " PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 PYTHONUNBUFFERED=1 HOME=/srv/hello"
                + " /srv/hello/current/.venv/bin/python -m gunicorn"
                + " --config /srv/hello/current/.hoist/gunicorn.conf.py");
    assertThat(run).contains("/usr/bin/install -d -o hello -g www-data -m 2750 /run/hoist-hello");
    assertThat(file(catalog, APP_RUN).attributes())
        .isEqualTo(Attributes.of("root", "root", "0755"));
    assertThat(content(catalog, "file:/etc/sv/hoist-hello/log/run"))
        .contains("exec /usr/bin/svlogd -tt /var/log/hoist/hello");
    assertThat(content(catalog, "file:/etc/sv/nginx/run"))
        .contains("exec /usr/sbin/nginx -g 'daemon off;'");
  }

  /**
   * What root does in a run script before it drops privileges: no sourcing, no variables from
   * outside, PATH fixed first and every program named by its absolute path.
   */
  private static void assertRunsNothingAsRootButAbsolutePaths(String run) {
    List<String> commands = commands(run);
    assertThat(commands.subList(0, 2))
        .containsExactly("exec 2>&1", "PATH=/usr/local/bin:/usr/bin:/bin");
    assertThat(commands)
        .noneMatch(l -> l.startsWith(". ") || l.startsWith("source ") || l.startsWith("set -a"));
    assertThat(commands.subList(2, commands.size()))
        .allMatch(l -> l.equals("cd /") || l.startsWith("/") || l.startsWith("exec /"), "absolute");
    assertThat(commands.getLast())
        .startsWith("exec /usr/bin/chpst -u hello:hello /usr/bin/env -i ");
  }

  @Test
  void systemdNodesGetUnitFilesAndNoRunit() {
    Spec spec =
        TestSpec.hello()
            .process("worker", List.of("celery", "worker"), Duration.ofSeconds(10))
            .build();
    Catalog catalog = build(spec, Supervisor.SYSTEMD).catalog();

    assertThat(catalog.contains("package:runit")).isFalse();
    assertThat(ids(catalog)).noneMatch(id -> id.startsWith("file:/etc/sv/"));
    assertThat(content(catalog, "file:/etc/systemd/system/hoist-hello.service"))
        .contains(
            "User=hello\nGroup=hello\nWorkingDirectory=/\n",
            "Environment=PATH=/usr/local/bin:/usr/bin:/bin PYTHONUNBUFFERED=1\n",
            "ExecStartPre=+/usr/bin/install -d -o hello -g www-data -m 2750 /run/hoist-hello\n",
            "ExecStart=/srv/hello/current/.venv/bin/python -m gunicorn"
                + " --config /srv/hello/current/.hoist/gunicorn.conf.py\n",
            "ExecReload=/bin/kill -HUP $MAINPID",
            "KillMode=mixed",
            "Restart=always",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict\nReadWritePaths=-/srv/hello/shared -/run/hoist-hello\n",
            "PrivateTmp=yes",
            "ProtectHome=yes")
        // gunicorn reads the env itself, as the app user: root never reads a file the app writes.
        .doesNotContain("EnvironmentFile");
    assertThat(file(catalog, "file:/etc/systemd/system/hoist-hello.service").attributes())
        .isEqualTo(Attributes.of("root", "root", "0644"));
    assertThat(catalog.get("file:/etc/systemd/system/hoist-hello.service").restarts())
        .containsExactly("service:hoist-hello");
    assertThat(catalog.contains(WITH_ENV)).isTrue();
    // Debian's own nginx.service: no unit of hoist's, enabled and started by the service steps.
    assertThat(ids(catalog))
        .contains("service:nginx")
        .noneMatch(id -> id.contains("nginx.service"));
  }

  @Test
  void systemdProcessUnitsLoadTheEnvAfterDroppingPrivileges() {
    Catalog catalog =
        build(
                TestSpec.hello()
                    .process(
                        "worker",
                        List.of("python", "worker.py", "--queue", "a b"),
                        java.time.Duration.ofSeconds(10))
                    .build(),
                Supervisor.SYSTEMD)
            .catalog();

    assertThat(content(catalog, "file:/etc/systemd/system/hoist-hello-worker.service"))
        .contains(
            "User=hello\nGroup=hello\n",
            "ExecStart=/srv/hello/etc/with-env python worker.py --queue 'a b'\n",
            "TimeoutStopSec=10",
            "Restart=always",
            "ReadWritePaths=-/srv/hello/shared\n");
    assertThat(content(catalog, "file:/srv/hello/etc/with-env"))
        .startsWith("#!/bin/sh\n")
        .contains(". \"$release/.hoist/env\"\n", "exec \"$@\"");
    assertThat(file(catalog, "file:/srv/hello/etc/with-env").attributes().owner())
        .isEqualTo("root");
    assertThat(catalog.get("service:hoist-hello-worker").requires())
        .contains("file:/srv/hello/etc/with-env");
  }

  @Test
  void aReleaseReloadsTheAppGracefullyButANewRunScriptRestartsIt() {
    Stack stack = build(TestSpec.hello().build());
    Catalog catalog = stack.catalog();

    // The env and gunicorn's config come with a release, whose switch replaces the workers.
    assertThat(stack.appService().refresh()).isEqualTo(Refresh.REPLACE_WORKERS);
    assertThat(catalog.get(APP_RUN).restarts()).containsExactly("service:hoist-hello");
    assertThat(catalog.get("file:/etc/sv/hoist-hello/log/run").restarts())
        .containsExactly("service:hoist-hello");
    // gunicorn reads its env itself: with-env is the processes' only.
    assertThat(catalog.get(WITH_ENV).notifies()).doesNotContain("service:hoist-hello");
  }

  @Test
  void processesGetTheirOwnSupervisedServicesStartedThroughWithEnv() {
    Spec spec =
        TestSpec.hello()
            .process(
                "worker",
                List.of("celery", "-A", "hello", "worker", "--loglevel", "info"),
                Duration.ofSeconds(20))
            .build();

    Stack stack = build(spec);
    Catalog catalog = stack.catalog();

    ServiceResource worker = (ServiceResource) catalog.get("service:hoist-hello-worker").resource();
    assertThat(worker.refresh()).isEqualTo(Refresh.RESTART);
    assertThat(worker.stopTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(stack.processServices()).containsExactly(worker);
    String run = content(catalog, "file:/etc/sv/hoist-hello-worker/run");
    assertRunsNothingAsRootButAbsolutePaths(run);
    assertThat(commands(run).getLast())
        .isEqualTo(
            "exec /usr/bin/chpst -u hello:hello /usr/bin/env -i"
                + " PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=/srv/hello"
                + " /srv/hello/etc/with-env celery -A hello worker --loglevel info");
    assertThat(content(catalog, "file:/etc/sv/hoist-hello-worker/log/run"))
        .contains("exec /usr/bin/svlogd -tt /var/log/hoist/hello-worker");
    assertThat(catalog.contains("dir:/var/log/hoist/hello-worker")).isTrue();
    assertThat(catalog.get("service:hoist-hello-worker").requires()).contains(WITH_ENV);
    assertThat(catalog.get(WITH_ENV).notifies()).containsExactly("service:hoist-hello-worker");
    assertThat(catalog.get("file:/etc/sv/hoist-hello-worker/run").notifies())
        .containsExactly("service:hoist-hello-worker");
  }

  @Test
  void processCommandWordsAreQuotedForTheShell() {
    Spec spec =
        TestSpec.hello()
            .process("beat", List.of("sh", "-c", "echo $HOME; rm -rf /"), Duration.ofSeconds(10))
            .build();

    String run = content(build(spec).catalog(), "file:/etc/sv/hoist-hello-beat/run");

    assertThat(run).endsWith(" /srv/hello/etc/with-env sh -c 'echo $HOME; rm -rf /'\n");
  }

  @Test
  void releaseRestartsTheAppAndProcessesItself() {
    Spec spec =
        TestSpec.hello()
            .process("worker", List.of("celery", "worker"), Duration.ofSeconds(10))
            .build();

    assertThat(build(spec).releaseRefreshed())
        .containsExactly("service:hoist-hello", "service:hoist-hello-worker");
  }
}

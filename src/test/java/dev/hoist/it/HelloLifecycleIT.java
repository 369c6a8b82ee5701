package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life of the plain-WSGI example on this machine, through real nginx, gunicorn and runit: first
 * deploy, no-op, plan, new release under load, rollback, broken releases rolled back, run, check.
 */
@TestMethodOrder(OrderAnnotation.class)
class HelloLifecycleIT {
  static final String APP = "ithello";
  static final String HOST = APP + ".test";
  @TempDir static Path tmp;
  static Path project;

  @BeforeAll
  static void setUp() throws Exception {
    Hoist.purge(APP);
    project = Hoist.copyExample("hello", "hello", APP, tmp);
  }

  @AfterAll
  static void tearDown() throws Exception {
    Hoist.purge(APP);
  }

  @Test
  @Order(1)
  void firstDeployServesTheAppThroughNginx() throws Exception {
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("live and healthy").contains("http://" + HOST + "/");
    Http.Response page = Http.get(HOST, "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("version 1");
    assertThat(Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString())
        .startsWith("releases/");
    // The release's env is root's, readable by the app's group only (docs/security.md).
    Path env = Path.of("/srv/" + APP + "/current/.hoist/env");
    assertThat(Files.getPosixFilePermissions(env))
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE", "GROUP_READ");
    assertThat(Files.getOwner(env).getName()).isEqualTo("root");
    assertThat(Files.getOwner(Path.of("/srv/" + APP + "/current/")).getName()).isEqualTo("root");
    // The agent works at a low CPU priority; the app it leaves running serves at the caller's.
    String ours = Hoist.sh("ps -o ni= -p $$").strip();
    String workers = Hoist.sh("ps -o ni= -u " + APP);
    assertThat(workers.lines().map(String::strip).filter(l -> !l.isEmpty()).distinct())
        .as(workers)
        .containsExactly(ours);
  }

  @Test
  @Order(2)
  void secondDeployChangesNothingAndSaysSo() throws Exception {
    String before = Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString();
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("0 changed");
    assertThat(Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString())
        .isEqualTo(before);
    assertThat(Hoist.run("plan", project.toString()).out()).contains("up to date");
  }

  @Test
  @Order(3)
  void planShowsAFileDiffAndTouchesNothing() throws Exception {
    Hoist.replace(
        project.resolve("hoist.yml"),
        "app: " + APP,
        "app: " + APP + "\naliases: [www." + HOST + "]");
    Path site = Path.of("/etc/nginx/sites-enabled/hoist-" + APP + ".conf");
    String siteBefore = Files.readString(site);
    Hoist.Result r = Hoist.run("plan", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("update " + site)
        .contains("+    server_name www." + HOST + ";")
        .contains("release");
    assertThat(Files.readString(site)).isEqualTo(siteBefore);
    Hoist.Result dry = Hoist.run("deploy", "--dry-run", project.toString());
    assertThat(dry.out()).contains("update " + site);
    assertThat(Files.readString(site)).isEqualTo(siteBefore);
  }

  @Test
  @Order(4)
  void newReleaseGoesLiveWithoutFailingARequest() throws Exception {
    Hoist.replace(project.resolve("hello.py"), "version 1", "version 2");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Thread[] load = new Thread[4];
    long stopAt = System.nanoTime() + 120_000_000_000L; // bounded even if the deploy hangs
    for (int i = 0; i < load.length; i++) {
      load[i] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (running.get() && System.nanoTime() < stopAt) {
                      try {
                        if (Http.get(HOST, "/").status() == 200) {
                          ok.incrementAndGet();
                        } else {
                          failed.incrementAndGet();
                        }
                      } catch (Exception e) {
                        failed.incrementAndGet();
                      }
                    }
                  });
    }
    Thread.sleep(300);
    Hoist.Result r = Hoist.run("deploy", project.toString());
    Thread.sleep(300);
    running.set(false);
    for (Thread t : load) {
      t.join();
    }
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(failed.get()).as("failed requests during the switch (of %d ok)", ok.get()).isZero();
    assertThat(ok.get()).isGreaterThan(20);
    for (int i = 0; i < 10; i++) {
      assertThat(Http.get(HOST, "/").body()).contains("version 2");
    }
    assertThat(Http.get("www." + HOST, "/x").headers())
        .contains("301")
        .contains("Location: http://" + HOST + "/x");
    try (var releases = Files.list(Path.of("/srv/" + APP + "/releases"))) {
      assertThat(releases.count()).isEqualTo(2);
    }
  }

  @Test
  @Order(5)
  void rollbackSwitchesBackAndReleasesListsBoth() throws Exception {
    Hoist.Result list = Hoist.run("releases", project.toString());
    assertThat(list.out().lines().filter(l -> l.contains("T")).count()).isEqualTo(2);
    Hoist.Result r = Hoist.run("rollback", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("rolled back to");
    assertThat(Http.get(HOST, "/").body()).contains("version 1");
  }

  @Test
  @Order(6)
  void releaseThatFailsToImportNeverGoesLive() throws Exception {
    Hoist.replace(project.resolve("hello.py"), "version 2", "version 3");
    Files.writeString(
        project.resolve("hello.py"),
        Files.readString(project.resolve("hello.py")) + "\nimport no_such_module\n");
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.all()).contains("import").contains("no_such_module").contains("keeps serving");
    assertThat(Http.get(HOST, "/").body()).contains("version 1");
  }

  @Test
  @Order(7)
  void releaseThatFailsItsHealthCheckIsRolledBack() throws Exception {
    String code =
        Files.readString(project.resolve("hello.py")).replace("\nimport no_such_module\n", "\n");
    // Healthy code that answers 500 on the health path: it imports fine, so only the health gate
    // catches it.
    code =
        code.replace("version 3", "version 4")
            + "\n_inner = application\n"
            + "def application(environ, start_response):\n"
            + "    if environ.get('PATH_INFO') == '/healthz':\n"
            + "        start_response('500 Internal Server Error', [('Content-Type', 'text/plain')])\n"
            + "        return [b'sick']\n"
            + "    return _inner(environ, start_response)\n";
    Files.writeString(project.resolve("hello.py"), code);
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.all()).contains("health check").contains("HTTP 500").contains("rolled back");
    assertThat(Http.get(HOST, "/").body()).contains("version 1");
    assertThat(Hoist.run("releases", project.toString()).out()).contains("failed");
  }

  @Test
  @Order(8)
  void runPassesTheExitCodeAndRunsAsTheAppUserInTheRelease() throws Exception {
    Hoist.Result r =
        Hoist.run(
            "run",
            project.toString(),
            "--",
            "python",
            "-c",
            "import os, sys, getpass; print(getpass.getuser(), os.getcwd(), os.environ['HOIST_APP'], sys.prefix); sys.exit(3)");
    assertThat(r.exit()).as(r.all()).isEqualTo(3);
    assertThat(r.out())
        .contains(APP + " /srv/" + APP + "/releases/")
        .contains(" " + APP + " ")
        .contains(".venv");
    assertThat(Hoist.run("run", project.toString(), "--", "true").exit()).isZero();
  }

  @Test
  @Order(9)
  void checkSpeaksNagios() throws Exception {
    Hoist.Result ok = Hoist.run("check", project.toString());
    assertThat(ok.exit()).as(ok.all()).isZero();
    assertThat(ok.out()).startsWith("HOIST OK");
    Hoist.sh("sv -w 15 down /etc/service/hoist-" + APP);
    Hoist.Result down = Hoist.run("check", project.toString());
    assertThat(down.exit()).as(down.all()).isEqualTo(2);
    assertThat(down.out()).startsWith("HOIST CRITICAL");
    Hoist.sh("sv -w 15 up /etc/service/hoist-" + APP);
    Hoist.Result unknown = Hoist.run("check", tmp.resolve("nowhere").toString());
    assertThat(unknown.exit()).isEqualTo(3);
    assertThat(unknown.out()).startsWith("HOIST UNKNOWN");
  }

  @Test
  @Order(10)
  void statusShowsReleaseProcessesAndHealth() throws Exception {
    for (int i = 0; i < 50 && Hoist.run("check", project.toString()).exit() != 0; i++) {
      Thread.sleep(200);
    }
    Hoist.Result r = Hoist.run("status", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("hoist-" + APP)
        .contains("running")
        .contains("pid ")
        .contains("healthy");
  }
}

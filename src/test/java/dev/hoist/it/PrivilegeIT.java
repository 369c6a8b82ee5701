package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acting as the app user on a node deployed on this machine (real nginx, gunicorn, runit), every
 * escalation from issue 8 fails while the app keeps serving: the env file, current, the venv, a
 * release swapped for a link during a deploy, links planted where hoist writes markers, a json.py
 * in the project for {@code hoist plan}. And a failed deploy puts the old config back.
 */
@TestMethodOrder(OrderAnnotation.class)
class PrivilegeIT {
  static final String APP = "itpriv";
  static final String HOST = APP + ".test";
  static final Path ROOT = Path.of("/srv/" + APP);
  static final AsApp AS_APP = AsApp.here(APP);
  @TempDir static Path tmp;
  static Path project;

  @BeforeAll
  static void setUp() throws Exception {
    Hoist.purge(APP);
    project = HelloCopy.make(APP, tmp, "env: {GREETING: old}\n");
  }

  @AfterAll
  static void tearDown() throws Exception {
    Hoist.purge(APP);
  }

  @Test
  @Order(1)
  void firstDeployLeavesCodeAndConfigToRoot() throws Exception {
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertServing();
    assertThat(Http.get(HOST, "/env/GREETING").body()).isEqualTo("old\n");
    assertOwned(ROOT.resolve("current/hoist.yml"), "root", APP, "rw-r-----");
    assertOwned(ROOT.resolve("current/.hoist/env"), "root", APP, "rw-r-----");
    assertOwned(ROOT.resolve("current/.hoist/gunicorn.conf.py"), "root", APP, "rw-r-----");
    assertOwned(ROOT.resolve(".hoist"), "root", "root", "rwx------");
    for (String ran :
        List.of(
            "/etc/sv/hoist-" + APP + "/run",
            "/etc/sv/hoist-" + APP + "/log/run",
            ROOT + "/etc/with-env")) {
      assertOwned(Path.of(ran), "root", "root", "rwxr-xr-x");
    }
    assertOwned(
        Path.of("/etc/nginx/sites-enabled/hoist-" + APP + ".conf"), "root", "root", "rw-r--r--");
    // hoist.yml says what runs as root everywhere: other users on the node cannot read it.
    Hoist.Result other =
        Hoist.capture(
            new ProcessBuilder("runuser", "-u", "nobody", "--", "cat", ROOT + "/current/hoist.yml"),
            "cat as nobody");
    assertThat(other.exit()).as(other.all()).isNotZero();
    assertThat(other.err()).contains("Permission denied");
  }

  @Test
  @Order(2)
  void theAppUserCannotChangeWhatRootRunsOrReads() throws Exception {
    Escalations.assertActingAsTheApp(AS_APP);
    String before = Escalations.fingerprint(AS_APP);
    assertServing();
    Escalations.assertEachFails(
        AS_APP, Stream.concat(Escalations.CORE.stream(), Escalations.MORE.stream()).toList());
    assertThat(Escalations.fingerprint(AS_APP)).isEqualTo(before);
    assertServing();
  }

  @Test
  @Order(3)
  void planInAProjectWithAJsonPyDoesNotImportIt() throws Exception {
    Path marker = tmp.resolve("json-py-was-imported");
    Path planted = project.resolve("json.py");
    Files.writeString(
        planted, "open(" + pyString(marker.toString()) + ", 'w').write('imported as root')\n");
    try {
      // As `sudo hoist plan` typed inside the project: the project is hoist's working directory.
      Hoist.Result r = Hoist.runIn(project, "plan");
      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out()).contains("release");
      assertThat(marker).doesNotExist();
    } finally {
      Files.delete(planted);
    }
  }

  @Test
  @Order(4)
  void aReleaseSwappedForALinkDuringADeployIsNeverFollowed() throws Exception {
    HelloCopy.version(project, 2);
    Attacker attacker = Attacker.start();
    Hoist.Result r = Hoist.run("deploy", project.toString());
    attacker.stopAndAssertNothingWorked();
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(Http.get(HOST, "/").body()).contains("version 2");
    assertThat(Http.get(HOST, "/env/GREETING").body()).isEqualTo("old\n");
  }

  @Test
  @Order(5)
  void aFailedDeployPutsTheOldConfigBackAndWritesNoPlantedMarker() throws Exception {
    Set<String> before = releases();
    Hoist.replace(project.resolve("hoist.yml"), "GREETING: old", "GREETING: new");
    HelloCopy.version(project, 3);
    HelloCopy.sicken(project);
    Attacker attacker = Attacker.start();
    Hoist.Result r = Hoist.run("deploy", project.toString());
    attacker.stopAndAssertNothingWorked();
    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.all()).contains("health check").contains("HTTP 500").contains("rolled back");

    // The old code runs with its old config: env var, env file.
    assertThat(Http.get(HOST, "/").body()).contains("version 2");
    assertThat(Http.get(HOST, "/env/GREETING").body()).isEqualTo("old\n");
    String env = Files.readString(ROOT.resolve("current/.hoist/env"));
    assertThat(env).containsPattern("(?m)^GREETING='?old'?$").doesNotContain("GREETING=new");

    // The failed release is marked in root's state dir, by root, as a plain file.
    Set<String> added = releases();
    added.removeAll(before);
    assertThat(added).hasSize(1);
    Path mark = ROOT.resolve(".hoist/failed/" + added.iterator().next());
    assertThat(Files.isRegularFile(mark, LinkOption.NOFOLLOW_LINKS))
        .as(mark + "\n" + r.all())
        .isTrue();
    assertOwned(mark, "root", "root", "rw-------");
    assertThat(Hoist.run("releases", project.toString()).out()).contains("failed");
  }

  private static void assertServing() throws IOException {
    Http.Response page = Http.get(HOST, "/");
    assertThat(page.status()).as(page.headers()).isEqualTo(200);
    assertThat(page.body()).contains("Hello from hoist!");
  }

  static void assertOwned(Path p, String owner, String group, String mode) throws IOException {
    PosixFileAttributes a =
        Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    assertThat(a.owner().getName() + ":" + a.group().getName() + " " + a.permissions())
        .as(p.toString())
        .isEqualTo(owner + ":" + group + " " + PosixFilePermissions.fromString(mode));
  }

  private static Set<String> releases() throws IOException {
    try (Stream<Path> s = Files.list(ROOT.resolve("releases"))) {
      return new java.util.TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /**
   * The app user, in a loop while a deploy runs, trying to swap each release dir (including the one
   * being unpacked) for a link to a dir it owns, and to plant links at the release's venv, its
   * failed markers and shared/; stops when told.
   */
  record Attacker(Process loop, Path planted, Path victim, Path stop) {
    private static final String SCRIPT =
        """
        root=$1 planted=$2 victim=$3 stop=$4 n=0
        while [ ! -e "$stop" ]; do
          for r in "$root"/releases/*; do
            [ -e "$r" ] || continue
            id=${r##*/}
            if mv -- "$r" "$r.away" 2>/dev/null; then
              echo "moved $id"; ln -s "$planted" "$r" && echo "linked $id"
            fi
            ln -s "$planted" "$r/.venv" 2>/dev/null && echo "planted .venv in $id"
            ln -s "$victim" "$r/.hoist-failed" 2>/dev/null && echo "planted .hoist-failed in $id"
            ln -s "$victim" "$root/.hoist/failed/$id" 2>/dev/null && echo "planted failed/$id"
            ln -s "$planted" "$root/shared/$id" 2>/dev/null && echo "planted shared/$id"
          done
          n=$((n+1))
          sleep 0.05
        done
        echo "rounds $n"
        """;

    static Attacker start() throws IOException, InterruptedException {
      long n = System.nanoTime();
      Path planted = Path.of("/tmp/hoist-planted-" + APP + "-" + n);
      Hoist.Result made = AS_APP.sh("mkdir \"$1\" && echo mine > \"$1/keep\"", planted.toString());
      assertThat(made.exit()).as(made.all()).isZero();
      // Where root would write if it followed a planted marker link: a place the app cannot.
      Path victim = Path.of("/root/hoist-victim-" + APP + "-" + n);
      Path stop = Path.of("/tmp/hoist-stop-" + APP + "-" + n);
      Process loop =
          AS_APP.start(
              SCRIPT, ROOT.toString(), planted.toString(), victim.toString(), stop.toString());
      return new Attacker(loop, planted, victim, stop);
    }

    void stopAndAssertNothingWorked() throws Exception {
      Files.createFile(stop);
      try {
        assertThat(loop.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(loop.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out.strip())
            .as("what the app managed during the deploy")
            .matches("rounds [1-9][0-9]*");
        assertThat(victim).doesNotExist();
        assertOwned(planted, APP, APP, "rwxr-xr-x");
        try (Stream<Path> s = Files.list(planted)) {
          assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep");
        }
        assertOwned(planted.resolve("keep"), APP, APP, "rw-r--r--");
      } finally {
        loop.destroyForcibly();
        Files.deleteIfExists(stop);
        Hoist.capture(new ProcessBuilder("rm", "-rf", planted.toString()), "rm");
      }
    }
  }
}

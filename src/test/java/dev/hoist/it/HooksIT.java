package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hooks on this machine, as the app user: a collectstatic-style hook may write its static dir,
 * which is root's afterwards; a hook that never ends is killed with its process group after {@code
 * release.hook_timeout}, and the old release keeps serving.
 */
@TestMethodOrder(OrderAnnotation.class)
class HooksIT {
  static final String APP = "ithooks";
  static final String HOST = APP + ".test";
  static final Path CURRENT = Path.of("/srv/" + APP + "/current");
  static final String COLLECT =
      "python -c \"import os; os.makedirs('collected/css', exist_ok=True);"
          + " open('collected/css/app.css', 'w').write('body{}')\"";
  @TempDir static Path tmp;
  static Path project;

  @BeforeAll
  static void setUp() throws Exception {
    Hoist.purge(APP);
    project =
        HelloCopy.make(
            APP,
            tmp,
            "static: {/static: collected}\n"
                + "release:\n"
                + "  hook_timeout: 3s\n"
                + "  before_activate:\n"
                + "    - "
                + COLLECT
                + "\n");
  }

  @AfterAll
  static void tearDown() throws Exception {
    Hoist.purge(APP);
  }

  @Test
  @Order(1)
  void aHookWritesItsStaticDirWhichIsRootsAfterwards() throws Exception {
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    Http.Response css = Http.get(HOST, "/static/css/app.css");
    assertThat(css.status()).as(css.headers()).isEqualTo(200);
    assertThat(css.body()).isEqualTo("body{}");
    PrivilegeIT.assertOwned(CURRENT.resolve("collected"), "root", "root", "rwxr-xr-x");
    PrivilegeIT.assertOwned(CURRENT.resolve("collected/css"), "root", "root", "rwxr-xr-x");
    PrivilegeIT.assertOwned(CURRENT.resolve("collected/css/app.css"), "root", "root", "rw-r--r--");
    AsApp app = AsApp.here(APP);
    Escalations.assertActingAsTheApp(app);
    Escalations.assertEachFails(
        app,
        List.of(
            new Escalations.Attempt(
                "change a sealed static file", "printf x >> \"$1/current/collected/css/app.css\""),
            new Escalations.Attempt(
                "add a file to a sealed static dir", "printf x > \"$1/current/collected/x.js\"")));
  }

  @Test
  @Order(2)
  void aHookThatNeverEndsIsKilledWithItsGroupAfterTheTimeout() throws Exception {
    HelloCopy.version(project, 2);
    Hoist.replace(
        project.resolve("hoist.yml"),
        "    - " + COLLECT + "\n",
        "    - " + COLLECT + "\n    - sh -c 'sleep 600 & sleep 600'\n");
    long start = System.nanoTime();
    Hoist.Result r = Hoist.run("deploy", project.toString());
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.all())
        .contains("hook-2")
        .contains("sleep 600")
        .contains("did not finish within 3s")
        .contains("process group was killed");
    assertThat(seconds).as("seconds the deploy took").isLessThan(45);
    assertThat(Http.get(HOST, "/").body()).contains("version 1");
    assertThat(sleepersLeft()).isEmpty();
  }

  /** Live processes of the app user running {@code sleep 600} (waits a little for the kill). */
  private static List<String> sleepersLeft() throws Exception {
    String uid = Hoist.sh("id -u " + APP).strip();
    List<String> left = List.of();
    for (int i = 0; i < 20; i++) {
      left = sleepers(uid);
      if (left.isEmpty()) {
        return left;
      }
      Thread.sleep(250);
    }
    return left;
  }

  private static List<String> sleepers(String uid) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          String status = Files.readString(p.resolve("status"));
          String cmd =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ')
                  .strip();
          boolean mine = status.lines().anyMatch(l -> l.matches("Uid:\\s+" + uid + "\\s.*"));
          boolean zombie = status.lines().anyMatch(l -> l.startsWith("State:\tZ"));
          if (mine && !zombie && cmd.contains("sleep 600")) {
            found.add(p.getFileName() + " " + cmd);
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return found;
  }
}

package dev.hoist.server.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoist.build.BuildUser;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The install keeps hoist's builds from leaving a job to cron or at. */
class JobDenyTest {
  @TempDir Path tmp;

  @Test
  void theInstallDeniesHoistCronAndAt() {
    for (List<String> projects : List.of(List.<String>of(), List.of("shop"))) {
      Catalog catalog =
          ServerInstall.catalog(InstallLayoutTest.layout(Supervisor.RUNIT, projects), "box");
      for (String file : List.of("/etc/cron.deny", "/etc/at.deny")) {
        ExecResource deny = (ExecResource) catalog.get("exec:deny-hoist-in-" + file).resource();
        assertThat(deny.argv()).endsWith(file, "hoist");
        assertThat(deny.unless()).containsExactly("/bin/grep", "-qxF", "hoist", file);
        assertThat(deny.user()).isEmpty();
      }
    }
  }

  @Test
  void aMissingFileIsMadeRoot0644AndRunningAgainAddsNothing() throws Exception {
    assumeTrue(BuildUser.current().uid() == 0, "install -o root needs root");
    Path file = tmp.resolve("cron.deny");

    run(file);
    run(file);

    assertThat(file).hasContent("hoist");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r--r--");
    assertThat(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
    assertThat(check(file)).isZero();
  }

  @Test
  void anExistingFileKeepsItsLinesAndMode() throws Exception {
    Path file = Files.writeString(tmp.resolve("at.deny"), "alice\nhoister");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    assertThat(check(file)).isNotZero();

    run(file);

    assertThat(Files.readAllLines(file)).containsExactly("alice", "hoister", "hoist");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");
  }

  private static void run(Path file) throws Exception {
    ExecResource deny = JobDeny.resource(file.toString(), "hoist");
    assertThat(new ProcessBuilder(deny.argv()).inheritIO().start().waitFor()).isZero();
  }

  private static int check(Path file) throws Exception {
    List<String> argv = new ArrayList<>(JobDeny.resource(file.toString(), "hoist").unless());
    return new ProcessBuilder(argv).start().waitFor();
  }
}

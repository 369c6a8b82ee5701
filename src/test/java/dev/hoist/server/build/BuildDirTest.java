package dev.hoist.server.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoist.build.BuildUser;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A root server's build dir: the build gets src/ and home/, never the dir itself. */
class BuildDirTest {
  @TempDir Path tree;

  @Test
  void theBuildCannotRenameItsDirAndItIsRemovedWhole() throws Exception {
    assumeTrue(BuildUser.current().uid() == 0, "only root builds as another user");
    BuildUser nobody = BuildUser.named("nobody").orElseThrow();
    Files.writeString(tree.resolve("app.py"), "x\n");
    Path dir = BuildDir.make(tree, nobody);
    try {
      assertThat(owner(dir)).isEqualTo(0);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx--x--x");
      assertThat(owner(BuildDir.src(dir))).isEqualTo(nobody.uid());
      assertThat(owner(BuildDir.src(dir).resolve("app.py"))).isEqualTo(nobody.uid());
      assertThat(owner(BuildDir.home(dir))).isEqualTo(nobody.uid());

      // What the build would do to point the server's copy elsewhere.
      Process mv =
          new ProcessBuilder(as(nobody, "/bin/mv", dir.toString(), dir + ".x"))
              .redirectErrorStream(true)
              .start();
      assertThat(mv.waitFor()).isNotZero();
      Process write =
          new ProcessBuilder(as(nobody, "/bin/sh", "-c", "echo x > " + BuildDir.src(dir) + "/made"))
              .redirectErrorStream(true)
              .start();
      assertThat(write.waitFor()).isZero();
      assertThat(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)).isTrue();
    } finally {
      BuildDir.remove(dir);
    }
    assertThat(dir).doesNotExist();
  }

  private static List<String> as(BuildUser user, String... argv) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=" + user.uid(),
                "--regid=" + user.gid(),
                "--clear-groups",
                "--"));
    cmd.addAll(List.of(argv));
    return cmd;
  }

  private static int owner(Path p) throws Exception {
    return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }
}

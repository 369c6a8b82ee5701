package dev.hoist.server.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit's files written from git's objects: the commit's bytes, modes and links, no filter or
 * attribute applied, and the paths git's checkout refuses refused before anything lands outside.
 */
class CommitFilesTest {
  @TempDir Path tmp;
  Path repo;
  Path into;

  @BeforeEach
  void repo() throws Exception {
    repo = tmp.resolve("repo.git");
    git("init", "-q", "--bare", repo.toString());
    into = Files.createDirectory(tmp.resolve("into"));
  }

  private String git(String... args) throws IOException, InterruptedException {
    return fed(null, args);
  }

  private String fed(String input, String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("git", "--git-dir=" + repo));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (var in = p.getOutputStream()) {
      if (input != null) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).as(String.join(" ", args)).isZero();
    return out;
  }

  private String blob(String text) throws Exception {
    return fed(text, "hash-object", "-w", "--stdin");
  }

  /**
   * A tree of {@code "mode type oid\tname"} lines, taken as they are (git mktree checks little).
   */
  private String tree(String... lines) throws Exception {
    return fed(String.join("\n", lines) + "\n", "mktree");
  }

  private String commit(String tree) throws Exception {
    return fed("m", "-c", "user.name=t", "-c", "user.email=t@t", "commit-tree", tree);
  }

  private IOException refused(String commit) {
    return catchThrowableOfType(
        IOException.class, () -> CommitFiles.write(new Git(repo), commit, into));
  }

  @Test
  void writesTheCommitsBytesModesAndLinksWithNoFilterOrAttributeApplied() throws Exception {
    Path marker = tmp.resolve("filter-ran");
    // A filter the mirror's config names for every file, and CRLF line ends asked for: neither
    // applies, since no checkout runs.
    git("config", "filter.evil.smudge", "touch " + marker + "; cat");
    String attributes = blob("* text eol=crlf filter=evil\n");
    String inner = tree("100644 blob " + blob("x\ny\n") + "\tc.txt");
    String root =
        tree(
            "100644 blob " + attributes + "\t.gitattributes",
            "100755 blob " + blob("#!/bin/sh\n") + "\trun.sh",
            "120000 blob " + blob("/etc/passwd") + "\tlink",
            "040000 tree " + tree("040000 tree " + inner + "\tb") + "\ta");

    CommitFiles.write(new Git(repo), commit(root), into);

    assertThat(Files.readString(into.resolve("a/b/c.txt"))).isEqualTo("x\ny\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(into.resolve("run.sh"))))
        .isEqualTo("rwxr-xr-x");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(into.resolve("a/b/c.txt"))))
        .isEqualTo("rw-r--r--");
    assertThat(Files.readSymbolicLink(into.resolve("link"))).isEqualTo(Path.of("/etc/passwd"));
    assertThat(marker).doesNotExist();
    assertThat(into.resolve(".git")).doesNotExist();
  }

  @Test
  void aFileUnderALinkOfTheCommitIsRefusedAndNothingIsWrittenWhereTheLinkLeads() throws Exception {
    Path outside = Files.createDirectory(tmp.resolve("outside"));
    String under = tree("100644 blob " + blob("planted\n") + "\tplanted.txt");
    // The link "a" and a directory "a" in one tree: git's checkout refuses it, so must this.
    String root =
        tree("120000 blob " + blob(outside.toString()) + "\ta", "040000 tree " + under + "\ta");

    IOException e = refused(commit(root));

    assertThat(e).hasMessageContaining("a/planted.txt lies under a, which is no directory");
    assertThat(outside.resolve("planted.txt")).doesNotExist();
  }

  @Test
  void pathsGitsCheckoutRefusesAreRefused() throws Exception {
    String b = blob("x\n");
    for (String name : List.of("..", ".git", ".GIT")) {
      String root = tree("040000 tree " + tree("100644 blob " + b + "\tconfig") + "\t" + name);

      IOException e = refused(commit(root));

      assertThat(e).hasMessageContaining("a path git's checkout refuses: '" + name + "/config'");
    }
    assertThat(tmp.resolve("config")).doesNotExist();
  }
}

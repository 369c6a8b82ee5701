package dev.hoist.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child deploy's command line: the ./hoist launcher's flags and class-data cache. */
class HoistCliTest {
  private static final Path JAVA = Path.of("/opt/jdk/bin/java");
  private static final List<String> FLAGS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-XX:-UsePerfData");

  @TempDir Path tmp;

  @Test
  void usesTheAotCacheNextToTheJarOnJdk25() throws IOException {
    Path jar = Files.createFile(tmp.resolve("hoist.jar"));
    Files.createFile(tmp.resolve("hoist.aot"));

    assertThat(HoistCli.launcherCommand(JAVA, jar, 25))
        .containsExactly(
            JAVA.toString(),
            FLAGS.get(0),
            FLAGS.get(1),
            FLAGS.get(2),
            FLAGS.get(3),
            "-XX:AOTCache=" + tmp.resolve("hoist.aot"),
            "-Xlog:aot=off",
            "-Xlog:cds=off",
            "-jar",
            jar.toString());
  }

  @Test
  void withoutACacheStartsWithTheLauncherFlagsOnly() throws IOException {
    Path jar = Files.createFile(tmp.resolve("hoist.jar"));
    // A dynamic CDS archive is for JDKs before 25; an AOT cache is never named when missing.
    Files.createFile(tmp.resolve("hoist.jsa"));

    assertThat(HoistCli.launcherCommand(JAVA, jar, 25))
        .containsExactly(
            JAVA.toString(),
            FLAGS.get(0),
            FLAGS.get(1),
            FLAGS.get(2),
            FLAGS.get(3),
            "-jar",
            jar.toString());
  }

  @Test
  void usesTheDynamicArchiveBeforeJdk25AndNeverWritesOne() throws IOException {
    Path jar = Files.createFile(tmp.resolve("hoist.jar"));
    Files.createFile(tmp.resolve("hoist.aot"));

    assertThat(HoistCli.launcherCommand(JAVA, jar, 21))
        .containsExactly(
            JAVA.toString(),
            FLAGS.get(0),
            FLAGS.get(1),
            FLAGS.get(2),
            FLAGS.get(3),
            "-jar",
            jar.toString());

    Files.createFile(tmp.resolve("hoist.jsa"));
    assertThat(HoistCli.launcherCommand(JAVA, jar, 21))
        .contains("-XX:SharedArchiveFile=" + tmp.resolve("hoist.jsa"), "-Xlog:cds=off")
        .doesNotContain("-XX:+AutoCreateSharedArchive");
  }

  @Test
  void thisJvmAcceptsTheFlagsAndAStaleCache() throws Exception {
    // A flag the JVM refused would fail every deploy; a cache of another jar is only ignored.
    Path jar = Files.createFile(tmp.resolve("hoist.jar"));
    Files.writeString(tmp.resolve("hoist.aot"), "not a cache");
    Files.writeString(tmp.resolve("hoist.jsa"), "not an archive");
    List<String> argv =
        new java.util.ArrayList<>(
            HoistCli.launcherCommand(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                jar,
                Runtime.version().feature()));
    argv.subList(argv.size() - 2, argv.size()).clear(); // -jar JAR
    argv.add("-version");
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("version").doesNotContain("Error");
  }
}

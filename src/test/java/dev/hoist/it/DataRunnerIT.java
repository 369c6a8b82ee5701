package dev.hoist.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The node's data runner (hoist-data.py) against a real PostgreSQL 15 and Redis 7 on this machine:
 * src/test/python/it_hoist_data.py starts its own throwaway cluster, Redis and runsvdir on free
 * ports under a temporary root, and covers backup, verify, wipe, restore and compare, truncated and
 * altered bundles, another app's bundle, PostgreSQL down, interrupted restores, drill, the
 * scheduled job, status and cleanup. It stops what it started by pid.
 */
class DataRunnerIT {
  private static final Path ROOT = Path.of(System.getProperty("hoist.root", "."));

  @Test
  void runnerBacksUpVerifiesRestoresAndRefusesBadBundles() throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-W",
                "ignore::ResourceWarning",
                "-m",
                "unittest",
                "discover",
                "-s",
                ROOT.resolve("src/test/python").toString(),
                "-p",
                "it_hoist_data.py",
                "-v")
            .redirectErrorStream(true);
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(15, TimeUnit.MINUTES)).as("the python IT finished").isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("Ran 7 tests").contains("OK").doesNotContain("skipped");
  }
}

package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two deploys of one app started at the same moment on this machine: one goes live, the other is
 * refused naming why, and the live release is healthy and never marked failed.
 */
class ConcurrentDeployIT {
  static final String APP = "itrace";
  static final String HOST = APP + ".test";
  static final Path ROOT = Path.of("/srv/" + APP);
  @TempDir static Path tmp;

  @BeforeAll
  @AfterAll
  static void clean() throws Exception {
    Hoist.purge(APP);
  }

  @Test
  void twoDeploysAtOnceNeverBothChangeTheNode() throws Exception {
    Path a = HelloCopy.make(APP, Files.createDirectories(tmp.resolve("a")), "");
    Path b = HelloCopy.make(APP, Files.createDirectories(tmp.resolve("b")), "");
    Hoist.Result first = Hoist.run("deploy", a.toString());
    assertThat(first.exit()).as(first.all()).isZero();
    int refused = 0;
    // Different code, then the same code (same release hash, same second), then different again.
    int[][] rounds = {{10, 11}, {20, 20}, {30, 31}};
    for (int[] versions : rounds) {
      HelloCopy.version(a, versions[0]);
      HelloCopy.version(b, versions[1]);
      List<Hoist.Result> results = atOnce(a, b);
      String both = results.get(0).all() + "\n----\n" + results.get(1).all();
      List<Integer> won = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Hoist.Result r = results.get(i);
        if (r.exit() == 0) {
          won.add(versions[i]);
        } else {
          refused++;
          assertThat(r.all())
              .as(both)
              .containsAnyOf(
                  "another hoist run holds this node: ",
                  "changed this node after this deploy read it");
        }
      }
      assertThat(won).as(both).isNotEmpty();
      String live = Files.readSymbolicLink(ROOT.resolve("current")).getFileName().toString();
      assertThat(ROOT.resolve(".hoist/failed/" + live)).as(both).doesNotExist();
      Http.Response page = Http.get(HOST, "/");
      assertThat(page.status()).as(both).isEqualTo(200);
      assertThat(page.body()).as(both).contains("release " + live);
      if (won.size() == 1) {
        assertThat(page.body()).as(both).contains("version " + won.get(0) + "\n");
      }
      Hoist.Result check = Hoist.run("check", a.toString());
      assertThat(check.exit()).as(check.all()).isZero();
    }
    assertThat(refused)
        .as("deploys refused in %d rounds of two at once", rounds.length)
        .isPositive();
  }

  /** Deploys both projects, started together; their results in order. */
  private static List<Hoist.Result> atOnce(Path a, Path b) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Hoist.Result>> runs = new ArrayList<>();
    for (Path p : List.of(a, b)) {
      CompletableFuture<Hoist.Result> f = new CompletableFuture<>();
      Thread.ofPlatform()
          .start(
              () -> {
                try {
                  go.await();
                  f.complete(Hoist.run("deploy", p.toString()));
                } catch (Exception e) {
                  f.completeExceptionally(e);
                }
              });
      runs.add(f);
    }
    go.countDown();
    return List.of(runs.get(0).get(), runs.get(1).get());
  }
}

package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist server} killed with SIGKILL in the middle of a deploy (the real pipeline, on this
 * machine, through nginx) and started again on the same data dir: the cut deploy is recorded
 * interrupted with its log so far, a complete release serves throughout, the deploy child the dead
 * server left finishes on its own and no second deploy of the app runs beside it, and the next
 * pushes deploy normally; two pushes in quick succession deploy once, the newest.
 */
class ServerRestartIT {
  private static final String SECRET = "a webhook secret for ServerRestartIT";
  private static final String APP = "srvrestart";
  // A slow release hook (a migration, say) holds the deploy in its deploy phase long enough to cut.
  private static final String SLOW = "release:\n  before_activate: [sleep 19]\n";
  private static final Duration DEPLOY = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void aServerKilledMidDeployComesBackConsistentAndDeploysTheNextPush() throws Exception {
    Path repo = Hoist.copyExample("hello", "hello", APP, tmp);
    String v1 = GitRepo.init(repo);
    Hoist.purge(APP);
    try (ServerProcess server = new ServerProcess(tmp, APP, repo, SECRET)) {
      ServerClient client = new ServerClient(server);
      String read = server.token("reader", "read");
      server.start();
      assertThat(client.ended(client.push(v1, "d1"), read, DEPLOY).get("status").asText())
          .isEqualTo("succeeded");
      assertServes("version 1");

      // v2's deploy is cut by SIGKILL while its release hook runs.
      HelloCopy.version(repo, 2);
      Path yml = repo.resolve("hoist.yml");
      String plain = Files.readString(yml);
      Files.writeString(yml, plain + SLOW);
      String v2 = GitRepo.commit(repo, "two, with a slow migration");
      long cut = client.push(v2, "d2");
      awaitHook();
      List<ProcessHandle> children = deployChildren(server.handle());
      assertThat(children).as("the server's hoist deploy child").hasSize(1);
      ProcessHandle orphan = children.getFirst();
      server.kill();
      assertThat(orphan.isAlive()).as("the deploy child outlives its server").isTrue();

      server.start();
      JsonNode interrupted = client.deploy(cut, read);
      assertThat(interrupted.get("status").asText())
          .as(interrupted.toString())
          .isEqualTo("interrupted");
      assertThat(interrupted.get("error").asText()).contains("the server stopped");
      assertThat(interrupted.get("phases").get("fetch_ms").isNumber()).isTrue();
      assertThat(interrupted.get("phases").get("build_ms").isNumber()).isTrue();
      assertThat(interrupted.get("phases").get("deploy_ms").isNull()).isTrue();
      String log = client.get("/api/deploys/" + cut + "/log", read).body();
      assertThat(log).contains("checked out " + v2).contains("build took");
      // The old release serves, complete, while the orphan waits in the hook.
      assertServes("version 1");

      // A push now: the orphan still holds the app on this node, so this deploy is refused by the
      // CLI's lock rather than run beside it.
      HelloCopy.version(repo, 3);
      Files.writeString(yml, plain);
      String v3 = GitRepo.commit(repo, "three");
      JsonNode refused = client.ended(client.push(v3, "d3"), read, DEPLOY);
      assertThat(refused.get("status").asText()).as(refused.toString()).isEqualTo("failed");
      assertThat(refused.get("error").asText()).contains("holds this node");

      // The orphan finishes v2's deploy by itself, bounded, and nothing is left running.
      assertThat(orphan.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();
      assertServes("version 2");

      // The lock is free: the next push deploys; two more in quick succession while it runs
      // deploy once, the newest, and the one between is superseded.
      HelloCopy.version(repo, 4);
      String v4 = GitRepo.commit(repo, "four");
      HelloCopy.version(repo, 5);
      String v5 = GitRepo.commit(repo, "five");
      long next = client.push(v3, "d4");
      long skipped = client.push(v4, "d5");
      long newest = client.push(v5, "d6");
      assertThat(client.ended(next, read, DEPLOY).get("status").asText()).isEqualTo("succeeded");
      JsonNode superseded = client.ended(skipped, read, DEPLOY);
      assertThat(superseded.get("status").asText()).isEqualTo("superseded");
      assertThat(superseded.get("superseded_by").asLong()).isEqualTo(newest);
      JsonNode last = client.ended(newest, read, DEPLOY);
      assertThat(last.get("status").asText()).as(last.toString()).isEqualTo("succeeded");
      assertThat(last.get("commit").asText()).isEqualTo(v5);
      assertServes("version 5");
      assertThat(deployChildren(server.handle())).as("deploy children left running").isEmpty();
      assertThat(server.stop()).isIn(0, 143);
    } finally {
      Hoist.purge(APP);
    }
  }

  private static void assertServes(String version) throws Exception {
    Http.Response r = Http.get(APP + ".test", "/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains(version);
  }

  /** Waits until the slow release hook runs (its {@code sleep}, under the deploy child). */
  private static void awaitHook() throws InterruptedException {
    long deadline = System.nanoTime() + DEPLOY.toNanos();
    while (ProcessHandle.allProcesses().noneMatch(ServerRestartIT::isHook)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the slow release hook did not start within " + DEPLOY);
      }
      Thread.sleep(100);
    }
  }

  private static boolean isHook(ProcessHandle p) {
    ProcessHandle.Info info = p.info();
    return info.command().orElse("").endsWith("/sleep")
        && List.of(info.arguments().orElse(new String[0])).equals(List.of("19"));
  }

  /** The {@code hoist deploy} JVMs started by {@code server}. */
  private static List<ProcessHandle> deployChildren(ProcessHandle server) {
    List<ProcessHandle> found = new ArrayList<>();
    server
        .descendants()
        .filter(
            p ->
                p.info().command().orElse("").endsWith("/java")
                    && List.of(p.info().arguments().orElse(new String[0])).contains("deploy"))
        .forEach(found::add);
    return found;
  }
}

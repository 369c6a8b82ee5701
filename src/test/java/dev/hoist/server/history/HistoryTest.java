package dev.hoist.server.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.tokens.Scope;
import dev.hoist.server.tokens.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir Path tmp;
  private Instant now = Instant.parse("2026-12-03T10:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  private History open() throws IOException {
    History history = History.open(tmp.resolve("data"), clock);
    history.saveProject("shop", "https://example.com/shop.git", "main", Optional.of("live"));
    return history;
  }

  private static DeployRequest push(String commit) {
    return new DeployRequest("shop", commit, "Jane", "fix css", "webhook github d-" + commit);
  }

  @Test
  void keepsADeployItsNodesAndItsLog() throws IOException {
    try (History history = open()) {
      long id = history.queued(push("a".repeat(40)));
      now = now.plusSeconds(1);
      history.started(id);
      history.log(id, "fetching " + "a".repeat(40));
      history.log(id, "deploying to web1, web2");
      history.nodeOutcome(
          id, new NodeOutcome("web2", "ok", Optional.of("20261203-100001"), "switched"));
      history.nodeOutcome(
          id, new NodeOutcome("web1", "ok", Optional.of("20261203-100001"), "switched"));
      now = now.plusSeconds(41);
      history.finished(id, DeployStatus.SUCCEEDED, Optional.empty());

      DeployRecord d = history.deploy(id).orElseThrow();
      assertThat(d.status()).isEqualTo(DeployStatus.SUCCEEDED);
      assertThat(d.commit()).isEqualTo("a".repeat(40));
      assertThat(d.author()).isEqualTo("Jane");
      assertThat(d.duration()).contains(Duration.ofSeconds(41));
      assertThat(d.nodes()).extracting(NodeOutcome::node).containsExactly("web1", "web2");
      assertThat(history.log(id, 0)).extracting(LogLine::seq).containsExactly(1L, 2L);
      assertThat(history.log(id, 1))
          .extracting(LogLine::line)
          .containsExactly("deploying to web1, web2");
    }
  }

  @Test
  void recordsSupersededDeploysAndListsNewestFirst() throws IOException {
    try (History history = open()) {
      history.saveProject("blog", "/srv/git/blog", "main", Optional.empty());
      long a = history.queued(push("a".repeat(40)));
      long b = history.queued(push("b".repeat(40)));
      long c = history.queued(push("c".repeat(40)));
      history.superseded(b, c);
      long other =
          history.queued(new DeployRequest("blog", "d".repeat(40), "Joe", "post", "api token ci"));
      assertThat(history.deploy(b).orElseThrow().supersededBy()).contains(c);
      assertThat(history.deploy(b).orElseThrow().status()).isEqualTo(DeployStatus.SUPERSEDED);
      assertThat(history.deploys(Optional.of("shop"), 10))
          .extracting(DeployRecord::id)
          .containsExactly(c, b, a);
      assertThat(history.deploys(Optional.empty(), 2))
          .extracting(DeployRecord::id)
          .containsExactly(other, c);
    }
  }

  @Test
  void aRestartMarksWhatTheStopCutShortAsInterrupted() throws IOException {
    long running;
    long waiting;
    long done;
    try (History history = open()) {
      done = history.queued(push("a".repeat(40)));
      history.started(done);
      history.finished(done, DeployStatus.FAILED, Optional.of("build failed: exit 1"));
      running = history.queued(push("b".repeat(40)));
      history.started(running);
      waiting = history.queued(push("c".repeat(40)));
    }
    now = now.plusSeconds(60);
    try (History again = History.open(tmp.resolve("data"), clock)) {
      DeployRecord cut = again.deploy(running).orElseThrow();
      assertThat(cut.status()).isEqualTo(DeployStatus.INTERRUPTED);
      assertThat(cut.error()).contains("the server stopped during the deploy");
      assertThat(cut.finishedAt()).contains(now);
      assertThat(again.deploy(waiting).orElseThrow().error())
          .contains("the server stopped before the deploy started");
      assertThat(again.deploy(done).orElseThrow().status()).isEqualTo(DeployStatus.FAILED);
      assertThat(again.deploy(done).orElseThrow().error()).contains("build failed: exit 1");
    }
  }

  @Test
  void keepsTokenHashesOnly() throws IOException {
    var token = Tokens.create("ci", Scope.DEPLOY, now, new SecureRandom());
    try (History history = open()) {
      history.addToken(token.stored());
      assertThatThrownBy(() -> history.addToken(token.stored()))
          .hasMessageContaining("a token named 'ci' exists");
      assertThat(history.tokens()).containsExactly(token.stored());
      assertThat(Files.readAllBytes(tmp.resolve("data/history.db")))
          .asString()
          .doesNotContain(token.secret());
      assertThat(history.revokeToken("ci")).isTrue();
      assertThat(history.revokeToken("ci")).isFalse();
      assertThat(history.tokens()).isEmpty();
    }
  }

  @Test
  void theDataDirIs0700AndTheDatabase0600() throws IOException {
    try (History history = open()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("data"))))
          .isEqualTo("rwx------");
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(tmp.resolve("data/history.db"))))
          .isEqualTo("rw-------");
    }
    // A wider existing dir is narrowed; a link is refused.
    Files.setPosixFilePermissions(
        tmp.resolve("data"), PosixFilePermissions.fromString("rwxr-xr-x"));
    History.open(tmp.resolve("data"), clock).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("data"))))
        .isEqualTo("rwx------");
    Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("data"));
    assertThatThrownBy(() -> History.open(tmp.resolve("link"), clock))
        .hasMessageContaining("is not a directory");
  }

  @Test
  void onlySucceededOrFailedFinishADeploy() throws IOException {
    try (History history = open()) {
      long id = history.queued(push("a".repeat(40)));
      assertThatThrownBy(() -> history.finished(id, DeployStatus.SUPERSEDED, Optional.empty()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(history.deploys(Optional.of("shop"), 10)).hasSize(1);
      assertThat(List.of(history.deploy(id).orElseThrow().status()))
          .containsExactly(DeployStatus.QUEUED);
    }
  }

  @Test
  void keepsTheKindAndThePhasesTimes() throws IOException {
    try (History history = open()) {
      long id =
          history.queued(
              new DeployRequest(
                  "shop", null, "ci", "roll back", "api token ci", DeployRequest.Kind.ROLLBACK));
      history.started(id);
      history.phase(id, "deploy", Duration.ofMillis(1234));
      history.resolved(id, "e".repeat(40));
      DeployRecord d = history.deploy(id).orElseThrow();
      assertThat(d.kind()).isEqualTo(DeployRequest.Kind.ROLLBACK);
      assertThat(d.phases())
          .containsExactly(java.util.Map.entry("deploy", Duration.ofMillis(1234)));
      assertThat(d.commit()).isEqualTo("e".repeat(40));
      assertThatThrownBy(() -> history.phase(id, "x; DROP TABLE deploys", Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void oneServerAtATimePerDataDirWhileCommandsMayAttach() throws IOException {
    try (History server = open()) {
      long running = server.queued(push("f".repeat(40)));
      server.started(running);
      assertThatThrownBy(() -> History.open(tmp.resolve("data"), clock))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("another hoist server uses");
      try (History command = History.attach(tmp.resolve("data"), clock)) {
        assertThat(command.deploy(running).orElseThrow().status()).isEqualTo(DeployStatus.RUNNING);
      }
    }
  }
}

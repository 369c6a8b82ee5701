package dev.hoist.server.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The queue on a direct executor: a "deploy" runs on the test's thread, and pushes that arrive
 * while it runs are submitted from inside it, so every interleaving is exact and nothing sleeps.
 */
class DeployQueueTest {
  private final List<String> events = new ArrayList<>();
  private final List<String> deployed = new ArrayList<>();
  private Consumer<DeployRequest> duringDeploy = r -> {};

  private final QueueListener listener =
      new QueueListener() {
        @Override
        public void queued(DeployRequest r) {
          events.add("queued " + r.commit());
        }

        @Override
        public void started(DeployRequest r) {
          events.add("started " + r.commit());
        }

        @Override
        public void superseded(DeployRequest skipped, DeployRequest newer) {
          events.add("superseded " + skipped.commit() + " by " + newer.commit());
        }

        @Override
        public void finished(DeployRequest r) {
          events.add("finished " + r.commit());
        }

        @Override
        public void failed(DeployRequest r, Exception e) {
          events.add("failed " + r.commit() + ": " + e.getMessage());
        }
      };

  private final Executor direct = Runnable::run;
  private final DeployQueue queue =
      new DeployQueue(
          direct,
          r -> {
            deployed.add(r.project() + "@" + r.commit());
            Consumer<DeployRequest> hook = duringDeploy;
            duringDeploy = x -> {};
            hook.accept(r);
            if (r.commit().equals("bad")) {
              throw new IllegalStateException("build failed");
            }
          },
          listener);

  private static DeployRequest push(String project, String commit) {
    return new DeployRequest(project, commit, "jane", "msg", "webhook github d-" + commit);
  }

  @Test
  void anIdleProjectDeploysAtOnce() {
    assertThat(queue.submit(push("shop", "a"))).isEqualTo(Admission.STARTED);
    assertThat(deployed).containsExactly("shop@a");
    assertThat(events).containsExactly("started a", "finished a");
    assertThat(queue.running("shop")).isEmpty();
  }

  @Test
  void pushesDuringADeployCoalesceAndTheNewestWins() {
    List<Admission> admissions = new ArrayList<>();
    duringDeploy =
        r -> {
          admissions.add(queue.submit(push("shop", "b")));
          admissions.add(queue.submit(push("shop", "c")));
          admissions.add(queue.submit(push("shop", "d")));
          assertThat(queue.running("shop")).contains(push("shop", "a"));
          assertThat(queue.waiting("shop")).contains(push("shop", "d"));
          assertThat(queue.waitingCount()).isEqualTo(1);
        };
    queue.submit(push("shop", "a"));
    assertThat(admissions).containsOnly(Admission.QUEUED);
    assertThat(deployed).containsExactly("shop@a", "shop@d");
    assertThat(events)
        .containsExactly(
            "started a",
            "queued b",
            "superseded b by c",
            "queued c",
            "superseded c by d",
            "queued d",
            "finished a",
            "started d",
            "finished d");
    assertThat(queue.waitingCount()).isZero();
  }

  @Test
  void theSameCommitRunningOrWaitingIsNotQueuedAgain() {
    List<Admission> admissions = new ArrayList<>();
    duringDeploy =
        r -> {
          admissions.add(queue.submit(push("shop", "a")));
          admissions.add(queue.submit(push("shop", "b")));
          admissions.add(queue.submit(push("shop", "b")));
        };
    queue.submit(push("shop", "a"));
    assertThat(admissions)
        .containsExactly(Admission.ALREADY_THERE, Admission.QUEUED, Admission.ALREADY_THERE);
    assertThat(deployed).containsExactly("shop@a", "shop@b");
  }

  @Test
  void projectsDoNotWaitForEachOther() {
    List<Admission> admissions = new ArrayList<>();
    duringDeploy = r -> admissions.add(queue.submit(push("blog", "x")));
    queue.submit(push("shop", "a"));
    assertThat(admissions).containsExactly(Admission.STARTED);
    assertThat(deployed).containsExactly("shop@a", "blog@x");
  }

  @Test
  void aFailedDeployDoesNotStopTheQueue() {
    duringDeploy = r -> queue.submit(push("shop", "c"));
    queue.submit(push("shop", "bad"));
    assertThat(events)
        .containsExactly(
            "started bad", "queued c", "failed bad: build failed", "started c", "finished c");
    assertThat(queue.submit(push("shop", "e"))).isEqualTo(Admission.STARTED);
  }

  @Test
  void onRealThreadsPushesWaitForTheRunningDeploy() throws Exception {
    CountDownLatch inDeploy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(2);
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    ExecutorService threads = Executors.newCachedThreadPool();
    try {
      DeployQueue threaded =
          new DeployQueue(
              threads,
              r -> {
                ran.add(r.commit());
                if (r.commit().equals("a")) {
                  inDeploy.countDown();
                  assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                }
                done.countDown();
              },
              new QueueListener() {});
      threaded.submit(push("shop", "a"));
      assertThat(inDeploy.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(threaded.submit(push("shop", "b"))).isEqualTo(Admission.QUEUED);
      assertThat(threaded.submit(push("shop", "c"))).isEqualTo(Admission.QUEUED);
      release.countDown();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ran).containsExactly("a", "c");
    } finally {
      threads.shutdownNow();
    }
  }
}

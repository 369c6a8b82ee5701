package dev.hoist.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How a fleet runs a task on many nodes: parallelism, limits, failures kept per node, fail-fast.
 */
class FleetTest {
  /** A node that answers nothing; the tasks here never call it. */
  record FakeNode(String name, List<String> closed) implements Node, AutoCloseable {
    @Override
    public ExecResult exec(ExecRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int interactive(List<String> argv, boolean tty) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed.add(name);
    }
  }

  static List<FleetNode> nodes(int n) {
    List<FleetNode> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new FleetNode(TestNodes.spec("web" + i, "10.0.0." + i), List.of("web")));
    }
    return out;
  }

  final List<String> closed = new java.util.concurrent.CopyOnWriteArrayList<>();

  Fleet fleet(int parallel, boolean failFast) {
    return new Fleet(
        node -> {
          if (node.name().equals("web2")) {
            throw new ConnectException("Connection refused");
          }
          return new FakeNode(node.name(), closed);
        },
        new Fleet.Options(parallel, failFast));
  }

  @Test
  void allNodesWorkAtOnceAndResultsKeepNodeOrder() throws Exception {
    List<FleetNode> nodes = nodes(5);
    nodes = List.of(nodes.get(0), nodes.get(2), nodes.get(3), nodes.get(4));
    CountDownLatch allIn = new CountDownLatch(4);
    FleetResult<String> result =
        fleet(10, false)
            .run(
                nodes,
                (node, c) -> {
                  allIn.countDown();
                  // Every task waits for all the others: this only ends if they really run at the
                  // same time.
                  assertThat(allIn.await(5, TimeUnit.SECONDS)).isTrue();
                  return "ok " + node.name();
                },
                new Fleet.Listener() {});

    assertThat(result.outcomes())
        .extracting(NodeOutcome::node)
        .containsExactly("web1", "web3", "web4", "web5");
    assertThat(result.outcomes()).allMatch(NodeOutcome::ok);
    assertThat(result.all(r -> r.startsWith("ok"))).isTrue();
    assertThat(closed).containsExactlyInAnyOrder("web1", "web3", "web4", "web5");
  }

  @Test
  void parallelBoundsHowManyNodesWorkAtOnce() throws Exception {
    AtomicInteger working = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<FleetNode> nodes = nodes(12).stream().filter(n -> !n.name().equals("web2")).toList();
    fleet(3, false)
        .run(
            nodes,
            (node, c) -> {
              peak.accumulateAndGet(working.incrementAndGet(), Math::max);
              Thread.sleep(20);
              working.decrementAndGet();
              return node.name();
            },
            new Fleet.Listener() {});

    assertThat(peak.get()).isEqualTo(3);
  }

  @Test
  void anUnreachableNodeFailsAloneWithItsCause() throws Exception {
    FleetResult<String> result =
        fleet(10, false).run(nodes(3), (node, c) -> node.name(), new Fleet.Listener() {});

    assertThat(result.outcomes().get(1).failure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.kind()).isEqualTo(NodeFailure.Kind.UNREACHABLE);
              assertThat(f.message()).isEqualTo("Connection refused");
            });
    assertThat(result.outcomes().get(0).ok()).isTrue();
    assertThat(result.outcomes().get(2).ok()).isTrue();
    assertThat(result.onlyConnectionFailures()).isTrue();
  }

  @Test
  void failFastSkipsNodesNotYetStarted() throws Exception {
    ConcurrentLinkedQueue<String> ran = new ConcurrentLinkedQueue<>();
    // One at a time, so the order is fixed: web1 fails its task, the rest are skipped.
    FleetResult<String> result =
        fleet(1, true)
            .run(
                nodes(4),
                new Fleet.Task<>() {
                  @Override
                  public String run(FleetNode node, Node c) {
                    ran.add(node.name());
                    return node.name().equals("web1") ? "bad" : "good";
                  }

                  @Override
                  public boolean succeeded(String r) {
                    return r.equals("good");
                  }
                },
                new Fleet.Listener() {});

    assertThat(ran).containsExactly("web1");
    assertThat(result.outcomes().subList(1, 4))
        .allSatisfy(
            o ->
                assertThat(o.failure())
                    .hasValueSatisfying(
                        f -> assertThat(f.kind()).isEqualTo(NodeFailure.Kind.SKIPPED)));
  }

  @Test
  void aTaskErrorIsAFailureWithItsMessageAndTheConnectionIsClosed() throws Exception {
    FleetResult<String> result =
        fleet(10, false)
            .run(
                nodes(1),
                (node, c) -> {
                  throw new IOException("timed out after 5s: python3");
                },
                new Fleet.Listener() {});

    assertThat(result.outcomes().getFirst().failure().orElseThrow().kind())
        .isEqualTo(NodeFailure.Kind.TIMEOUT);
    assertThat(closed).containsExactly("web1");
    assertThat(result.onlyConnectionFailures()).isTrue();
  }

  @Test
  void stopStartingSkipsTheRest() throws Exception {
    Fleet fleet = fleet(1, false);
    FleetResult<String> result =
        fleet.run(
            nodes(1),
            (node, c) -> {
              fleet.stopStarting();
              return node.name();
            },
            new Fleet.Listener() {});
    FleetResult<String> after =
        fleet.run(nodes(1), (node, c) -> node.name(), new Fleet.Listener() {});

    assertThat(result.outcomes().getFirst().ok()).isTrue();
    assertThat(after.outcomes().getFirst().failure().orElseThrow().kind())
        .isEqualTo(NodeFailure.Kind.SKIPPED);
    assertThat(Duration.ZERO).isEqualTo(after.outcomes().getFirst().elapsed());
  }
}

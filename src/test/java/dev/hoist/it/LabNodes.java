package dev.hoist.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.lab.LabLayout;
import dev.hoist.lab.NodesBlock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lab nodes for integration tests: {@code hoist lab up N --json} runs once per JVM and its nodes
 * are shared by every test class (a later class asking for more nodes gets them added); {@code
 * hoist lab down} runs at JVM exit. Log in with {@link #ssh} or with {@link #key()} and {@link
 * #knownHosts()}.
 */
final class LabNodes {
  /** A running lab node. */
  record Node(String name, String address) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<Node> running = List.of();
  private static int mostEverUp;
  private static boolean hooked;

  private LabNodes() {}

  /**
   * Nodes lab1..labN, running; the first call builds the lab's base when it is not cached (about a
   * minute).
   */
  static synchronized List<Node> up(int n) throws IOException, InterruptedException {
    if (running.size() < n) {
      Hoist.Result r = Hoist.run("lab", "up", Integer.toString(n), "--json");
      if (r.exit() != 0) {
        throw new IllegalStateException(
            "hoist lab up " + n + " failed (exit " + r.exit() + "):\n" + r.all());
      }
      List<Node> nodes = new ArrayList<>();
      for (JsonNode node : JSON.readTree(r.out())) {
        nodes.add(new Node(node.get("name").asText(), node.get("address").asText()));
      }
      running = List.copyOf(nodes);
      mostEverUp = Math.max(mostEverUp, n);
      if (!hooked) {
        Runtime.getRuntime().addShutdownHook(new Thread(LabNodes::downQuietly, "lab-down"));
        hooked = true;
      }
    }
    return running.subList(0, n);
  }

  static Path key() {
    return LabLayout.standard().clientKey();
  }

  static Path knownHosts() {
    return LabLayout.standard().knownHosts();
  }

  /**
   * A {@code nodes:} block for hoist.yml naming every running lab node, logging in as {@code user}.
   */
  static synchronized String nodesYaml(String user) {
    Map<String, String> addresses = new LinkedHashMap<>();
    running.forEach(n -> addresses.put(n.name(), n.address()));
    return NodesBlock.render(addresses, user, key(), knownHosts());
  }

  /** Cuts the node's power (its disk stays); the next {@link #up} starts it again. */
  static synchronized void stop(String name) throws IOException, InterruptedException {
    Hoist.Result r = Hoist.run("lab", "stop", name);
    if (r.exit() != 0) {
      throw new IllegalStateException("hoist lab stop " + name + " failed:\n" + r.all());
    }
    running = List.of();
  }

  /** Removes every node this JVM started (the cached base stays). */
  static synchronized Hoist.Result down() throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("lab", "down"));
    for (int i = 1; i <= mostEverUp; i++) {
      args.add("lab" + i);
    }
    running = List.of();
    mostEverUp = 0;
    return args.size() == 2 ? new Hoist.Result(0, "", "") : Hoist.run(args.toArray(String[]::new));
  }

  /**
   * Runs {@code remote} on the node over OpenSSH as {@code user}, checking the host key strictly.
   */
  static Hoist.Result ssh(String user, Node node, String... remote)
      throws IOException, InterruptedException {
    return ssh(List.of(), user, node, remote);
  }

  /** As {@link #ssh(String, Node, String...)}, with extra ssh options first (e.g. "-tt"). */
  static Hoist.Result ssh(List<String> options, String user, Node node, String... remote)
      throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "ssh",
                "-i",
                key().toString(),
                "-o",
                "UserKnownHostsFile=" + knownHosts(),
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=10"));
    argv.addAll(options);
    argv.add(user + "@" + node.address());
    argv.addAll(List.of(remote));
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return Hoist.capture(pb, "ssh " + user + "@" + node.name());
  }

  private static void downQuietly() {
    try {
      down();
    } catch (IOException | InterruptedException e) {
      System.err.println("LabNodes: hoist lab down failed: " + e.getMessage());
    }
  }
}

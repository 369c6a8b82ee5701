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
 * hoist lab down} runs at JVM exit. Systemd nodes (sd1.., {@link #upSystemd}) are shared the same
 * way, beside the runit ones. Log in with {@link #ssh} or with {@link #key()} and {@link
 * #knownHosts()}.
 */
final class LabNodes {
  /** A running lab node. */
  record Node(String name, String address) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<Node> running = List.of();
  private static int mostEverUp;
  private static List<Node> runningSystemd = List.of();
  private static int mostSystemdEverUp;
  private static boolean hooked;

  private LabNodes() {}

  /**
   * Nodes lab1..labN, running; the first call builds the lab's base when it is not cached (about a
   * minute).
   */
  static synchronized List<Node> up(int n) throws IOException, InterruptedException {
    if (running.size() < n) {
      running = start(n, "runit");
      mostEverUp = Math.max(mostEverUp, n);
    }
    return running.subList(0, n);
  }

  /**
   * Nodes sd1..sdN, whose PID 1 is Debian's systemd, running; the first call builds their base when
   * it is not cached (a few minutes).
   */
  static synchronized List<Node> upSystemd(int n) throws IOException, InterruptedException {
    if (runningSystemd.size() < n) {
      runningSystemd = start(n, "systemd");
      mostSystemdEverUp = Math.max(mostSystemdEverUp, n);
    }
    return runningSystemd.subList(0, n);
  }

  private static List<Node> start(int n, String init) throws IOException, InterruptedException {
    Hoist.Result r = Hoist.run("lab", "up", Integer.toString(n), "--init", init, "--json");
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "hoist lab up " + n + " --init " + init + " failed (exit " + r.exit() + "):\n" + r.all());
    }
    List<Node> nodes = new ArrayList<>();
    for (JsonNode node : JSON.readTree(r.out())) {
      nodes.add(new Node(node.get("name").asText(), node.get("address").asText()));
    }
    if (!hooked) {
      Runtime.getRuntime().addShutdownHook(new Thread(LabNodes::downQuietly, "lab-down"));
      hooked = true;
    }
    return List.copyOf(nodes);
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
    return nodesYaml(user, running);
  }

  /** A {@code nodes:} block for hoist.yml naming {@code nodes}, logging in as {@code user}. */
  static String nodesYaml(String user, List<Node> nodes) {
    Map<String, String> addresses = new LinkedHashMap<>();
    nodes.forEach(n -> addresses.put(n.name(), n.address()));
    return NodesBlock.render(addresses, user, key(), knownHosts());
  }

  /**
   * hoist.yml's inventory for tests on lab nodes: a {@code nodes:} block naming {@code nodes}
   * (logging in as deploy) and an {@code environments:} block of {@code environments}, each one
   * line such as {@code "live: {web: [lab1], db: lab2}"}.
   */
  static String inventory(List<Node> nodes, String... environments) {
    StringBuilder yaml = new StringBuilder(nodesYaml("deploy", nodes)).append("\nenvironments:\n");
    for (String e : environments) {
      yaml.append("  ").append(e).append('\n');
    }
    return yaml.toString();
  }

  /** Cuts the node's power (its disk stays); the next {@link #up} starts it again. */
  static synchronized void stop(String name) throws IOException, InterruptedException {
    Hoist.Result r = Hoist.run("lab", "stop", name);
    if (r.exit() != 0) {
      throw new IllegalStateException("hoist lab stop " + name + " failed:\n" + r.all());
    }
    running = List.of();
    runningSystemd = List.of();
  }

  /** Removes every node this JVM started, runit and systemd (the cached bases stay). */
  static synchronized Hoist.Result down() throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("lab", "down"));
    for (int i = 1; i <= mostEverUp; i++) {
      args.add("lab" + i);
    }
    for (int i = 1; i <= mostSystemdEverUp; i++) {
      args.add("sd" + i);
    }
    running = List.of();
    mostEverUp = 0;
    runningSystemd = List.of();
    mostSystemdEverUp = 0;
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

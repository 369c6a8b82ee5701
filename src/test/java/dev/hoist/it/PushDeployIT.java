package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Push to deploy on a fleet: {@code hoist server} runs as its own non-root user, as {@code hoist
 * server install} sets it up (home = the data directory, its own SSH key, the nodes in its {@code
 * ~/.config/hoist/config.yml}, host keys in its {@code ~/.ssh/known_hosts}); GitHub's push example,
 * signed here, makes it fetch the commit, run its {@code build:} and roll it out to three lab web
 * nodes behind HAProxy on a fourth, health-gated, while a bounded load through the balancer sees no
 * failed request. A commit whose build fails touches no node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PushDeployIT {
  private static final String USER = "hoist-pushdeploy";
  private static final String SECRET = "a webhook secret for PushDeployIT";
  private static final String HOST = "pushhello.test";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The project's build: the version the app serves is what it wrote. */
  private static final String BUILD = "echo \"version $(cat VERSION)\" > built.txt";

  static List<LabNodes.Node> nodes;
  static Path base;
  static Path data;
  static Path repo;
  static ServerProcess server;
  static ServerClient client;
  static String token;

  @BeforeAll
  static void setUp() throws Exception {
    // Fresh nodes: another class's apps would hold port 80 on lab1, which HAProxy needs.
    LabNodes.down();
    nodes = LabNodes.up(4);
    base = Files.createTempDirectory("pushdeploy-it");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    data = base.resolve("data");
    if (run("id", "-u", USER).exit() != 0) {
      must("useradd", "--system", "--user-group", "--shell", "/usr/sbin/nologin", USER);
    }
    must("usermod", "--home", data.toString(), USER);
    must("install", "-d", "-m", "0700", "-o", USER, "-g", USER, data.toString());
    // The server's own key, made by its user, its public half in each node's authorized_keys.
    asUser("mkdir", "-m", "0700", data.resolve(".ssh").toString());
    asUser(
        "ssh-keygen",
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "hoist-server",
        "-f",
        data.resolve(".ssh/id_ed25519").toString());
    String publicKey = Files.readString(data.resolve(".ssh/id_ed25519.pub")).strip();
    for (LabNodes.Node node : nodes) {
      Hoist.Result added =
          LabNodes.ssh(
              "root", node, "echo '" + publicKey + "' >> /home/deploy/.ssh/authorized_keys");
      assertThat(added.exit()).as(added.all()).isZero();
    }
    // The fleet in the server user's config; its host keys trusted as that user, as docs/server.md
    // tells the admin to, then held against the lab's own (vouched for out of band).
    asUser("mkdir", "-p", data.resolve(".config/hoist").toString());
    StringBuilder fleet = new StringBuilder("nodes:\n");
    nodes.forEach(
        n ->
            fleet
                .append("  ")
                .append(n.name())
                .append(": {host: ")
                .append(n.address())
                .append(", user: deploy}\n"));
    writeAsUser(data.resolve(".config/hoist/config.yml"), fleet.toString());
    List<String> trust =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of(System.getProperty("hoist.jar", "target/hoist.jar"))
                    .toAbsolutePath()
                    .toString(),
                "node",
                "trust",
                "--yes"));
    nodes.forEach(n -> trust.add(n.name()));
    asUser(trust.toArray(String[]::new));
    List<String> lab = Files.readAllLines(LabNodes.knownHosts());
    List<String> trusted = Files.readAllLines(data.resolve(".ssh/known_hosts"));
    for (LabNodes.Node n : nodes) {
      List<String> keys = trusted.stream().filter(l -> l.startsWith(n.address() + " ")).toList();
      assertThat(keys).as(n.name()).isNotEmpty();
      keys.forEach(l -> assertThat(lab).as(l).contains(n.name() + "," + l));
    }

    repo = base.resolve("repo");
    must("install", "-d", "-o", USER, "-g", USER, repo.toString());
    git("init", "-q", "-b", "main");
    app(1, BUILD, false);
    server = new ServerProcess(base, "shop", repo, SECRET, "live");
    server.startAs(USER, data);
    client = new ServerClient(server);
    token = Files.readString(data.resolve("local-token")).strip();
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (server != null) {
        server.stop();
        Files.writeString(Path.of("target", "pushdeploy-it-server.log"), server.log());
      }
    } finally {
      // HAProxy holds port 80 on lab1: gone, so later classes get nodes they can deploy to.
      LabNodes.down();
      run("userdel", USER);
      run("rm", "-rf", "--one-file-system", base.toString());
    }
  }

  static LabNodes.Node lb() {
    return nodes.get(0);
  }

  static List<LabNodes.Node> webs() {
    return nodes.subList(1, 4);
  }

  @Test
  @Order(1)
  void aPushIsBuiltAndRolledOutBehindTheBalancerWithoutAFailedRequest() throws Exception {
    // The first push sets up the stack on every node and HAProxy on lab1.
    JsonNode first = pushed(commit("v1"), "delivery-1");
    assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("succeeded");
    assertThat(servedByWebs().values()).containsOnly("version 1");

    app(2, BUILD, false);
    String two = commit("v2");
    Load load =
        Load.start("http://" + lb().address() + "/", HOST, 50, Duration.ofMinutes(2), 6_000);
    JsonNode deploy = pushed(two, "delivery-2");
    Load.Result seen = load.stop();
    System.out.println("PushDeployIT: push to deploy under load: " + seen.summary());

    assertThat(deploy.get("status").asText()).as(deploy.toString()).isEqualTo("succeeded");
    assertThat(deploy.get("commit").asText()).isEqualTo(two);
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(versions(seen)).as(seen.summary()).isSubsetOf("1", "2").contains("2");
    Map<String, String> served = servedByWebs();
    assertThat(served.values()).containsOnly("version 2");
    // The API shows each web node's outcome and the release it serves, as the nodes say.
    Map<String, String> releases = releases(deploy);
    assertThat(releases).isEqualTo(releasesServed());
    assertThat(outcomes(deploy)).containsOnly("deployed");
    JsonNode project = JSON.readTree(client.get("/api/projects", token).body());
    assertThat(project.toString()).contains(two);
  }

  @Test
  @Order(2)
  void aSickReleaseStopsAtItsFirstNodeAndEveryNodeKeepsServingUnderLoad() throws Exception {
    Map<String, String> before = releasesServed();
    app(3, BUILD, true);
    String three = commit("v3 whose health check fails");
    Load load =
        Load.start("http://" + lb().address() + "/", HOST, 50, Duration.ofMinutes(2), 6_000);

    JsonNode deploy = pushed(three, "delivery-3");
    Load.Result seen = load.stop();
    System.out.println("PushDeployIT: sick release under load: " + seen.summary());

    assertThat(deploy.get("status").asText()).as(deploy.toString()).isEqualTo("failed");
    assertThat(deploy.get("error").asText()).contains("lab2");
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(versions(seen)).as(seen.summary()).containsExactly("2");
    assertThat(releasesServed()).isEqualTo(before);
    assertThat(releases(deploy)).isEqualTo(before);
    Map<String, String> outcomes = new LinkedHashMap<>();
    deploy
        .get("nodes")
        .forEach(n -> outcomes.put(n.get("node").asText(), n.get("outcome").asText()));
    assertThat(outcomes)
        .containsExactly(
            Map.entry("lab2", "failed"),
            Map.entry("lab3", "unchanged"),
            Map.entry("lab4", "unchanged"));
  }

  @Test
  @Order(3)
  void aPushWhoseBuildFailsIsRecordedWithItsLogAndTouchesNoNode() throws Exception {
    Map<String, String> before = releasesServed();
    app(4, "echo compiling assets for version $(cat VERSION); exit 3", false);
    String four = commit("v4 that does not build");

    JsonNode deploy = pushed(four, "delivery-4");

    assertThat(deploy.get("status").asText()).as(deploy.toString()).isEqualTo("failed");
    assertThat(deploy.get("error").asText()).contains("build").contains("exit code 3");
    String log = client.get("/api/deploys/" + deploy.get("id").asLong() + "/log", token).body();
    assertThat(log).contains("compiling assets for version 4");
    assertThat(releasesServed()).isEqualTo(before);
    assertThat(servedByWebs().values()).containsOnly("version 2");
  }

  /** Pushes {@code commit} as GitHub would and returns the deploy as the API has it at its end. */
  static JsonNode pushed(String commit, String delivery) throws Exception {
    long id = client.push(commit, delivery);
    List<String> events = client.sse("/api/deploys/" + id + "/log", token);
    assertThat(events).as(server.log()).contains("event: end");
    return client.deploy(id, token);
  }

  /** Node -> release, from the deploy's per-node outcomes in the API. */
  static Map<String, String> releases(JsonNode deploy) {
    Map<String, String> out = new LinkedHashMap<>();
    deploy.get("nodes").forEach(n -> out.put(n.get("node").asText(), n.get("release").asText()));
    return out;
  }

  static Set<String> outcomes(JsonNode deploy) {
    Set<String> out = new TreeSet<>();
    deploy.get("nodes").forEach(n -> out.add(n.get("outcome").asText()));
    return out;
  }

  /** What each web node itself serves now (straight to its nginx): node -> "version N". */
  static Map<String, String> servedByWebs() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (LabNodes.Node n : webs()) {
      Http.Response r = Http.get(n.address(), HOST, "/");
      assertThat(r.status()).as(n.name() + ": " + r.body()).isEqualTo(200);
      out.put(n.name(), r.body().replaceAll("(?s).*(version [0-9]+).*", "$1"));
    }
    return out;
  }

  /** The release each web node serves, as the app there says (HOIST_RELEASE). */
  static Map<String, String> releasesServed() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (LabNodes.Node n : webs()) {
      out.put(
          n.name(),
          Http.get(n.address(), HOST, "/").body().replaceAll("(?s).*release (\\S+).*", "$1"));
    }
    return out;
  }

  /** The versions a load saw, e.g. [1, 2]. */
  static Set<String> versions(Load.Result r) {
    Set<String> out = new TreeSet<>();
    r.bodies().keySet().forEach(b -> out.add(b.replaceAll("(?s).*version ([0-9]+).*", "$1")));
    return out;
  }

  /**
   * The project at {@code version}: an app that serves what its build wrote (it does not start
   * without it) and whose health check fails when {@code sick}, and a hoist.yml with that build and
   * the live environment on the server's fleet.
   */
  static void app(int version, String build, boolean sick) throws Exception {
    writeAsUser(repo.resolve("VERSION"), version + "\n");
    if (sick) {
      writeAsUser(repo.resolve("SICK"), "");
    } else {
      Files.deleteIfExists(repo.resolve("SICK"));
    }
    writeAsUser(
        repo.resolve("hello.py"),
        """
        import os

        HERE = os.path.dirname(__file__)
        with open(os.path.join(HERE, "built.txt")) as f:
            BUILT = f.read().strip()
        SICK = os.path.exists(os.path.join(HERE, "SICK"))


        def application(environ, start_response):
            status = "200 OK"
            if environ.get("PATH_INFO") == "/healthz":
                status, body = ("500 Sick", "sick\\n") if SICK else (status, "ok\\n")
            else:
                body = "%s release %s\\n" % (BUILT, os.environ.get("HOIST_RELEASE"))
            data = body.encode()
            start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
            return [data]
        """);
    writeAsUser(
        repo.resolve("hoist.yml"),
        "app: pushhello\nwsgi: hello:application\ndomain: "
            + HOST
            + "\nhealth: {path: /healthz, contains: ok}\nbuild:\n  - '"
            + build.replace("'", "''")
            + "'\nrollout: {batch: 1, drain: 2s}\n"
            + "environments:\n  live: {lb: [lab1], web: [lab2, lab3, lab4]}\n");
  }

  static String commit(String message) throws Exception {
    git("add", "-A");
    git("-c", "user.name=Jane", "-c", "user.email=jane@example.com", "commit", "-q", "-m", message);
    return git("rev-parse", "HEAD").strip();
  }

  /** git in the repository, as the server's user (its repository: git refuses others' repos). */
  static String git(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("git", "-C", repo.toString()));
    argv.addAll(List.of(args));
    return asUser(argv.toArray(String[]::new));
  }

  static void writeAsUser(Path file, String text) throws Exception {
    Path tmp = Files.createTempFile("pushdeploy", ".txt");
    Files.writeString(tmp, text);
    must("install", "-m", "0600", "-o", USER, "-g", USER, tmp.toString(), file.toString());
    Files.delete(tmp);
  }

  /** Runs {@code argv} as the server's user with HOME its home; its stdout. */
  static String asUser(String... argv) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + USER,
                "--regid=" + USER,
                "--init-groups",
                "--",
                "env",
                "HOME=" + data));
    all.addAll(List.of(argv));
    return must(all.toArray(String[]::new)).out();
  }

  static Hoist.Result run(String... argv) throws Exception {
    return Hoist.capture(new ProcessBuilder(argv), String.join(" ", argv));
  }

  static Hoist.Result must(String... argv) throws Exception {
    Hoist.Result r = run(argv);
    assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.all()).isZero();
    return r;
  }
}

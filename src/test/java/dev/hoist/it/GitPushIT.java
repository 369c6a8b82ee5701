package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code git push} over a real OpenSSH sshd on loopback to the forced command {@code hoist server
 * git-hook} of a non-root user, as docs/server.md sets it up, with the real {@code hoist server}
 * running as that user: the push lands in the project's push repository, the server records a
 * deploy of exactly the pushed commit, and the pusher sees its log and result (exit non-zero unless
 * it succeeded); anything but a push of a configured project is refused.
 */
class GitPushIT {
  private static final String USER = "hoist-pushit";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static Path base;
  static Path data;
  static OpenSsh sshd;
  static Path pusherKey;
  static Path knownHosts;
  static Process server;
  static String api;

  @BeforeAll
  static void setUp() throws Exception {
    base = Files.createTempDirectory("gitpush-it");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (run("id", "-u", USER).exit() != 0) {
      must("useradd", "--system", "--user-group", "--shell", "/bin/sh", "--no-create-home", USER);
    }
    data = base.resolve("data");
    // '*': no password, yet not locked, which sshd without PAM would refuse.
    must("usermod", "--home", data.toString(), "-p", "*", USER);
    must("install", "-d", "-m", "0700", "-o", USER, "-g", USER, data.toString());
    Path secret = base.resolve("shop.secret");
    Files.writeString(secret, "s3cret\n");
    must("chown", USER + ":" + USER, secret.toString());
    must("chmod", "600", secret.toString());
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    api = "http://127.0.0.1:" + port;
    Path config = base.resolve("server.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "listen: 127.0.0.1:" + port,
            "data: " + data,
            "projects:",
            "  shop:",
            "    repo: " + data.resolve("git/shop.git"),
            "    secret_file: shop.secret",
            "  blog:",
            "    repo: https://github.com/you/blog.git",
            "    secret_file: shop.secret",
            ""));
    String java = ProcessHandle.current().info().command().orElseThrow();
    String jar =
        Path.of(System.getProperty("hoist.jar", "target/hoist.jar")).toAbsolutePath().toString();
    // setpriv execs: the PID is the server's, stopped by it at the end.
    server =
        new ProcessBuilder(
                "setpriv",
                "--reuid=" + USER,
                "--regid=" + USER,
                "--init-groups",
                "--",
                java,
                "-jar",
                jar,
                "server",
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("server.log").toFile())
            .start();
    awaitServer();

    Path sshDir = base.resolve("sshd");
    Files.createDirectories(sshDir);
    sshd = OpenSsh.start(sshDir);
    pusherKey = sshd.newKey("pusher", "", "-t", "ed25519");
    String forced = java + " -jar " + jar + " server git-hook --config " + config;
    Files.writeString(
        sshd.authorizedKeys,
        "restrict,command=\""
            + forced
            + "\" "
            + Files.readString(Path.of(pusherKey + ".pub")).strip()
            + "\n");
    knownHosts = base.resolve("known_hosts");
    Files.writeString(
        knownHosts,
        "[127.0.0.1]:" + sshd.port + " " + Files.readString(Path.of(sshd.hostKey + ".pub")));
  }

  private static void awaitServer() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IOException(
            "hoist server exited:\n" + Files.readString(base.resolve("server.log")));
      }
      if (Files.exists(data.resolve("local-token"))) {
        try {
          HTTP.send(
              HttpRequest.newBuilder(URI.create(api + "/metrics")).build(),
              BodyHandlers.discarding());
          return;
        } catch (IOException e) {
          // not listening yet
        }
      }
      Thread.sleep(200);
    }
    throw new IOException(
        "hoist server did not start:\n" + Files.readString(base.resolve("server.log")));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (sshd != null) {
      Files.writeString(Path.of("target", "gitpush-it-sshd.log"), sshd.log());
      sshd.close();
    }
    if (server != null) {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
      Files.writeString(
          Path.of("target", "gitpush-it-server.log"), Files.readString(base.resolve("server.log")));
    }
    run("userdel", USER);
    run("rm", "-rf", "--one-file-system", base.toString());
  }

  private static JsonNode get(String path) throws Exception {
    String token = Files.readString(data.resolve("local-token")).strip();
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + path))
                .header("Authorization", "Bearer " + token)
                .build(),
            BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  private static int deploys() throws Exception {
    return get("/api/deploys?project=shop&limit=100").get("deploys").size();
  }

  @Test
  void aPushIsDeployedAndThePusherSeesItsLogAndResult() throws Exception {
    Path work = repo("push-ok");
    String commit = must(work, "git", "rev-parse", "HEAD").out().strip();

    Run push = git(work, "push", "--force", USER + "@127.0.0.1:shop", "main");

    Matcher started =
        Pattern.compile(
                "hoist: deploying shop at " + commit.substring(0, 12) + " \\(deploy (\\d+)\\)")
            .matcher(push.out());
    assertThat(started.find()).as(push.out()).isTrue();
    JsonNode deploy = get("/api/deploys/" + started.group(1));
    String status = deploy.get("status").asText();
    // The server deployed exactly the pushed commit, and the pusher was told how it ended.
    assertThat(deploy.get("commit").asText()).isEqualTo(commit);
    assertThat(status).isIn("succeeded", "failed");
    assertThat(push.out())
        .contains("hoist: deploy " + started.group(1) + " " + status, "main -> main");
    String log =
        must(
                "curl",
                "-sS",
                "-H",
                "Authorization: Bearer " + Files.readString(data.resolve("local-token")).strip(),
                api + "/api/deploys/" + started.group(1) + "/log")
            .out();
    for (String line : log.strip().lines().toList()) {
      assertThat(push.out())
          .as("the server's log line, shown to the pusher")
          .contains(line.strip());
    }
    assertThat(push.exit()).as(push.out()).isEqualTo(status.equals("succeeded") ? 0 : 1);
    Path bare = data.resolve("git/shop.git");
    assertThat(must("git", "--git-dir=" + bare, "rev-parse", "refs/heads/main").out().strip())
        .isEqualTo(commit);
    assertThat(Files.getOwner(bare).getName()).isEqualTo(USER);

    // The same branch again: nothing new, no deploy.
    int before = deploys();
    Run again = git(work, "push", USER + "@127.0.0.1:shop", "main");
    assertThat(again.exit()).as(again.out()).isZero();
    assertThat(again.out()).contains("main is unchanged at " + commit.substring(0, 12));
    assertThat(deploys()).isEqualTo(before);
  }

  @Test
  void anotherBranchIsTakenButNotDeployed() throws Exception {
    Path work = repo("push-branch");
    int before = deploys();

    Run push = git(work, "push", USER + "@127.0.0.1:shop", "main:topic");

    assertThat(push.exit()).as(push.out()).isZero();
    assertThat(push.out()).contains("nothing to deploy (only main deploys");
    assertThat(deploys()).isEqualTo(before);
  }

  @Test
  void aProjectNotTakingPushesAndAnUnknownOneAreRefused() throws Exception {
    Path work = repo("push-refused");

    Run blog = git(work, "push", USER + "@127.0.0.1:blog", "main");
    Run nope = git(work, "push", USER + "@127.0.0.1:nope", "main");

    assertThat(blog.exit()).isNotZero();
    assertThat(blog.out())
        .contains("hoist: project 'blog' deploys from its git host, not from pushes here")
        .doesNotContain("github.com");
    assertThat(nope.exit()).isNotZero();
    assertThat(nope.out())
        .contains("hoist: no project 'nope' in server.yml; projects taking pushes: shop");
    assertThat(data.resolve("git/blog.git")).doesNotExist();
  }

  @Test
  void aShellOrACommandIsRefused() throws Exception {
    Run login = ssh();
    Run command = ssh("id; cat /etc/passwd");
    Run fetch = ssh("git-upload-pack 'shop'");

    assertThat(login.exit()).isEqualTo(2);
    assertThat(login.out()).contains("this account takes git pushes only, no shell");
    assertThat(command.exit()).isEqualTo(2);
    assertThat(command.out())
        .contains("hoist: refused to run 'id; cat /etc/passwd'")
        .doesNotContain("uid=", "root:x:0");
    assertThat(fetch.exit()).isEqualTo(2);
    assertThat(fetch.out()).contains("this server receives pushes only");
  }

  private static Path repo(String name) throws Exception {
    Path work = base.resolve(name);
    must("git", "init", "-q", "-b", "main", work.toString());
    Files.writeString(work.resolve("app.py"), "# " + name + "\n");
    must(work, "git", "add", "app.py");
    must(
        work,
        "git",
        "-c",
        "user.name=Pusher",
        "-c",
        "user.email=p@example.com",
        "commit",
        "-qm",
        name);
    return work;
  }

  private static List<String> sshArgs() {
    return List.of(
        "ssh",
        "-i",
        pusherKey.toString(),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "UserKnownHostsFile=" + knownHosts,
        "-o",
        "StrictHostKeyChecking=yes",
        "-p",
        String.valueOf(sshd.port));
  }

  private static Run git(Path work, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("git"));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(work.toFile());
    pb.environment().put("GIT_SSH_COMMAND", String.join(" ", sshArgs()));
    return capture(pb);
  }

  private static Run ssh(String... command) throws Exception {
    List<String> argv = new ArrayList<>(sshArgs());
    argv.add("-T");
    argv.add(USER + "@127.0.0.1");
    argv.addAll(List.of(command));
    return capture(new ProcessBuilder(argv));
  }

  record Run(int exit, String out) {}

  private static Run run(String... argv) throws Exception {
    return capture(new ProcessBuilder(argv));
  }

  private static Run must(String... argv) throws Exception {
    return must(null, argv);
  }

  private static Run must(Path dir, String... argv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    Run r = capture(pb);
    if (r.exit() != 0) {
      throw new IOException(String.join(" ", argv) + " failed:\n" + r.out());
    }
    return r;
  }

  private static Run capture(ProcessBuilder pb) throws Exception {
    pb.redirectErrorStream(true).redirectInput(Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", pb.command()) + " did not finish");
    }
    return new Run(p.exitValue(), out);
  }
}

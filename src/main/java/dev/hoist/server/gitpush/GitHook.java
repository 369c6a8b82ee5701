package dev.hoist.server.gitpush;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;

/**
 * The forced command behind {@code git push hoist@SERVER:PROJECT BRANCH}: checks what ssh was asked
 * to run, receives the push into the project's push repository, asks the running server to deploy
 * the pushed commit of the project's branch, and prints the deploy's log to the pusher. Standard
 * output is git's protocol channel: everything said to the pusher goes to standard error.
 */
public final class GitHook {
  /** The pusher's exit codes: 0 deployed (or nothing to deploy), 1 the deploy failed, 2 refused. */
  public static final int OK = 0;

  public static final int FAILED = 1;
  public static final int REFUSED = 2;

  private final ServerConfig config;
  private final HttpClient http;
  private final PrintStream err;

  public GitHook(ServerConfig config, HttpClient http, PrintStream err) {
    this.config = config;
    this.http = http;
    this.err = err;
  }

  /** A client with bounded connect time and no redirects, for {@link #GitHook}. */
  public static HttpClient client() {
    return DeployClient.client();
  }

  /**
   * Runs one push.
   *
   * @param original {@code SSH_ORIGINAL_COMMAND}, null when none was given
   * @return the exit code for the pusher's ssh, and so for their {@code git push}
   */
  public int run(String original) throws InterruptedException {
    ProjectConfig project;
    PushRepo repo;
    try {
      project = project(SshCommand.parse(original));
      repo = PushRepo.open(config.data(), project.name());
    } catch (PushRefused e) {
      say(e.getMessage());
      return REFUSED;
    } catch (IOException e) {
      say("cannot open the push repository: " + e.getMessage());
      return FAILED;
    }
    Optional<String> before;
    Optional<String> after;
    try {
      before = repo.head(project.branch());
      int received = repo.receive();
      if (received != 0) {
        return received;
      }
      after = repo.head(project.branch());
    } catch (IOException e) {
      say("the push could not be received: " + e.getMessage());
      return FAILED;
    }
    if (after.isEmpty() || after.equals(before)) {
      say(
          project.branch()
              + " is "
              + after.map(c -> "unchanged at " + shortId(c)).orElse("not in the repository")
              + "; nothing to deploy (only "
              + project.branch()
              + " deploys: git push hoist@SERVER:"
              + project.name()
              + " "
              + project.branch()
              + ")");
      return OK;
    }
    return deploy(project, after.get());
  }

  private ProjectConfig project(SshCommand command) throws PushRefused {
    ProjectConfig project = config.projects().get(command.project());
    if (project == null) {
      throw new PushRefused(
          "no project '"
              + command.project()
              + "' in "
              + config.file().getFileName()
              + "; projects taking pushes: "
              + String.join(", ", pushProjects()));
    }
    if (!takesPushes(project)) {
      throw new PushRefused(
          "project '"
              + project.name()
              + "' deploys from its git host, not from pushes here; to deploy pushes set 'repo: "
              + PushRepo.path(config.data(), project.name())
              + "' for it in "
              + config.file().getFileName());
    }
    return project;
  }

  // The server fetches what it deploys from repo:; a push elsewhere would not be what it builds.
  private boolean takesPushes(ProjectConfig project) {
    return config.takesPushes(project);
  }

  private List<String> pushProjects() {
    List<String> names =
        config.projects().values().stream()
            .filter(this::takesPushes)
            .map(ProjectConfig::name)
            .toList();
    return names.isEmpty() ? List.of("none") : names;
  }

  private int deploy(ProjectConfig project, String commit) throws InterruptedException {
    String token;
    try {
      token = Files.readString(config.data().resolve("local-token")).strip();
    } catch (NoSuchFileException e) {
      say(
          "received "
              + shortId(commit)
              + ", but the hoist server is not running (it writes "
              + config.data().resolve("local-token")
              + " when it starts); start it, then push again");
      return FAILED;
    } catch (IOException e) {
      say("cannot read the server's local token: " + e.getMessage());
      return FAILED;
    }
    DeployClient client = new DeployClient(http, base(config.listen()), token);
    try {
      long id = client.deploy(project.name(), commit);
      say(
          "deploying "
              + project.name()
              + " at "
              + shortId(commit)
              + " (deploy "
              + id
              + "); Ctrl-C stops watching, not the deploy");
      JsonNode end = client.follow(id, this::say);
      return summary(id, end);
    } catch (DeployClient.ApiFailure e) {
      say(e.getMessage());
      return FAILED;
    }
  }

  private int summary(long id, JsonNode deploy) {
    String status = deploy.path("status").asText("unknown");
    StringBuilder line = new StringBuilder("deploy ").append(id).append(' ').append(status);
    if (deploy.path("duration_ms").canConvertToLong()) {
      line.append(" in ").append(deploy.get("duration_ms").asLong() / 1000).append(" s");
    }
    if (deploy.hasNonNull("error") && !deploy.get("error").asText().isEmpty()) {
      line.append(": ").append(deploy.get("error").asText());
    }
    say(line.toString());
    for (JsonNode node : deploy.path("nodes")) {
      say(
          "  "
              + node.path("node").asText()
              + " "
              + node.path("outcome").asText()
              + (node.hasNonNull("release") ? " " + node.get("release").asText() : ""));
    }
    return status.equals("succeeded") ? OK : FAILED;
  }

  // The server listens on this machine; a wildcard address is reached through loopback.
  static URI base(ServerConfig.Listen listen) {
    String host =
        switch (listen.host()) {
          case "0.0.0.0", "" -> "127.0.0.1";
          case "::", "0:0:0:0:0:0:0:0" -> "::1";
          default -> listen.host();
        };
    return URI.create(
        "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + listen.port());
  }

  private void say(String text) {
    err.println("hoist: " + text);
    err.flush();
  }

  private static String shortId(String commit) {
    return commit.substring(0, 12);
  }
}

package dev.hoist.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the data runner ({@code /usr/local/lib/hoist/hoist-data}) on the app's data node for the
 * short subcommands: {@code status} (JSON on stdout), {@code drill} and {@code purge} (their result
 * line on stderr); and the command lines of the streamed ones ({@code backup}, {@code restore})
 * {@link DataTransfer} runs. The runner's contract is in docs/backups.md.
 */
public final class DataRunner {
  public static final String PATH = "/usr/local/lib/hoist/hoist-data";
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration DRILL_TIMEOUT = Duration.ofHours(6);
  private static final Duration PURGE_TIMEOUT = Duration.ofMinutes(30);
  private static final String SOURCE = "/dev/hoist/services/hoist-data.py";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The runner failed or is missing; the message says what to do. */
  public static final class Failed extends Exception {
    private static final long serialVersionUID = 1L;

    public Failed(String message) {
      super(message);
    }
  }

  private final Node node;

  public DataRunner(Node node) {
    this.node = node;
  }

  /** {@code backup --app APP}: the app's bundle on stdout. */
  public static List<String> backup(String app) {
    return List.of(PATH, "backup", "--app", app);
  }

  /**
   * {@code restore} of the bundle on stdin into {@code app}; {@code asApp}: the bundle is that
   * app's; {@code yes}: replace data that is there.
   */
  public static List<String> restore(String app, Optional<String> asApp, boolean yes) {
    List<String> argv = restoreOptions(app, asApp, yes);
    argv.add("-");
    return argv;
  }

  /**
   * {@code argv} of a restore for a db node of its own: the app runs on other nodes, whose
   * maintenance flags and reloads the CLI does ({@link WebMaintenance}); the runner stages and
   * verifies everything, then waits for the CLI's go ({@link DataTransfer.BeforeSwap}) to swap.
   */
  public static List<String> elsewhere(List<String> argv) {
    List<String> out = new ArrayList<>(argv);
    out.addAll(4, List.of("--no-app", "--wait-go"));
    return out;
  }

  /** A restore of the newest bundle kept on the node (its scheduled backups). */
  public static List<String> restoreLatest(String app, Optional<String> asApp, boolean yes) {
    List<String> argv = restoreOptions(app, asApp, yes);
    argv.add("--latest");
    return argv;
  }

  private static List<String> restoreOptions(String app, Optional<String> asApp, boolean yes) {
    List<String> argv = new ArrayList<>(List.of(PATH, "restore", "--app", app));
    asApp.ifPresent(a -> argv.addAll(List.of("--as", a)));
    if (yes) {
      argv.add("--yes");
    }
    return argv;
  }

  /** {@code cleanup}: drops what restores kept (old databases and directories) and staging. */
  public static List<String> cleanup(String app) {
    return List.of(PATH, "cleanup", "--app", app);
  }

  /** {@code status --app APP}: local backups, last scheduled run, last drill, kept data. */
  public JsonNode status(String app) throws Failed, IOException, InterruptedException {
    return status(List.of(PATH, "status", "--app", app));
  }

  /**
   * {@code status --app APP --services}: as {@link #status}, with "services": each service's state,
   * version and size.
   */
  public JsonNode statusWithServices(String app) throws Failed, IOException, InterruptedException {
    return status(List.of(PATH, "status", "--app", app, "--services"));
  }

  private JsonNode status(List<String> argv) throws Failed, IOException, InterruptedException {
    ExecResult r = run(argv, STATUS_TIMEOUT);
    if (!r.ok()) {
      throw new Failed(error(r));
    }
    try {
      return JSON.readTree(r.stdout());
    } catch (IOException e) {
      throw new Failed("the data runner's status is not JSON: " + e.getMessage());
    }
  }

  /**
   * {@code drill --app APP}: restores the newest local bundle into a scratch database, runs the
   * drill check and records it; the runner's result (ok or not, with "error").
   */
  public JsonNode drill(String app) throws Failed, IOException, InterruptedException {
    ExecResult r = run(List.of(PATH, "drill", "--app", app), DRILL_TIMEOUT);
    Optional<JsonNode> result = result(r.stderr());
    if (result.isEmpty()) {
      throw new Failed(error(r));
    }
    return result.get();
  }

  /** The runner's last result line and its exit code (0 ok, 1 failed, 2 refused: bad input). */
  public record Reply(int exitCode, JsonNode result) {}

  /**
   * {@code purge --app APP --service S...}: what the services left on this node; with {@code yes},
   * deleted under the app's node lock ({@code by}: who, named to a deploy refused meanwhile). The
   * runner of this hoist runs, sent on stdin: the node's installed one may predate purge, and a
   * deploy without services: no longer updates it.
   */
  public Reply purge(String app, List<String> services, boolean yes, String by)
      throws Failed, IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(List.of("/usr/bin/python3", "-I", "-", "purge", "--app", app, "--by", by));
    services.forEach(s -> argv.addAll(List.of("--service", s)));
    if (yes) {
      argv.add("--yes");
    }
    ExecResult r = node.exec(new ExecRequest(argv, script(), PURGE_TIMEOUT, null));
    Optional<JsonNode> result = result(r.stderr());
    if (result.isEmpty()) {
      throw new Failed(error(r));
    }
    return new Reply(r.exitCode(), result.get());
  }

  private static byte[] script() throws IOException {
    try (var in = DataRunner.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IOException("this hoist lacks its data runner (" + SOURCE + ")");
      }
      return in.readAllBytes();
    }
  }

  private ExecResult run(List<String> argv, Duration timeout)
      throws Failed, IOException, InterruptedException {
    ExecResult r = node.exec(ExecRequest.of(argv, timeout));
    if (r.exitCode() == 126 || r.exitCode() == 127) {
      throw new Failed(
          node.name()
              + " has no data runner ("
              + PATH
              + "): deploy the app with 'services:' in hoist.yml first");
    }
    return r;
  }

  /** The last {"event": "result"} line the runner wrote on stderr. */
  static Optional<JsonNode> result(String stderr) {
    Optional<JsonNode> last = Optional.empty();
    for (String line : stderr.lines().toList()) {
      if (!line.startsWith("{")) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(line);
        if ("result".equals(n.path("event").asText())) {
          last = Optional.of(n);
        }
      } catch (IOException e) {
        // Not one of the runner's lines (a tool's own output); skip it.
      }
    }
    return last;
  }

  private static String error(ExecResult r) {
    return result(r.stderr())
        .map(n -> n.path("error").asText("failed"))
        .orElse(
            "the data runner failed (exit "
                + r.exitCode()
                + "): "
                + r.stderr().lines().reduce((a, b) -> b).orElse(""));
  }
}

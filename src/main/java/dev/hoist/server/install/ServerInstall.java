package dev.hoist.server.install;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.Change;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.GroupResource;
import dev.hoist.engine.Plan;
import dev.hoist.engine.PlanException;
import dev.hoist.engine.Planner;
import dev.hoist.engine.ServiceResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.engine.UserResource;
import dev.hoist.node.AgentException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Sets this machine up to run the server for good, through the same plan-and-apply engine as a
 * deploy (one probe; nothing done when nothing is missing; a dry run is the plan). Work inside the
 * data directory (the {@code hoist} user's home, which that user can write) is done as that user,
 * never as root.
 */
public final class ServerInstall {
  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  private static final Attributes ROOT_FILE = Attributes.of("root", "root", "0644");
  private static final Attributes SCRIPT = Attributes.of("root", "root", "0755");

  /** What an install did or would do (change summaries; empty: nothing to change). */
  public record Report(List<String> changes, boolean dryRun) {}

  /** The install could not be done; the message says what and how to fix it. */
  public static final class Failed extends Exception {
    private static final long serialVersionUID = 1L;

    public Failed(String message) {
      super(message);
    }
  }

  private final Engine engine;
  private final InstallLayout layout;

  public ServerInstall(Engine engine, InstallLayout layout) {
    this.engine = engine;
    this.layout = layout;
  }

  /** Plans the install and, unless {@code dryRun}, applies it, each step's line to {@code log}. */
  public Report run(boolean dryRun, Consumer<String> log) throws Failed, InterruptedException {
    Catalog catalog = catalog(layout, hostname());
    try {
      Engine.Probe probe =
          engine.probe(
              catalog.ordered().stream().map(e -> e.resource().probe()).toList(), Optional.empty());
      if (probe.facts().path("euid").asInt(0) != 0) {
        throw new Failed(
            "hoist server install must run as root (it adds the user "
                + InstallLayout.USER
                + " and a service); run it with sudo");
      }
      Optional<String> refusal = takeover(layout, probe.states().get("dir:" + layout.data()));
      if (refusal.isPresent()) {
        throw new Failed(refusal.get());
      }
      Plan plan = Planner.plan(catalog, probe.states(), Set.of());
      List<String> changes = plan.changes().stream().map(Change::summary).toList();
      if (dryRun || plan.isEmpty()) {
        return new Report(changes, dryRun);
      }
      ApplyResult result =
          engine.apply(
              new ApplyRequest(plan.steps(), "", List.of(), List.of(), "", null),
              e -> {
                if (e.isLog() && !e.line().isEmpty()) {
                  log.accept(e.line());
                }
              });
      if (!result.ok()) {
        throw new Failed("the install stopped: " + result.error());
      }
      return new Report(changes, false);
    } catch (PlanException | AgentException e) {
      throw new Failed(e.getMessage());
    }
  }

  /**
   * Why a server run as root must not take over the existing data directory: it belongs to another
   * user (the hoist user, when the server ran as hoist before), who could have left links or
   * configuration there (an ssh or git config) for root to follow.
   */
  static Optional<String> takeover(InstallLayout layout, JsonNode dir) {
    if (!layout.asRoot() || dir == null || !dir.path("exists").asBoolean()) {
      return Optional.empty();
    }
    String owner = dir.path("owner").asText();
    if (owner.equals("root")) {
      return Optional.empty();
    }
    return Optional.of(
        layout.data()
            + " belongs to "
            + owner
            + "; the server runs as root here, because "
            + String.join(", ", layout.localProjects())
            + " deploy"
            + (layout.localProjects().size() == 1 ? "s" : "")
            + " to this machine (no env:), and root does not take over a directory another user"
            + " could write\n    move it away (mv "
            + layout.data()
            + " "
            + layout.data()
            + ".old) and run the install again, or give those projects an env: of nodes reached"
            + " over SSH");
  }

  static Catalog catalog(InstallLayout layout, String hostname) {
    String user = InstallLayout.USER;
    String owner = layout.serviceUser();
    String data = layout.data().toString();
    Catalog.Builder c = Catalog.builder();
    c.add(new GroupResource(user));
    // A shell, because sshd runs a forced command through the user's shell; `restrict` and the
    // forced command leave a pusher nothing to type into it.
    c.add(new UserResource(user, user, data, "/bin/sh")).requires("group:" + user);
    c.add(new DirectoryResource(data, Attributes.of(owner, owner, "0700")))
        .requires("user:" + user);
    for (String deny : JobDeny.FILES) {
      c.add(JobDeny.resource(deny, user)).requires("user:" + user);
    }
    String ssh = layout.sshDir().toString();
    c.add(asOwner(layout, "mkdir-ssh", List.of("mkdir", "-m", "0700", ssh), ssh))
        .requires("dir:" + data);
    String key = layout.key().toString();
    c.add(
            asOwner(
                layout,
                "ssh-keygen",
                List.of(
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "hoist-server@" + hostname,
                    "-f",
                    key),
                key))
        .requires("exec:" + execName(layout, "mkdir-ssh"));
    String lib = InstallLayout.LIB.toString();
    String jar = InstallLayout.INSTALLED_JAR.toString();
    c.add(new DirectoryResource(lib, ROOT_DIR));
    c.add(
            new ExecResource(
                "install-hoist-jar",
                List.of(
                    "install",
                    "-m",
                    "0644",
                    "-o",
                    "root",
                    "-g",
                    "root",
                    layout.jar().toString(),
                    jar),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of("cmp", "-s", layout.jar().toString(), jar),
                false))
        .requires("dir:" + lib);
    c.add(FileResource.of(InstallLayout.LAUNCHER.toString(), layout.launcher(), SCRIPT))
        .requires("dir:" + lib);
    List<String> files = new ArrayList<>();
    if (layout.supervisor() == Supervisor.SYSTEMD) {
      String unit = "/etc/systemd/system/" + InstallLayout.SERVICE + ".service";
      c.add(FileResource.of(unit, layout.unit(), ROOT_FILE));
      files.add("file:" + unit);
    } else {
      String sv = "/etc/sv/" + InstallLayout.SERVICE;
      c.add(
          new DirectoryResource(
              InstallLayout.LOG.toString(), Attributes.of("root", "root", "0750")));
      c.add(FileResource.of(sv + "/run", layout.runScript(), SCRIPT));
      c.add(FileResource.of(sv + "/log/run", layout.logScript(), SCRIPT))
          .requires("dir:" + InstallLayout.LOG);
      files.add("file:" + sv + "/run");
      files.add("file:" + sv + "/log/run");
    }
    ServiceResource service =
        new ServiceResource(
            InstallLayout.SERVICE,
            layout.supervisor(),
            ServiceResource.Refresh.RESTART,
            Duration.ofSeconds(10));
    c.add(service)
        .requires(files.toArray(String[]::new))
        .requires(
            "exec:" + execName(layout, "ssh-keygen"),
            "exec:install-hoist-jar",
            "file:" + InstallLayout.LAUNCHER);
    if (!layout.asRoot()) {
      // The server reads the webhook secrets as hoist: each secret file is handed to that user.
      c.add(FileResource.of(SecretHandover.SCRIPT.toString(), SecretHandover.text(), SCRIPT))
          .requires("dir:" + lib);
      for (Path secret : layout.secretFiles()) {
        ExecResource handover = SecretHandover.resource(secret);
        c.add(handover).requires("user:" + user, "file:" + SecretHandover.SCRIPT);
        c.requireFor(service.id(), handover.id());
        // A server that could not read it starts now.
        c.restart(handover.id(), service.id());
      }
    }
    // A new unit, run script, launcher or jar takes effect on a restart.
    for (String file : files) {
      c.restart(file, service.id());
    }
    c.restart("file:" + InstallLayout.LAUNCHER, service.id());
    c.restart("exec:install-hoist-jar", service.id());
    return c.build();
  }

  // Inside the data directory, as the user who owns it: root never works in a directory the hoist
  // user can write.
  private static ExecResource asOwner(
      InstallLayout layout, String name, List<String> argv, String creates) {
    return new ExecResource(
        execName(layout, name),
        argv,
        layout.asRoot() ? Optional.empty() : Optional.of(InstallLayout.USER),
        Optional.empty(),
        Optional.of(creates),
        List.of(),
        false);
  }

  private static String execName(InstallLayout layout, String name) {
    return name + "-as-" + layout.serviceUser();
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}

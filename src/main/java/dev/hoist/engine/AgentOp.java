package dev.hoist.engine;

import dev.hoist.engine.AgentProtocol.Wire;
import dev.hoist.engine.ServiceResource.Supervisor;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an apply step asks the agent to do: one record per operation of agent.py's {@code OPS}
 * table, named there by its {@link Wire} name. {@link AgentProtocol#toJson} is the one place these
 * become the JSON the agent reads; {@code AgentProtocolTest} keeps both sides' lists equal.
 */
public sealed interface AgentOp {

  /** The operation's name on the wire (the step's {@code "do"}). */
  default String op() {
    return AgentProtocol.wireName(getClass());
  }

  @Wire("apt.install")
  record AptInstall(List<String> names) implements AgentOp {
    public AptInstall {
      names = List.copyOf(names);
    }
  }

  @Wire("group.create")
  record GroupCreate(String name) implements AgentOp {}

  @Wire("user.create")
  record UserCreate(String name, String group, String home, String shell) implements AgentOp {}

  @Wire("dir.ensure")
  record DirEnsure(String path, Attributes attributes) implements AgentOp {}

  /** Writes {@code content} atomically; {@code validate} (if any) runs after, else it is undone. */
  @Wire("file.write")
  record FileWrite(String path, byte[] content, Attributes attributes, List<String> validate)
      implements AgentOp {
    public FileWrite {
      validate = List.copyOf(validate);
    }
  }

  @Wire("file.attrs")
  record FileAttrs(String path, Attributes attributes) implements AgentOp {}

  @Wire("link.ensure")
  record LinkEnsure(String path, String target) implements AgentOp {}

  /** Runs {@code argv}; {@code env} empty: the agent's own environment. */
  @Wire("exec")
  record Exec(
      List<String> argv,
      Optional<String> user,
      Optional<String> cwd,
      Map<String, String> env,
      Optional<Duration> timeout)
      implements AgentOp {
    public Exec {
      argv = List.copyOf(argv);
      env = ordered(env);
    }

    public Exec(List<String> argv) {
      this(argv, Optional.empty(), Optional.empty(), Map.of(), Optional.empty());
    }
  }

  /** A supervised service as every service step names it; {@code timeout} bounds the whole step. */
  record Service(String name, Supervisor supervisor, Duration stopTimeout, Duration timeout) {}

  @Wire("service.enable")
  record ServiceEnable(Service service) implements AgentOp {}

  @Wire("service.up")
  record ServiceUp(Service service) implements AgentOp {}

  /** A graceful reload (HUP) or a full restart. */
  @Wire("service.signal")
  record ServiceSignal(Service service, How how) implements AgentOp {
    public enum How {
      RELOAD,
      RESTART
    }
  }

  /** HUP a gunicorn master and wait until all its workers have been replaced. */
  @Wire("gunicorn.reload")
  record GunicornReload(Service service) implements AgentOp {}

  /**
   * Unpacks the payload into {@code path} with the rendered config {@code files}, the {@code
   * privateFiles} (relative path to the group that may read them) and the release's metadata.
   */
  @Wire("release.unpack")
  record ReleaseUnpack(
      String path, Map<String, File> files, Map<String, String> privateFiles, Meta meta)
      implements AgentOp {
    public ReleaseUnpack {
      files = ordered(files);
      privateFiles = ordered(privateFiles);
    }

    /** A file written into the release, root-owned, readable by {@code group}. */
    public record File(byte[] content, String group, String mode) {}

    /** What {@code .hoist-release.json} says about the release. */
    public record Meta(String id, String hash, String created, String app) {}
  }

  @Wire("release.shared")
  record ReleaseShared(String path, String shared, String user, List<String> dirs)
      implements AgentOp {
    public ReleaseShared {
      dirs = List.copyOf(dirs);
    }
  }

  /** Hands the release's {@code dirs} to {@code user} for the hooks. */
  @Wire("release.open")
  record ReleaseOpen(String path, String user, List<String> dirs) implements AgentOp {
    public ReleaseOpen {
      dirs = List.copyOf(dirs);
    }
  }

  /** Takes the release's {@code dirs} back from the app user once the hooks ran. */
  @Wire("release.seal")
  record ReleaseSeal(String path, List<String> dirs) implements AgentOp {
    public ReleaseSeal {
      dirs = List.copyOf(dirs);
    }
  }

  @Wire("release.switch")
  record ReleaseSwitch(String root, String release) implements AgentOp {}

  /**
   * Marks {@code release} failed; {@code switched}: this deploy made it live, so it is marked even
   * though {@code current} still points at it (otherwise the live release is never marked).
   */
  @Wire("release.mark_failed")
  record ReleaseMarkFailed(String root, String release, boolean switched) implements AgentOp {}

  @Wire("release.prune")
  record ReleasePrune(String root, int keep) implements AgentOp {}

  /**
   * GET {@code path} with Host {@code host} until it passes or fails enough times in a row; until
   * the app first answers or {@code startPeriod} passes, signs of a starting app are not failures.
   */
  @Wire("http.check")
  record HttpCheck(
      String host,
      String path,
      int expect,
      Optional<String> contains,
      Duration timeout,
      Duration interval,
      int healthy,
      int unhealthy,
      Duration deadline,
      Duration startPeriod,
      List<String> logs)
      implements AgentOp {
    public HttpCheck {
      logs = List.copyOf(logs);
    }
  }

  /** HAProxy's admin socket and the backend the app's servers are in. */
  record Haproxy(String socket, String backend) {}

  @Wire("lb.drain")
  record LbDrain(Haproxy lb, List<String> servers, Duration timeout) implements AgentOp {
    public LbDrain {
      servers = List.copyOf(servers);
    }
  }

  /** Puts {@code servers} back and waits until HAProxy sees those of {@code waitFor} UP. */
  @Wire("lb.ready")
  record LbReady(Haproxy lb, List<String> servers, Duration timeout, List<String> waitFor)
      implements AgentOp {
    public LbReady {
      servers = List.copyOf(servers);
      waitFor = List.copyOf(waitFor);
    }
  }

  /** Waits until the HAProxy answering on {@code socket} is another process than {@code oldPid}. */
  @Wire("lb.wait_reload")
  record LbWaitReload(String socket, Duration timeout, OptionalInt oldPid) implements AgentOp {}

  @Wire("lock.take")
  record LockTake(String path, Holder holder) implements AgentOp {
    /** Who holds the lock; {@code token} proves it on release. */
    public record Holder(String by, String since, String command, String token, long pid) {}
  }

  /** Releases the lock if {@code token} holds it, or whoever holds it when {@code force}. */
  @Wire("lock.release")
  record LockRelease(String path, Optional<String> token, boolean force) implements AgentOp {}

  /**
   * Sets and unsets the app's secrets in {@code file} (values) and {@code index} (names, when and
   * by whom). Its {@link #toString()} names keys only, so no log or message can print a value.
   */
  @Wire("secrets.update")
  record SecretsUpdate(
      String app,
      String file,
      String index,
      String by,
      String at,
      Map<String, String> set,
      List<String> unset)
      implements AgentOp {
    public SecretsUpdate {
      set = ordered(set);
      unset = List.copyOf(unset);
    }

    @Override
    public String toString() {
      return "SecretsUpdate[app=" + app + ", set=" + set.keySet() + ", unset=" + unset + "]";
    }
  }

  @Wire("path.remove")
  record PathRemove(String path) implements AgentOp {}

  /**
   * Stops a backing service of hoist's ({@code hoist-...}) and removes it from its supervisor (its
   * unit, or its runit service); its data, config and logs stay.
   */
  @Wire("service.remove")
  record ServiceRemove(String name) implements AgentOp {}

  /**
   * Stops and removes an app's scheduled job: its timer and unit or runit service, its config in
   * {@code configDir} and its last-run state in {@code stateDir}.
   */
  @Wire("cron.remove")
  record CronRemove(String app, String job, String configDir, String stateDir) implements AgentOp {}

  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}

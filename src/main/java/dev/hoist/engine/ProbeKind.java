package dev.hoist.engine;

import dev.hoist.engine.AgentProtocol.Wire;
import dev.hoist.engine.ServiceResource.Supervisor;
import java.util.List;
import java.util.Optional;

/**
 * What a probe asks the agent to read: one record per kind of agent.py's {@code PROBES} table,
 * named there by its {@link Wire} name and serialized by {@link AgentProtocol#toJson}.
 */
public sealed interface ProbeKind {

  /** The kind's name on the wire (the request's {@code "kind"}). */
  default String kind() {
    return AgentProtocol.wireName(getClass());
  }

  @Wire("package")
  record Package(String name) implements ProbeKind {}

  @Wire("user")
  record User(String name) implements ProbeKind {}

  @Wire("group")
  record Group(String name) implements ProbeKind {}

  @Wire("dir")
  record Dir(String path) implements ProbeKind {}

  @Wire("link")
  record Link(String path) implements ProbeKind {}

  /** A file; the agent sends its text along when its hash is not {@code sha256}. */
  @Wire("file")
  record File(String path, String sha256) implements ProbeKind {}

  /** Whether a command's {@code creates} path exists and its {@code unless} check passes. */
  @Wire("exec")
  record Exec(Optional<String> creates, List<String> unless) implements ProbeKind {
    public Exec {
      unless = List.copyOf(unless);
    }
  }

  @Wire("service")
  record Service(String name, Supervisor supervisor) implements ProbeKind {}

  /** The releases of the app at {@code root}: current, previous, failed. */
  @Wire("release")
  record Release(String root) implements ProbeKind {}

  /** Who listens on a TCP port. */
  @Wire("port")
  record Port(int port) implements ProbeKind {}

  /** A small JSON file's value. */
  @Wire("json")
  record Json(String path) implements ProbeKind {}

  /** HAProxy's servers in {@code backend} and its pid, through the admin socket. */
  @Wire("lb")
  record Lb(String socket, String backend) implements ProbeKind {}

  /** The names of the app's secrets and when each was set, never a value. */
  @Wire("secrets")
  record Secrets(String file, String index) implements ProbeKind {}

  /** The values of the app's secrets, for {@code hoist secrets list --show}. */
  @Wire("secrets.values")
  record SecretsValues(String file) implements ProbeKind {}

  /**
   * The certificate chain an app serves ({@code dir}/cert.pem) and the ACME runner's last result
   * there: certificate blocks and state only, never a key.
   */
  @Wire("tls")
  record Tls(String dir) implements ProbeKind {}

  /** The app's scheduled jobs from hoist.yml whose configs are in {@code dir} (not root jobs). */
  @Wire("cron")
  record Cron(String dir) implements ProbeKind {}
}

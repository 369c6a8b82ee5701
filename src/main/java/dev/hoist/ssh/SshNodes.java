package dev.hoist.ssh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The process's one SSH client (Apache MINA SSHD), set up for Hoist, and the {@link SshNode}s made
 * on it. Start one per process, make a node per host, close it at the end: that closes every node
 * made here, then the client's threads.
 */
public final class SshNodes implements AutoCloseable {
  // A round trip per command is Hoist's cost; Nagle's algorithm made each one 46-88 ms, not 3.
  private static final boolean TCP_NODELAY = true;
  // A command's own timeout bounds a stalled write; MINA's 30 s default would cut a slow node
  // short.
  private static final Duration WAIT_FOR_WINDOW = Duration.ofHours(1);

  private final SshClient client;
  private final SshConnector connector;
  private final List<SshNode> nodes = new CopyOnWriteArrayList<>();

  private SshNodes(SshClient client, SshConnector connector) {
    this.client = client;
    this.connector = connector;
  }

  /** Starts the client; nothing is connected until a node is used. */
  public static SshNodes start(SshSettings settings) {
    SshClient client = SshClient.setUpDefaultClient();
    ConnectionPolicy policy = new ConnectionPolicy();
    client.setServerKeyVerifier(policy);
    client.addSessionListener(policy);
    // Hosts, users and keys come from Hoist's own config, never from ~/.ssh/config.
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    // Keys only: no password or keyboard-interactive prompt can hang a parallel deploy.
    client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    client.setAgentFactory(
        settings.agentSocket() == null ? null : new AgentFactory(settings.agentSocket()));
    CoreModuleProperties.TCP_NODELAY.set(client, TCP_NODELAY);
    CoreModuleProperties.SOCKET_KEEPALIVE.set(client, true);
    // Liveness is the keepalive's job; an idle node between deploy phases must stay connected.
    CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
    CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(client, WAIT_FOR_WINDOW);
    if (!settings.postQuantumFirst()) {
      client.setKeyExchangeFactories(classicFirst(client.getKeyExchangeFactories()));
    }
    client.start();
    return new SshNodes(
        client,
        new SshConnector(
            client, new IdentityFiles(settings.passphrases()), settings.agentSocket()));
  }

  /**
   * The client's key exchanges with curve25519-sha256 moved to the front. MINA offers the
   * post-quantum hybrids first (sntrup761x25519, mlkem768x25519); computed in Java they cost each
   * connection about 30 ms more CPU (60 ms on the first), which a fleet of ten on a small admin
   * machine pays in wall time. They stay offered, after it; HOIST_SSH_KEX=post-quantum puts them
   * first again.
   */
  static List<KeyExchangeFactory> classicFirst(List<KeyExchangeFactory> offered) {
    List<KeyExchangeFactory> out = new ArrayList<>();
    offered.stream().filter(f -> f.getName().startsWith("curve25519-sha256")).forEach(out::add);
    offered.stream().filter(f -> !out.contains(f)).forEach(out::add);
    return out;
  }

  /** A node for {@code target}, not yet connected; {@link #close()} closes it too. */
  public SshNode node(SshTarget target) {
    SshNode node = new SshNode(target, connector);
    nodes.add(node);
    return node;
  }

  /** Host key scanning and trusting on this client. */
  public HostKeys hostKeys() {
    return new HostKeys(connector);
  }

  /** Closes every node made here, then stops the client. Idempotent. */
  @Override
  public void close() {
    nodes.forEach(SshNode::close);
    nodes.clear();
    client.stop();
  }
}

package dev.hoist.ssh;

import java.net.SocketAddress;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The shared client's settings for each connection, taken from the {@link HostCheck} (and so the
 * target) it carries: its keepalive, the host key types to ask for first, and the host key check.
 */
final class ConnectionPolicy implements ServerKeyVerifier, SessionListener {
  // Missing this many keepalive answers in a row means the connection is dead
  // (ServerAliveCountMax).
  private static final int KEEPALIVE_MISSES = 3;

  @Override
  public void sessionEstablished(Session session) {
    // Called before MINA creates the connection service, which reads these once.
    Duration interval = HostCheck.of(session).target().keepAlive();
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(session, interval);
    CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(session, interval);
    CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(session, KEEPALIVE_MISSES);
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
    return HostCheck.of(session).accept(key);
  }

  @Override
  public void sessionNegotiationOptionsCreated(
      Session session, Map<KexProposalOption, String> proposal) {
    List<String> known = HostCheck.of(session).knownTypes();
    String algorithms = proposal.get(KexProposalOption.SERVERKEYS);
    if (known.isEmpty() || algorithms == null) {
      return;
    }
    // Without this a host known by its ECDSA key would be asked for ed25519 and look unknown.
    List<String> first = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String algorithm : algorithms.split(",")) {
      (known.contains(KeyUtils.getCanonicalKeyType(algorithm)) ? first : rest).add(algorithm);
    }
    first.addAll(rest);
    proposal.put(KexProposalOption.SERVERKEYS, String.join(",", first));
  }
}

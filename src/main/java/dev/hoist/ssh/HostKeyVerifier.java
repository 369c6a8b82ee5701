package dev.hoist.ssh;

import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * The client's one host key policy: each connection is checked by the {@link HostCheck} it
 * carries, and asks the server first for a key type that known_hosts has, as ssh does.
 */
final class HostKeyVerifier implements ServerKeyVerifier, SessionListener {
  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
    return HostCheck.of(session).accept(key);
  }

  @Override
  public void sessionNegotiationOptionsCreated(Session session, Map<KexProposalOption, String> proposal) {
    if (!(session instanceof ClientSession client)) {
      return;
    }
    List<String> known = HostCheck.of(client).knownTypes();
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

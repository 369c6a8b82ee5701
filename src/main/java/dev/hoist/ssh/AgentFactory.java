package dev.hoist.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;

/** Hands MINA an {@link AgentClient} for each authentication; no agent forwarding. */
final class AgentFactory implements SshAgentFactory {
  private final Path socket;

  AgentFactory(Path socket) {
    this.socket = socket;
  }

  @Override
  public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
    return List.of();
  }

  @Override
  public SshAgent createClient(Session session, FactoryManager manager) {
    try {
      return AgentClient.connect(socket);
    } catch (IOException e) {
      // A stale $SSH_AUTH_SOCK must not stop the key files from being tried.
      return null;
    }
  }

  @Override
  public SshAgentServer createServer(ConnectionService service) {
    throw new UnsupportedOperationException("Hoist does not forward ssh-agent");
  }
}

package dev.hoist.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.command.Command;

/** An in-process MINA SSH server on a loopback port whose "commands" are Java lambdas. */
final class TestSshServer implements AutoCloseable {
  /** What a command line does: reads stdin, writes stdout and stderr, returns the exit code. */
  @FunctionalInterface
  interface Script {
    int run(
        String command, InputStream in, OutputStream out, OutputStream err, ChannelSession channel)
        throws Exception;
  }

  final SshServer server;
  final KeyPair hostKey;
  final List<PublicKey> authorized = new CopyOnWriteArrayList<>();
  final List<String> commands = new CopyOnWriteArrayList<>();

  private TestSshServer(SshServer server, KeyPair hostKey) {
    this.server = server;
    this.hostKey = hostKey;
  }

  static TestSshServer start(Script script, KeyPair... hostKeys)
      throws IOException, GeneralSecurityException {
    KeyPair[] keys = hostKeys.length > 0 ? hostKeys : new KeyPair[] {ed25519()};
    SshServer server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    // Without it each answer waits for the client's delayed ACK: ~40 ms per command instead of ~1.
    CoreModuleProperties.TCP_NODELAY.set(server, true);
    server.setKeyPairProvider(KeyPairProvider.wrap(keys));
    TestSshServer test = new TestSshServer(server, keys[0]);
    server.setPublickeyAuthenticator(
        (user, key, session) ->
            test.authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
    server.setCommandFactory(
        (channel, command) -> {
          test.commands.add(command);
          return new ScriptedCommand(command, script);
        });
    server.start();
    return test;
  }

  /**
   * Refuses a session channel while {@code most} are open, as OpenSSH does beyond MaxSessions
   * ("administratively prohibited"); returns the count of refusals.
   */
  AtomicInteger refuseChannelsBeyond(int most) {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    server.setChannelFactories(
        List.of(
            new ChannelFactory() {
              @Override
              public String getName() {
                return ChannelSessionFactory.INSTANCE.getName();
              }

              @Override
              public Channel createChannel(Session session) throws IOException {
                if (open.incrementAndGet() > most) {
                  open.decrementAndGet();
                  refused.incrementAndGet();
                  return null;
                }
                Channel channel = ChannelSessionFactory.INSTANCE.createChannel(session);
                channel.addChannelListener(
                    new ChannelListener() {
                      @Override
                      public void channelClosed(Channel c, Throwable reason) {
                        open.decrementAndGet();
                      }
                    });
                return channel;
              }
            }));
    return refused;
  }

  int port() {
    return server.getPort();
  }

  /**
   * A target for this server with {@code key} as its only identity file and a fresh known_hosts.
   */
  SshTarget target(String name, Path dir, Path key) {
    return SshTarget.of(name, "127.0.0.1")
        .withPort(port())
        .withIdentityFiles(List.of(key))
        .withKnownHosts(dir.resolve("known_hosts"));
  }

  /** Writes known_hosts for this server's host key, as ssh would. */
  void trustIn(Path knownHosts) throws IOException {
    Files.writeString(
        knownHosts,
        "[127.0.0.1]:" + port() + " " + new HostKey(hostKey.getPublic()).openSsh() + "\n");
  }

  static KeyPair ed25519() throws GeneralSecurityException {
    return KeyUtils.generateKeyPair("ssh-ed25519", 256);
  }

  /**
   * Writes {@code key} as an OpenSSH private key file, encrypted when {@code passphrase} is set.
   */
  static Path writeKey(KeyPair key, Path file, String passphrase)
      throws IOException, GeneralSecurityException {
    OpenSSHKeyEncryptionContext encryption = null;
    if (passphrase != null) {
      encryption = new OpenSSHKeyEncryptionContext();
      encryption.setPassword(passphrase);
      encryption.setCipherName("AES");
      encryption.setCipherMode("CTR");
      encryption.setCipherType("256");
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      new OpenSSHKeyPairResourceWriter().writePrivateKey(key, "test", encryption, out);
    }
    return file;
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
  }

  /** Runs a {@link Script} on its own thread, as a real command would run in its own process. */
  private static final class ScriptedCommand implements Command {
    private final String command;
    private final Script script;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    ScriptedCommand(String command, Script script) {
      this.command = command;
      this.script = script;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
      this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      Thread.ofVirtual()
          .start(
              () -> {
                int code;
                try {
                  code = script.run(command, in, out, err, channel);
                  out.flush();
                  err.flush();
                } catch (Exception e) {
                  code = 255;
                }
                exit.onExit(code);
              });
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }
}

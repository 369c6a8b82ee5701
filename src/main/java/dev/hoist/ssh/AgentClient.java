package dev.hoist.ssh;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentKeyConstraint;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * A client of ssh-agent over its Unix domain socket (the JDK's own, no native library): lists the
 * agent's keys and has it sign, per draft-miller-ssh-agent. Adding and removing keys is left to
 * ssh-add.
 */
final class AgentClient implements SshAgent {
  private static final byte REQUEST_IDENTITIES = 11;
  private static final byte IDENTITIES_ANSWER = 12;
  private static final byte SIGN_REQUEST = 13;
  private static final byte SIGN_RESPONSE = 14;
  private static final int RSA_SHA2_256 = 2;
  private static final int RSA_SHA2_512 = 4;
  // An agent answer is small; a larger length means we are not talking to an agent.
  private static final int MAX_MESSAGE = 256 * 1024;

  private final Path socket;
  private final SocketChannel channel;

  private AgentClient(Path socket, SocketChannel channel) {
    this.socket = socket;
    this.channel = channel;
  }

  /** Connects to the agent at {@code socket}; close it when done. */
  static AgentClient connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot reach ssh-agent at " + socket + ": " + e.getMessage(), e);
    }
    return new AgentClient(socket, channel);
  }

  @Override
  public synchronized List<Map.Entry<PublicKey, String>> getIdentities() throws IOException {
    Buffer answer = request(message(REQUEST_IDENTITIES));
    expect(answer, IDENTITIES_ANSWER, "list keys");
    int count = answer.getInt();
    List<Map.Entry<PublicKey, String>> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] blob = answer.getBytes();
      String comment = answer.getString();
      try {
        keys.add(Map.entry(new ByteArrayBuffer(blob).getRawPublicKey(), comment));
      } catch (IOException | RuntimeException e) {
        // A key type this client cannot use (e.g. a FIDO key without its provider): skip it.
      }
    }
    return keys;
  }

  @Override
  public synchronized Map.Entry<String, byte[]> sign(
      SessionContext session, PublicKey key, String algorithm, byte[] data) throws IOException {
    Buffer request = message(SIGN_REQUEST);
    request.putPublicKey(key);
    request.putBytes(data);
    request.putInt(flagsFor(algorithm));
    Buffer answer = request(request);
    expect(answer, SIGN_RESPONSE, "sign with " + algorithm);
    Buffer signature = new ByteArrayBuffer(answer.getBytes());
    return Map.entry(signature.getString(), signature.getBytes());
  }

  private static int flagsFor(String algorithm) {
    return switch (algorithm == null ? "" : algorithm) {
      case "rsa-sha2-256" -> RSA_SHA2_256;
      case "rsa-sha2-512" -> RSA_SHA2_512;
      default -> 0;
    };
  }

  private static Buffer message(byte type) {
    ByteArrayBuffer buffer = new ByteArrayBuffer();
    buffer.putByte(type);
    return buffer;
  }

  private Buffer request(Buffer message) throws IOException {
    byte[] body = message.getCompactData();
    ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
    while (out.hasRemaining()) {
      channel.write(out);
    }
    ByteBuffer length = read(4);
    int size = length.getInt();
    if (size <= 0 || size > MAX_MESSAGE) {
      throw new IOException("ssh-agent at " + socket + " sent a message of " + size + " bytes");
    }
    return new ByteArrayBuffer(read(size).array());
  }

  private ByteBuffer read(int size) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(size);
    while (in.hasRemaining()) {
      if (channel.read(in) < 0) {
        throw new IOException("ssh-agent at " + socket + " closed the connection");
      }
    }
    return in.flip();
  }

  private void expect(Buffer answer, byte type, String what) throws IOException {
    byte got = answer.getByte();
    if (got != type) {
      throw new IOException(
          "ssh-agent at " + socket + " refused to " + what + " (answer " + got + ")");
    }
  }

  @Override
  public void addIdentity(KeyPair key, String comment, SshAgentKeyConstraint... constraints) {
    throw new UnsupportedOperationException("add keys with ssh-add");
  }

  @Override
  public void removeIdentity(PublicKey key) {
    throw new UnsupportedOperationException("remove keys with ssh-add -d");
  }

  @Override
  public void removeAllIdentities() {
    throw new UnsupportedOperationException("remove keys with ssh-add -D");
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

package dev.hoist.ssh;

import java.security.PublicKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/** A server's host key, with the type and SHA256 fingerprint that people compare out of band. */
public record HostKey(PublicKey key) {
  /** The OpenSSH key type, e.g. {@code ssh-ed25519}. */
  public String type() {
    return KeyUtils.getKeyType(key);
  }

  /** {@code SHA256:...}, as {@code ssh-keygen -lf} and {@code ssh} print it. */
  public String fingerprint() {
    return KeyUtils.getFingerPrint(key);
  }

  /** {@code type base64}, the key part of a known_hosts or authorized_keys line. */
  public String openSsh() {
    return PublicKeyEntry.toString(key);
  }

  @Override
  public String toString() {
    return type() + " " + fingerprint();
  }
}

package dev.hoist.lab;

import java.util.List;
import java.util.Locale;

/**
 * What runs as a lab node's PID 1: Debian's runit (the default; a tiny init script, then runsvdir)
 * or Debian's systemd, booted by systemd-nspawn. Each kind has its own node names, address range
 * and cached base, so both kinds can run side by side.
 */
public enum Init {
  /** lab1..lab180 at 10.213.77.11 to .190. */
  RUNIT("lab", 10, 180, "base"),
  /** sd1..sd50 at 10.213.77.201 to .250. */
  SYSTEMD("sd", 200, 50, "base-systemd");

  private final String prefix;
  private final int addressOffset;
  private final int maxNodes;
  private final String baseDir;

  Init(String prefix, int addressOffset, int maxNodes, String baseDir) {
    this.prefix = prefix;
    this.addressOffset = addressOffset;
    this.maxNodes = maxNodes;
    this.baseDir = baseDir;
  }

  /** "lab" or "sd": node N of this kind is called prefix + N. */
  public String prefix() {
    return prefix;
  }

  /** Node N's address is 10.213.77.(offset + N). */
  int addressOffset() {
    return addressOffset;
  }

  public int maxNodes() {
    return maxNodes;
  }

  /** The directory under the lab's home that holds this kind's cached base. */
  String baseDir() {
    return baseDir;
  }

  /** "runit" or "systemd", as `--init` takes it and `lab ls` shows it. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind `--init` names; anything else gets a message listing the choices. */
  public static Init parse(String label) {
    for (Init i : values()) {
      if (i.label().equals(label)) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "--init must be one of "
            + String.join(", ", List.of(RUNIT.label(), SYSTEMD.label()))
            + ", not '"
            + label
            + "'");
  }
}

package dev.hoist.lab;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lab node's fixed identity, all derived from its kind and number: name {@code labN} (runit) or
 * {@code sdN} (systemd), address {@code 10.213.77.(10+N)} or {@code 10.213.77.(200+N)}, network
 * namespace {@code hoist-NAME}, host end of its veth {@code hl-NAME}.
 */
public record NodeSpec(String name, int index, String address, Init init) {
  /** The lab's private test subnet; nothing else on a machine should use it. */
  public static final String SUBNET = "10.213.77.0/24";

  public static final String GATEWAY = "10.213.77.1";
  public static final int PREFIX_LENGTH = 24;

  /** Runit nodes are lab1 to lab180 (.11 to .190). */
  public static final int MAX_NODES = Init.RUNIT.maxNodes();

  /** Runit nodes first, then systemd nodes, each by number. */
  public static final Comparator<NodeSpec> ORDER =
      Comparator.comparing(NodeSpec::init).thenComparingInt(NodeSpec::index);

  private static final Pattern NAME = Pattern.compile("(lab|sd)([1-9][0-9]{0,2})");

  /** Runit node {@code labN}. */
  public static NodeSpec of(int index) {
    return of(Init.RUNIT, index);
  }

  public static NodeSpec of(Init init, int index) {
    if (index < 1 || index > init.maxNodes()) {
      throw new IllegalArgumentException(
          "a lab has " + init.label() + " nodes " + range(init) + ", not " + init.prefix() + index);
    }
    return new NodeSpec(
        init.prefix() + index, index, "10.213.77." + (init.addressOffset() + index), init);
  }

  /** The node called {@code name}; a name that is not labN or sdN gets a message that says so. */
  public static NodeSpec named(String name) {
    Matcher m = NAME.matcher(name);
    Init init = m.matches() && m.group(1).equals("sd") ? Init.SYSTEMD : Init.RUNIT;
    if (!m.matches() || Integer.parseInt(m.group(2)) > init.maxNodes()) {
      throw new IllegalArgumentException(
          "no lab node is called '"
              + name
              + "': nodes are "
              + range(Init.RUNIT)
              + " (runit) and "
              + range(Init.SYSTEMD)
              + " (systemd)");
    }
    return of(init, Integer.parseInt(m.group(2)));
  }

  /** The node called {@code name}, or empty when it is no lab node's name. */
  public static Optional<NodeSpec> parse(String name) {
    try {
      return Optional.of(named(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String range(Init init) {
    return init.prefix() + "1 to " + init.prefix() + init.maxNodes();
  }

  public String netns() {
    return "hoist-" + name;
  }

  /** Interface names are at most 15 bytes: "hl-lab180" fits. */
  public String hostVeth() {
    return "hl-" + name;
  }
}

package dev.hoist.lab;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lab node's fixed identity, all derived from its number: name {@code labN}, address {@code
 * 10.213.77.(10+N)}, network namespace {@code hoist-labN}, host end of its veth {@code hl-labN}.
 */
public record NodeSpec(String name, int index, String address) {
  /** The lab's private test subnet; nothing else on a machine should use it. */
  public static final String SUBNET = "10.213.77.0/24";

  public static final String GATEWAY = "10.213.77.1";
  public static final int PREFIX_LENGTH = 24;

  /** Node addresses are .11 to .250. */
  public static final int MAX_NODES = 240;

  private static final Pattern NAME = Pattern.compile("lab([1-9][0-9]{0,2})");

  public static NodeSpec of(int index) {
    if (index < 1 || index > MAX_NODES) {
      throw new IllegalArgumentException(
          "a lab has nodes lab1 to lab" + MAX_NODES + ", not " + index);
    }
    return new NodeSpec("lab" + index, index, "10.213.77." + (10 + index));
  }

  /** The node called {@code name}; a name that is not labN gets a message that says so. */
  public static NodeSpec named(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches() || Integer.parseInt(m.group(1)) > MAX_NODES) {
      throw new IllegalArgumentException(
          "no lab node is called '" + name + "': nodes are lab1 to lab" + MAX_NODES);
    }
    return of(Integer.parseInt(m.group(1)));
  }

  /** The node called {@code name}, or empty when it is no lab node's name. */
  public static java.util.Optional<NodeSpec> parse(String name) {
    try {
      return java.util.Optional.of(named(name));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  public String netns() {
    return "hoist-" + name;
  }

  /** Interface names are at most 15 bytes: "hl-lab240" fits. */
  public String hostVeth() {
    return "hl-" + name;
  }
}

package dev.hoist.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the lab created on this machine (network, and per node its processes, namespace and mounts),
 * kept in state.json and saved after every step, so that {@code lab down} can undo it even after a
 * crash.
 */
record LabState(
    String bootId, Optional<NetworkRecord> network, SortedMap<String, NodeRecord> nodes) {
  /**
   * The host side of the network: the bridge, the nftables table when NAT is on, and ip_forward as
   * it was before.
   */
  record NetworkRecord(
      String bridge, Optional<String> nftTable, Optional<String> ipForwardBefore) {}

  /**
   * One node. {@code holderPid} is the unshare process that waits for the node's PID 1 ({@code
   * pid}, whose start time tells it apart from a later process with a reused pid); {@code mounts}
   * are the node's mount points on this machine, the last one mounted first.
   */
  record NodeRecord(
      String name,
      String address,
      String netns,
      String veth,
      long holderPid,
      long pid,
      long pidStartTicks,
      List<String> mounts,
      long startedAtEpochSecond) {
    NodeSpec spec() {
      return NodeSpec.named(name);
    }
  }

  private static final Comparator<String> BY_INDEX =
      Comparator.comparing(NodeSpec::named, NodeSpec.ORDER);

  LabState {
    TreeMap<String, NodeRecord> sorted = new TreeMap<>(BY_INDEX);
    sorted.putAll(nodes);
    nodes = Collections.unmodifiableSortedMap(sorted);
  }

  static LabState empty() {
    return new LabState(Procfs.bootId(), Optional.empty(), new TreeMap<>());
  }

  LabState withNetwork(Optional<NetworkRecord> net) {
    return new LabState(bootId, net, nodes);
  }

  LabState withNode(NodeRecord node) {
    TreeMap<String, NodeRecord> next = new TreeMap<>(BY_INDEX);
    next.putAll(nodes);
    next.put(node.name(), node);
    return new LabState(bootId, network, next);
  }

  LabState withoutNode(String name) {
    TreeMap<String, NodeRecord> next = new TreeMap<>(BY_INDEX);
    next.putAll(nodes);
    next.remove(name);
    return new LabState(bootId, network, next);
  }

  /**
   * Reads the state file; a missing file is an empty lab. State from an earlier boot keeps its
   * records (their namespaces and directories may linger) but none of its processes can be alive.
   */
  static LabState load(Path file) throws LabException {
    if (!Files.exists(file)) {
      return empty();
    }
    try {
      LabState s = MAPPER.readValue(file.toFile(), LabState.class);
      if (s.bootId().equals(Procfs.bootId())) {
        return s;
      }
      TreeMap<String, NodeRecord> dead = new TreeMap<>(BY_INDEX);
      s.nodes()
          .forEach(
              (name, n) ->
                  dead.put(
                      name,
                      new NodeRecord(
                          n.name(),
                          n.address(),
                          n.netns(),
                          n.veth(),
                          0,
                          0,
                          0,
                          n.mounts(),
                          n.startedAtEpochSecond())));
      return new LabState(Procfs.bootId(), s.network(), dead);
    } catch (IOException e) {
      throw new LabException(
          "cannot read the lab state "
              + file
              + ": "
              + e.getMessage()
              + "; remove it, then clean up by hand as docs/lab.md describes",
          e);
    }
  }

  /** Writes the state atomically: a crash leaves the old file or the new one, never half of one. */
  void save(Path file) throws LabException {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      MAPPER.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LabException("cannot write the lab state " + file + ": " + e.getMessage(), e);
    }
  }

  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
}

package dev.hoist.project;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The user's own config file, shared by all projects: nodes and environments declared once, e.g.
 * {@code ~/.config/hoist/config.yml}.
 */
public final class UserConfig {
  private static final List<String> KEYS = List.of("nodes", "environments");

  private UserConfig() {}

  /**
   * {@code $HOIST_CONFIG}, else {@code $XDG_CONFIG_HOME/hoist/config.yml}, else
   * ~/.config/hoist/config.yml.
   */
  public static Path defaultPath() {
    String explicit = System.getenv("HOIST_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("hoist").resolve("config.yml");
  }

  /**
   * The inventory the project can use: the user's config file (if it exists) overlaid with the
   * project's own entries, with every environment's node names and every jump checked.
   *
   * @throws SpecException naming file:line:column of each bad entry
   */
  public static Inventory inventoryFor(Spec spec, Path configFile)
      throws SpecException, IOException {
    Inventory merged = load(configFile).overlaidWith(spec.inventory());
    check(merged);
    BackupReader.checkTarget(spec.backup(), merged);
    return merged;
  }

  /** The user's inventory alone, for commands run outside a project (hoist node ...). */
  public static Inventory inventoryAlone(Path configFile) throws SpecException, IOException {
    Inventory inventory = load(configFile);
    check(inventory);
    return inventory;
  }

  /** Reads one config file; a missing file is an empty inventory. */
  static Inventory load(Path file) throws SpecException, IOException {
    if (!Files.isRegularFile(file)) {
      return Inventory.empty();
    }
    String shown = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw SpecLoader.single(shown, 0, 0, "the file is not UTF-8 text", "save it as UTF-8");
    }
    Optional<Node> root = SpecLoader.compose(text, shown);
    if (root.isEmpty() || YamlNodes.isNull(root.get())) {
      return Inventory.empty();
    }
    YamlNodes nodes = new YamlNodes(shown);
    Optional<Fields> top = nodes.fields(root.get(), "", KEYS, Set.of());
    Path dir = file.toAbsolutePath().getParent();
    InventoryReader reader = new InventoryReader(nodes, dir);
    Inventory inventory =
        top.map(
                f ->
                    new Inventory(
                        f.get("nodes").map(reader::nodes).orElse(Map.of()),
                        f.get("environments").map(reader::environments).orElse(Map.of())))
            .orElse(Inventory.empty());
    if (!nodes.problems().isEmpty()) {
      throw new SpecException(nodes.problems());
    }
    return inventory;
  }

  /** Environments may only name declared nodes; a jump is a declared node or an address. */
  static void check(Inventory inventory) throws SpecException {
    List<SpecProblem> problems = new ArrayList<>();
    List<String> known = List.copyOf(inventory.nodes().keySet());
    for (EnvironmentSpec env : inventory.environments().values()) {
      for (EnvironmentSpec.NodeRef ref : env.refs()) {
        if (!inventory.nodes().containsKey(ref.name())) {
          problems.add(
              new SpecProblem(
                  ref.origin(),
                  0,
                  0,
                  "environments." + env.name(),
                  "no node named '" + ref.name() + "'",
                  Optional.of(
                      Suggestions.closest(ref.name(), known)
                          .map(s -> "did you mean '" + s + "'?")
                          .orElse(
                              "declare it under nodes: (in hoist.yml or "
                                  + defaultPath()
                                  + "), e.g. '"
                                  + ref.name()
                                  + ": {host: 10.0.0.11}'"))));
        }
      }
    }
    for (NodeSpec node : inventory.nodes().values()) {
      Optional<String> cycle = jumpCycle(inventory, node);
      cycle.ifPresent(
          c ->
              problems.add(
                  new SpecProblem(
                      node.origin(),
                      0,
                      0,
                      "nodes." + node.name() + ".jump",
                      "jump hosts go round in a circle: " + c,
                      Optional.of("end the chain at a node without 'jump'"))));
    }
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
  }

  private static Optional<String> jumpCycle(Inventory inventory, NodeSpec start) {
    List<String> chain = new ArrayList<>(List.of(start.name()));
    Optional<String> next = start.jump();
    while (next.isPresent() && inventory.nodes().containsKey(next.get())) {
      if (chain.contains(next.get())) {
        chain.add(next.get());
        return Optional.of(String.join(" -> ", chain));
      }
      chain.add(next.get());
      next = inventory.nodes().get(next.get()).jump();
    }
    return Optional.empty();
  }
}

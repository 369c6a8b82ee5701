package dev.hoist.project;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Walks a composed hoist.yml into a {@link Spec}, collecting every problem on the way. */
final class SpecWalker {
  static final List<String> KEYS =
      List.of(
          "app",
          "wsgi",
          "requirements",
          "wheelhouse",
          "workers",
          "domain",
          "aliases",
          "static",
          "env",
          "shared",
          "packages",
          "processes",
          "templates",
          "release",
          "health",
          "rollout",
          "tls",
          "supervisor",
          "include",
          "services",
          "cron",
          "backup",
          "build",
          "nodes",
          "environments");
  // Reserved for later features, so this version can say "not supported yet" instead of guessing.
  static final Set<String> NOT_YET = Set.of();
  private static final int MAX_WORKERS = 64;

  private final YamlNodes nodes;
  private final ProjectPaths paths;
  private final Path projectDir;
  private final Path file;
  private final boolean pushed;

  /** {@code pushed}: hoist server deploys it, so it may name only files of the project. */
  SpecWalker(YamlNodes nodes, Path projectDir, Path file, boolean pushed) {
    this.nodes = nodes;
    this.pushed = pushed;
    this.paths = new ProjectPaths(projectDir);
    this.projectDir = projectDir;
    this.file = file;
  }

  /** The spec, or empty when there were problems (they are collected in the {@link YamlNodes}). */
  Optional<Spec> walk(Node root) {
    if (!(root instanceof MappingNode)) {
      nodes.problem(
          root,
          "",
          "expected a mapping of keys like 'app: hello', found " + YamlNodes.describe(root),
          "start the file with lines like 'app: hello' and 'wsgi: hello:application'");
      return Optional.empty();
    }
    Fields top = nodes.fields(root, "", KEYS, NOT_YET).orElseThrow();
    Optional<String> app =
        top.required("app", "app: hello")
            .flatMap(n -> nodes.parse(n, "app", "an app name", Values::app));
    Optional<WsgiEntry> wsgi =
        top.required("wsgi", "wsgi: myapp:application")
            .flatMap(n -> nodes.parse(n, "wsgi", "module:callable", Values::wsgi));
    Optional<String> requirements =
        top.get("requirements")
            .flatMap(n -> nodes.parse(n, "requirements", "a file in the project", paths::file));
    Optional<String> wheelhouse = wheelhouse(top);
    Workers workers =
        top.get("workers")
            .flatMap(n -> nodes.parse(n, "workers", "'auto' or a number", SpecWalker::workers))
            .orElse(Workers.auto());
    String domain =
        top.get("domain")
            .flatMap(
                n -> nodes.parse(n, "domain", "a hostname", text -> Values.hostname(text, true)))
            .orElse(app.map(a -> a + ".localhost").orElse(""));
    Commands commands = new Commands(nodes);
    List<String> aliases = top.get("aliases").map(n -> aliases(n, domain)).orElse(List.of());
    ReleaseSpec release = top.get("release").map(commands::release).orElse(ReleaseSpec.defaults());
    BuildSpec build =
        top.get("build").map(n -> new BuildReader(nodes).read(n)).orElse(BuildSpec.none());
    // The build or release hooks (collectstatic) may generate static directories, so those need not
    // exist yet.
    Map<String, String> statics =
        top.get("static")
            .map(n -> statics(n, !release.beforeActivate().isEmpty() || !build.isEmpty()))
            .orElse(Map.of());
    Map<String, String> env = top.get("env").map(this::env).orElse(Map.of());
    List<String> shared =
        top.get("shared")
            .map(n -> distinct(n, "shared", "a directory name", SpecWalker::sharedDir, d -> d))
            .orElse(List.of());
    List<PackageRef> packages = top.get("packages").map(this::packages).orElse(List.of());
    Map<String, ProcessSpec> processes =
        top.get("processes").map(commands::processes).orElse(Map.of());
    Map<String, String> templates = top.get("templates").map(this::templates).orElse(Map.of());
    HealthSpec health =
        top.get("health").map(n -> new HealthReader(nodes).read(n)).orElse(HealthSpec.defaults());
    RolloutSpec rollout =
        top.get("rollout")
            .map(n -> new RolloutReader(nodes).read(n))
            .orElse(RolloutSpec.defaults());
    TlsSpec tls =
        top.get("tls")
            .map(n -> new TlsReader(nodes, projectDir, pushed).read(n, domain, aliases))
            .orElseGet(() -> TlsReader.defaults(domain, aliases));
    SupervisorChoice supervisor =
        top.get("supervisor")
            .flatMap(
                n ->
                    nodes.parse(n, "supervisor", "auto, systemd or runit", SupervisorChoice::parse))
            .orElse(SupervisorChoice.AUTO);
    List<String> include =
        top.get("include")
            .map(n -> distinct(n, "include", "a file pattern", SpecWalker::includePattern, p -> p))
            .orElse(List.of());
    ServicesSpec services =
        top.get("services").map(n -> new ServicesReader(nodes).read(n)).orElse(ServicesSpec.none());
    Map<String, CronJob> cron =
        top.get("cron").map(n -> new CronReader(nodes).read(n)).orElse(Map.of());
    Optional<BackupSpec> backup =
        top.get("backup")
            .flatMap(n -> new BackupReader(nodes).read(n, services, top.get("services")));
    InventoryReader inventory = new InventoryReader(nodes, projectDir, pushed);
    Inventory targets =
        new Inventory(
            top.get("nodes").map(inventory::nodes).orElse(Map.of()),
            top.get("environments").map(inventory::environments).orElse(Map.of()));
    if (!nodes.problems().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Spec(
            projectDir,
            file,
            app.orElseThrow(),
            wsgi.orElseThrow(),
            requirements,
            wheelhouse,
            workers,
            domain,
            aliases,
            statics,
            env,
            shared,
            packages,
            processes,
            templates,
            release,
            health,
            rollout,
            tls,
            targets,
            supervisor,
            include,
            services,
            cron,
            backup,
            build));
  }

  private Optional<String> wheelhouse(Fields top) {
    Optional<Node> node = top.get("wheelhouse");
    Optional<String> wheelhouse =
        node.flatMap(
            n -> nodes.parse(n, "wheelhouse", "a directory in the project", paths::directory));
    // pip reads the wheelhouse only while installing requirements; alone it would silently do
    // nothing.
    if (node.isPresent() && top.get("requirements").isEmpty()) {
      nodes.problem(
          node.get(),
          "wheelhouse",
          "a wheelhouse is only used to install requirements, and there is no requirements file",
          "add 'requirements: requirements.txt', or remove wheelhouse");
    }
    return wheelhouse;
  }

  private static Workers workers(String text) {
    if (text.equals("auto")) {
      return Workers.auto();
    }
    if (text.matches("[0-9]{1,9}")
        && Integer.parseInt(text) >= 1
        && Integer.parseInt(text) <= MAX_WORKERS) {
      return new Workers(java.util.OptionalInt.of(Integer.parseInt(text)));
    }
    throw new InvalidValue(
        "expected 'auto' or a number from 1 to " + MAX_WORKERS + ", found '" + text + "'",
        "'auto' runs 2 x CPU cores + 1 workers");
  }

  private List<String> aliases(Node node, String domain) {
    List<String> aliases =
        distinct(node, "aliases", "a hostname", text -> Values.hostname(text, false), a -> a);
    if (aliases.contains(domain)) {
      nodes.problem(
          node, "aliases", "'" + domain + "' is already the domain", "remove it from aliases");
    }
    return aliases;
  }

  /**
   * A glob relative to the project ({@code *}, {@code **}, {@code ?}, {@code [abc]}), normalised
   * like a path; it may not climb out of the project.
   */
  private static String includePattern(String text) {
    String pattern = ProjectPaths.relative(text);
    if (pattern.chars().filter(c -> c == '[').count()
        != pattern.chars().filter(c -> c == ']').count()) {
      throw new InvalidValue(
          "expected a file pattern with matching '[' and ']', found '" + text + "'",
          "e.g. 'static/dist/**' or '*.mo'");
    }
    return pattern;
  }

  private static String sharedDir(String text) {
    String dir = ProjectPaths.relative(text);
    if (dir.equals(".venv") || dir.startsWith(".venv/")) {
      throw new InvalidValue(
          "'.venv' cannot be shared", "remove it; each release builds its own virtualenv");
    }
    return dir;
  }

  /**
   * The items of a list, parsed, with a problem for each one whose identity repeats an earlier one.
   */
  private <T> List<T> distinct(
      Node node,
      String key,
      String expected,
      Function<String, T> parser,
      Function<T, String> identity) {
    List<T> items = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Node item : nodes.list(node, key, "a list").orElse(List.of())) {
      Optional<T> value = nodes.parse(item, key, expected, parser);
      if (value.isPresent() && !seen.add(identity.apply(value.get()))) {
        nodes.problem(
            item,
            key,
            "'" + identity.apply(value.get()) + "' is listed twice",
            "remove one of them");
      } else {
        value.ifPresent(items::add);
      }
    }
    return List.copyOf(items);
  }

  private List<PackageRef> packages(Node node) {
    return distinct(node, "packages", "a Debian package", Values::packageRef, PackageRef::name);
  }

  private Map<String, String> statics(Node node, boolean hooksMayCreate) {
    return pairs(
        node,
        "static",
        "a mapping of URL prefixes to directories",
        Values::urlPrefix,
        text -> paths.staticDirectory(text, hooksMayCreate));
  }

  private Map<String, String> templates(Node node) {
    return pairs(
        node,
        "templates",
        "a mapping of destinations to template files",
        ProjectPaths::relative,
        paths::file);
  }

  /**
   * A mapping whose keys and values are both parsed; keys that coincide once normalised are
   * duplicates.
   */
  private Map<String, String> pairs(
      Node node,
      String key,
      String expected,
      Function<String, String> keyParser,
      Function<String, String> valueParser) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (NodeTuple entry : nodes.entries(node, key, expected).orElse(List.of())) {
      String entryKey = key + "." + ((ScalarNode) entry.getKeyNode()).getValue();
      Optional<String> k = nodes.parse(entry.getKeyNode(), entryKey, "a key", keyParser);
      Optional<String> v =
          nodes.parse(entry.getValueNode(), entryKey, "a path in the project", valueParser);
      if (k.isPresent() && pairs.containsKey(k.get())) {
        nodes.problem(
            entry.getKeyNode(), entryKey, "'" + k.get() + "' is given twice", "remove one of them");
      } else if (k.isPresent() && v.isPresent()) {
        pairs.put(k.get(), v.get());
      }
    }
    return Collections.unmodifiableMap(pairs);
  }

  private Map<String, String> env(Node node) {
    Map<String, String> env = new LinkedHashMap<>();
    for (NodeTuple entry :
        nodes.entries(node, "env", "a mapping of variable names to values").orElse(List.of())) {
      String entryKey = "env." + ((ScalarNode) entry.getKeyNode()).getValue();
      Optional<String> name =
          nodes.parse(entry.getKeyNode(), entryKey, "a variable name", Values::envName);
      Node value = entry.getValueNode();
      Optional<String> text = Optional.empty();
      if (YamlNodes.isNull(value)) {
        nodes.problem(
            value,
            entryKey,
            "expected a value, found nothing",
            "write KEY: \"\" for an empty value");
      } else {
        text = nodes.text(value, entryKey, "a string, number or boolean");
      }
      if (name.isPresent() && text.isPresent()) {
        env.put(name.get(), text.get());
      }
    }
    return Collections.unmodifiableMap(env);
  }
}
